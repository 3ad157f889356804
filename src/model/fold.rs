//! Batch norm folded into the convolution before it, for inference.
//!
//! At inference a batch norm is a fixed affine map per channel, `y = (x - mean) / sqrt(var +
//! eps) * gamma + beta`, so it can be multiplied into the convolution's weights and bias once,
//! at load. burn runs an unfolded batch norm as about ten tensor operations, four of them over
//! the whole activation; for the student (seven batch norms, batch 1) those were a large share
//! of a window's time in the browser (docs/performance.md). Training never folds: batch norm
//! learns from batch statistics there.

use burn::module::Param;
use burn::nn::BatchNorm;
use burn::nn::conv::Conv1d;
use burn::prelude::*;

/// `conv` followed by `norm` (in inference mode) as one convolution with a bias.
///
/// With `s = gamma / sqrt(var + eps)` per output channel: `weight' = weight * s` and
/// `bias' = (bias - mean) * s + beta` (`bias` is 0 where the convolution has none).
pub fn fold_batch_norm(conv: Conv1d, norm: &BatchNorm) -> Conv1d {
    let channels = norm.gamma.dims()[0];
    let scale = norm.gamma.val() / (norm.running_var.value() + norm.epsilon).sqrt(); // [channels]
    let bias = match &conv.bias {
        Some(bias) => bias.val(),
        None => Tensor::zeros([channels], &scale.device()),
    };
    let folded_bias = (bias - norm.running_mean.value()) * scale.clone() + norm.beta.val();
    let weight = conv.weight.val() * scale.reshape([channels, 1, 1]); // [out, in / groups, kernel]
    Conv1d { weight: Param::from_tensor(weight), bias: Some(Param::from_tensor(folded_bias)), ..conv }
}

#[cfg(test)]
mod tests {
    use burn::nn::BatchNormConfig;
    use burn::nn::conv::Conv1dConfig;
    use burn::tensor::Distribution;

    use super::*;

    /// A batch norm with statistics and an affine part far from the identity, as after training.
    fn trained_norm(channels: usize, device: &Device) -> BatchNorm {
        let mut norm = BatchNormConfig::new(channels).init(device);
        let random = |low, high| Tensor::<1>::random([channels], Distribution::Uniform(low, high), device);
        norm.gamma = Param::from_tensor(random(0.5, 2.0));
        norm.beta = Param::from_tensor(random(-1.0, 1.0));
        norm.running_mean = burn::module::RunningState::new(random(-2.0, 2.0));
        norm.running_var = burn::module::RunningState::new(random(0.1, 3.0));
        norm
    }

    #[test]
    fn a_folded_convolution_equals_the_convolution_then_the_batch_norm() {
        let device = Device::flex();
        // Plain, strided depthwise, and dilated-causal convolutions, with and without a bias.
        let convs = [
            Conv1dConfig::new(3, 16, 5).with_bias(false),
            Conv1dConfig::new(8, 8, 5).with_groups(8).with_stride(2).with_bias(false),
            Conv1dConfig::new(6, 6, 3).with_dilation(4).with_bias(true),
        ];
        for config in convs {
            let conv = config.init(&device);
            let norm = trained_norm(config.channels_out, &device);
            let x = Tensor::<3>::random([2, config.channels_in, 40], Distribution::Normal(0.0, 1.0), &device);
            let expected = norm.forward(conv.forward(x.clone())).into_data().try_to_vec::<f32>().unwrap();
            let got = fold_batch_norm(conv, &norm).forward(x).into_data().try_to_vec::<f32>().unwrap();
            assert_eq!(expected.len(), got.len());
            for (e, g) in expected.iter().zip(&got) {
                assert!((e - g).abs() <= 1e-5 * e.abs().max(1.0), "{config:?}: {e} vs {g}");
            }
        }
    }
}
