//! The folded student's forward pass as plain loops over `f32` slices: what the CPU runs.
//!
//! Why hand-written: at batch 1 the student is about 0.2 M multiply-adds spread over sixteen
//! small operations (a convolution and a ReLU per layer, the pooling, the head), and burn's
//! CPU backend spends most of a window's time on each operation's fixed cost (shape checks,
//! dispatch, an allocation per result), not on arithmetic: profiled in the browser, with the
//! batch norms already folded (docs/performance.md). Here each layer is one pass with the ReLU
//! fused, into buffers reused from layer to layer. Activations are kept time-major (`[time,
//! channels]`) and the weights re-laid out to match, so every inner loop runs over contiguous
//! channels (16-64 of them), which LLVM vectorises (wasm SIMD in the browser); channel-major
//! loops over the 17-133 time steps of a layer were 1.5x slower in the browser.
//!
//! The weights are read once from the burn [`Student`] (after [`Student::folded`]), so the
//! trained model, its records and its training stay burn's; [`StudentKernel::logits`] is checked
//! against the burn model's logits (1e-5) in the tests below and in `infer::bundle`.

use burn::module::Param;
use burn::nn::PaddingConfig1d;
use burn::nn::conv::Conv1d;
use burn::prelude::*;

use super::student::{ConvBlock, Student};

/// A folded student's weights, laid out for [`StudentKernel::logits`].
#[derive(Debug, Clone)]
pub struct StudentKernel {
    /// Input channels.
    channels: usize,
    classes: usize,
    /// The stem, then each block's depthwise and pointwise convolutions, each followed by ReLU.
    layers: Vec<ConvLayer>,
    /// The head: `[d_s, classes]` (burn's `Linear` layout) and `[classes]`.
    head_weight: Vec<f32>,
    head_bias: Vec<f32>,
}

/// One convolution with its bias (the folded batch norm's shift), either dense (one group) or
/// depthwise (a group per channel): the two the student has.
#[derive(Debug, Clone)]
struct ConvLayer {
    /// Dense: `[kernel, channels_in, channels_out]`; depthwise: `[kernel, channels]`.
    weight: Vec<f32>,
    bias: Vec<f32>,
    depthwise: bool,
    channels_in: usize,
    channels_out: usize,
    kernel: usize,
    stride: usize,
    pad_left: usize,
    pad_right: usize,
}

/// Why a student cannot run as a kernel (it can still run through burn).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    #[error("the student's batch norms are not folded (call Student::folded first)")]
    NotFolded,
    #[error("the student's {0} has a layout the kernel does not know")]
    Layout(&'static str),
}

impl StudentKernel {
    /// Reads the weights of a folded `student`.
    pub fn new(student: &Student) -> Result<Self, KernelError> {
        let mut layers = vec![ConvLayer::new(&student.stem)?];
        for block in &student.blocks {
            layers.push(ConvLayer::new(&block.depthwise)?);
            layers.push(ConvLayer::new(&block.pointwise)?);
        }
        let linear = &student.head.linear;
        let head_weight = values(&linear.weight);
        let [d_s, classes] = linear.weight.dims();
        let head_bias = match &linear.bias {
            Some(bias) => values(bias),
            None => vec![0.0; classes],
        };
        let last = layers.last().map_or(0, |l| l.channels_out);
        if d_s != last {
            return Err(KernelError::Layout("head"));
        }
        Ok(Self { channels: layers[0].channels_in, classes, layers, head_weight, head_bias })
    }

    /// Logits per window.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The logits of `windows` (`[batch, channels, length]`, window after window, normalised as
    /// the model expects), `[batch, classes]`.
    pub fn logits(&self, windows: &[f32], length: usize) -> Vec<f32> {
        let per_window = self.channels * length;
        assert!(
            per_window > 0 && windows.len().is_multiple_of(per_window),
            "windows are {} x {length} values",
            self.channels
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut logits = Vec::with_capacity(windows.len() / per_window * self.classes);
        for window in windows.chunks_exact(per_window) {
            time_major(window, self.channels, &mut a);
            let mut time = length;
            for layer in &self.layers {
                time = layer.forward_relu(&a, time, &mut b);
                std::mem::swap(&mut a, &mut b);
            }
            self.head(&a, time, &mut logits);
        }
        logits
    }

    /// Mean over time of `x` (`[time, d_s]`), then the linear head; appends the window's logits
    /// to `logits`.
    fn head(&self, x: &[f32], time: usize, logits: &mut Vec<f32>) {
        let d_s = self.head_weight.len() / self.classes;
        let mut mean = vec![0.0f32; d_s];
        for frame in x.chunks_exact(d_s) {
            for (m, v) in mean.iter_mut().zip(frame) {
                *m += v;
            }
        }
        let start = logits.len();
        logits.extend_from_slice(&self.head_bias);
        let out = &mut logits[start..];
        for (m, weights) in mean.iter().zip(self.head_weight.chunks_exact(self.classes)) {
            let m = m / time as f32;
            for (logit, w) in out.iter_mut().zip(weights) {
                *logit += m * w;
            }
        }
    }
}

/// `window` (`[channels, time]`) as `[time, channels]` in `out`.
fn time_major(window: &[f32], channels: usize, out: &mut Vec<f32>) {
    let time = window.len() / channels;
    out.clear();
    out.resize(window.len(), 0.0);
    for (c, row) in window.chunks_exact(time).enumerate() {
        for (t, v) in row.iter().enumerate() {
            out[t * channels + c] = *v;
        }
    }
}

impl ConvLayer {
    fn new(block: &ConvBlock) -> Result<Self, KernelError> {
        if block.norm.is_some() {
            return Err(KernelError::NotFolded);
        }
        let conv: &Conv1d = &block.conv;
        let [channels_out, per_group, kernel] = conv.weight.dims();
        let channels_in = per_group * conv.groups;
        let (pad_left, pad_right) = match conv.padding {
            PaddingConfig1d::Explicit(left, right) => (left, right),
            PaddingConfig1d::Valid => (0, 0),
            PaddingConfig1d::Same => return Err(KernelError::Layout("convolution padding")),
        };
        let depthwise = conv.groups > 1;
        if conv.dilation != 1 || (depthwise && (per_group != 1 || channels_out != channels_in)) {
            return Err(KernelError::Layout("convolution"));
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
        let bias = match &conv.bias {
            Some(bias) => values(bias),
            None => vec![0.0; channels_out],
        };
        Ok(Self {
            weight,
            bias,
            depthwise,
            channels_in,
            channels_out,
            kernel,
            stride: conv.stride,
            pad_left,
            pad_right,
        })
    }

    /// `relu(conv(x) + bias)` of `x` (`[time, channels_in]`) into `out` (`[time_out,
    /// channels_out]`); returns `time_out`.
    fn forward_relu(&self, x: &[f32], time: usize, out: &mut Vec<f32>) -> usize {
        // No output frame where the padded window is shorter than the kernel.
        let time_out =
            (time + self.pad_left + self.pad_right).checked_sub(self.kernel).map_or(0, |n| n / self.stride + 1);
        out.clear();
        out.resize(time_out * self.channels_out, 0.0);
        for (t, row) in out.chunks_exact_mut(self.channels_out).enumerate() {
            row.copy_from_slice(&self.bias);
            for tap in 0..self.kernel {
                // The input frame this tap reads; outside the window it is the zero padding.
                let Some(s) = (t * self.stride + tap).checked_sub(self.pad_left).filter(|&s| s < time) else {
                    continue;
                };
                let frame = &x[s * self.channels_in..][..self.channels_in];
                if self.depthwise {
                    multiply_add(row, frame, &self.weight[tap * self.channels_out..][..self.channels_out]);
                } else {
                    let taps = &self.weight[tap * self.channels_in * self.channels_out..];
                    for (&x, weights) in frame.iter().zip(taps.chunks_exact(self.channels_out)) {
                        scaled_add(row, x, weights);
                    }
                }
            }
            for v in row.iter_mut() {
                *v = v.max(0.0);
            }
        }
        time_out
    }
}

/// `acc[k] += a * b[k]`: LLVM vectorises it (explicit wasm SIMD measured no faster).
#[inline(always)]
fn scaled_add(acc: &mut [f32], a: f32, b: &[f32]) {
    for (r, w) in acc.iter_mut().zip(b) {
        *r += a * w;
    }
}

/// `acc[k] += a[k] * b[k]`.
#[inline(always)]
fn multiply_add(acc: &mut [f32], a: &[f32], b: &[f32]) {
    for ((r, x), w) in acc.iter_mut().zip(a).zip(b) {
        *r += x * w;
    }
}

/// A parameter's values, in burn's (row-major) layout.
fn values<const D: usize>(param: &Param<Tensor<D>>) -> Vec<f32> {
    param.val().into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 weights")
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;
    use crate::model::StudentConfig;

    /// Logits of the burn model and of the kernel on the same windows, compared at 1e-5 of a
    /// logit: the architecture's defaults and odd sizes (a window shorter than a kernel, an
    /// even kernel, stride 3).
    #[test]
    fn the_kernel_gives_the_burn_students_logits() {
        let device = Device::flex();
        let configs = [
            (StudentConfig::new(), 133),
            (StudentConfig::new().with_channels(6).with_kernel_size(4).with_stride(3), 61),
            (StudentConfig::new().with_block_channels(vec![8]), 3),
        ];
        for (config, length) in configs {
            let student = config.init(&device).folded();
            let kernel = StudentKernel::new(&student).unwrap();
            let x = Tensor::<3>::random([3, config.channels, length], Distribution::Normal(0.0, 1.5), &device);
            let values = x.clone().into_data().try_to_vec::<f32>().unwrap();
            let expected = student.forward(x).logits.into_data().try_to_vec::<f32>().unwrap();
            let got = kernel.logits(&values, length);
            assert_eq!(got.len(), expected.len());
            for (e, g) in expected.iter().zip(&got) {
                assert!((e - g).abs() <= 1e-5 * e.abs().max(1.0), "{config:?} over {length}: {e} vs {g}");
            }
        }
    }

    #[test]
    fn an_unfolded_student_is_refused() {
        let student = StudentConfig::new().init(&Device::flex());
        assert_eq!(StudentKernel::new(&student).unwrap_err(), KernelError::NotFolded);
    }
}
