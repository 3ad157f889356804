//! Running the bundle's models on windows. The forward passes are shared by every caller; only
//! reading results back differs: natively `into_data()`, in the browser `into_data_async()`,
//! because a synchronous read-back panics on WebGPU. So this module returns tensors and leaves
//! the read to the caller, and does the cheap post-processing (argmax, softmax) on the host:
//! arg-reductions are not reliable on every backend.

use burn::tensor::{Device, Tensor, TensorData};

use super::bundle::{StudentModels, TeacherModels};
use super::inputs::ModelWindows;

/// What the teacher says about a batch of windows.
pub struct TeacherLogits {
    /// The semantic classifier's logits: the teacher's final answer. `[batch, classes]`
    pub semantic: Tensor<2>,
    /// The combined head's logits. `[batch, classes]`
    pub combined: Tensor<2>,
}

/// Windows `range` of `windows` as a `[batch, channels, time]` tensor on `device`.
pub fn window_tensor(windows: &ModelWindows, range: std::ops::Range<usize>, device: &Device) -> Tensor<3> {
    let batch = range.len();
    let data = TensorData::new(windows.slice(range).to_vec(), [batch, windows.channels, windows.length]);
    Tensor::from_data(data, device)
}

impl StudentModels {
    /// Student logits `[batch, classes]` for windows `range` of its inputs, on its device.
    /// On the CPU the student runs as its kernel (`StudentKernel`), elsewhere through burn.
    pub fn logits(&self, windows: &ModelWindows, range: std::ops::Range<usize>) -> Tensor<2> {
        let Some(kernel) = &self.kernel else {
            return self.model.forward(window_tensor(windows, range, &self.device)).logits;
        };
        let batch = range.len();
        let logits = kernel.logits(windows.slice(range), windows.length);
        Tensor::from_data(TensorData::new(logits, [batch, kernel.classes()]), &self.device)
    }
}

impl TeacherModels {
    /// Teacher logits for windows `range` of its inputs, on its device. On the CPU both models
    /// run as their kernel (`TeacherKernel`), elsewhere through burn.
    pub fn logits(&self, windows: &ModelWindows, range: std::ops::Range<usize>) -> TeacherLogits {
        if let Some(kernel) = &self.kernel {
            let batch = range.len();
            let logits = kernel.logits(windows.slice(range), windows.length);
            let tensor = |values| Tensor::from_data(TensorData::new(values, [batch, kernel.classes()]), &self.device);
            return TeacherLogits { semantic: tensor(logits.semantic), combined: tensor(logits.combined) };
        }
        let out = self.teacher.forward(window_tensor(windows, range, &self.device));
        let semantic = self.semantic.forward(out.attention, out.causal, out.combined).logits;
        TeacherLogits { semantic, combined: out.combined_logits }
    }
}

/// The index of the largest value of each row of `[rows, classes]` logits.
pub fn argmax_rows(logits: &[f32], classes: usize) -> Vec<usize> {
    logits
        .chunks_exact(classes)
        .map(|row| row.iter().enumerate().fold(0, |best, (i, &v)| if v > row[best] { i } else { best }))
        .collect()
}

/// Softmax of each row of `[rows, classes]` logits (max-subtracted, so it cannot overflow).
pub fn softmax_rows(logits: &[f32], classes: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(logits.len());
    for row in logits.chunks_exact(classes) {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let exp: Vec<f32> = row.iter().map(|v| (v - max).exp()).collect();
        let sum: f32 = exp.iter().sum();
        out.extend(exp.into_iter().map(|e| e / sum));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::bundle::ModelBundle;

    #[test]
    fn argmax_and_softmax_per_row() {
        let logits = [1.0, 3.0, 2.0, 0.0, 0.0, 0.0];
        assert_eq!(argmax_rows(&logits, 3), vec![1, 0]);
        assert_eq!(argmax_rows(&[3.0, 3.0, -1.0], 3), vec![0], "ties go to the first maximum");
        let p = softmax_rows(&logits, 3);
        assert!((p[..3].iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(p[1] > p[2] && p[2] > p[0]);
        assert!(p[3..].iter().all(|v| (v - 1.0 / 3.0).abs() < 1e-6));
        assert!(softmax_rows(&[1000.0, 0.0], 2)[0].is_finite());
    }

    #[test]
    fn a_batch_equals_the_same_windows_one_by_one() {
        let device = Device::flex();
        let bundle = ModelBundle::synthetic(&device).unwrap();
        let channels = bundle.student.config.channels;
        let windows = ModelWindows {
            channels,
            length: 60,
            starts: vec![0, 30, 60],
            labels: vec![0; 3],
            values: (0..3 * channels * 60).map(|i| ((i as f32) * 0.37).sin()).collect(),
            missing: Vec::new(),
        };
        let all = bundle.student.logits(&windows, 0..3).into_data().try_to_vec::<f32>().unwrap();
        let one = bundle.student.logits(&windows, 2..3).into_data().try_to_vec::<f32>().unwrap();
        let classes = one.len();
        for (a, b) in all[2 * classes..].iter().zip(&one) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
    }
}
