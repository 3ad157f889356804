//! The frozen teacher's outputs for every window, computed once and kept on the host.
//!
//! Stage 2 and every distillation run read the teacher's representations and logits many
//! times; recomputing them per epoch would dominate training time on two cores (see
//! shared/notes/burn.md), so they are cached as plain rows and gathered into batches.

use burn::tensor::{Device, Tensor, TensorData};
use serde::{Deserialize, Serialize};
use tsak::model::{SemanticClassifier, Teacher};

use crate::training::augment::Augment;
use crate::training::batches::{augmented_batch, epoch_rng};
use crate::training::dataset::WindowSet;

/// One `[rows, dim]` matrix of features, row-major on the host.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FeatureRows {
    pub dim: usize,
    pub values: Vec<f32>,
}

impl FeatureRows {
    /// Appends a batch of rows (`[batch, dim]`).
    pub fn push(&mut self, tensor: Tensor<2>) {
        self.dim = tensor.dims()[1];
        self.values.extend(tensor.into_data().try_to_vec::<f32>().expect("features are f32"));
    }

    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.dim).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.dim..(i + 1) * self.dim]
    }

    /// `rows` rows of `dim` zeros, to be filled by [`FeatureRows::set_row`].
    pub fn zeros(rows: usize, dim: usize) -> Self {
        Self { dim, values: vec![0.0; rows * dim] }
    }

    pub fn set_row(&mut self, i: usize, row: &[f32]) {
        self.values[i * self.dim..(i + 1) * self.dim].copy_from_slice(row);
    }

    /// The rows `indices` as a `[indices.len(), dim]` tensor on `device` (no gradient).
    pub fn gather(&self, indices: &[usize], device: &Device) -> Tensor<2> {
        let mut values = Vec::with_capacity(indices.len() * self.dim);
        for &i in indices {
            values.extend_from_slice(self.row(i));
        }
        Tensor::from_data(TensorData::new(values, [indices.len(), self.dim]), device)
    }
}

/// What the teacher (and, once trained, the semantic classifier) says about each window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TeacherFeatures {
    pub attention: FeatureRows,
    pub causal: FeatureRows,
    pub combined: FeatureRows,
    pub combined_logits: FeatureRows,
    pub semantic: FeatureRows,
    pub semantic_logits: FeatureRows,
    /// Combined-head logits of the fold teacher that did not learn from the window (empty
    /// unless an out-of-fold strategy asked for them).
    pub out_of_fold_combined_logits: FeatureRows,
    /// The same fold teacher's semantic-classifier logits.
    pub out_of_fold_semantic_logits: FeatureRows,
}

/// Runs the teacher over every window of `set` (in order) on the inference device.
pub fn teacher_features(teacher: &Teacher, set: &WindowSet, device: &Device) -> TeacherFeatures {
    augmented_teacher_features(teacher, set, device, None)
}

/// Runs the teacher over every window of `set` (in order), each perturbed by `augment` when
/// given: the semantic classifier learns to merge the representations from these, because on
/// clean training windows the teacher is nearly always right and there is little to learn.
pub fn augmented_teacher_features(
    teacher: &Teacher,
    set: &WindowSet,
    device: &Device,
    augment: Option<(&Augment, u64)>,
) -> TeacherFeatures {
    let mut features = TeacherFeatures::default();
    let order: Vec<usize> = (0..set.len()).collect();
    let mut rng = epoch_rng(augment.map_or(0, |(_, seed)| seed), 0);
    for chunk in order.chunks(256) {
        let batch = augmented_batch(set, chunk, device, augment.map(|(a, _)| (a, &mut rng)));
        let out = teacher.forward(batch.inputs);
        features.attention.push(out.attention);
        features.causal.push(out.causal);
        features.combined.push(out.combined);
        features.combined_logits.push(out.combined_logits);
    }
    features
}

/// Adds the semantic classifier's representation and logits to cached teacher features.
pub fn add_semantic(features: &mut TeacherFeatures, semantic: &SemanticClassifier, device: &Device) {
    features.semantic = FeatureRows::default();
    features.semantic_logits = FeatureRows::default();
    let all: Vec<usize> = (0..features.attention.len()).collect();
    for chunk in all.chunks(1024) {
        let out = semantic.forward(
            features.attention.gather(chunk, device),
            features.causal.gather(chunk, device),
            features.combined.gather(chunk, device),
        );
        features.semantic.push(out.representation);
        features.semantic_logits.push(out.logits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_picks_rows_in_order() {
        let rows = FeatureRows { dim: 2, values: vec![0.0, 1.0, 10.0, 11.0, 20.0, 21.0] };
        let t = rows.gather(&[2, 0], &Device::flex());
        assert_eq!(t.into_data().try_to_vec::<f32>().unwrap(), vec![20.0, 21.0, 0.0, 1.0]);
        assert_eq!(rows.len(), 3);
    }
}
