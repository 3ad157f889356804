//! The folded teacher and its semantic classifier as a kernel: what the CPU runs for the
//! teacher's answer (the semantic classifier's logits) and the combined head's logits, the
//! two the app reads.
//!
//! Why hand-written: profiled in the browser, burn's teacher spent a quarter of a window in
//! scalar `expf` calls (softmax) and most of the rest in small matrix products and the fixed
//! cost of ~150 operations; ONNX Runtime Web ran the same network in half the time
//! (docs/performance.md). The branches, the fusion and the semantic classifier are each a few
//! passes here, with vectorisable `exp` and `erf` ([`super::ops`]). The weights are read once
//! from the burn models, so training and records stay burn's; [`TeacherKernel::logits`] is
//! checked against burn's logits (1e-5) below and in `infer::bundle`.

use burn::nn::Gelu;

use super::KernelError;
use super::attention::AttentionKernel;
use super::conv::{Activation, ConvLayer};
use super::ops::{Dense, Norm, add, gelu, mean_over_time, scaled_add, sigmoid, softmax, time_major};
use crate::model::causal::CausalEncoder;
use crate::model::semantic::RepresentationProjection;
use crate::model::{SemanticClassifier, Teacher};

/// A folded teacher's and its semantic classifier's weights, laid out for
/// [`TeacherKernel::logits`].
#[derive(Debug, Clone)]
pub struct TeacherKernel {
    attention: AttentionKernel,
    causal: CausalKernel,
    /// `[attention; causal] -> gate logits`.
    gate: Dense,
    fusion_output: Dense,
    combined_head: Dense,
    semantic: SemanticKernel,
}

/// The causal branch: a 1x1 convolution, then residual dilated causal blocks.
#[derive(Debug, Clone)]
struct CausalKernel {
    input: ConvLayer,
    /// Each `x + gelu(conv(x))`, the batch norm folded into `conv`.
    blocks: Vec<ConvLayer>,
}

/// The stage-2 semantic classifier.
#[derive(Debug, Clone)]
struct SemanticKernel {
    /// Attention, causal, combined: `gelu(linear(layer_norm(x)))` each.
    projections: [(Norm, Dense); 3],
    scorer: Dense,
    merge: Dense,
    head: Dense,
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
    /// Reads the weights of a folded `teacher` and of its `semantic` classifier.
    pub fn new(teacher: &Teacher, semantic: &SemanticClassifier) -> Result<Self, KernelError> {
        let gelus = [&teacher.fusion.activation, &semantic.activation]
            .into_iter()
            .chain(teacher.causal.blocks.iter().map(|b| &b.activation))
            .chain([&semantic.attention, &semantic.causal, &semantic.combined].map(|p| &p.activation));
        if gelus.into_iter().any(|g: &Gelu| g.approximate) {
            return Err(KernelError::Layout("GELU (tanh approximation)"));
        }
        Ok(Self {
            attention: AttentionKernel::new(&teacher.attention)?,
            causal: CausalKernel::new(&teacher.causal)?,
            gate: Dense::new(&teacher.fusion.gate),
            fusion_output: Dense::new(&teacher.fusion.output),
            combined_head: Dense::new(&teacher.combined_head.linear),
            semantic: SemanticKernel::new(semantic),
        })
    }

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
    fn new(encoder: &CausalEncoder) -> Result<Self, KernelError> {
        let blocks = encoder
            .blocks
            .iter()
            .map(|block| if block.norm.is_some() { Err(KernelError::NotFolded) } else { ConvLayer::new(&block.conv) })
            .collect::<Result<_, _>>()?;
        Ok(Self { input: ConvLayer::new(&encoder.input)?, blocks })
    }

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
    fn new(semantic: &SemanticClassifier) -> Self {
        let projection = |p: &RepresentationProjection| (Norm::new(&p.norm), Dense::new(&p.linear));
        Self {
            projections: [
                projection(&semantic.attention),
                projection(&semantic.causal),
                projection(&semantic.combined),
            ],
            scorer: Dense::new(&semantic.scorer),
            merge: Dense::new(&semantic.merge),
            head: Dense::new(&semantic.head.linear),
        }
    }

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

#[cfg(test)]
mod tests {
    use burn::prelude::*;
    use burn::tensor::Distribution;

    use super::*;
    use crate::model::{SemanticClassifierConfig, TeacherConfig};

    /// Logits of the burn teacher and semantic classifier and of the kernel on the same windows,
    /// at 1e-5 of a logit: the defaults, and odd sizes (one layer, two heads, a window shorter
    /// than the causal branch's receptive field).
    #[test]
    fn the_kernel_gives_the_burn_teachers_logits() {
        let device = Device::flex();
        let odd = TeacherConfig::new()
            .with_channels(7)
            .with_classes(5)
            .with_d_model(16)
            .with_heads(2)
            .with_attention_layers(1)
            .with_d_ff(24)
            .with_causal_layers(2)
            .with_causal_kernel_size(3);
        for (config, length) in [(TeacherConfig::new(), 60), (odd, 23)] {
            let teacher = config.init(&device).folded();
            let semantic = SemanticClassifierConfig::for_teacher(&config).init(&device);
            let kernel = TeacherKernel::new(&teacher, &semantic).unwrap();
            let x = Tensor::<3>::random([3, config.channels, length], Distribution::Normal(0.0, 1.5), &device);
            let values = x.clone().into_data().try_to_vec::<f32>().unwrap();
            let out = teacher.forward(x);
            let semantic = semantic.forward(out.attention, out.causal, out.combined).logits;
            let got = kernel.logits(&values, length);
            for (expected, got, what) in
                [(semantic, &got.semantic, "semantic"), (out.combined_logits, &got.combined, "combined")]
            {
                let expected = expected.into_data().try_to_vec::<f32>().unwrap();
                assert_eq!(got.len(), expected.len());
                for (e, g) in expected.iter().zip(got) {
                    assert!((e - g).abs() <= 1e-5 * e.abs().max(1.0), "{what} of {config:?}: {e} vs {g}");
                }
            }
        }
    }

    #[test]
    fn an_unfolded_teacher_is_refused() {
        let device = Device::flex();
        let config = TeacherConfig::new();
        let semantic = SemanticClassifierConfig::for_teacher(&config).init(&device);
        let error = TeacherKernel::new(&config.init(&device), &semantic).unwrap_err();
        assert_eq!(error, KernelError::NotFolded);
    }
}
