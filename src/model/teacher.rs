//! The stage-1 teacher: all sensors in, three representations out, each with its own head.
//!
//! - attention: self-attention over the whole window ([`super::attention`]);
//! - causal: dilated causal convolutions, no look-ahead ([`super::causal`]);
//! - combined: a gated fusion of the two ([`super::fusion`]).
//!
//! Stage 1 trains the three heads jointly; stage 2 freezes the teacher and trains the
//! [semantic classifier](super::semantic) on its representations. This split into three views
//! is our reading of TSAK (Bello et al. 2024), whose code is not public.
//!
//! The defaults fit OpenPack's full sensor set: 46 channels (acceleration, angular velocity and
//! orientation quaternion of the four ATR IMUs on both wrists and upper arms, plus both E4 wristbands'
//! acceleration) and 11 classes (10 operations and Null). With 60-frame windows the teacher
//! has 98,001 parameters and 12.4 MFLOPs per window (see [`super::flops`]): small enough to train
//! on two CPU cores in minutes, while the attention branch still sees the whole window. The
//! trainer's default OpenPack inputs leave the quaternions out (30 channels; see
//! `ChannelSelection::openpack_teacher`).

use burn::prelude::*;

use super::attention::{AttentionEncoder, AttentionEncoderConfig};
use super::causal::{CausalEncoder, CausalEncoderConfig};
use super::fusion::{CombinedFusion, CombinedFusionConfig};
use super::head::{ClassifierHead, ClassifierHeadConfig};

/// Configuration of the [`Teacher`].
#[derive(Config, Debug)]
pub struct TeacherConfig {
    /// Input channels (46 on OpenPack; a team's own sensors change only this).
    #[config(default = 46)]
    pub channels: usize,
    /// Classes, Null included.
    #[config(default = 11)]
    pub classes: usize,
    /// Width of both encoders and of all three representations.
    #[config(default = 48)]
    pub d_model: usize,
    /// Attention heads (must divide `d_model`).
    #[config(default = 4)]
    pub heads: usize,
    /// Transformer encoder layers of the attention branch.
    #[config(default = 2)]
    pub attention_layers: usize,
    /// Feed-forward width inside each transformer layer.
    #[config(default = 96)]
    pub d_ff: usize,
    /// Dilated causal blocks of the causal branch (dilations 1, 2, 4, ...).
    #[config(default = 4)]
    pub causal_layers: usize,
    /// Kernel size of the causal convolutions.
    #[config(default = 5)]
    pub causal_kernel_size: usize,
    /// Dropout inside both encoders, per time step; off by default because burn builds masks on
    /// one thread (see [`AttentionEncoderConfig::dropout`]).
    #[config(default = 0.0)]
    pub dropout: f64,
    /// Dropout on each representation before its head: cheap, and the teacher's main regulariser.
    #[config(default = 0.1)]
    pub head_dropout: f64,
}

impl TeacherConfig {
    /// The size of each of the three representations.
    pub fn representation_size(&self) -> usize {
        self.d_model
    }

    /// The attention branch's configuration.
    pub fn attention(&self) -> AttentionEncoderConfig {
        AttentionEncoderConfig::new(self.channels, self.d_model)
            .with_heads(self.heads)
            .with_layers(self.attention_layers)
            .with_d_ff(self.d_ff)
            .with_dropout(self.dropout)
    }

    /// The causal branch's configuration.
    pub fn causal(&self) -> CausalEncoderConfig {
        CausalEncoderConfig::new(self.channels, self.d_model)
            .with_layers(self.causal_layers)
            .with_kernel_size(self.causal_kernel_size)
            .with_dropout(self.dropout)
    }

    /// The fusion's configuration.
    pub fn fusion(&self) -> CombinedFusionConfig {
        CombinedFusionConfig::new(self.d_model)
    }

    /// The configuration shared by the three heads.
    pub fn head(&self) -> ClassifierHeadConfig {
        ClassifierHeadConfig::new(self.d_model, self.classes).with_dropout(self.head_dropout)
    }

    /// Returns the initialised teacher.
    pub fn init(&self, device: &Device) -> Teacher {
        Teacher {
            attention: self.attention().init(device),
            causal: self.causal().init(device),
            fusion: self.fusion().init(device),
            attention_head: self.head().init(device),
            causal_head: self.head().init(device),
            combined_head: self.head().init(device),
        }
    }
}

/// The stage-1 teacher.
#[derive(Module, Debug)]
pub struct Teacher {
    pub(crate) attention: AttentionEncoder,
    pub(crate) causal: CausalEncoder,
    pub(crate) fusion: CombinedFusion,
    attention_head: ClassifierHead,
    causal_head: ClassifierHead,
    pub(crate) combined_head: ClassifierHead,
}

/// The teacher's three representations and the logits of their heads.
#[derive(Debug, Clone)]
pub struct TeacherOutput {
    /// `[batch, d_model]`
    pub attention: Tensor<2>,
    /// `[batch, d_model]`
    pub causal: Tensor<2>,
    /// `[batch, d_model]`
    pub combined: Tensor<2>,
    /// `[batch, classes]`
    pub attention_logits: Tensor<2>,
    /// `[batch, classes]`
    pub causal_logits: Tensor<2>,
    /// `[batch, classes]`
    pub combined_logits: Tensor<2>,
}

impl Teacher {
    /// The same teacher with its causal encoder's batch norms folded into their convolutions:
    /// what inference runs. Never trained.
    pub fn folded(self) -> Self {
        Self { causal: self.causal.folded(), ..self }
    }

    /// # Shapes
    /// `[batch, channels, time]` -> three `[batch, d_model]` representations and three
    /// `[batch, classes]` logits.
    pub fn forward(&self, x: Tensor<3>) -> TeacherOutput {
        let attention = self.attention.forward(x.clone());
        let causal = self.causal.forward(x);
        let combined = self.fusion.forward(attention.clone(), causal.clone());
        TeacherOutput {
            attention_logits: self.attention_head.forward(attention.clone()),
            causal_logits: self.causal_head.forward(causal.clone()),
            combined_logits: self.combined_head.forward(combined.clone()),
            attention,
            causal,
            combined,
        }
    }

    /// The causal encoder's output at every time step; step `t` depends only on inputs `<= t`.
    ///
    /// # Shapes
    /// `[batch, channels, time] -> [batch, d_model, time]`
    pub fn causal_sequence(&self, x: Tensor<3>) -> Tensor<3> {
        self.causal.forward_sequence(x)
    }
}

#[cfg(test)]
mod tests {
    use burn::store::ModuleRecord;
    use burn::tensor::Distribution;

    use super::*;

    fn window(batch: usize, channels: usize, time: usize, device: &Device) -> Tensor<3> {
        Tensor::random([batch, channels, time], Distribution::Normal(0.0, 1.0), device)
    }

    fn values(t: Tensor<2>) -> Vec<f32> {
        t.into_data().try_into_vec::<f32>().unwrap()
    }

    #[test]
    fn outputs_three_representations_and_three_logits() {
        let device = Device::flex();
        let config = TeacherConfig::new();
        let teacher = config.init(&device);
        for time in [60, 23] {
            let out = teacher.forward(window(2, 46, time, &device));
            for rep in [&out.attention, &out.causal, &out.combined] {
                assert_eq!(rep.dims(), [2, 48]);
            }
            for logits in [&out.attention_logits, &out.causal_logits, &out.combined_logits] {
                assert_eq!(logits.dims(), [2, 11]);
            }
            assert_eq!(teacher.causal_sequence(window(2, 46, time, &device)).dims(), [2, 48, time]);
        }
    }

    /// The default teacher's causal branch ignores the future: inputs after frame 29 of a
    /// 60-frame window change no output at or before it (`causal.rs` has the encoder-level
    /// proof, which also checks that later outputs do change).
    #[test]
    fn causal_sequence_of_the_default_teacher_ignores_the_future() {
        let device = Device::flex();
        let teacher = TeacherConfig::new().init(&device);
        let (time, t0) = (60, 29);
        let x = window(1, 46, time, &device);
        let later = x.clone().slice([0..1, 0..46, t0 + 1..time]) * 3.0 - 1.0;
        let perturbed = x.clone().slice_assign([0..1, 0..46, t0 + 1..time], later);

        let before = teacher.causal_sequence(x).into_data().try_into_vec::<f32>().unwrap();
        let after = teacher.causal_sequence(perturbed).into_data().try_into_vec::<f32>().unwrap();
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            if i % time <= t0 {
                assert!((a - b).abs() <= 1e-6, "step {} changed by {}", i % time, (a - b).abs());
            }
        }
        assert_ne!(before, after);
    }

    #[test]
    fn channels_and_classes_come_from_the_config() {
        let device = Device::flex();
        let teacher = TeacherConfig::new().with_channels(7).with_classes(4).with_d_model(16).init(&device);
        let out = teacher.forward(window(3, 7, 30, &device));
        assert_eq!(out.combined.dims(), [3, 16]);
        assert_eq!(out.combined_logits.dims(), [3, 4]);
    }

    /// The parameter count, by hand, for the defaults (46 channels, d_model 48, d_ff 96, 11
    /// classes). burn counts batch norm's running mean and variance with its parameters.
    ///
    /// - attention: input 46·48+48 = 2,256; per layer Q/K/V/O 4·(48·48+48) = 9,408,
    ///   feed-forward 48·96+96 + 96·48+48 = 9,360, two layer norms 2·96 = 192: 18,960;
    ///   two layers 37,920; final norm 96. Sum 40,272.
    /// - causal: input 1x1 conv 2,256; per block conv 48·48·5 = 11,520 (no bias) and batch norm
    ///   4·48 = 192: 11,712; four blocks 46,848. Sum 49,104.
    /// - fusion: gate 96·48+48 = 4,656, output 48·48+48 = 2,352. Sum 7,008.
    /// - heads: 3·(48·11+11) = 1,617.
    ///
    /// Total 98,001.
    #[test]
    fn default_parameter_count_matches_the_hand_count() {
        let teacher = TeacherConfig::new().init(&Device::flex());
        assert_eq!(teacher.num_params(), 98_001);
    }

    #[test]
    fn record_round_trips_through_bytes_into_a_fresh_model() {
        let device = Device::flex();
        let config = TeacherConfig::new();
        let trained = config.init(&device);
        let x = window(2, 46, 60, &device);
        let expected = trained.forward(x.clone());

        let bytes = trained.into_record().into_bytes().unwrap();
        let record = ModuleRecord::from_bytes(bytes).unwrap();
        let loaded = config.init(&device).load_record(record);
        let got = loaded.forward(x);

        assert_eq!(values(expected.combined), values(got.combined));
        assert_eq!(values(expected.attention_logits), values(got.attention_logits));
        assert_eq!(values(expected.causal_logits), values(got.causal_logits));
    }

    #[test]
    fn config_round_trips_through_json() {
        let config = TeacherConfig::new().with_channels(9).with_d_model(32);
        let json = serde_json::to_string(&config).unwrap();
        let back = TeacherConfig::load_binary(json.as_bytes()).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }
}
