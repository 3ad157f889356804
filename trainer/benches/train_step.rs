//! The teacher's training step on the native CPU backend: forward, one cross-entropy per head,
//! backward and an Adam update, exactly as `trainer train-teacher` runs it (batch 64, the
//! real-data bundle's 27 channels and 133-frame windows). `scripts/bench-train-step.sh` runs it
//! side by side with the same step in PyTorch (`scripts/train_step_reference.py`) and prints
//! the ratio; this file prints one JSON line in the reference's format.
//!
//! A plain timing loop rather than criterion: both sides must time the very same thing (the
//! median of N steps after M warm-up steps) for their ratio to mean anything.

use std::time::Instant;

use burn::module::Module;
use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use tsak::model::{Teacher, TeacherConfig};

const CHANNELS: usize = 27;
const FRAMES: usize = 133;
const BATCH: usize = 64;
const CLASSES: usize = 11;
const WARMUP: usize = 10;
const STEPS: usize = 60;

fn main() {
    let device = Device::flex().autodiff();
    device.seed(1);
    let config = TeacherConfig::new().with_channels(CHANNELS).with_classes(CLASSES);
    let mut model: Teacher = config.init(&device);
    let params = model.valid().num_params();
    let mut optim = AdamConfig::new().init();
    let x = Tensor::<3>::random([BATCH, CHANNELS, FRAMES], Distribution::Normal(0.0, 1.0), &device);
    let labels: Vec<i64> = (0..BATCH as i64).map(|i| (i * 7) % CLASSES as i64).collect();
    let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [BATCH]), &device);
    let ce = CrossEntropyLossConfig::new().init(&device);

    let mut step = |model: Teacher| -> (Teacher, f32) {
        let out = model.forward(x.clone());
        let loss = ce.forward(out.attention_logits, targets.clone())
            + ce.forward(out.causal_logits, targets.clone())
            + ce.forward(out.combined_logits, targets.clone());
        let value = loss.clone().into_scalar::<f32>();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        (optim.step(2e-3, model, grads), value)
    };
    for _ in 0..WARMUP {
        model = step(model).0;
    }
    let mut times = Vec::with_capacity(STEPS);
    let mut loss = 0.0;
    for _ in 0..STEPS {
        let started = Instant::now();
        (model, loss) = step(model);
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    assert!(loss.is_finite(), "the loss diverged: {loss}");
    times.sort_by(f64::total_cmp);
    let median = (times[STEPS / 2 - 1] + times[STEPS / 2]) / 2.0;
    println!(
        "{{\"framework\": \"burn\", \"params\": {params}, \"batch\": {BATCH}, \"channels\": {CHANNELS}, \
         \"frames\": {FRAMES}, \"steps\": {STEPS}, \"median_ms\": {median:.3}}}"
    );
}
