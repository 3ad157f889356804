//! Per-window inference latency of the shipped architectures on the native CPU backend:
//! teacher + semantic classifier (46 channels) against the one-wrist student (3 channels),
//! batch 1, 60-frame windows, default configs, measured in one run so the ratio is fair.
//! Weights do not change the cost, so freshly initialised models are used.

use burn::tensor::{Device, Distribution, Tensor};
use criterion::{Criterion, criterion_group, criterion_main};
use tsak::model::{SemanticClassifierConfig, StudentConfig, TeacherConfig};

const WINDOW: usize = 60;

fn per_window(c: &mut Criterion) {
    let device = Device::flex();
    let teacher_config = TeacherConfig::new();
    let teacher = teacher_config.init(&device);
    let semantic = SemanticClassifierConfig::for_teacher(&teacher_config).init(&device);
    let student = StudentConfig::new().init(&device);
    let full: Tensor<3> = Tensor::random([1, teacher_config.channels, WINDOW], Distribution::Normal(0.0, 1.0), &device);
    let wrist: Tensor<3> = Tensor::random([1, 3, WINDOW], Distribution::Normal(0.0, 1.0), &device);

    let mut group = c.benchmark_group("per_window_batch1");
    group.bench_function("teacher_plus_semantic", |b| {
        b.iter(|| {
            let out = teacher.forward(full.clone());
            let logits = semantic.forward(out.attention, out.causal, out.combined).logits;
            logits.into_data().try_to_vec::<f32>().unwrap()
        })
    });
    group.bench_function("student", |b| {
        b.iter(|| student.forward(wrist.clone()).logits.into_data().try_to_vec::<f32>().unwrap())
    });
    group.finish();
}

criterion_group!(benches, per_window);
criterion_main!(benches);
