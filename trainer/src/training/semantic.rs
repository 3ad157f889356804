//! Stage 2: the semantic classifier learns to merge the frozen teacher's three
//! representations; its logits become the teacher's final prediction.

use anyhow::Result;
use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::tensor::{Device, Tensor};
use tsak::model::{SemanticClassifier, SemanticClassifierConfig};

use crate::training::batches::Batch;
use crate::training::dataset::WindowSet;
use crate::training::features::TeacherFeatures;
use crate::training::fit::{FitHistory, FitOptions, fit, start_weights};
use crate::training::scoring::{Validation, predicted_classes};

/// A trained semantic classifier.
pub struct TrainedSemantic {
    pub config: SemanticClassifierConfig,
    pub model: SemanticClassifier,
    pub history: FitHistory,
}

/// Trains the semantic classifier on cached teacher features of the training windows.
pub fn train_semantic(
    config: SemanticClassifierConfig,
    train: (&WindowSet, &TeacherFeatures),
    val: (&Validation<'_>, &TeacherFeatures),
    options: &FitOptions,
) -> Result<TrainedSemantic> {
    let eval_device = options.device.base()?;
    let device = eval_device.clone().autodiff();
    device.seed(options.seed);
    let model = start_weights(config.init(&device), options)?;
    let (train_set, train_features) = train;
    let loss = |sc: &SemanticClassifier, batch: &Batch| -> Tensor<1> {
        let d = batch.targets.device();
        let out = sc.forward(
            train_features.attention.gather(&batch.indices, &d),
            train_features.causal.gather(&batch.indices, &d),
            train_features.combined.gather(&batch.indices, &d),
        );
        CrossEntropyLossConfig::new().init(&d).forward(out.logits, batch.targets.clone())
    };
    let validate = |sc: &SemanticClassifier| val.0.macro_f1(&predict(&sc.valid(), val.1, &eval_device));
    let (best, history) = fit(model, &device, train_set, options, loss, validate)?;
    Ok(TrainedSemantic { config, model: best.valid(), history })
}

/// Class index the semantic classifier predicts for each cached window.
pub fn predict(sc: &SemanticClassifier, features: &TeacherFeatures, device: &Device) -> Vec<usize> {
    let all: Vec<usize> = (0..features.attention.len()).collect();
    let mut predicted = Vec::with_capacity(all.len());
    for chunk in all.chunks(1024) {
        let out = sc.forward(
            features.attention.gather(chunk, device),
            features.causal.gather(chunk, device),
            features.combined.gather(chunk, device),
        );
        predicted.extend(predicted_classes(out.logits));
    }
    predicted
}
