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
//! The weights are read once from tsak's burn `Student` (after `Student::folded`) by
//! `tsak::model::kernel`, so the trained model, its records and its training stay burn's; the
//! logits are checked against the burn model's (1e-5) there and in `tsak::infer::bundle`.

use crate::conv::{Activation, ConvLayer};
use crate::ops::{Dense, mean_over_time, time_major};

/// A folded student's weights: its convolutions (the stem, then each block's depthwise and
/// pointwise convolutions, each followed by ReLU) and its linear head on their mean over time.
#[derive(Debug, Clone)]
pub struct StudentKernel {
    pub layers: Vec<ConvLayer>,
    pub head: Dense,
}

impl StudentKernel {
    /// Input channels.
    pub fn channels(&self) -> usize {
        self.layers[0].channels_in
    }

    /// Logits per window.
    pub fn classes(&self) -> usize {
        self.head.d_output
    }

    /// The logits of `windows` (`[batch, channels, length]`, window after window, normalised as
    /// the model expects), `[batch, classes]`.
    pub fn logits(&self, windows: &[f32], length: usize) -> Vec<f32> {
        let per_window = self.channels() * length;
        assert!(
            per_window > 0 && windows.len().is_multiple_of(per_window),
            "windows are {} x {length} values",
            self.channels()
        );
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut logits = Vec::with_capacity(windows.len() / per_window * self.classes());
        for window in windows.chunks_exact(per_window) {
            time_major(window, self.channels(), &mut a);
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
