//! The teacher's attention representation: every time step attends to every other, so the
//! encoder sees the whole window at once (non-causal), which is what the causal branch cannot do.
//!
//! Channels are projected to `d_model` per time step, a sinusoidal position code is added, a
//! pre-norm transformer encoder runs over time and the sequence is mean-pooled.

use burn::nn::transformer::{TransformerEncoder, TransformerEncoderConfig, TransformerEncoderInput};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig};
use burn::prelude::*;
use tsak_kernels::position::sinusoid_code;

/// Configuration of an [`AttentionEncoder`].
#[derive(Config, Debug)]
pub struct AttentionEncoderConfig {
    /// Input channels.
    pub channels: usize,
    /// Width of the encoder and of the representation.
    pub d_model: usize,
    /// Attention heads; must divide `d_model`.
    #[config(default = 4)]
    pub heads: usize,
    /// Transformer encoder layers.
    #[config(default = 2)]
    pub layers: usize,
    /// Hidden width of each layer's feed-forward block.
    #[config(default = 96)]
    pub d_ff: usize,
    /// Dropout inside the encoder (residuals, attention weights, feed-forward). Off by default:
    /// burn builds dropout masks on one thread, and per-time-step masks here would cost a large
    /// share of a training step for little gain on a model this small.
    #[config(default = 0.0)]
    pub dropout: f64,
}

/// Self-attention over time, mean-pooled into one vector per window.
#[derive(Module, Debug)]
pub struct AttentionEncoder {
    /// Per-time-step projection of the channels to `d_model`.
    pub(crate) input: Linear,
    pub(crate) encoder: TransformerEncoder,
    /// Pre-norm layers leave their output unnormalised; this puts it on a common scale.
    pub(crate) norm: LayerNorm,
}

impl AttentionEncoderConfig {
    /// Returns the initialised encoder.
    pub fn init(&self, device: &Device) -> AttentionEncoder {
        AttentionEncoder {
            input: LinearConfig::new(self.channels, self.d_model).init(device),
            // Pre-norm trains stably without a warm-up schedule, which keeps training short.
            encoder: TransformerEncoderConfig::new(self.d_model, self.d_ff, self.heads, self.layers)
                .with_dropout(self.dropout)
                .with_norm_first(true)
                .init(device),
            norm: LayerNormConfig::new(self.d_model).init(device),
        }
    }
}

impl AttentionEncoder {
    /// The attention representation of each window.
    ///
    /// # Shapes
    /// `[batch, channels, time] -> [batch, d_model]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        let x = self.forward_sequence(x); // [batch, time, d_model]
        x.mean_dim(1).squeeze_dim(1)
    }

    /// The encoder's output at every time step.
    ///
    /// # Shapes
    /// `[batch, channels, time] -> [batch, time, d_model]`
    pub fn forward_sequence(&self, x: Tensor<3>) -> Tensor<3> {
        let [_, _, time] = x.dims();
        let device = x.device();

        let x = x.swap_dims(1, 2); // [batch, time, channels]
        let x = self.input.forward(x); // [batch, time, d_model]
        let [_, _, d_model] = x.dims();
        let x = x + sinusoids(time, d_model, &device).unsqueeze::<3>();
        let x = self.encoder.forward(TransformerEncoderInput::new(x));
        self.norm.forward(x)
    }
}

/// The sinusoidal position code for `length` frames ([`tsak_kernels::position`], shared with
/// the CPU kernel), as a tensor.
///
/// # Shapes
/// `-> [length, d_model]`
pub fn sinusoids(length: usize, d_model: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(sinusoid_code(length, d_model).to_vec(), [length, d_model]), device)
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;

    #[test]
    fn encodes_windows_of_any_length() {
        let device = Device::flex();
        let encoder = AttentionEncoderConfig::new(5, 8).with_heads(2).with_d_ff(16).init(&device);
        for time in [1, 7, 60] {
            let x = Tensor::<3>::random([2, 5, time], Distribution::Normal(0.0, 1.0), &device);
            assert_eq!(encoder.forward_sequence(x.clone()).dims(), [2, time, 8]);
            assert_eq!(encoder.forward(x).dims(), [2, 8]);
        }
    }

    #[test]
    fn sinusoids_start_at_sin_zero_cos_one_and_stay_bounded() {
        let values = sinusoids(50, 6, &Device::flex()).into_data().try_into_vec::<f32>().unwrap();
        assert_eq!(&values[..6], &[0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
        assert!(values.iter().all(|v| v.abs() <= 1.0));
        // The fastest feature pair turns by one radian per frame.
        assert!((values[6] - 1f32.sin()).abs() < 1e-6);
    }
}
