//! The stage-2 semantic classifier: merges the frozen teacher's attention, causal and combined
//! representations into one, and its logits are the teacher's final prediction.
//!
//! Each representation lives in its own space, so each first gets its own layer norm, linear
//! layer and GELU into a shared space. There a scorer rates every view, a softmax over the three
//! turns the scores into weights, and the weighted sum says which view to trust for this window.
//! The weighted sum and the three views side by side then go through one more linear layer:
//! weighing alone could only pick, the concatenation lets it also combine.
//! (Our reading of TSAK's semantic classifier; the paper's code is not public.)

use burn::nn::{Gelu, LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

use super::head::{ClassifierHead, ClassifierHeadConfig};
use super::teacher::TeacherConfig;

/// The teacher representations the classifier merges, in the order of [`SemanticOutput::weights`].
pub const REPRESENTATIONS: [&str; 3] = ["attention", "causal", "combined"];

/// Configuration of the [`SemanticClassifier`].
#[derive(Config, Debug)]
pub struct SemanticClassifierConfig {
    /// Size of each teacher representation (the teacher's `d_model`).
    #[config(default = 48)]
    pub d_teacher: usize,
    /// Size of the shared space and of the classifier's own representation.
    #[config(default = 48)]
    pub d_model: usize,
    /// Classes, Null included.
    #[config(default = 11)]
    pub classes: usize,
    /// Dropout before the head.
    #[config(default = 0.1)]
    pub dropout: f64,
}

impl SemanticClassifierConfig {
    /// The classifier for `teacher`'s representations and classes, other settings default.
    pub fn for_teacher(teacher: &TeacherConfig) -> Self {
        Self::new().with_d_teacher(teacher.representation_size()).with_classes(teacher.classes)
    }

    /// The configuration shared by the three per-representation projections.
    pub fn projection(&self) -> RepresentationProjectionConfig {
        RepresentationProjectionConfig::new(self.d_teacher, self.d_model)
    }

    /// The head's configuration.
    pub fn head(&self) -> ClassifierHeadConfig {
        ClassifierHeadConfig::new(self.d_model, self.classes).with_dropout(self.dropout)
    }

    /// Returns the initialised classifier.
    pub fn init(&self, device: &Device) -> SemanticClassifier {
        SemanticClassifier {
            attention: self.projection().init(device),
            causal: self.projection().init(device),
            combined: self.projection().init(device),
            scorer: LinearConfig::new(self.d_model, 1).init(device),
            merge: LinearConfig::new((REPRESENTATIONS.len() + 1) * self.d_model, self.d_model).init(device),
            activation: Gelu::new(),
            head: self.head().init(device),
        }
    }
}

/// The stage-2 semantic classifier.
#[derive(Module, Debug)]
pub struct SemanticClassifier {
    pub(crate) attention: RepresentationProjection,
    pub(crate) causal: RepresentationProjection,
    pub(crate) combined: RepresentationProjection,
    /// One score per view in the shared space.
    pub(crate) scorer: Linear,
    /// `[weighted sum; attention; causal; combined] -> representation`.
    pub(crate) merge: Linear,
    pub(crate) activation: Gelu,
    pub(crate) head: ClassifierHead,
}

/// The semantic classifier's representation, logits and view weights.
#[derive(Debug, Clone)]
pub struct SemanticOutput {
    /// `[batch, d_model]`
    pub representation: Tensor<2>,
    /// `[batch, classes]`: the teacher's final answer.
    pub logits: Tensor<2>,
    /// `[batch, 3]`: how much each representation (in [`REPRESENTATIONS`] order) counted; rows
    /// sum to one.
    pub weights: Tensor<2>,
}

impl SemanticClassifier {
    /// # Shapes
    /// `attention`, `causal`, `combined`: `[batch, d_teacher]` ->
    /// representation `[batch, d_model]`, logits `[batch, classes]`, weights `[batch, 3]`.
    pub fn forward(&self, attention: Tensor<2>, causal: Tensor<2>, combined: Tensor<2>) -> SemanticOutput {
        let views = Tensor::stack::<3>(
            vec![self.attention.forward(attention), self.causal.forward(causal), self.combined.forward(combined)],
            1,
        ); // [batch, 3, d_model]
        let [batch, n_views, d_model] = views.dims();

        let weights = softmax(self.scorer.forward(views.clone()), 1); // [batch, 3, 1]
        let weighted = (views.clone() * weights.clone()).sum_dim(1).reshape([batch, d_model]);
        let all = Tensor::cat(vec![weighted, views.reshape([batch, n_views * d_model])], 1);

        let representation = self.activation.forward(self.merge.forward(all)); // [batch, d_model]
        SemanticOutput {
            logits: self.head.forward(representation.clone()),
            representation,
            weights: weights.reshape([batch, n_views]),
        }
    }
}

/// Configuration of a [`RepresentationProjection`].
#[derive(Config, Debug)]
pub struct RepresentationProjectionConfig {
    pub d_input: usize,
    pub d_output: usize,
}

impl RepresentationProjectionConfig {
    /// Returns the initialised projection.
    pub fn init(&self, device: &Device) -> RepresentationProjection {
        RepresentationProjection {
            norm: LayerNormConfig::new(self.d_input).init(device),
            linear: LinearConfig::new(self.d_input, self.d_output).init(device),
            activation: Gelu::new(),
        }
    }
}

/// `gelu(linear(layer_norm(x)))`: one teacher representation into the shared space. The layer
/// norm puts representations of very different scales on an equal footing.
#[derive(Module, Debug)]
pub struct RepresentationProjection {
    pub(crate) norm: LayerNorm,
    pub(crate) linear: Linear,
    pub(crate) activation: Gelu,
}

impl RepresentationProjection {
    /// # Shapes
    /// `[batch, d_input] -> [batch, d_output]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let x = self.norm.forward(x);
        let x = self.linear.forward(x);
        self.activation.forward(x)
    }
}

#[cfg(test)]
mod tests {
    use burn::store::ModuleRecord;
    use burn::tensor::Distribution;

    use super::*;

    fn representation(batch: usize, d: usize, device: &Device) -> Tensor<2> {
        Tensor::random([batch, d], Distribution::Normal(0.0, 1.0), device)
    }

    #[test]
    fn merges_three_representations_into_logits_and_weights_that_sum_to_one() {
        let device = Device::flex();
        let classifier = SemanticClassifierConfig::new().init(&device);
        let [a, c, m] = [0, 1, 2].map(|_| representation(5, 48, &device));
        let out = classifier.forward(a, c, m);
        assert_eq!(out.representation.dims(), [5, 48]);
        assert_eq!(out.logits.dims(), [5, 11]);
        assert_eq!(out.weights.dims(), [5, 3]);
        let sums = out.weights.sum_dim(1).into_data().try_into_vec::<f32>().unwrap();
        assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-5), "{sums:?}");
    }

    #[test]
    fn follows_the_teacher_sizes() {
        let teacher = TeacherConfig::new().with_d_model(32).with_classes(5);
        let config = SemanticClassifierConfig::for_teacher(&teacher);
        let device = Device::flex();
        let [a, c, m] = [0, 1, 2].map(|_| representation(2, 32, &device));
        let out = config.init(&device).forward(a, c, m);
        assert_eq!(out.logits.dims(), [2, 5]);
    }

    /// By hand, for the defaults (48 in, 48 shared, 11 classes): three projections of
    /// 2·48 (norm) + 48·48+48 = 2,448 each (7,344), scorer 48+1 = 49,
    /// merge 4·48·48+48 = 9,264, head 48·11+11 = 539. Total 17,196.
    #[test]
    fn default_parameter_count_matches_the_hand_count() {
        assert_eq!(SemanticClassifierConfig::new().init(&Device::flex()).num_params(), 17_196);
    }

    #[test]
    fn record_round_trips_through_bytes_into_a_fresh_model() {
        let device = Device::flex();
        let config = SemanticClassifierConfig::new();
        let trained = config.init(&device);
        let [a, c, m] = [0, 1, 2].map(|_| representation(3, 48, &device));
        let expected = trained.forward(a.clone(), c.clone(), m.clone()).logits.into_data();

        let record = ModuleRecord::from_bytes(trained.into_record().into_bytes().unwrap()).unwrap();
        let got = config.init(&device).load_record(record).forward(a, c, m).logits.into_data();
        assert_eq!(expected.try_to_vec::<f32>().unwrap(), got.try_to_vec::<f32>().unwrap());
    }
}
