//! The teacher's training step on the native CPU backend: forward, one cross-entropy per head,
//! backward and an Adam update, exactly as `trainer train-teacher` runs it (batch 64, the
//! real-data bundle's 27 channels and 133-frame windows, the trainer's loss and step function).
//! `scripts/bench-train-step.sh` runs it side by side with the same step in PyTorch
//! (`scripts/train_step_reference.py`) and prints the ratio; this file prints one JSON line in
//! the reference's format.
//!
//! A plain timing loop rather than criterion: both sides must time the very same thing (the
//! median of N steps after M warm-up steps) for their ratio to mean anything.
//!
//! `TSAK_THREADS=N` times the step as `--threads N` runs it: each batch cut into N parts, each
//! on its own thread and fork of the model (burn's CPU backend runs a step on one core).

use std::time::Instant;

use burn::module::Module;
use burn::optim::AdamConfig;
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use tsak::model::{Teacher, TeacherConfig};
use tsak_trainer::training::batches::Batch;
use tsak_trainer::training::fit::{StepThreads, batch_gradients};
use tsak_trainer::training::teacher::stage_one_loss;

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
    let labels: Vec<i64> = (0..BATCH as i64).map(|i| (i * 7) % CLASSES as i64).collect();
    let batch = Batch {
        inputs: Tensor::<3>::random([BATCH, CHANNELS, FRAMES], Distribution::Normal(0.0, 1.0), &device),
        targets: Tensor::<1, Int>::from_data(TensorData::new(labels, [BATCH]), &device),
        indices: (0..BATCH).collect(),
    };
    let loss = |model: &Teacher, batch: &Batch| stage_one_loss(model.forward(batch.inputs.clone()), &batch.targets);
    let threads: usize = std::env::var("TSAK_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let workers = StepThreads::new(threads).expect("training threads start");
    let mut step = |model: Teacher| -> (Teacher, f32) {
        let (value, grads) = batch_gradients(&model, &batch, &workers, &device, &loss);
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
        "{{\"framework\": \"burn\", \"threads\": {threads}, \"params\": {params}, \"batch\": {BATCH}, \
         \"channels\": {CHANNELS}, \"frames\": {FRAMES}, \"steps\": {STEPS}, \"median_ms\": {median:.3}}}"
    );
}
