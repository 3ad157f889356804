//! A folded [`Student`]'s weights into a [`StudentKernel`].

use tsak_kernels::StudentKernel;

use super::KernelError;
use super::weights::{conv, dense};
use crate::model::student::{ConvBlock, Student};

/// The kernel of a folded `student` (see [`Student::folded`]).
pub fn student_kernel(student: &Student) -> Result<StudentKernel, KernelError> {
    let mut layers = vec![block_conv(&student.stem)?];
    for block in &student.blocks {
        layers.push(block_conv(&block.depthwise)?);
        layers.push(block_conv(&block.pointwise)?);
    }
    let head = dense(&student.head.linear);
    if layers.last().map(|l| l.channels_out()) != Some(head.d_input()) {
        return Err(KernelError::Layout("head"));
    }
    Ok(StudentKernel { layers, head })
}

/// A block's convolution, which the kernel runs only once its batch norm is folded into it.
fn block_conv(block: &ConvBlock) -> Result<tsak_kernels::ConvLayer, KernelError> {
    if block.norm.is_some() {
        return Err(KernelError::NotFolded);
    }
    conv(&block.conv)
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
            let kernel = student_kernel(&student).unwrap();
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
        assert_eq!(student_kernel(&student).unwrap_err(), KernelError::NotFolded);
    }
}
