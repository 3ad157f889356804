//! Distilling the one-wrist student from the frozen teacher and semantic classifier with one
//! of the [`KdStrategy`]s. The teacher side comes from the feature cache; only the student and
//! its training-only projection heads learn.

use anyhow::{Result, ensure};
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};
use tsak::model::{Student, StudentConfig, StudentProjections, StudentProjectionsConfig};

use crate::training::batches::{Batch, batches};
use crate::training::dataset::WindowSet;
use crate::training::features::TeacherFeatures;
use crate::training::fit::{FitHistory, FitOptions, fit, start_weights};
use crate::training::kd::{KdStrategy, logit_kd, rep_kd};
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

/// The loss of one batch for a strategy.
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
        KdStrategy::AttnRep => ce + rep(p.attention(s), rows(&teacher.attention)),
        KdStrategy::CausalRep => ce + rep(p.causal(s), rows(&teacher.causal)),
        KdStrategy::CombiRep => ce + rep(p.combined(s), rows(&teacher.combined)),
        KdStrategy::ScRep => ce + rep(p.semantic(s), rows(&teacher.semantic)),
        KdStrategy::ScMix => {
            ce * (1.0 - w.alpha)
                + logit(rows(&teacher.semantic_logits)) * w.alpha
                + rep(p.semantic(s), rows(&teacher.semantic))
        }
    }
}

/// Distils a student. `train` holds the student's windows; `teacher` the cached teacher
/// outputs for the very same windows, in the same order.
pub fn distill(
    config: StudentConfig,
    projections: StudentProjectionsConfig,
    train: (&WindowSet, &TeacherFeatures),
    val: &Validation<'_>,
    strategy: KdStrategy,
    weights: KdWeights,
    options: &FitOptions,
) -> Result<TrainedStudent> {
    let (set, teacher) = train;
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
    let eval_device = options.device.base()?;
    let device = eval_device.clone().autodiff();
    device.seed(options.seed);
    let student = start_weights(config.init(&device), options)?;
    let model = DistillStudent { student, projections: projections.init(&device) };
    let loss = |m: &DistillStudent, batch: &Batch| kd_loss(m, batch, teacher, strategy, weights);
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
