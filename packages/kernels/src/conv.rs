//! A 1D convolution (folded with its batch norm, if it had one) as a time-major kernel: dense
//! (one group) or depthwise (a group per channel), any stride, dilation and explicit padding,
//! with its activation fused into the pass over each output frame.

use crate::ops::{gelu, matmul_add, multiply_add};

/// What follows the convolution, applied to each output frame while it is in cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    Identity,
    Relu,
    Gelu,
}

/// A convolution's geometry, as burn's `Conv1d` has it (padding made explicit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvShape {
    pub channels_in: usize,
    pub channels_out: usize,
    pub kernel: usize,
    pub groups: usize,
    pub stride: usize,
    pub dilation: usize,
    pub pad_left: usize,
    pub pad_right: usize,
}

/// One convolution with its bias.
#[derive(Debug, Clone)]
pub struct ConvLayer {
    /// Dense: `[kernel, channels_in, channels_out]`; depthwise: `[kernel, channels]`.
    weight: Vec<f32>,
    bias: Vec<f32>,
    depthwise: bool,
    pub(crate) channels_in: usize,
    pub(crate) channels_out: usize,
    kernel: usize,
    stride: usize,
    dilation: usize,
    pad_left: usize,
    pad_right: usize,
}

impl ConvLayer {
    /// A convolution from burn's weight layout (`[channels_out, channels_in / groups,
    /// kernel]`); no bias is a zero bias. `None` for groups other than one or one per channel.
    pub fn new(burn_weight: &[f32], bias: Option<Vec<f32>>, shape: ConvShape) -> Option<Self> {
        let ConvShape { channels_in, channels_out, kernel, groups, .. } = shape;
        let depthwise = groups > 1;
        if groups == 0 || (depthwise && (groups != channels_in || channels_out != channels_in)) {
            return None;
        }
        let per_group = channels_in / groups;
        assert_eq!(
            burn_weight.len(),
            channels_out * per_group * kernel,
            "a [{channels_out}, {per_group}, {kernel}] weight"
        );
        // Into tap-major rows over the output channels.
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
        let bias = bias.unwrap_or_else(|| vec![0.0; channels_out]);
        assert_eq!(bias.len(), channels_out, "a bias of {channels_out}");
        Some(Self {
            weight,
            bias,
            depthwise,
            channels_in,
            channels_out,
            kernel,
            stride: shape.stride,
            dilation: shape.dilation,
            pad_left: shape.pad_left,
            pad_right: shape.pad_right,
        })
    }

    /// Input channels.
    pub fn channels_in(&self) -> usize {
        self.channels_in
    }

    /// Output channels.
    pub fn channels_out(&self) -> usize {
        self.channels_out
    }

    /// `activation(conv(x) + bias)` of `x` (`[time, channels_in]`) into `out` (`[time_out,
    /// channels_out]`); returns `time_out`.
    pub(crate) fn forward(&self, x: &[f32], time: usize, activation: Activation, out: &mut Vec<f32>) -> usize {
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
