//! Knowledge-distillation strategies and their losses.
//!
//! Logit KD is Hinton's: `T² · KL(softmax(teacher/T) ‖ softmax(student/T))`. Representation KD
//! compares a projection of the student's representation with a teacher representation after
//! L2-normalising both, so the loss is scale-free and the projection cannot win by shrinking.
//! Teacher tensors are detached: gradients flow only into the student (and its projections).

use std::fmt;
use std::str::FromStr;

use burn::tensor::Tensor;
use burn::tensor::activation::{log_softmax, softmax};
use serde::{Deserialize, Serialize};

/// Which teacher signals a student learns from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KdStrategy {
    /// Labels only: the baseline.
    None,
    /// Hinton KD on the teacher's combined head.
    Logit,
    /// Feature KD on the attention representation.
    AttnRep,
    /// Feature KD on the causal representation.
    CausalRep,
    /// Feature KD on the combined representation.
    CombiRep,
    /// Hinton KD on the semantic classifier's logits (the teacher's final answer).
    ScLogit,
    /// Feature KD on the semantic classifier's representation.
    ScRep,
    /// SC-Logit plus SC-Rep together.
    ScMix,
    /// Labels only, on mixes of two windows with mixup's blended labels: the fair baseline of
    /// `logit-mix`, which sees the same inputs.
    NoneMix,
    /// Function matching: Hinton KD on mixes of two windows, against the teacher's answer on
    /// the very same mix ([`crate::training::mixed_views`]).
    LogitMix,
    /// Hinton KD on out-of-fold combined-head logits: each training window is labelled by a
    /// teacher that did not learn from it ([`crate::training::folds`]).
    LogitOof,
    /// Hinton KD on out-of-fold semantic-classifier logits (the fold teacher's final answer).
    ScLogitOof,
}

impl KdStrategy {
    pub const ALL: [KdStrategy; 12] = [
        KdStrategy::None,
        KdStrategy::Logit,
        KdStrategy::AttnRep,
        KdStrategy::CausalRep,
        KdStrategy::CombiRep,
        KdStrategy::ScLogit,
        KdStrategy::ScRep,
        KdStrategy::ScMix,
        KdStrategy::NoneMix,
        KdStrategy::LogitMix,
        KdStrategy::LogitOof,
        KdStrategy::ScLogitOof,
    ];

    /// What `pipeline` and `compare` distil unless told: every strategy but the out-of-fold
    /// ones, which first train four more teachers (on OpenPack's full data, hours).
    pub fn compared_by_default() -> Vec<KdStrategy> {
        Self::ALL.into_iter().filter(|s| !s.needs_out_of_fold()).collect()
    }

    /// Whether the strategy learns from the semantic classifier (stage 2) and so needs it.
    pub fn needs_semantic(self) -> bool {
        matches!(self, KdStrategy::ScLogit | KdStrategy::ScRep | KdStrategy::ScMix)
    }

    /// Whether the student learns from teachers that did not see its windows, which `distill`
    /// trains first (one per fold of the training windows).
    pub fn needs_out_of_fold(self) -> bool {
        matches!(self, KdStrategy::LogitOof | KdStrategy::ScLogitOof)
    }

    /// Whether the student learns on mixed windows (and so needs [`crate::training::mixed_views`]).
    pub fn mixes_windows(self) -> bool {
        matches!(self, KdStrategy::NoneMix | KdStrategy::LogitMix)
    }

    pub fn name(self) -> &'static str {
        match self {
            KdStrategy::None => "none",
            KdStrategy::Logit => "logit",
            KdStrategy::AttnRep => "attn-rep",
            KdStrategy::CausalRep => "causal-rep",
            KdStrategy::CombiRep => "combi-rep",
            KdStrategy::ScLogit => "sc-logit",
            KdStrategy::ScRep => "sc-rep",
            KdStrategy::ScMix => "sc-mix",
            KdStrategy::NoneMix => "none-mix",
            KdStrategy::LogitMix => "logit-mix",
            KdStrategy::LogitOof => "logit-oof",
            KdStrategy::ScLogitOof => "sc-logit-oof",
        }
    }
}

impl fmt::Display for KdStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for KdStrategy {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.name() == text).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|s| s.name()).collect();
            format!("unknown KD strategy `{text}`; expected one of {}", names.join(", "))
        })
    }
}

/// Hinton's logit distillation loss, averaged over the batch.
///
/// # Shapes
/// `student`, `teacher`: `[batch, classes]` -> scalar `[1]`.
pub fn logit_kd(student: Tensor<2>, teacher: Tensor<2>, temperature: f64) -> Tensor<1> {
    let teacher = teacher.detach();
    let p_teacher = softmax(teacher.clone() / temperature, 1);
    let log_p_teacher = log_softmax(teacher / temperature, 1);
    let log_p_student = log_softmax(student / temperature, 1);
    let kl = (p_teacher * (log_p_teacher - log_p_student)).sum_dim(1);
    kl.mean() * (temperature * temperature)
}

/// Cross-entropy against soft targets (rows summing to 1), averaged over the batch: mixup's
/// label loss. With one-hot targets it equals burn's `CrossEntropyLoss`.
///
/// # Shapes
/// `logits`, `targets`: `[batch, classes]` -> scalar `[1]`.
pub fn soft_cross_entropy(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    (targets.detach() * log_softmax(logits, 1)).sum_dim(1).mean().neg()
}

/// Representation distillation: mean squared distance between L2-normalised vectors
/// (equivalently `2 - 2·cos`), averaged over the batch.
///
/// # Shapes
/// `student_projected`, `teacher`: `[batch, dim]` -> scalar `[1]`.
pub fn rep_kd(student_projected: Tensor<2>, teacher: Tensor<2>) -> Tensor<1> {
    let s = l2_normalise(student_projected);
    let t = l2_normalise(teacher.detach());
    (s - t).powf_scalar(2.0).sum_dim(1).mean()
}

fn l2_normalise(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powf_scalar(2.0).sum_dim(1).sqrt().clamp_min(1e-8);
    x / norm
}

#[cfg(test)]
mod tests {
    use burn::tensor::{Device, TensorData};

    use super::*;

    fn tensor(values: &[f32], rows: usize) -> Tensor<2> {
        let cols = values.len() / rows;
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, cols]), &Device::flex())
    }

    fn value(t: Tensor<1>) -> f32 {
        t.into_scalar::<f32>()
    }

    #[test]
    fn logit_kd_is_zero_when_student_and_teacher_agree_and_positive_otherwise() {
        let a = tensor(&[1.0, -2.0, 0.5, 3.0, 0.0, -1.0], 2);
        assert!(value(logit_kd(a.clone(), a.clone(), 4.0)).abs() < 1e-6);
        let b = tensor(&[0.0, 1.0, 2.0, -1.0, 2.0, 0.0], 2);
        assert!(value(logit_kd(b, a, 4.0)) > 1e-3);
    }

    #[test]
    fn logit_kd_ignores_a_constant_shift_of_the_logits() {
        let a = tensor(&[1.0, -2.0, 0.5], 1);
        let shifted = tensor(&[11.0, 8.0, 10.5], 1);
        assert!(value(logit_kd(shifted, a, 2.0)).abs() < 1e-5);
    }

    #[test]
    fn rep_kd_is_zero_for_aligned_vectors_and_positive_otherwise() {
        let a = tensor(&[1.0, 2.0, 3.0, -1.0, 0.5, 0.0], 2);
        let scaled = tensor(&[2.0, 4.0, 6.0, -3.0, 1.5, 0.0], 2);
        assert!(value(rep_kd(scaled, a.clone())).abs() < 1e-6);
        let other = tensor(&[3.0, 2.0, 1.0, 0.0, 0.5, -1.0], 2);
        assert!(value(rep_kd(other, a)) > 1e-2);
    }

    /// Hinton et al.: at high temperature, T² · KL becomes logit matching, half the mean squared
    /// difference of the centred logits over the classes. So T is applied inside the softmax and
    /// T² outside, as documented; a loss without the T² would vanish here.
    #[test]
    fn at_high_temperature_logit_kd_is_matching_centred_logits() {
        let (s, t) = ([0.3_f32, -1.2, 2.0, 0.1], [1.0_f32, 0.4, -0.5, 0.0]);
        let centred = |v: [f32; 4]| {
            let mean = v.iter().sum::<f32>() / 4.0;
            v.map(|x| x - mean)
        };
        let (cs, ct) = (centred(s), centred(t));
        let matching: f32 = cs.iter().zip(&ct).map(|(a, b)| (a - b).powi(2)).sum::<f32>() / (2.0 * 4.0);
        let kd = value(logit_kd(tensor(&s, 1), tensor(&t, 1), 200.0));
        assert!((kd - matching).abs() < 0.01 * matching, "T=200: {kd} vs logit matching {matching}");
        let cooler = value(logit_kd(tensor(&s, 1), tensor(&t, 1), 1.0));
        assert!((cooler - matching).abs() > 0.05 * matching, "at T=1 it is not logit matching: {cooler}");
    }

    /// The gradient moves the student's softened distribution towards the teacher's:
    /// d/ds of T² · KL is T · (softmax(s/T) − softmax(t/T)) / batch, and none reaches the teacher.
    #[test]
    fn logit_kd_gradient_points_the_student_towards_the_teacher() {
        let device = Device::flex().autodiff();
        let (s, t) = ([0.3_f32, -1.2, 2.0, 1.0, 0.0, -1.0], [1.0_f32, 0.4, -0.5, -2.0, 1.0, 0.5]);
        let temperature = 2.0;
        let student = Tensor::<2>::from_data(TensorData::new(s.to_vec(), [2, 3]), &device).require_grad();
        let teacher = Tensor::<2>::from_data(TensorData::new(t.to_vec(), [2, 3]), &device).require_grad();
        let grads = logit_kd(student.clone(), teacher.clone(), temperature).backward();
        let got = student.grad(&grads).unwrap().into_data().try_to_vec::<f32>().unwrap();
        let softmax_row = |row: &[f32]| {
            let e: Vec<f64> = row.iter().map(|&z| (f64::from(z) / temperature).exp()).collect();
            let sum: f64 = e.iter().sum();
            e.into_iter().map(move |x| x / sum)
        };
        for r in 0..2 {
            let (ps, pt) = (softmax_row(&s[3 * r..3 * r + 3]), softmax_row(&t[3 * r..3 * r + 3]));
            for (c, (a, b)) in ps.zip(pt).enumerate() {
                let want = temperature * (a - b) / 2.0;
                assert!(
                    (f64::from(got[3 * r + c]) - want).abs() < 1e-5,
                    "row {r} class {c}: {} vs {want}",
                    got[3 * r + c]
                );
            }
        }
        assert!(
            teacher.grad(&grads).is_none_or(|g| g.into_data().try_to_vec::<f32>().unwrap().iter().all(|&v| v == 0.0))
        );
    }

    #[test]
    fn soft_cross_entropy_with_one_hot_targets_is_the_usual_cross_entropy() {
        use burn::nn::loss::CrossEntropyLossConfig;
        use burn::tensor::Int;
        let logits = tensor(&[1.0, -2.0, 0.5, 3.0, 0.0, -1.0], 2);
        let one_hot = tensor(&[0.0, 0.0, 1.0, 1.0, 0.0, 0.0], 2);
        let classes = Tensor::<1, Int>::from_data(TensorData::new(vec![2_i64, 0], [2]), &Device::flex());
        let usual = CrossEntropyLossConfig::new().init(&Device::flex()).forward(logits.clone(), classes);
        assert!((value(soft_cross_entropy(logits.clone(), one_hot)) - value(usual)).abs() < 1e-6);
        // Half and half: the mean of both classes' losses.
        let half = tensor(&[0.5, 0.5, 0.0], 1);
        let row = tensor(&[1.0, -2.0, 0.5], 1);
        let (a, b) = (tensor(&[1.0, 0.0, 0.0], 1), tensor(&[0.0, 1.0, 0.0], 1));
        let mean = (value(soft_cross_entropy(row.clone(), a)) + value(soft_cross_entropy(row.clone(), b))) / 2.0;
        assert!((value(soft_cross_entropy(row, half)) - mean).abs() < 1e-6);
    }

    #[test]
    fn strategies_parse_by_name() {
        for strategy in KdStrategy::ALL {
            assert_eq!(strategy.name().parse::<KdStrategy>(), Ok(strategy));
        }
        assert!("dark-knowledge".parse::<KdStrategy>().is_err());
    }

    #[test]
    fn a_comparison_trains_no_extra_teachers_unless_asked() {
        let default = KdStrategy::compared_by_default();
        assert_eq!(default.len(), KdStrategy::ALL.len() - 2);
        assert!(default.iter().all(|s| !s.needs_out_of_fold()));
    }
}
