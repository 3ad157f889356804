//! Stage 1: the teacher learns from all its sensors, its three heads (attention, causal,
//! combined) trained jointly with one cross-entropy each.

use anyhow::Result;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Int, Tensor};
use tsak::data::normalize::ChannelStats;
use tsak::model::{Teacher, TeacherConfig, TeacherOutput};

use crate::training::batches::{Batch, batches};
use crate::training::dataset::WindowSet;
use crate::training::fit::{FitHistory, FitOptions, fit, start_weights};
use crate::training::scoring::{Validation, predicted_classes};

/// A trained teacher, ready for stage 2 and export.
pub struct TrainedTeacher {
    pub config: TeacherConfig,
    /// Inference copy (no autodiff).
    pub model: Teacher,
    pub stats: ChannelStats,
    pub history: FitHistory,
}

/// Trains the teacher; validation macro-F1 is the combined head's at 1 Hz.
pub fn train_teacher(
    config: TeacherConfig,
    train: &WindowSet,
    val: &Validation<'_>,
    stats: ChannelStats,
    options: &FitOptions,
) -> Result<TrainedTeacher> {
    let eval_device = options.device.base()?;
    let device = eval_device.clone().autodiff();
    device.seed(options.seed);
    let model = start_weights(config.init(&device), options)?;
    let loss = |teacher: &Teacher, batch: &Batch| stage_one_loss(teacher.forward(batch.inputs.clone()), &batch.targets);
    let validate = |teacher: &Teacher| val.macro_f1(&predict_combined(&teacher.valid(), val.windows, &eval_device));
    let (best, history) = fit(model, &device, train, options, loss, validate)?;
    Ok(TrainedTeacher { config, model: best.valid(), stats, history })
}

/// Stage 1's loss: one cross-entropy per head, summed, so that each representation learns to
/// classify on its own (the semantic classifier merges them later).
pub fn stage_one_loss(out: TeacherOutput, targets: &Tensor<1, Int>) -> Tensor<1> {
    let ce = CrossEntropyLossConfig::new().init(&targets.device());
    ce.forward(out.attention_logits, targets.clone())
        + ce.forward(out.causal_logits, targets.clone())
        + ce.forward(out.combined_logits, targets.clone())
}

/// Class index predicted by the combined head for every window of `set`.
pub fn predict_combined(teacher: &Teacher, set: &WindowSet, device: &Device) -> Vec<usize> {
    let order: Vec<usize> = (0..set.len()).collect();
    let mut predicted = Vec::with_capacity(set.len());
    for batch in batches(set, &order, 256, device) {
        predicted.extend(predicted_classes(teacher.forward(batch.inputs).combined_logits));
    }
    predicted
}
