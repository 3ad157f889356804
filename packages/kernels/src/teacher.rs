//! The folded teacher and its semantic classifier as a kernel: what the CPU runs for the
//! teacher's answer (the semantic classifier's logits) and the combined head's logits, the
//! two the app reads.
//!
//! Why hand-written: profiled in the browser, burn's teacher spent a quarter of a window in
//! scalar `expf` calls (softmax) and most of the rest in small matrix products and the fixed
//! cost of ~150 operations; ONNX Runtime Web ran the same network in half the time
//! (docs/performance.md). The branches, the fusion and the semantic classifier are each a few
//! passes here, with vectorisable `exp` and `erf` (`crate::ops`). The weights are read once
//! from the burn models by `tsak::model::kernel`, so training and records stay burn's; the
//! logits are checked against burn's (1e-5) there and in `tsak::infer::bundle`.

use crate::attention::AttentionKernel;
use crate::conv::{Activation, ConvLayer};
use crate::ops::{Dense, Norm, add, gelu, mean_over_time, scaled_add, sigmoid, softmax, time_major};

/// A folded teacher's and its semantic classifier's weights. Only the combined head of the
/// teacher's three is here: the app reads it and the semantic classifier's answer.
#[derive(Debug, Clone)]
pub struct TeacherKernel {
    pub attention: AttentionKernel,
    pub causal: CausalKernel,
    /// The fusion's gate, `[attention; causal] -> gate logits`.
    pub gate: Dense,
    pub fusion_output: Dense,
    pub combined_head: Dense,
    pub semantic: SemanticKernel,
}

/// The causal branch: a 1x1 convolution, then residual dilated causal blocks.
#[derive(Debug, Clone)]
pub struct CausalKernel {
    pub input: ConvLayer,
    /// Each `x + gelu(conv(x))`, the batch norm folded into `conv`.
    pub blocks: Vec<ConvLayer>,
}

/// The stage-2 semantic classifier.
#[derive(Debug, Clone)]
pub struct SemanticKernel {
    /// Attention, causal, combined: `gelu(linear(layer_norm(x)))` each.
    pub projections: [(Norm, Dense); 3],
    /// One score per view; their softmax weighs the views.
    pub scorer: Dense,
    /// `[weighted sum; attention; causal; combined] -> representation`.
    pub merge: Dense,
    pub head: Dense,
}

/// What the teacher says about a batch of windows.
#[derive(Debug, Clone, PartialEq)]
pub struct TeacherKernelLogits {
    /// The semantic classifier's logits, the teacher's answer: `[batch, classes]`.
    pub semantic: Vec<f32>,
    /// The combined head's logits: `[batch, classes]`.
    pub combined: Vec<f32>,
}

impl TeacherKernel {
    /// Input channels.
    pub fn channels(&self) -> usize {
        self.attention.channels()
    }

    /// Logits per window.
    pub fn classes(&self) -> usize {
        self.semantic.head.d_output
    }

    /// The logits of `windows` (`[batch, channels, length]`, window after window, normalised as
    /// the model expects).
    pub fn logits(&self, windows: &[f32], length: usize) -> TeacherKernelLogits {
        let per_window = self.channels() * length;
        assert!(
            per_window > 0 && windows.len().is_multiple_of(per_window),
            "windows are {} x {length} values",
            self.channels()
        );
        let mut out = TeacherKernelLogits { semantic: Vec::new(), combined: Vec::new() };
        let mut x = Vec::new();
        for window in windows.chunks_exact(per_window) {
            time_major(window, self.channels(), &mut x);
            let attention = self.attention.representation(&x);
            let causal = self.causal.representation(&x, length);
            let combined = self.combined(&attention, &causal);
            out.combined.extend(self.combined_head.apply(&combined));
            out.semantic.extend(self.semantic.logits([&attention, &causal, &combined]));
        }
        out
    }

    /// The gated fusion: `gelu(output(g·attention + (1 - g)·causal))`, `g = sigmoid(gate([a; c]))`.
    fn combined(&self, attention: &[f32], causal: &[f32]) -> Vec<f32> {
        let gate = self.gate.apply(&[attention, causal].concat());
        let mixed: Vec<f32> = gate
            .iter()
            .zip(attention)
            .zip(causal)
            .map(|((&gate, &a), &c)| {
                let g = sigmoid(gate);
                g * a + (1.0 - g) * c
            })
            .collect();
        let mut combined = self.fusion_output.apply(&mixed);
        gelu(&mut combined);
        combined
    }
}

impl CausalKernel {
    /// The causal representation (`[d_model]`) of one window `x` (`[time, channels]`).
    fn representation(&self, x: &[f32], time: usize) -> Vec<f32> {
        let (mut h, mut y) = (Vec::new(), Vec::new());
        self.input.forward(x, time, Activation::Identity, &mut h);
        for block in &self.blocks {
            block.forward(&h, time, Activation::Gelu, &mut y);
            add(&mut h, &y);
        }
        mean_over_time(&h, self.input.channels_out)
    }
}

impl SemanticKernel {
    /// The logits of one window's three representations (attention, causal, combined): each
    /// projected into the shared space, weighted by a softmax over their scores, and the
    /// weighted sum merged with the three views.
    fn logits(&self, representations: [&[f32]; 3]) -> Vec<f32> {
        let views: Vec<Vec<f32>> = self
            .projections
            .iter()
            .zip(representations)
            .map(|((norm, linear), x)| {
                let mut x = x.to_vec();
                norm.normalise(&mut x);
                let mut view = linear.apply(&x);
                gelu(&mut view);
                view
            })
            .collect();
        let mut weights: Vec<f32> = views.iter().map(|view| self.scorer.apply(view)[0]).collect();
        softmax(&mut weights);
        let mut all = vec![0.0; self.merge.d_input / (views.len() + 1)];
        for (view, &weight) in views.iter().zip(&weights) {
            scaled_add(&mut all, weight, view);
        }
        views.iter().for_each(|view| all.extend_from_slice(view));
        let mut representation = self.merge.apply(&all);
        gelu(&mut representation);
        self.head.apply(&representation)
    }
}
