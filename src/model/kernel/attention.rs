//! The attention branch's weights ([`AttentionEncoder`]) into an [`AttentionKernel`].

use burn::nn::Gelu;
use burn::nn::activation::Activation;
use burn::nn::transformer::TransformerEncoderLayer;
use tsak_kernels::Dense;
use tsak_kernels::attention::{AttentionKernel, EncoderLayer};

use super::KernelError;
use super::weights::{dense, norm};
use crate::model::attention::AttentionEncoder;

pub(super) fn attention_kernel(encoder: &AttentionEncoder) -> Result<AttentionKernel, KernelError> {
    let layers = encoder.encoder.layers.iter().map(encoder_layer).collect::<Result<_, _>>()?;
    Ok(AttentionKernel { input: dense(&encoder.input), layers, norm: norm(&encoder.norm) })
}

/// A pre-norm layer with exact GELU and plain softmax: the only kind the kernel runs.
fn encoder_layer(layer: &TransformerEncoderLayer) -> Result<EncoderLayer, KernelError> {
    let mha = &layer.mha;
    let exact_gelu = matches!(layer.pwff.activation, Activation::Gelu(Gelu { approximate: false }));
    if !layer.norm_first || mha.quiet_softmax || !exact_gelu {
        return Err(KernelError::Layout("transformer encoder layer"));
    }
    Ok(EncoderLayer {
        attention_norm: norm(&layer.norm_2),
        query_key_value: Dense::side_by_side(&[dense(&mha.query), dense(&mha.key), dense(&mha.value)]),
        output: dense(&mha.output),
        heads: mha.n_heads,
        feed_forward_norm: norm(&layer.norm_1),
        inner: dense(&layer.pwff.linear_inner),
        outer: dense(&layer.pwff.linear_outer),
    })
}
