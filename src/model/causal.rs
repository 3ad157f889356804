//! The teacher's causal representation: a residual stack of dilated causal convolutions
//! (TCN-style). Padding goes on the left only, so the output at time `t` depends on inputs at
//! times `<= t` alone — what a model streaming live sensor data could know at that moment.
//!
//! Dilations double per layer (1, 2, 4, ...), so the receptive field grows exponentially:
//! `1 + (kernel_size - 1)·(2^layers - 1)` frames, 61 with the defaults — a whole two-second
//! window at 30 Hz reaches the last step.
//!
//! The representation is the running (causal) mean of the per-step outputs, read at the last
//! step: the average over the window of what was knowable at each moment.
//!
//! Normalisation is batch norm: at inference it is a fixed per-channel affine map and so keeps
//! causality exactly; in training its statistics are pooled over the batch and all time steps,
//! as with any batch-normalised model.

use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Gelu, PaddingConfig1d};
use burn::prelude::*;

use super::fold::fold_batch_norm;

/// Configuration of a [`CausalEncoder`].
#[derive(Config, Debug)]
pub struct CausalEncoderConfig {
    /// Input channels.
    pub channels: usize,
    /// Channels of every layer, and the size of the representation.
    pub d_model: usize,
    /// Causal blocks; block `i` has dilation `2^i`.
    #[config(default = 4)]
    pub layers: usize,
    /// Kernel size of every causal convolution.
    #[config(default = 5)]
    pub kernel_size: usize,
    /// Dropout after each block (per time step, so off by default: see
    /// [`AttentionEncoderConfig::dropout`](super::attention::AttentionEncoderConfig::dropout)).
    #[config(default = 0.0)]
    pub dropout: f64,
}

impl CausalEncoderConfig {
    /// The dilation of block `layer`.
    pub fn dilation(&self, layer: usize) -> usize {
        1 << layer
    }

    /// The configuration of block `layer`.
    pub fn block(&self, layer: usize) -> CausalBlockConfig {
        CausalBlockConfig::new(self.d_model, self.kernel_size, self.dilation(layer)).with_dropout(self.dropout)
    }

    /// How many frames (the current one included) can influence one output step.
    pub fn receptive_field(&self) -> usize {
        1 + (0..self.layers).map(|layer| (self.kernel_size - 1) * self.dilation(layer)).sum::<usize>()
    }

    /// Returns the initialised encoder.
    pub fn init(&self, device: &Device) -> CausalEncoder {
        CausalEncoder {
            // A 1x1 convolution mixes channels within each time step: causal by construction.
            input: Conv1dConfig::new(self.channels, self.d_model, 1).init(device),
            blocks: (0..self.layers).map(|layer| self.block(layer).init(device)).collect(),
        }
    }
}

/// Dilated causal convolutions over time.
#[derive(Module, Debug)]
pub struct CausalEncoder {
    pub(crate) input: Conv1d,
    pub(crate) blocks: Vec<CausalBlock>,
}

impl CausalEncoder {
    /// The causal representation of each window.
    ///
    /// # Shapes
    /// `[batch, channels, time] -> [batch, d_model]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<2> {
        let x = self.forward_sequence(x); // [batch, d_model, time]
        x.mean_dim(2).squeeze_dim(2)
    }

    /// The output at every time step; step `t` depends only on input steps `<= t`.
    ///
    /// # Shapes
    /// `[batch, channels, time] -> [batch, d_model, time]`
    pub fn forward_sequence(&self, x: Tensor<3>) -> Tensor<3> {
        let mut x = self.input.forward(x);
        for block in &self.blocks {
            x = block.forward(x);
        }
        x
    }

    /// The same encoder with its batch norms folded (inference only).
    pub fn folded(self) -> Self {
        Self { blocks: self.blocks.into_iter().map(CausalBlock::folded).collect(), ..self }
    }
}

/// Configuration of a [`CausalBlock`].
#[derive(Config, Debug)]
pub struct CausalBlockConfig {
    /// Channels in and out (the block is residual).
    pub channels: usize,
    pub kernel_size: usize,
    pub dilation: usize,
    #[config(default = 0.0)]
    pub dropout: f64,
}

impl CausalBlockConfig {
    /// Left padding that keeps the length and puts the whole kernel in the past.
    pub fn left_padding(&self) -> usize {
        (self.kernel_size - 1) * self.dilation
    }

    /// Returns the initialised block.
    pub fn init(&self, device: &Device) -> CausalBlock {
        CausalBlock {
            conv: Conv1dConfig::new(self.channels, self.channels, self.kernel_size)
                .with_dilation(self.dilation)
                .with_padding(PaddingConfig1d::Explicit(self.left_padding(), 0))
                // Batch norm's shift makes a bias redundant.
                .with_bias(false)
                .init(device),
            norm: Some(BatchNormConfig::new(self.channels).init(device)),
            activation: Gelu::new(),
            dropout: DropoutConfig::new(self.dropout).init(),
        }
    }
}

/// `x + dropout(gelu(norm(causal_conv(x))))`.
#[derive(Module, Debug)]
pub struct CausalBlock {
    pub(crate) conv: Conv1d,
    /// `None` once folded into `conv` for inference ([`CausalBlock::folded`]).
    pub(crate) norm: Option<BatchNorm>,
    pub(crate) activation: Gelu,
    dropout: Dropout,
}

impl CausalBlock {
    /// # Shapes
    /// `[batch, channels, time] -> [batch, channels, time]`
    pub fn forward(&self, x: Tensor<3>) -> Tensor<3> {
        let residual = x.clone();
        let x = self.conv.forward(x);
        let x = match &self.norm {
            Some(norm) => norm.forward(x),
            None => x,
        };
        let x = self.activation.forward(x);
        let x = self.dropout.forward(x);
        x + residual
    }

    /// The same block with its batch norm folded into the convolution (inference only).
    pub fn folded(self) -> Self {
        match self.norm {
            Some(norm) => Self { conv: fold_batch_norm(self.conv, &norm), norm: None, ..self },
            None => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;

    #[test]
    fn default_receptive_field_covers_a_two_second_window() {
        assert_eq!(CausalEncoderConfig::new(46, 48).receptive_field(), 61);
        assert_eq!(CausalEncoderConfig::new(46, 48).with_layers(3).with_kernel_size(3).receptive_field(), 15);
    }

    #[test]
    fn keeps_the_length_of_any_window() {
        let device = Device::flex();
        let encoder = CausalEncoderConfig::new(4, 8).init(&device);
        for time in [1, 9, 60] {
            let x = Tensor::<3>::random([3, 4, time], Distribution::Normal(0.0, 1.0), &device);
            assert_eq!(encoder.forward_sequence(x.clone()).dims(), [3, 8, time]);
            assert_eq!(encoder.forward(x).dims(), [3, 8]);
        }
    }

    /// The proof of causality: changing the inputs after `t0` leaves every output at or before
    /// `t0` untouched, and changes the outputs after it.
    #[test]
    fn outputs_never_depend_on_future_inputs() {
        let device = Device::flex();
        let (batch, channels, d_model, time, t0) = (2, 5, 8, 40, 17);
        let encoder = CausalEncoderConfig::new(channels, d_model).init(&device);

        let x = Tensor::<3>::random([batch, channels, time], Distribution::Normal(0.0, 1.0), &device);
        let noise = Tensor::<3>::random([batch, channels, time], Distribution::Normal(0.0, 1.0), &device);
        let future = Tensor::<1, Int>::arange(0..time as i64, &device).greater_elem(t0 as i64);
        let perturbed = x.clone().mask_where(future.reshape([1, 1, time]).expand([batch, channels, time]), noise);

        let before = encoder.forward_sequence(x).into_data().try_into_vec::<f32>().unwrap();
        let after = encoder.forward_sequence(perturbed).into_data().try_into_vec::<f32>().unwrap();

        let (mut past_change, mut future_change) = (0f32, 0f32);
        for (i, (a, b)) in before.iter().zip(&after).enumerate() {
            let change = (a - b).abs();
            if i % time <= t0 {
                past_change = past_change.max(change);
            } else {
                future_change = future_change.max(change);
            }
        }
        assert!(past_change <= 1e-6, "outputs at t <= {t0} changed by {past_change}");
        assert!(future_change > 1e-3, "outputs after {t0} did not react to their inputs");
    }
}
