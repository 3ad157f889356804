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

use super::KernelError;
use super::conv::{Activation, ConvLayer};
use super::ops::{Dense, mean_over_time, time_major};
use crate::model::student::{ConvBlock, Student};

/// A folded student's weights, laid out for [`StudentKernel::logits`].
#[derive(Debug, Clone)]
pub struct StudentKernel {
    /// Input channels.
    channels: usize,
    /// The stem, then each block's depthwise and pointwise convolutions, each followed by ReLU.
    layers: Vec<ConvLayer>,
    /// The linear head on the representation (the mean over time of the last layer).
    head: Dense,
}

impl StudentKernel {
    /// Reads the weights of a folded `student`.
    pub fn new(student: &Student) -> Result<Self, KernelError> {
        let mut layers = vec![conv_layer(&student.stem)?];
        for block in &student.blocks {
            layers.push(conv_layer(&block.depthwise)?);
            layers.push(conv_layer(&block.pointwise)?);
        }
        let head = Dense::new(&student.head.linear);
        if layers.last().map(|l| l.channels_out) != Some(head.d_input) {
            return Err(KernelError::Layout("head"));
        }
        Ok(Self { channels: layers[0].channels_in, layers, head })
    }

    /// Logits per window.
    pub fn classes(&self) -> usize {
        self.head.d_output
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
        let mut logits = Vec::with_capacity(windows.len() / per_window * self.classes());
        for window in windows.chunks_exact(per_window) {
            time_major(window, self.channels, &mut a);
            let mut time = length;
            for layer in &self.layers {
                time = layer.forward(&a, time, Activation::Relu, &mut b);
                std::mem::swap(&mut a, &mut b);
            }
            logits.extend(self.head.apply(&mean_over_time(&a, self.head.d_input)));
        }
        logits
    }
}

/// A block's convolution, which the kernel runs only once its batch norm is folded into it.
fn conv_layer(block: &ConvBlock) -> Result<ConvLayer, KernelError> {
    if block.norm.is_some() {
        return Err(KernelError::NotFolded);
    }
    ConvLayer::new(&block.conv)
}

#[cfg(test)]
mod tests {
    use burn::prelude::*;
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
