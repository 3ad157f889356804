//! Per-window latency of teacher and student, measured side by side in one run: batch 1 on the
//! native CPU, after a warm-up, alternating the two so both see the same machine state. Each
//! model runs as inference runs it on the CPU: folded, as its kernel (`tsak::model::kernel`).

use std::time::Instant;

use anyhow::{Context, Result};
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
) -> Result<(f64, f64)> {
    let device = Device::flex();
    let full: Tensor<3> = Tensor::random([1, channels.0, length], Distribution::Normal(0.0, 1.0), &device);
    let wrist: Tensor<3> = Tensor::random([1, channels.1, length], Distribution::Normal(0.0, 1.0), &device);
    let teacher = teacher_kernel(&teacher.clone().folded(), semantic).context("the teacher has no CPU kernel")?;
    let student = student_kernel(&student.clone().folded()).context("the student has no CPU kernel")?;
    let full = full.into_data().try_to_vec::<f32>().expect("f32 window");
    let wrist = wrist.into_data().try_to_vec::<f32>().expect("f32 window");
    let run_teacher = || teacher.logits(&full, length).semantic;
    let run_student = || student.logits(&wrist, length);
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
    Ok((percentile(&teacher_ms, 50.0).unwrap_or(f64::NAN), percentile(&student_ms, 50.0).unwrap_or(f64::NAN)))
}
