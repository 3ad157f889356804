//! burn layers' weights into the kernels' layouts: plain `Vec<f32>`s read once, at bundle load.

use burn::module::Param;
use burn::nn::PaddingConfig1d;
use burn::nn::conv::Conv1d;
use burn::nn::{LayerNorm, Linear};
use burn::prelude::*;
use tsak_kernels::{ConvLayer, ConvShape, Dense, Norm};

use super::KernelError;

/// A parameter's values, in burn's (row-major) layout.
fn values<const D: usize>(param: &Param<Tensor<D>>) -> Vec<f32> {
    param.val().into_data().convert::<f32>().try_into_vec::<f32>().expect("f32 weights")
}

/// A [`Linear`] layer.
pub(super) fn dense(linear: &Linear) -> Dense {
    let [d_input, d_output] = linear.weight.dims();
    Dense::new(values(&linear.weight), linear.bias.as_ref().map(values), d_input, d_output)
}

/// A [`LayerNorm`].
pub(super) fn norm(norm: &LayerNorm) -> Norm {
    Norm::new(values(&norm.gamma), norm.beta.as_ref().map(values))
}

/// A [`Conv1d`], its batch norm (if it had one) already folded into it.
pub(super) fn conv(conv: &Conv1d) -> Result<ConvLayer, KernelError> {
    let [channels_out, per_group, kernel] = conv.weight.dims();
    let (pad_left, pad_right) = match conv.padding {
        PaddingConfig1d::Explicit(left, right) => (left, right),
        PaddingConfig1d::Valid => (0, 0),
        PaddingConfig1d::Same => return Err(KernelError::Layout("convolution padding")),
    };
    let shape = ConvShape {
        channels_in: per_group * conv.groups,
        channels_out,
        kernel,
        groups: conv.groups,
        stride: conv.stride,
        dilation: conv.dilation,
        pad_left,
        pad_right,
    };
    ConvLayer::new(&values(&conv.weight), conv.bias.as_ref().map(values), shape)
        .ok_or(KernelError::Layout("convolution groups"))
}
