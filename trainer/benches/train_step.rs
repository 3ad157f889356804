//! The teacher's training step on the native CPU backend: forward, one cross-entropy per head,
//! backward and an Adam update, exactly as `trainer train-teacher` runs it (batch 64, the
//! real-data bundle's 27 channels and 133-frame windows). `scripts/bench-train-step.sh` runs it
//! side by side with the same step in PyTorch (`scripts/train_step_reference.py`) and prints
//! the ratio; this file prints one JSON line in the reference's format.
//!
//! A plain timing loop rather than criterion: both sides must time the very same thing (the
//! median of N steps after M warm-up steps) for their ratio to mean anything.
//!
//! `TSAK_STEP=halves` times a prototype that the trainer does not use yet: data parallelism on
//! two cores (burn's flex backend runs the step on one). Each half of the batch goes through its
//! own fork of the model (its own autodiff graph: graphs that share parameters are serialised
//! behind one mutex) on its own thread, and the halves' gradients are summed. Not in the trainer
//! because dropout masks drawn from the device's one RNG by two threads come in no fixed order,
//! so `--resume` would no longer reproduce a run, and batch norm's running statistics would have
//! to be brought back from the forks.

use std::time::Instant;

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams};
use burn::tensor::{Device, Distribution, Int, Tensor, TensorData};
use tsak::model::{Teacher, TeacherConfig};
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
    let x = Tensor::<3>::random([BATCH, CHANNELS, FRAMES], Distribution::Normal(0.0, 1.0), &device);
    let labels: Vec<i64> = (0..BATCH as i64).map(|i| (i * 7) % CLASSES as i64).collect();
    let targets = Tensor::<1, Int>::from_data(TensorData::new(labels, [BATCH]), &device);

    // The trainer's loss of windows `range` of the batch, weighted by their share of it.
    let loss_of = |model: &Teacher, range: std::ops::Range<usize>| -> Tensor<1> {
        let share = range.len() as f64 / BATCH as f64;
        let out = model.forward(x.clone().slice([range.clone(), 0..CHANNELS, 0..FRAMES]));
        stage_one_loss(out, &targets.clone().slice([range])) * share
    };
    let halves = std::env::var("TSAK_STEP").is_ok_and(|v| v == "halves");
    let mode = if halves { "two halves on two threads" } else { "one batch" };
    let mut step = |model: Teacher| -> (Teacher, f32) {
        if !halves {
            let loss = loss_of(&model, 0..BATCH);
            let value = loss.clone().into_scalar::<f32>();
            let grads = GradientsParams::from_grads(loss.backward(), &model);
            return (optim.step(2e-3, model, grads), value);
        }
        let parts = [0..BATCH / 2, BATCH / 2..BATCH];
        let replicas: Vec<Teacher> = parts.iter().map(|_| model.clone().fork(&device)).collect();
        let results: Vec<(GradientsParams, f32)> = std::thread::scope(|scope| {
            let handles: Vec<_> = replicas
                .into_iter()
                .zip(parts)
                .map(|(replica, r)| {
                    let loss_of = &loss_of;
                    scope.spawn(move || {
                        let loss = loss_of(&replica, r);
                        let value = loss.clone().into_scalar::<f32>();
                        (GradientsParams::from_grads(loss.backward(), &replica), value)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let value = results.iter().map(|(_, v)| v).sum::<f32>();
        let grads: Vec<GradientsParams> = results.into_iter().map(|(g, _)| g).collect();
        let mut sum = burn::optim::GradientsAccumulator::new();
        for g in grads {
            sum.accumulate(&model, g);
        }
        (optim.step(2e-3, model, sum.grads()), value)
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
        "{{\"framework\": \"burn\", \"mode\": \"{mode}\", \"params\": {params}, \"batch\": {BATCH}, \
         \"channels\": {CHANNELS}, \"frames\": {FRAMES}, \"steps\": {STEPS}, \"median_ms\": {median:.3}}}"
    );
}
