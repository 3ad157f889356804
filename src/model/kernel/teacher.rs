//! A folded [`Teacher`]'s and its [`SemanticClassifier`]'s weights into a [`TeacherKernel`].

use burn::nn::Gelu;
use tsak_kernels::{CausalKernel, SemanticKernel, TeacherKernel};

use super::KernelError;
use super::attention::attention_kernel;
use super::weights::{conv, dense, norm};
use crate::model::causal::CausalEncoder;
use crate::model::semantic::RepresentationProjection;
use crate::model::{SemanticClassifier, Teacher};

/// The kernel of a folded `teacher` (see [`Teacher::folded`]) and its `semantic` classifier.
pub fn teacher_kernel(teacher: &Teacher, semantic: &SemanticClassifier) -> Result<TeacherKernel, KernelError> {
    let gelus = [&teacher.fusion.activation, &semantic.activation]
        .into_iter()
        .chain(teacher.causal.blocks.iter().map(|b| &b.activation))
        .chain([&semantic.attention, &semantic.causal, &semantic.combined].map(|p| &p.activation));
    if gelus.into_iter().any(|g: &Gelu| g.approximate) {
        return Err(KernelError::Layout("GELU (tanh approximation)"));
    }
    Ok(TeacherKernel {
        attention: attention_kernel(&teacher.attention)?,
        causal: causal_kernel(&teacher.causal)?,
        gate: dense(&teacher.fusion.gate),
        fusion_output: dense(&teacher.fusion.output),
        combined_head: dense(&teacher.combined_head.linear),
        semantic: semantic_kernel(semantic),
    })
}

fn causal_kernel(encoder: &CausalEncoder) -> Result<CausalKernel, KernelError> {
    let blocks = encoder
        .blocks
        .iter()
        .map(|block| if block.norm.is_some() { Err(KernelError::NotFolded) } else { conv(&block.conv) })
        .collect::<Result<_, _>>()?;
    Ok(CausalKernel { input: conv(&encoder.input)?, blocks })
}

fn semantic_kernel(semantic: &SemanticClassifier) -> SemanticKernel {
    let projection = |p: &RepresentationProjection| (norm(&p.norm), dense(&p.linear));
    SemanticKernel {
        projections: [projection(&semantic.attention), projection(&semantic.causal), projection(&semantic.combined)],
        scorer: dense(&semantic.scorer),
        merge: dense(&semantic.merge),
        head: dense(&semantic.head.linear),
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
            let kernel = teacher_kernel(&teacher, &semantic).unwrap();
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
        let error = teacher_kernel(&config.init(&device), &semantic).unwrap_err();
        assert_eq!(error, KernelError::NotFolded);
    }
}
