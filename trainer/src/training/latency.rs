//! Per-window latency of teacher and student, measured side by side in one run: batch 1 on the
//! native CPU, after a warm-up, alternating the two so both see the same machine state. Each
//! model runs as inference runs it: folded, as its CPU kernel (`tsak::model::kernel`), or
//! through burn where the kernels do not know its layout.

use std::time::Instant;

use burn::tensor::{Device, Distribution, Tensor};
use tsak::infer::metrics::percentile;
use tsak::model::kernel::{student_kernel, teacher_kernel};
use tsak::model::{SemanticClassifier, Student, Teacher};

/// Median milliseconds per window: (teacher + semantic classifier, student).
pub fn teacher_and_student_p50_ms(
    teacher: &Teacher,
    semantic: &SemanticClassifier,
    student: &Student,
    channels: (usize, usize),
    length: usize,
) -> (f64, f64) {
    let device = Device::flex();
    let full: Tensor<3> = Tensor::random([1, channels.0, length], Distribution::Normal(0.0, 1.0), &device);
    let wrist: Tensor<3> = Tensor::random([1, channels.1, length], Distribution::Normal(0.0, 1.0), &device);
    let (teacher, student) = (teacher.clone().folded(), student.clone().folded());
    let (teacher_kernel, student_kernel) = (teacher_kernel(&teacher, semantic).ok(), student_kernel(&student).ok());
    let full_values = full.clone().into_data().try_to_vec::<f32>().expect("f32 window");
    let wrist_values = wrist.clone().into_data().try_to_vec::<f32>().expect("f32 window");
    let run_teacher = || match &teacher_kernel {
        Some(kernel) => kernel.logits(&full_values, length).semantic,
        None => {
            let out = teacher.forward(full.clone());
            let logits = semantic.forward(out.attention, out.causal, out.combined).logits;
            logits.into_data().try_to_vec::<f32>().expect("f32 logits")
        }
    };
    let run_student = || match &student_kernel {
        Some(kernel) => kernel.logits(&wrist_values, length),
        None => student.forward(wrist.clone()).logits.into_data().try_to_vec::<f32>().expect("f32 logits"),
    };
    for _ in 0..50 {
        run_teacher();
        run_student();
    }
    let (mut teacher_ms, mut student_ms) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let start = Instant::now();
        run_teacher();
        teacher_ms.push(start.elapsed().as_secs_f64() * 1e3);
        let start = Instant::now();
        run_student();
        student_ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    (percentile(&teacher_ms, 50.0).unwrap_or(f64::NAN), percentile(&student_ms, 50.0).unwrap_or(f64::NAN))
}
