//! Distilling the one-wrist student from the frozen teacher and semantic classifier with one
//! of the [`KdStrategy`]s. The teacher side comes from the feature cache; only the student and
//! its training-only projection heads learn.

use anyhow::{Result, ensure};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use tsak::model::{Student, StudentConfig, StudentProjections, StudentProjectionsConfig};

use crate::training::batches::{self, Batch, batches};
use crate::training::dataset::WindowSet;
use crate::training::features::TeacherFeatures;
use crate::training::fit::{FitHistory, FitOptions, fit, start_weights};
use crate::training::kd::{KdStrategy, logit_kd, rep_kd, soft_cross_entropy};
use crate::training::mixed_views::{MixedViews, mixed_targets};
use crate::training::scoring::{Validation, predicted_classes};

/// The knobs of a distillation loss, recorded with every result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KdWeights {
    /// Softmax temperature of logit KD.
    pub temperature: f64,
    /// Share of logit KD against the label loss: `(1 - alpha) * CE + alpha * KD`.
    pub alpha: f64,
    /// Weight of representation KD added to the label loss.
    pub beta: f64,
}

impl Default for KdWeights {
    fn default() -> Self {
        Self { temperature: 4.0, alpha: 0.5, beta: 1.0 }
    }
}

/// The student and the projections it needs only while it learns.
#[derive(Module, Debug)]
pub struct DistillStudent {
    pub student: Student,
    pub projections: StudentProjections,
}

/// A distilled student.
pub struct TrainedStudent {
    pub config: StudentConfig,
    pub strategy: KdStrategy,
    pub weights: KdWeights,
    pub model: Student,
    pub history: FitHistory,
}

/// What a student learns from besides its labels: the teacher's cached outputs on its training
/// windows and, for the mixing strategies, the teacher's answers on mixed windows.
pub struct TeacherSignals<'a> {
    pub features: &'a TeacherFeatures,
    pub mixed: Option<&'a MixedViews>,
}

/// What the mixing strategies need during one student's training: the views, and the
/// student's windows to fetch each window's partner from.
struct Mixer<'a> {
    views: &'a MixedViews,
    set: &'a WindowSet,
    classes: usize,
}

/// The loss of one batch for a strategy that learns from the cached teacher outputs of its own
/// windows; the strategies that mix windows go through `mix_loss` (see [`distill`]).
pub fn kd_loss(
    model: &DistillStudent,
    batch: &Batch,
    teacher: &TeacherFeatures,
    strategy: KdStrategy,
    w: KdWeights,
) -> Tensor<1> {
    let device = batch.inputs.device();
    let out = model.student.forward(batch.inputs.clone());
    let ce = CrossEntropyLossConfig::new().init(&device).forward(out.logits.clone(), batch.targets.clone());
    let rows = |f: &crate::training::features::FeatureRows| f.gather(&batch.indices, &device);
    let logit = |teacher_logits| logit_kd(out.logits.clone(), teacher_logits, w.temperature);
    let rep = |projected, target| rep_kd(projected, target) * w.beta;
    let s = out.representation.clone();
    let p = &model.projections;
    match strategy {
        KdStrategy::None => ce,
        KdStrategy::Logit => ce * (1.0 - w.alpha) + logit(rows(&teacher.combined_logits)) * w.alpha,
        KdStrategy::ScLogit => ce * (1.0 - w.alpha) + logit(rows(&teacher.semantic_logits)) * w.alpha,
        KdStrategy::LogitOof => ce * (1.0 - w.alpha) + logit(rows(&teacher.out_of_fold_combined_logits)) * w.alpha,
        KdStrategy::ScLogitOof => ce * (1.0 - w.alpha) + logit(rows(&teacher.out_of_fold_semantic_logits)) * w.alpha,
        KdStrategy::AttnRep => ce + rep(p.attention(s), rows(&teacher.attention)),
        KdStrategy::CausalRep => ce + rep(p.causal(s), rows(&teacher.causal)),
        KdStrategy::CombiRep => ce + rep(p.combined(s), rows(&teacher.combined)),
        KdStrategy::ScRep => ce + rep(p.semantic(s), rows(&teacher.semantic)),
        KdStrategy::ScMix => {
            ce * (1.0 - w.alpha)
                + logit(rows(&teacher.semantic_logits)) * w.alpha
                + rep(p.semantic(s), rows(&teacher.semantic))
        }
        KdStrategy::NoneMix | KdStrategy::LogitMix => {
            unreachable!("{strategy} mixes windows: its loss is mix_loss")
        }
    }
}

/// The loss of one batch for a strategy that mixes windows: each window of the batch (already
/// augmented) is blended with its view's partner, `lambda * x_i + (1 - lambda) * x_j`; the label
/// loss is mixup's, against the blended labels; `logit-mix` adds Hinton KD against the
/// teacher's logits on the same mix.
fn mix_loss(model: &DistillStudent, batch: &Batch, mixer: &Mixer<'_>, strategy: KdStrategy, w: KdWeights) -> Tensor<1> {
    let device = batch.inputs.device();
    let mix = mixer.views.for_batch(&batch.indices);
    let n = batch.indices.len();
    let lambda = Tensor::<1>::from_data(TensorData::new(mix.lambdas.clone(), [n]), &device).reshape([n, 1, 1]);
    let partners = batches::batch(mixer.set, &mix.partners, &device).inputs;
    let x = batch.inputs.clone() * lambda.clone() + partners * (lambda.neg() + 1.0);
    let logits = model.student.forward(x).logits;
    let targets = mixed_targets(&mixer.set.targets, &batch.indices, &mix, mixer.classes, &device);
    let ce = soft_cross_entropy(logits.clone(), targets);
    match strategy {
        KdStrategy::LogitMix => {
            let teacher = mixer.views.logits.gather(&mix.rows, &device);
            ce * (1.0 - w.alpha) + logit_kd(logits, teacher, w.temperature) * w.alpha
        }
        _ => ce,
    }
}

/// Distils a student. `train` holds the student's windows; `teacher` the cached teacher
/// outputs for the very same windows, in the same order.
pub fn distill(
    config: StudentConfig,
    projections: StudentProjectionsConfig,
    train: (&WindowSet, &TeacherSignals<'_>),
    val: &Validation<'_>,
    strategy: KdStrategy,
    weights: KdWeights,
    options: &FitOptions,
) -> Result<TrainedStudent> {
    let (set, signals) = train;
    let teacher = signals.features;
    ensure!(
        teacher.attention.len() == set.len(),
        "the teacher features cover {} windows, the student set {}",
        teacher.attention.len(),
        set.len()
    );
    ensure!(
        !strategy.needs_semantic() || teacher.semantic.len() == set.len(),
        "strategy {strategy} needs the semantic classifier's outputs"
    );
    ensure!(
        !strategy.needs_out_of_fold()
            || (teacher.out_of_fold_combined_logits.len() == set.len()
                && teacher.out_of_fold_semantic_logits.len() == set.len()),
        "strategy {strategy} needs the out-of-fold teachers' logits"
    );
    let eval_device = options.device.base()?;
    let device = eval_device.clone().autodiff();
    device.seed(options.seed);
    let student = start_weights(config.init(&device), options)?;
    let model = DistillStudent { student, projections: projections.init(&device) };
    let mixer = match (strategy.mixes_windows(), signals.mixed) {
        (false, _) => None,
        (true, Some(views)) => {
            ensure!(
                views.windows == set.len(),
                "the mixed views cover {} windows, the set {}",
                views.windows,
                set.len()
            );
            Some(Mixer { views, set, classes: config.classes })
        }
        (true, None) => anyhow::bail!("strategy {strategy} needs the teacher's mixed views"),
    };
    let loss = |m: &DistillStudent, batch: &Batch| match &mixer {
        Some(mixer) => mix_loss(m, batch, mixer, strategy, weights),
        None => kd_loss(m, batch, teacher, strategy, weights),
    };
    let validate = |m: &DistillStudent| val.macro_f1(&predict(&m.student.valid(), val.windows, &eval_device));
    let (best, history) = fit(model, &device, set, options, loss, validate)?;
    Ok(TrainedStudent { config, strategy, weights, model: best.student.valid(), history })
}

/// Class index the student predicts for every window of `set`.
pub fn predict(student: &Student, set: &WindowSet, device: &Device) -> Vec<usize> {
    let order: Vec<usize> = (0..set.len()).collect();
    let mut predicted = Vec::with_capacity(set.len());
    for batch in batches(set, &order, 512, device) {
        predicted.extend(predicted_classes(student.forward(batch.inputs).logits));
    }
    predicted
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Int, TensorData};

    use super::*;
    use crate::training::features::FeatureRows;
    use crate::training::mixed_views::mixed_inputs;

    const WINDOWS: usize = 4;

    /// A real student and projections, a batch of four windows, and the device.
    fn setup() -> (DistillStudent, Batch, Device) {
        let device = Device::flex();
        let config = StudentConfig::new();
        let projections = StudentProjectionsConfig::new(config.representation_size(), 24, 24, 24, 16);
        let model = DistillStudent { student: config.init(&device), projections: projections.init(&device) };
        let length = 40;
        let values: Vec<f32> = (0..WINDOWS * 3 * length).map(|i| ((i as f32) * 0.37).sin()).collect();
        let inputs = Tensor::<3>::from_data(TensorData::new(values, [WINDOWS, 3, length]), &device);
        let targets = Tensor::<1, Int>::from_data(TensorData::new(vec![0_i64, 3, 5, 10], [WINDOWS]), &device);
        (model, Batch { inputs, targets, indices: (0..WINDOWS).collect() }, device)
    }

    fn rows(t: Tensor<2>) -> FeatureRows {
        FeatureRows { dim: t.dims()[1], values: t.into_data().try_to_vec::<f32>().unwrap() }
    }

    fn noise(rows_: usize, dim: usize, seed: f32, device: &Device) -> Tensor<2> {
        let values: Vec<f32> = (0..rows_ * dim).map(|i| ((i as f32 + seed) * 1.31).cos() * 2.0).collect();
        Tensor::from_data(TensorData::new(values, [rows_, dim]), device)
    }

    /// Teacher outputs equal to what the student (through its projections) already gives: every
    /// distillation target is met. Representations are doubled: only their direction counts.
    fn met_targets(model: &DistillStudent, batch: &Batch) -> TeacherFeatures {
        let out = model.student.forward(batch.inputs.clone());
        let (s, p) = (out.representation, &model.projections);
        TeacherFeatures {
            attention: rows(p.attention(s.clone()) * 2.0),
            causal: rows(p.causal(s.clone()) * 2.0),
            combined: rows(p.combined(s.clone()) * 2.0),
            combined_logits: rows(out.logits.clone()),
            semantic: rows(p.semantic(s) * 2.0),
            semantic_logits: rows(out.logits.clone()),
            out_of_fold_combined_logits: rows(out.logits.clone()),
            out_of_fold_semantic_logits: rows(out.logits),
        }
    }

    /// Teacher outputs unrelated to the student's.
    fn other_targets(device: &Device) -> TeacherFeatures {
        TeacherFeatures {
            attention: rows(noise(WINDOWS, 24, 1.0, device)),
            causal: rows(noise(WINDOWS, 24, 2.0, device)),
            combined: rows(noise(WINDOWS, 24, 3.0, device)),
            combined_logits: rows(noise(WINDOWS, 11, 4.0, device)),
            semantic: rows(noise(WINDOWS, 16, 5.0, device)),
            semantic_logits: rows(noise(WINDOWS, 11, 6.0, device)),
            out_of_fold_combined_logits: rows(noise(WINDOWS, 11, 7.0, device)),
            out_of_fold_semantic_logits: rows(noise(WINDOWS, 11, 8.0, device)),
        }
    }

    fn loss(
        model: &DistillStudent,
        batch: &Batch,
        teacher: &TeacherFeatures,
        strategy: KdStrategy,
        w: KdWeights,
    ) -> f32 {
        kd_loss(model, batch, teacher, strategy, w).into_scalar::<f32>()
    }

    #[test]
    fn a_student_that_meets_its_targets_pays_only_the_label_loss() {
        let (model, batch, _) = setup();
        let teacher = met_targets(&model, &batch);
        let w = KdWeights::default();
        let ce = loss(&model, &batch, &teacher, KdStrategy::None, w);
        assert!(ce > 0.1, "an untrained student has a label loss: {ce}");
        for strategy in KdStrategy::ALL.into_iter().filter(|s| !s.mixes_windows()) {
            // Logit strategies weigh the label loss by 1 - alpha; representation ones add to it.
            let uses_logits = matches!(
                strategy,
                KdStrategy::Logit
                    | KdStrategy::ScLogit
                    | KdStrategy::ScMix
                    | KdStrategy::LogitOof
                    | KdStrategy::ScLogitOof
            );
            let want = if uses_logits { (1.0 - w.alpha as f32) * ce } else { ce };
            let got = loss(&model, &batch, &teacher, strategy, w);
            assert!((got - want).abs() < 1e-4, "{strategy}: {got}, want {want}");
        }
    }

    /// The batch's windows as a set, with the batch's targets, for the mixing strategies.
    fn set_of(batch: &Batch) -> WindowSet {
        let [n, channels, length] = batch.inputs.dims();
        let values = batch.inputs.clone().into_data().try_to_vec::<f32>().unwrap();
        let targets = batch.targets.clone().into_data().convert::<i64>().try_to_vec::<i64>().unwrap();
        WindowSet::from_windows(
            channels,
            length,
            &values,
            targets.iter().map(|&t| t as usize).collect(),
            vec![(0, 0); n],
        )
    }

    fn mix_loss_of(model: &DistillStudent, batch: &Batch, views: &MixedViews, strategy: KdStrategy) -> f32 {
        let set = set_of(batch);
        let mixer = Mixer { views, set: &set, classes: 11 };
        mix_loss(model, batch, &mixer, strategy, KdWeights::default()).into_scalar::<f32>()
    }

    /// With every share at 1 a mix is the window itself: mixup's loss is the plain label loss,
    /// and a teacher that answers what the student answers adds nothing to `logit-mix`.
    #[test]
    fn an_unmixed_view_costs_what_the_labels_cost() {
        let (model, batch, device) = setup();
        let ce = loss(&model, &batch, &other_targets(&device), KdStrategy::None, KdWeights::default());
        let own = rows(model.student.forward(batch.inputs.clone()).logits);
        let views =
            MixedViews { windows: WINDOWS, partners: vec![1, 2, 3, 0], lambdas: vec![1.0; WINDOWS], logits: own };
        assert!((mix_loss_of(&model, &batch, &views, KdStrategy::NoneMix) - ce).abs() < 1e-4);
        let alpha = KdWeights::default().alpha as f32;
        assert!((mix_loss_of(&model, &batch, &views, KdStrategy::LogitMix) - (1.0 - alpha) * ce).abs() < 1e-4);
    }

    /// A half-and-half mix is scored against both windows' labels, half each, and `logit-mix`
    /// adds Hinton KD against the teacher's logits on that very mix (its view's row).
    #[test]
    fn a_mixed_view_is_scored_against_both_labels_and_the_teacher_on_the_mix() {
        let (model, batch, device) = setup();
        let partners = vec![1, 0, 3, 2];
        let teacher = noise(WINDOWS, 11, 4.0, &device) * 3.0;
        let views = MixedViews {
            windows: WINDOWS,
            partners: partners.clone(),
            lambdas: vec![0.5; WINDOWS],
            logits: rows(teacher.clone()),
        };
        let set = set_of(&batch);
        let indices: Vec<usize> = (0..WINDOWS).collect();
        let mixed = mixed_inputs(&set, &indices, &partners, &[0.5; WINDOWS], &device);
        let logits = model.student.forward(mixed).logits;
        let partner_targets: Vec<i64> = partners.iter().map(|&j| set.targets[j] as i64).collect();
        let partner_targets = Tensor::<1, Int>::from_data(TensorData::new(partner_targets, [WINDOWS]), &device);
        let ce = CrossEntropyLossConfig::new().init(&device);
        let both = (ce.forward(logits.clone(), batch.targets.clone()) + ce.forward(logits.clone(), partner_targets))
            .into_scalar::<f32>()
            / 2.0;
        let got = mix_loss_of(&model, &batch, &views, KdStrategy::NoneMix);
        assert!((got - both).abs() < 1e-4, "none-mix {got}, want {both}");
        let w = KdWeights::default();
        let kd = logit_kd(logits, teacher, w.temperature).into_scalar::<f32>();
        assert!(kd > 1e-2, "the teacher disagrees with the student: {kd}");
        let want = (1.0 - w.alpha as f32) * both + w.alpha as f32 * kd;
        let got = mix_loss_of(&model, &batch, &views, KdStrategy::LogitMix);
        assert!((got - want).abs() < 1e-4, "logit-mix {got}, want {want}");
    }

    #[test]
    fn alpha_and_beta_weigh_the_distillation_terms_as_documented() {
        let (model, batch, device) = setup();
        let teacher = other_targets(&device);
        let at = |strategy, alpha, beta| {
            loss(&model, &batch, &teacher, strategy, KdWeights { temperature: 4.0, alpha, beta })
        };
        let ce = at(KdStrategy::None, 0.5, 1.0);
        for strategy in [KdStrategy::Logit, KdStrategy::ScLogit, KdStrategy::LogitOof, KdStrategy::ScLogitOof] {
            // (1 - alpha) CE + alpha KD: CE alone at 0, KD alone at 1, linear between.
            assert!((at(strategy, 0.0, 1.0) - ce).abs() < 1e-5, "{strategy}");
            let kd = at(strategy, 1.0, 1.0);
            assert!(kd > 1e-3, "{strategy}: the teacher differs, so KD is positive: {kd}");
            let mixed = at(strategy, 0.25, 1.0);
            assert!((mixed - (0.75 * ce + 0.25 * kd)).abs() < 1e-4, "{strategy}: {mixed}");
        }
        for strategy in [KdStrategy::AttnRep, KdStrategy::CausalRep, KdStrategy::CombiRep, KdStrategy::ScRep] {
            // CE + beta Rep: beta scales only the representation term.
            assert!((at(strategy, 0.5, 0.0) - ce).abs() < 1e-5, "{strategy}");
            let (one, two) = (at(strategy, 0.5, 1.0) - ce, at(strategy, 0.5, 2.0) - ce);
            assert!(one > 1e-3 && (two - 2.0 * one).abs() < 1e-4, "{strategy}: {one} then {two}");
        }
        // SC-mix is SC-logit's loss plus SC-rep's representation term.
        let mix = at(KdStrategy::ScMix, 0.3, 1.5);
        let parts = at(KdStrategy::ScLogit, 0.3, 1.5) + (at(KdStrategy::ScRep, 0.3, 1.5) - ce);
        assert!((mix - parts).abs() < 1e-4, "{mix} vs {parts}");
    }

    #[test]
    fn out_of_fold_strategies_learn_from_the_fold_teachers_logits() {
        let (model, batch, device) = setup();
        let mut teacher = other_targets(&device);
        let kd_only = KdWeights { alpha: 1.0, ..KdWeights::default() };
        let at = |t: &TeacherFeatures, strategy| loss(&model, &batch, t, strategy, kd_only);
        let (oof, sc_oof) = (at(&teacher, KdStrategy::LogitOof), at(&teacher, KdStrategy::ScLogitOof));
        assert!((oof - at(&teacher, KdStrategy::Logit)).abs() > 1e-3, "not the run teacher's logits");
        teacher.combined_logits = teacher.out_of_fold_combined_logits.clone();
        teacher.semantic_logits = teacher.out_of_fold_semantic_logits.clone();
        assert_eq!(oof, at(&teacher, KdStrategy::Logit));
        assert_eq!(sc_oof, at(&teacher, KdStrategy::ScLogit));
    }
}
