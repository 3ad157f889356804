//! The student that ships to the browser: one wrist's 3-axis accelerometer in, a compact 1D CNN,
//! logits out.
//!
//! A full convolution stem, then depthwise-separable blocks that each halve the time axis and
//! widen the channels, then global average pooling. Depthwise-separable convolutions cost about
//! `1/k + 1/C_out` of a full one, which is what keeps the student near 0.2 MFLOPs per window.
//! With the defaults each step of the last block sees 33 frames (1.1 s at 30 Hz), and the
//! average pooling then spans the whole window.
//!
//! [`StudentProjections`] holds the linear maps from the student's representation to each
//! teacher representation. They exist only for representation distillation during training
//! and are saved apart from the student, which ships alone.

use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig1d, Relu};
use burn::prelude::*;

use super::fold::fold_batch_norm;
use super::head::{ClassifierHead, ClassifierHeadConfig};
use super::semantic::SemanticClassifierConfig;
use super::teacher::TeacherConfig;

/// Configuration of the [`Student`].
#[derive(Config, Debug)]
pub struct StudentConfig {
    /// Input channels: one wrist's acceleration x, y, z by default.
    #[config(default = 3)]
    pub channels: usize,
    /// Classes, Null included.
    #[config(default = 11)]
    pub classes: usize,
    /// Output channels of the stem convolution.
    #[config(default = 16)]
    pub stem_channels: usize,
    /// Kernel size of the stem and of every depthwise convolution.
    #[config(default = 5)]
    pub kernel_size: usize,
    /// Output channels of each depthwise-separable block; the last is the representation size.
    #[config(default = "vec![32, 48, 64]")]
    pub block_channels: Vec<usize>,
    /// Time stride of every block's depthwise convolution.
    #[config(default = 2)]
    pub stride: usize,
    /// Dropout on the pooled representation before the head.
    #[config(default = 0.1)]
    pub dropout: f64,
}

impl StudentConfig {
    /// The size of the student's representation.
    pub fn representation_size(&self) -> usize {
        self.block_channels.last().copied().unwrap_or(self.stem_channels)
    }

    /// The stem's configuration.
    pub fn stem(&self) -> ConvBlockConfig {
        ConvBlockConfig::new(self.channels, self.stem_channels, self.kernel_size)
    }

    /// The configurations of the depthwise-separable blocks, in order.
    pub fn blocks(&self) -> Vec<SeparableBlockConfig> {
        let inputs = std::iter::once(self.stem_channels).chain(self.block_channels.iter().copied());
        inputs
            .zip(&self.block_channels)
            .map(|(channels_in, &channels_out)| {
                SeparableBlockConfig::new(channels_in, channels_out, self.kernel_size).with_stride(self.stride)
            })
            .collect()
    }

    /// The head's configuration.
    pub fn head(&self) -> ClassifierHeadConfig {
        ClassifierHeadConfig::new(self.representation_size(), self.classes).with_dropout(self.dropout)
    }

    /// Returns the initialised student.
    pub fn init(&self, device: &Device) -> Student {
        Student {
            stem: self.stem().init(device),
            blocks: self.blocks().iter().map(|block| block.init(device)).collect(),
            head: self.head().init(device),
        }
    }
}

/// The compact student CNN.
#[derive(Module, Debug)]
pub struct Student {
    pub(crate) stem: ConvBlock,
    pub(crate) blocks: Vec<SeparableBlock>,
    pub(crate) head: ClassifierHead,
}

/// The student's representation and logits.
#[derive(Debug, Clone)]
pub struct StudentOutput {
    /// `[batch, d_s]`
    pub representation: Tensor<2>,
    /// `[batch, classes]`
    pub logits: Tensor<2>,
}

impl Student {
    /// The same student with every batch norm folded into its convolution: what inference
    /// runs (the same logits, fewer operations; see [`fold_batch_norm`]). Never trained.
    pub fn folded(self) -> Self {
        Self { stem: self.stem.folded(), blocks: self.blocks.into_iter().map(SeparableBlock::folded).collect(), ..self }
    }

    /// # Shapes
    /// `[batch, channels, time]` -> representation `[batch, d_s]`, logits `[batch, classes]`
    pub fn forward(&self, x: Tensor<3>) -> StudentOutput {
        let mut x = self.stem.forward(x); // [batch, stem_channels, time]
        for block in &self.blocks {
            x = block.forward(x); // [batch, channels_out, ⌈time_in / stride⌉]
        }
        let representation = x.mean_dim(2).squeeze_dim(2); // [batch, d_s]
        StudentOutput { logits: self.head.forward(representation.clone()), representation }
    }
}

/// Configuration of a [`ConvBlock`].
#[derive(Config, Debug)]
pub struct ConvBlockConfig {
    pub channels_in: usize,
    pub channels_out: usize,
    pub kernel_size: usize,
    #[config(default = 1)]
    pub stride: usize,
    /// `channels_in` for a depthwise convolution.
    #[config(default = 1)]
    pub groups: usize,
}

impl ConvBlockConfig {
    /// Left and right padding: centred, so that the output has `⌈time / stride⌉` steps.
    pub fn padding(&self) -> (usize, usize) {
        (self.kernel_size / 2, (self.kernel_size - 1) / 2)
    }

    /// Returns the initialised block.
    pub fn init(&self, device: &Device) -> ConvBlock {
        let (left, right) = self.padding();
        ConvBlock {
            conv: Conv1dConfig::new(self.channels_in, self.channels_out, self.kernel_size)
                .with_stride(self.stride)
                .with_groups(self.groups)
                .with_padding(PaddingConfig1d::Explicit(left, right))
                // Batch norm's shift makes a bias redundant.
                .with_bias(false)
                .init(device),
            norm: Some(BatchNormConfig::new(self.channels_out).init(device)),
            activation: Relu::new(),
        }
    }
}

/// `relu(batch_norm(conv(x)))`.
#[derive(Module, Debug)]
pub struct ConvBlock {
    pub(crate) conv: Conv1d,
    /// `None` once folded into `conv` for inference ([`Student::folded`]).
    pub(crate) norm: Option<BatchNorm>,
    activation: Relu,
}

impl ConvBlock {
    /// # Shapes
    /// `[batch, channels_in, time] -> [batch, channels_out, ⌈time / stride⌉]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = self.conv.forward(x);
        let x = match &self.norm {
            Some(norm) => norm.forward(x),
            None => x,
        };
        self.activation.forward(x)
    }

    /// The same block with its batch norm folded into the convolution (inference only).
    pub fn folded(self) -> Self {
        match self.norm {
            Some(norm) => Self { conv: fold_batch_norm(self.conv, &norm), norm: None, ..self },
            None => self,
        }
    }
}

/// Configuration of a [`SeparableBlock`].
#[derive(Config, Debug)]
pub struct SeparableBlockConfig {
    pub channels_in: usize,
    pub channels_out: usize,
    pub kernel_size: usize,
    #[config(default = 2)]
    pub stride: usize,
}

impl SeparableBlockConfig {
    /// The depthwise half: one filter per channel, over time, with the stride.
    pub fn depthwise(&self) -> ConvBlockConfig {
        ConvBlockConfig::new(self.channels_in, self.channels_in, self.kernel_size)
            .with_stride(self.stride)
            .with_groups(self.channels_in)
    }

    /// The pointwise half: a 1x1 convolution mixing channels.
    pub fn pointwise(&self) -> ConvBlockConfig {
        ConvBlockConfig::new(self.channels_in, self.channels_out, 1)
    }

    /// Returns the initialised block.
    pub fn init(&self, device: &Device) -> SeparableBlock {
        SeparableBlock { depthwise: self.depthwise().init(device), pointwise: self.pointwise().init(device) }
    }
}

/// A depthwise-separable convolution block: depthwise over time, then pointwise over channels.
#[derive(Module, Debug)]
pub struct SeparableBlock {
    pub(crate) depthwise: ConvBlock,
    pub(crate) pointwise: ConvBlock,
}

impl SeparableBlock {
    /// # Shapes
    /// `[batch, channels_in, time] -> [batch, channels_out, ⌈time / stride⌉]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let x = self.depthwise.forward(x);
        self.pointwise.forward(x)
    }

    /// The same block with its batch norms folded (inference only).
    pub fn folded(self) -> Self {
        Self { depthwise: self.depthwise.folded(), pointwise: self.pointwise.folded() }
    }
}

/// Configuration of [`StudentProjections`]: the student's representation size and the size of
/// each teacher representation it may be distilled towards.
#[derive(Config, Debug)]
pub struct StudentProjectionsConfig {
    pub d_student: usize,
    pub d_attention: usize,
    pub d_causal: usize,
    pub d_combined: usize,
    pub d_semantic: usize,
}

impl StudentProjectionsConfig {
    /// The projections between these three models.
    pub fn for_models(student: &StudentConfig, teacher: &TeacherConfig, semantic: &SemanticClassifierConfig) -> Self {
        let d_teacher = teacher.representation_size();
        Self::new(student.representation_size(), d_teacher, d_teacher, d_teacher, semantic.d_model)
    }

    /// Returns the initialised projections.
    pub fn init(&self, device: &Device) -> StudentProjections {
        StudentProjections {
            attention: LinearConfig::new(self.d_student, self.d_attention).init(device),
            causal: LinearConfig::new(self.d_student, self.d_causal).init(device),
            combined: LinearConfig::new(self.d_student, self.d_combined).init(device),
            semantic: LinearConfig::new(self.d_student, self.d_semantic).init(device),
        }
    }
}

/// Linear maps from the student's representation into each teacher representation's space,
/// for representation distillation (FitNets-style). Training only: never shipped.
#[derive(Module, Debug)]
pub struct StudentProjections {
    attention: Linear,
    causal: Linear,
    combined: Linear,
    semantic: Linear,
}

impl StudentProjections {
    /// # Shapes
    /// `[batch, d_student] -> [batch, d_attention]`
    pub fn attention(&self, student: Tensor<2>) -> Tensor<2> {
        self.attention.forward(student)
    }

    /// # Shapes
    /// `[batch, d_student] -> [batch, d_causal]`
    pub fn causal(&self, student: Tensor<2>) -> Tensor<2> {
        self.causal.forward(student)
    }

    /// # Shapes
    /// `[batch, d_student] -> [batch, d_combined]`
    pub fn combined(&self, student: Tensor<2>) -> Tensor<2> {
        self.combined.forward(student)
    }

    /// # Shapes
    /// `[batch, d_student] -> [batch, d_semantic]`
    pub fn semantic(&self, student: Tensor<2>) -> Tensor<2> {
        self.semantic.forward(student)
    }
}

#[cfg(test)]
mod tests {

    use burn::store::ModuleRecord;
    use burn::tensor::Distribution;

    use super::super::flops::{semantic_flops, student_flops, teacher_flops};
    use super::*;

    /// Two seconds at 30 Hz.
    const WINDOW: usize = 60;

    fn window(batch: usize, channels: usize, time: usize, device: &Device) -> Tensor<3> {
        Tensor::random([batch, channels, time], Distribution::Normal(0.0, 1.0), device)
    }

    #[test]
    fn outputs_a_representation_and_logits_for_any_window() {
        let device = Device::flex();
        let student = StudentConfig::new().init(&device);
        for time in [WINDOW, 7, 1] {
            let out = student.forward(window(4, 3, time, &device));
            assert_eq!(out.representation.dims(), [4, 64]);
            assert_eq!(out.logits.dims(), [4, 11]);
        }
    }

    #[test]
    fn block_layout_comes_from_the_config() {
        let config = StudentConfig::new().with_channels(6).with_block_channels(vec![8, 12]).with_classes(4);
        assert_eq!(config.representation_size(), 12);
        let out = config.init(&Device::flex()).forward(window(2, 6, 30, &Device::flex()));
        assert_eq!((out.representation.dims(), out.logits.dims()), ([2, 12], [2, 4]));
        let plain = StudentConfig::new().with_block_channels(vec![]);
        assert_eq!(
            plain.init(&Device::flex()).forward(window(1, 3, 10, &Device::flex())).representation.dims(),
            [1, 16]
        );
    }

    #[test]
    fn projections_map_to_every_teacher_representation() {
        let device = Device::flex();
        let teacher = TeacherConfig::new().with_d_model(32);
        let semantic = SemanticClassifierConfig::for_teacher(&teacher).with_d_model(24);
        let config = StudentProjectionsConfig::for_models(&StudentConfig::new(), &teacher, &semantic);
        let projections = config.init(&device);
        let rep = Tensor::<2>::random([5, 64], Distribution::Normal(0.0, 1.0), &device);
        assert_eq!(projections.attention(rep.clone()).dims(), [5, 32]);
        assert_eq!(projections.causal(rep.clone()).dims(), [5, 32]);
        assert_eq!(projections.combined(rep.clone()).dims(), [5, 32]);
        assert_eq!(projections.semantic(rep).dims(), [5, 24]);
    }

    /// By hand, for the defaults (3 → 16 → 32 → 48 → 64, kernel 5, 11 classes); batch norm
    /// counts 4 tensors per channel (γ, β, running mean and variance), convolutions have no bias:
    /// - stem: 3·16·5 = 240 + 4·16 = 304
    /// - block 16→32: depthwise 16·5 + 4·16 = 144, pointwise 16·32 + 4·32 = 640: 784
    /// - block 32→48: 32·5 + 4·32 = 288, 32·48 + 4·48 = 1,728: 2,016
    /// - block 48→64: 48·5 + 4·48 = 432, 48·64 + 4·64 = 3,328: 3,760
    /// - head: 64·11 + 11 = 715
    ///
    /// Total 7,579.
    #[test]
    fn default_parameter_count_matches_the_hand_count() {
        assert_eq!(StudentConfig::new().init(&Device::flex()).num_params(), 7_579);
    }

    /// The product's budgets: with the default configs and 60-frame windows the student has at
    /// most 10% of the teacher's parameters and 2% of its FLOPs, the teacher being the stage-1
    /// teacher and the semantic classifier together.
    #[test]
    fn student_meets_its_budgets_against_the_default_teacher() {
        let device = Device::flex();
        let (teacher, student) = (TeacherConfig::new(), StudentConfig::new());
        let semantic = SemanticClassifierConfig::for_teacher(&teacher);

        let teacher_params = teacher.init(&device).num_params() + semantic.init(&device).num_params();
        let student_params = student.init(&device).num_params();
        assert!(student_params * 10 <= teacher_params, "params: student {student_params}, teacher {teacher_params}");

        let teacher_flops = teacher_flops(&teacher, WINDOW).total() + semantic_flops(&semantic).total();
        let student_flops = student_flops(&student, WINDOW).total();
        assert!(student_flops * 50 <= teacher_flops, "FLOPs: student {student_flops}, teacher {teacher_flops}");
    }

    #[test]
    fn record_round_trips_with_batch_norm_statistics() {
        let config = StudentConfig::new();
        // One training-mode step moves the running statistics away from their initial values,
        // so the round trip has to carry them.
        let training = Device::flex().autodiff();
        let trained = config.init(&training);
        let _ = trained.forward(window(8, 3, WINDOW, &training).add_scalar(2.0));
        let trained = trained.valid();
        let running_mean = trained.stem.norm.as_ref().unwrap().running_mean.value().abs().sum().into_scalar::<f32>();
        assert!(running_mean > 1e-3, "the training step left the running mean at zero");

        let device = Device::flex();
        let x = window(3, 3, WINDOW, &device);
        let expected = trained.forward(x.clone()).logits.into_data().try_into_vec::<f32>().unwrap();

        let record = ModuleRecord::from_bytes(trained.into_record().into_bytes().unwrap()).unwrap();
        let loaded = config.init(&device).load_record(record);
        let got = loaded.forward(x).logits.into_data().try_into_vec::<f32>().unwrap();
        assert_eq!(expected, got);
    }

    #[test]
    fn config_with_block_list_round_trips_through_json() {
        let config = StudentConfig::new().with_block_channels(vec![8, 16]).with_channels(6);
        let json = serde_json::to_string(&config).unwrap();
        let back = StudentConfig::load_binary(json.as_bytes()).unwrap();
        assert_eq!(back.block_channels, vec![8, 16]);
        assert_eq!(back.channels, 6);
    }
}
