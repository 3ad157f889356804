//! A burn [`Conv1d`] (already folded with its batch norm) as a time-major kernel: dense (one
//! group) or depthwise (a group per channel), any stride, dilation and explicit padding, with
//! its activation fused into the pass that writes each output frame.

use burn::nn::PaddingConfig1d;
use burn::nn::conv::Conv1d;

use super::KernelError;
use super::ops::{gelu, matmul_add, multiply_add, values};

/// What follows the convolution, applied to each output frame while it is in cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Activation {
    Identity,
    Relu,
    Gelu,
}

/// One convolution with its bias (a folded batch norm's shift, if it had one).
#[derive(Debug, Clone)]
pub(super) struct ConvLayer {
    /// Dense: `[kernel, channels_in, channels_out]`; depthwise: `[kernel, channels]`.
    weight: Vec<f32>,
    bias: Vec<f32>,
    depthwise: bool,
    pub(super) channels_in: usize,
    pub(super) channels_out: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    pad_left: usize,
    pad_right: usize,
}

impl ConvLayer {
    pub(super) fn new(conv: &Conv1d) -> Result<Self, KernelError> {
        let [channels_out, per_group, kernel] = conv.weight.dims();
        let channels_in = per_group * conv.groups;
        let (pad_left, pad_right) = match conv.padding {
            PaddingConfig1d::Explicit(left, right) => (left, right),
            PaddingConfig1d::Valid => (0, 0),
            PaddingConfig1d::Same => return Err(KernelError::Layout("convolution padding")),
        };
        let depthwise = conv.groups > 1;
        if depthwise && (per_group != 1 || channels_out != channels_in) {
            return Err(KernelError::Layout("convolution groups"));
        }
        // burn's `[channels_out, channels_in / groups, kernel]` into tap-major rows over the
        // output channels.
        let burn_weight = values(&conv.weight);
        let mut weight = vec![0.0; burn_weight.len()];
        for o in 0..channels_out {
            for i in 0..per_group {
                for tap in 0..kernel {
                    let to =
                        if depthwise { tap * channels_out + o } else { (tap * channels_in + i) * channels_out + o };
                    weight[to] = burn_weight[(o * per_group + i) * kernel + tap];
                }
            }
        }
        let bias = conv.bias.as_ref().map_or_else(|| vec![0.0; channels_out], values);
        Ok(Self {
            weight,
            bias,
            depthwise,
            channels_in,
            channels_out,
            kernel,
            stride: conv.stride,
            dilation: conv.dilation,
            pad_left,
            pad_right,
        })
    }

    /// `activation(conv(x) + bias)` of `x` (`[time, channels_in]`) into `out` (`[time_out,
    /// channels_out]`); returns `time_out`.
    pub(super) fn forward(&self, x: &[f32], time: usize, activation: Activation, out: &mut Vec<f32>) -> usize {
        let span = (self.kernel - 1) * self.dilation + 1;
        // No output frame where the padded window is shorter than the kernel's span.
        let time_out = (time + self.pad_left + self.pad_right).checked_sub(span).map_or(0, |n| n / self.stride + 1);
        out.clear();
        out.reserve(time_out * self.channels_out);
        for _ in 0..time_out {
            out.extend_from_slice(&self.bias);
        }
        if self.depthwise {
            self.depthwise_add(x, time, out);
        } else {
            self.dense_add(x, time, time_out, out);
        }
        for row in out.chunks_exact_mut(self.channels_out) {
            match activation {
                Activation::Identity => {}
                Activation::Relu => row.iter_mut().for_each(|v| *v = v.max(0.0)),
                Activation::Gelu => gelu(row),
            }
        }
        time_out
    }

    /// A dense convolution is one matrix product per tap: output frame `t` reads the padded
    /// input's frame `t·stride + tap·dilation`, so each tap's input rows are the padded input
    /// from that offset on, `stride` frames apart.
    fn dense_add(&self, x: &[f32], time: usize, time_out: usize, out: &mut [f32]) {
        let (c_in, c_out) = (self.channels_in, self.channels_out);
        let mut padded = vec![0.0; (self.pad_left + time + self.pad_right) * c_in];
        padded[self.pad_left * c_in..][..time * c_in].copy_from_slice(&x[..time * c_in]);
        for tap in 0..self.kernel {
            let rows = &padded[tap * self.dilation * c_in..];
            let weight = &self.weight[tap * c_in * c_out..][..c_in * c_out];
            matmul_add(rows, self.stride * c_in, time_out, c_in, weight, c_out, out);
        }
    }

    /// A depthwise convolution: each channel with its own taps.
    fn depthwise_add(&self, x: &[f32], time: usize, out: &mut [f32]) {
        for (t, row) in out.chunks_exact_mut(self.channels_out).enumerate() {
            for tap in 0..self.kernel {
                // The input frame this tap reads; outside the window it is the zero padding.
                let Some(s) = (t * self.stride + tap * self.dilation).checked_sub(self.pad_left).filter(|&s| s < time)
                else {
                    continue;
                };
                let frame = &x[s * self.channels_in..][..self.channels_in];
                multiply_add(row, frame, &self.weight[tap * self.channels_out..][..self.channels_out]);
            }
        }
    }
}
