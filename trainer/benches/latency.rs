//! Per-window inference latency of the shipped architectures on the native CPU: teacher +
//! semantic classifier (46 channels) against the one-wrist student (3 channels), batch 1,
//! 60-frame windows, default configs, each through burn's ops and as the CPU kernel that
//! inference runs (`tsak::model::kernel`), all in one run so the ratios are fair. Weights do not
//! change the cost, so freshly initialised (and folded) models are used.

use burn::tensor::{Device, Distribution, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use tsak::model::kernel::{student_kernel, teacher_kernel};
use tsak::model::{SemanticClassifierConfig, StudentConfig, TeacherConfig};

const WINDOW: usize = 60;

fn per_window(c: &mut Criterion) {
    let device = Device::flex();
    let teacher_config = TeacherConfig::new();
    let teacher = teacher_config.init(&device).folded();
    let semantic = SemanticClassifierConfig::for_teacher(&teacher_config).init(&device);
    let student = StudentConfig::new().init(&device).folded();
    let full: Tensor<3> = Tensor::random([1, teacher_config.channels, WINDOW], Distribution::Normal(0.0, 1.0), &device);
    let wrist: Tensor<3> = Tensor::random([1, 3, WINDOW], Distribution::Normal(0.0, 1.0), &device);
    let teacher_kernel = teacher_kernel(&teacher, &semantic).expect("the default teacher has a kernel");
    let student_kernel = student_kernel(&student).expect("the default student has a kernel");
    let full_values = full.clone().into_data().try_to_vec::<f32>().unwrap();
    let wrist_values = wrist.clone().into_data().try_to_vec::<f32>().unwrap();

    let mut group = c.benchmark_group("per_window_batch1");
    group.bench_function("teacher_plus_semantic", |b| {
        b.iter(|| {
            let out = teacher.forward(full.clone());
            let logits = semantic.forward(out.attention, out.causal, out.combined).logits;
            logits.into_data().try_to_vec::<f32>().unwrap()
        })
    });
    group.bench_function("teacher_plus_semantic_kernel", |b| b.iter(|| teacher_kernel.logits(&full_values, WINDOW)));
    group.bench_function("student", |b| {
        b.iter(|| student.forward(wrist.clone()).logits.into_data().try_to_vec::<f32>().unwrap())
    });
    group.bench_function("student_kernel", |b| b.iter(|| student_kernel.logits(&wrist_values, WINDOW)));
    group.finish();
}

criterion_group!(benches, per_window);
criterion_main!(benches);
