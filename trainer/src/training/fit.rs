//! The training loop every stage shares: seeded mini-batch epochs, a progress bar with ETA,
//! validation macro-F1 after each epoch, early stopping on it, and checkpoints (model and
//! optimizer state) that `--resume` continues from.
//!
//! The stages differ only in their loss (a closure); the loop is burn's custom-training-loop
//! pattern: forward on the autodiff device, `backward`, `GradientsParams::from_grads`, `step`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, Result};
use burn::module::Module;
use burn::optim::{AdamConfig, GradientsAccumulator, GradientsParams};
use burn::store::ModuleRecord;
use burn::tensor::{Device, Tensor};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::training::augment::Augment;
use crate::training::batches::{Batch, augmented_batch, epoch_order, epoch_rng};
use crate::training::dataset::WindowSet;
use crate::training::device::TrainDevice;

/// How to train one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitOptions {
    /// Name used in logs and checkpoint files, e.g. `teacher`.
    pub label: String,
    pub max_epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    /// Stop after this many epochs without a better validation macro-F1.
    pub patience: usize,
    /// No epoch before this one can be the best (0: any epoch can), so patience counts from it
    /// at the earliest: the earliest stop is `min_epochs + patience`. A small validation set's
    /// score swings by several points from epoch to epoch, so an early epoch can win by luck
    /// and the patience then stops an undertrained model: the teacher uses it (see
    /// `TeacherRecipe`).
    pub min_epochs: usize,
    pub seed: u64,
    /// Where checkpoints go; `None` keeps everything in memory.
    pub checkpoint_dir: Option<PathBuf>,
    /// Continue from the last checkpoint in `checkpoint_dir` if there is one.
    pub resume: bool,
    /// Show a progress bar (off in tests).
    pub progress: bool,
    /// The backend that trains.
    pub device: TrainDevice,
    /// Perturb training windows (the teacher's stage; see [`Augment`]).
    pub augment: Option<Augment>,
    /// A record (`.bpk`) whose weights the model starts from instead of random ones:
    /// fine-tuning, e.g. on real data after pretraining on calibrated synthetic data.
    pub start_from: Option<PathBuf>,
    /// Each batch is cut into this many parts, each part's forward and backward pass on its own
    /// thread and fork of the model, their gradients summed: data parallelism over the CPU's
    /// cores, because burn's CPU backend runs a step of these small models on one core.
    /// 1 (the default) keeps a run bit-reproducible; with more, the backend's dropout masks are
    /// drawn by several threads in no fixed order, and batch norm normalises each part with its
    /// own statistics (its running statistics are averaged over the parts by burn).
    pub threads: usize,
}

/// The threads that run the parts of every training step (see [`FitOptions::threads`]): none
/// for one part, else the same pool every step. They must be the same threads: burn's batch
/// norm keeps each thread's last update of its running statistics and merges them when that
/// thread updates again. Threads started afresh each step never did, so a whole epoch's updates
/// waited for validation, the running statistics moved once an epoch, and students on two
/// threads sometimes answered one class throughout (measured 2026-12-06, docs/performance.md).
pub struct StepThreads {
    pool: Option<rayon::ThreadPool>,
}

impl StepThreads {
    pub fn new(threads: usize) -> Result<Self> {
        let pool = (threads > 1)
            .then(|| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .thread_name(|i| format!("train-step-{i}"))
                    .build()
                    .context("cannot start the training threads")
            })
            .transpose()?;
        Ok(Self { pool })
    }
}

/// The loss of `batch` and its gradients: on this thread, or cut into parts on `threads` (see
/// [`FitOptions::threads`]). What every training step runs, and what the train-step bench
/// times.
pub fn batch_gradients<M, L>(
    model: &M,
    batch: &Batch,
    threads: &StepThreads,
    device: &Device,
    loss: &L,
) -> (f32, GradientsParams)
where
    M: Module,
    L: Fn(&M, &Batch) -> Tensor<1> + Sync,
{
    if let Some(pool) = &threads.pool {
        return split_gradients(model, batch, pool, device, loss);
    }
    let batch_loss = loss(model, batch);
    let value = batch_loss.clone().into_scalar::<f32>();
    (value, GradientsParams::from_grads(batch_loss.backward(), model))
}

/// The loss and gradients of `batch`, one part on each thread of `pool` (never two on one:
/// a thread that ran two parts would move batch norm's running statistics twice in a step):
/// each part's loss is weighted by its share of the windows, so the sum is the whole batch's
/// mean loss. Each part gets its own fork of the model (its own autodiff leaves with the same
/// parameter ids, so the parts' gradients add up): burn's autodiff keeps graphs that share
/// nodes behind one lock.
fn split_gradients<M, L>(
    model: &M,
    batch: &Batch,
    pool: &rayon::ThreadPool,
    device: &Device,
    loss: &L,
) -> (f32, GradientsParams)
where
    M: Module,
    L: Fn(&M, &Batch) -> Tensor<1> + Sync,
{
    let parts: Vec<_> = batch
        .split(pool.current_num_threads())
        .into_iter()
        .map(|part| Mutex::new(Some((model.clone().fork(device), part))))
        .collect();
    let results = pool.broadcast(|thread| {
        // A pool thread beyond the batch's parts (a batch smaller than the pool) has none.
        let slot = parts.get(thread.index())?;
        let (replica, (part, share)) = slot.lock().expect("a part's slot is only taken").take()?;
        let part_loss = loss(&replica, &part) * share;
        let value = part_loss.clone().into_scalar::<f32>();
        Some((value, GradientsParams::from_grads(part_loss.backward(), &replica)))
    });
    let mut sum = GradientsAccumulator::new();
    let mut total = 0.0;
    for (value, grads) in results.into_iter().flatten() {
        total += value;
        sum.accumulate(model, grads);
    }
    (total, sum.grads())
}

/// `model` with the weights of `options.start_from`, or as it is if there is none. Errors name
/// the file: a record of another architecture or size is refused, never half-loaded.
pub fn start_weights<M: Module>(model: M, options: &FitOptions) -> Result<M> {
    let Some(path) = &options.start_from else { return Ok(model) };
    let record = ModuleRecord::load(path)
        .with_context(|| format!("cannot load the weights to start from, {}", path.display()))?;
    model
        .try_load_record(record)
        .map_err(|e| anyhow::anyhow!("{}: does not fit this run's {} ({e})", path.display(), options.label))
}

/// One epoch's record, kept in the run log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochLog {
    pub epoch: usize,
    pub train_loss: f64,
    pub val_macro_f1: f64,
    pub seconds: f64,
}

/// What training did, for reports and for resuming.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FitHistory {
    pub epochs: Vec<EpochLog>,
    pub best_epoch: usize,
    pub best_val_macro_f1: f64,
    pub stopped_early: bool,
}

/// Trains `model` on `train`, returning the weights of the best validation epoch.
///
/// `loss` computes the batch loss on the autodiff device; `validate` computes the validation
/// macro-F1 of (a copy of) the model.
pub fn fit<M, L, V>(
    model: M,
    device: &Device,
    train: &WindowSet,
    options: &FitOptions,
    loss: L,
    mut validate: V,
) -> Result<(M, FitHistory)>
where
    M: Module,
    L: Fn(&M, &Batch) -> Tensor<1> + Sync,
    V: FnMut(&M) -> f64,
{
    let mut optim = AdamConfig::new().init();
    let mut model = model;
    let mut history = FitHistory::default();
    let mut best = snapshot(&model);
    if options.resume
        && let Some(dir) = &options.checkpoint_dir
        && let Some(restored) = Checkpoint::new(dir, &options.label).restore(model.clone(), optim.clone())?
    {
        (model, optim, history, best) = restored;
        if history.stopped_early {
            eprintln!("[{}] had already stopped early at epoch {}", options.label, history.epochs.len());
            return Ok((best, history));
        }
        eprintln!("[{}] resumed after epoch {}", options.label, history.epochs.len());
        if history.best_epoch < first_candidate(options) && history.epochs.len() < options.max_epochs {
            // Saved under a lower `min_epochs` (an older trainer, or other `--epochs`): that best
            // is one this run rules out, and kept it would end the run at its first candidate.
            history.best_epoch = 0;
            history.best_val_macro_f1 = 0.0;
        }
    }
    let batches_per_epoch = train.len().div_ceil(options.batch_size.max(1));
    let threads = StepThreads::new(options.threads)?;
    for epoch in history.epochs.len() + 1..=options.max_epochs {
        let started = Instant::now();
        let bar = progress_bar(options, epoch, batches_per_epoch);
        let order = epoch_order(train.len(), options.seed, epoch);
        let (mut total, mut count) = (0.0, 0);
        let mut rng = epoch_rng(options.seed, epoch);
        // The backend's own draws (dropout masks) start afresh each epoch from the run's seed,
        // so an epoch draws the same whether the run got there straight or through `--resume`.
        device.seed(options.seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ epoch as u64);
        for chunk in order.chunks(options.batch_size.max(1)) {
            let batch = augmented_batch(train, chunk, device, options.augment.as_ref().map(|a| (a, &mut rng)));
            let (batch_loss, grads) = batch_gradients(&model, &batch, &threads, device, &loss);
            total += batch_loss as f64;
            count += 1;
            model = optim.step(options.learning_rate, model, grads);
            bar.inc(1);
        }
        bar.finish_and_clear();
        let val_macro_f1 = validate(&model);
        let log = EpochLog {
            epoch,
            train_loss: total / count.max(1) as f64,
            val_macro_f1,
            seconds: started.elapsed().as_secs_f64(),
        };
        eprintln!(
            "[{}] epoch {epoch:>3}: loss {:.4}  val macro-F1 {:.4}  ({:.1} s{})",
            options.label,
            log.train_loss,
            log.val_macro_f1,
            log.seconds,
            crate::training::memory::peak_note()
        );
        let candidate = epoch >= first_candidate(options);
        if candidate && (val_macro_f1 > history.best_val_macro_f1 || history.best_epoch == 0) {
            history.best_val_macro_f1 = val_macro_f1;
            history.best_epoch = epoch;
            best = snapshot(&model);
        }
        history.epochs.push(log);
        if let Some(dir) = &options.checkpoint_dir {
            Checkpoint::new(dir, &options.label).save(&model, &optim, &history, &best)?;
        }
        if candidate && epoch - history.best_epoch >= options.patience {
            history.stopped_early = true;
            eprintln!("[{}] no better validation macro-F1 for {} epochs: stopping", options.label, options.patience);
            break;
        }
    }
    Ok((best, history))
}

/// The first epoch that may be the best: `min_epochs`, within the run's epochs.
fn first_candidate(options: &FitOptions) -> usize {
    options.min_epochs.clamp(1, options.max_epochs.max(1))
}

/// A copy of `model` that later training cannot change. A clone would not do: burn's batch
/// norm keeps its running statistics behind a shared pointer, so a cloned "best" model went on
/// receiving every later epoch's statistics, and the model `fit` returned paired the best
/// epoch's weights with the last epoch's statistics (until 2026-12-06). `valid()` copies them
/// out; the copy is for inference and checkpoints, which is all `best` is used for.
fn snapshot<M: Module>(model: &M) -> M {
    model.valid()
}

fn progress_bar(options: &FitOptions, epoch: usize, batches: usize) -> ProgressBar {
    if !options.progress {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(batches as u64);
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} batches, ETA {eta}")
        .expect("the progress template is valid")
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(format!("[{}] epoch {epoch}", options.label));
    bar
}

/// The files of one stage's checkpoint: last weights, best weights, optimizer state, history.
struct Checkpoint {
    last: PathBuf,
    best: PathBuf,
    optim: PathBuf,
    history: PathBuf,
}

impl Checkpoint {
    fn new(dir: &Path, label: &str) -> Self {
        Self {
            last: dir.join(format!("{label}-last.bpk")),
            best: dir.join(format!("{label}-best.bpk")),
            optim: dir.join(format!("{label}-optim.bpk")),
            history: dir.join(format!("{label}-history.json")),
        }
    }

    fn save<M: Module>(
        &self,
        model: &M,
        optim: &burn::optim::ModuleOptimizer,
        history: &FitHistory,
        best: &M,
    ) -> Result<()> {
        if let Some(dir) = self.last.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        model.clone().into_record().save(&self.last).with_context(|| format!("cannot save {}", self.last.display()))?;
        best.clone().into_record().save(&self.best).with_context(|| format!("cannot save {}", self.best.display()))?;
        optim.save(&self.optim).with_context(|| format!("cannot save {}", self.optim.display()))?;
        std::fs::write(&self.history, serde_json::to_string_pretty(history)?)
            .with_context(|| format!("cannot write {}", self.history.display()))?;
        Ok(())
    }

    /// The saved state, loaded into freshly built `model` and `optim`, if a checkpoint exists.
    fn restore<M: Module>(
        &self,
        model: M,
        optim: burn::optim::ModuleOptimizer,
    ) -> Result<Option<(M, burn::optim::ModuleOptimizer, FitHistory, M)>> {
        if !self.history.is_file() {
            return Ok(None);
        }
        let history: FitHistory = serde_json::from_str(&std::fs::read_to_string(&self.history)?)
            .with_context(|| format!("{} is not a training history", self.history.display()))?;
        let best = snapshot(&model).load_record(
            ModuleRecord::load(&self.best).with_context(|| format!("cannot load {}", self.best.display()))?,
        );
        let last = model.load_record(
            ModuleRecord::load(&self.last).with_context(|| format!("cannot load {}", self.last.display()))?,
        );
        let optim = optim.load(&self.optim).with_context(|| format!("cannot load {}", self.optim.display()))?;
        Ok(Some((last, optim, history, best)))
    }
}

#[cfg(test)]
mod tests {
    use burn::nn::loss::CrossEntropyLossConfig;
    use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig};

    use super::*;

    /// A linear probe: enough to check the loop learns, stops and resumes.
    #[derive(Module, Debug)]
    struct Probe {
        linear: Linear,
    }

    impl Probe {
        fn logits(&self, inputs: Tensor<3>) -> Tensor<2> {
            let [batch, channels, time] = inputs.dims();
            self.linear.forward(inputs.reshape([batch, channels * time]))
        }
    }

    /// Two classes told apart by the sign of the first value.
    fn toy(n: usize) -> WindowSet {
        let (mut inputs, mut targets) = (Vec::new(), Vec::new());
        for i in 0..n {
            let class = i % 2;
            let x = if class == 0 { -1.0 } else { 1.0 } * (1.0 + (i % 7) as f32 / 7.0);
            inputs.extend([x, 0.5]);
            targets.push(class);
        }
        WindowSet::from_windows(1, 2, &inputs, targets, (0..n).map(|i| (0, i)).collect())
    }

    fn accuracy(model: &Probe, set: &WindowSet, device: &Device) -> f64 {
        let batch = crate::training::batches::batch(set, &(0..set.len()).collect::<Vec<_>>(), device);
        let logits = model.logits(batch.inputs).into_data().try_to_vec::<f32>().unwrap();
        let predicted = tsak::infer::engine::argmax_rows(&logits, 2);
        predicted.iter().zip(&set.targets).filter(|(p, t)| p == t).count() as f64 / set.len() as f64
    }

    fn options(dir: Option<PathBuf>, max_epochs: usize, resume: bool) -> FitOptions {
        FitOptions {
            label: "probe".into(),
            max_epochs,
            batch_size: 16,
            learning_rate: 0.05,
            patience: 100,
            min_epochs: 0,
            seed: 3,
            checkpoint_dir: dir,
            resume,
            progress: false,
            device: TrainDevice::Cpu,
            augment: None,
            start_from: None,
            threads: 1,
        }
    }

    fn train(options: &FitOptions) -> (Probe, FitHistory) {
        let device = Device::flex().autodiff();
        // Constant initial weights: the backend's RNG is shared by tests running in parallel.
        let init = Initializer::Constant { value: 0.0 };
        let model = Probe { linear: LinearConfig::new(2, 2).with_initializer(init).init(&device) };
        let set = toy(64);
        let eval_device = Device::flex();
        let loss = |m: &Probe, b: &Batch| {
            CrossEntropyLossConfig::new()
                .init(&b.inputs.device())
                .forward(m.logits(b.inputs.clone()), b.targets.clone())
        };
        fit(model, &device, &set, options, loss, |m| accuracy(&m.valid(), &set, &eval_device)).unwrap()
    }

    #[test]
    fn the_loop_learns_a_separable_problem() {
        let (model, history) = train(&options(None, 30, false));
        assert_eq!(accuracy(&model.valid(), &toy(64), &Device::flex()), 1.0);
        assert_eq!(history.best_val_macro_f1, 1.0);
        assert!(history.epochs.last().unwrap().train_loss < history.epochs[0].train_loss);
    }

    #[test]
    fn training_resumes_from_its_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let (_, first) = train(&options(Some(dir.path().into()), 2, false));
        assert_eq!(first.epochs.len(), 2);
        let (_, resumed) = train(&options(Some(dir.path().into()), 4, true));
        assert_eq!(resumed.epochs.iter().map(|e| e.epoch).collect::<Vec<_>>(), vec![1, 2, 3, 4]);
        // Weights and Adam's moments were restored: the resumed epochs match a run that never stopped.
        let (_, straight) = train(&options(None, 4, false));
        for (a, b) in resumed.epochs.iter().zip(&straight.epochs) {
            assert!((a.train_loss - b.train_loss).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }

    /// Without dropout or batch norm, a batch cut into parts on several threads has the whole
    /// batch's gradients: the weights and losses of a run on three threads equal one thread's.
    #[test]
    fn a_step_on_several_threads_takes_the_one_thread_steps() {
        let (one, one_history) = train(&options(None, 5, false));
        let (three, three_history) = train(&FitOptions { threads: 3, ..options(None, 5, false) });
        let weights = |p: &Probe| p.linear.weight.val().into_data().try_to_vec::<f32>().unwrap();
        for (a, b) in weights(&one).iter().zip(&weights(&three)) {
            assert!((a - b).abs() < 1e-5, "{:?} vs {:?}", weights(&one), weights(&three));
        }
        assert_ne!(weights(&one), vec![0.0; 4], "the probe learnt something");
        for (a, b) in one_history.epochs.iter().zip(&three_history.epochs) {
            assert!((a.train_loss - b.train_loss).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }

    /// A fit whose epochs score `scores` on validation, in order, from its first epoch run.
    fn scripted_fit(scores: &[f64], options: FitOptions) -> FitHistory {
        let device = Device::flex().autodiff();
        let model = Probe { linear: LinearConfig::new(2, 2).init(&device) };
        let loss = |m: &Probe, b: &Batch| {
            CrossEntropyLossConfig::new()
                .init(&b.inputs.device())
                .forward(m.logits(b.inputs.clone()), b.targets.clone())
        };
        let mut epoch = 0;
        let (_, history) = fit(model, &device, &toy(16), &options, loss, |_| {
            epoch += 1;
            scores[epoch - 1]
        })
        .unwrap();
        history
    }

    /// A lucky first epoch wins and stops training two epochs later; with `min_epochs` 3 the
    /// best is chosen from epoch 3 on and training goes on for its patience after that.
    #[test]
    fn no_epoch_before_min_epochs_is_the_best_or_stops_training() {
        let scores = [0.9, 0.1, 0.2, 0.5, 0.4, 0.3, 0.8, 0.1];
        let with = |min_epochs, epochs| FitOptions { patience: 2, min_epochs, ..options(None, epochs, false) };
        let plain = scripted_fit(&scores, with(0, 8));
        assert_eq!((plain.best_epoch, plain.epochs.len()), (1, 3));
        let guarded = scripted_fit(&scores, with(3, 8));
        assert_eq!((guarded.best_epoch, guarded.best_val_macro_f1, guarded.epochs.len()), (4, 0.5, 6));
        // More than the run's epochs: the last epoch is the first candidate, never none.
        let beyond = scripted_fit(&scores[..3], with(10, 3));
        assert_eq!((beyond.best_epoch, beyond.epochs.len()), (3, 3));
    }

    /// A checkpoint saved without `min_epochs` whose best is epoch 1: resumed with `min_epochs`
    /// 3, that best is dropped rather than ending the run at epoch 3 (1 + patience 2).
    #[test]
    fn a_resumed_fit_drops_a_best_epoch_before_its_min_epochs() {
        let dir = tempfile::tempdir().unwrap();
        let first = FitOptions { patience: 2, ..options(Some(dir.path().into()), 2, false) };
        assert_eq!(scripted_fit(&[0.9, 0.1], first).best_epoch, 1);
        let resumed = FitOptions { patience: 2, min_epochs: 3, ..options(Some(dir.path().into()), 6, true) };
        let history = scripted_fit(&[0.2, 0.5, 0.4, 0.3], resumed);
        assert_eq!((history.best_epoch, history.best_val_macro_f1, history.epochs.len()), (4, 0.5, 6));
    }

    #[test]
    fn a_model_starts_from_the_weights_it_is_given_and_refuses_another_shape() {
        let (trained, _) = train(&options(None, 4, false));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("probe.bpk");
        trained.clone().into_record().save(&path).unwrap();
        let device = Device::flex();
        let fresh = || Probe { linear: LinearConfig::new(2, 2).init(&device) };
        let start = FitOptions { start_from: Some(path.clone()), ..options(None, 1, false) };
        let started = start_weights(fresh(), &start).unwrap();
        let weights = |p: &Probe| p.linear.weight.val().into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(weights(&started), weights(&trained));
        assert_ne!(weights(&fresh()), weights(&trained));

        let wider = Probe { linear: LinearConfig::new(3, 2).init(&device) };
        let error = start_weights(wider, &start).unwrap_err();
        assert!(format!("{error:#}").contains("probe.bpk: does not fit this run's probe"), "{error:#}");
        let missing = FitOptions { start_from: Some(dir.path().join("none.bpk")), ..options(None, 1, false) };
        assert!(format!("{:#}", start_weights(fresh(), &missing).unwrap_err()).contains("none.bpk"));
    }

    /// A batch-normed probe, to watch its running statistics.
    #[derive(Module, Debug)]
    struct NormedProbe {
        norm: BatchNorm,
        linear: Linear,
    }

    /// Trains a batch-normed probe for 3 epochs on windows whose values average 4.25, on
    /// `threads` threads, validation scoring epoch `e` `score(e)`. Returns the running mean of
    /// the model `fit` returns, and the running mean each validation saw.
    fn normed_fit(threads: usize, score: impl Fn(usize) -> f64) -> (f32, Vec<f32>) {
        let device = Device::flex().autodiff();
        let init = Initializer::Constant { value: 0.0 };
        let model = NormedProbe {
            norm: BatchNormConfig::new(1).init(&device),
            linear: LinearConfig::new(2, 2).with_initializer(init).init(&device),
        };
        let mut shifted = Vec::new();
        let set = toy(64);
        for i in 0..set.len() {
            shifted.extend(set.window(i).iter().map(|v| v + 4.0));
        }
        let set = WindowSet::from_windows(1, 2, &shifted, set.targets.clone(), set.origin.clone());
        let loss = |m: &NormedProbe, b: &Batch| {
            let [batch, ..] = b.inputs.dims();
            let logits = m.linear.forward(m.norm.forward(b.inputs.clone()).reshape([batch, 2]));
            CrossEntropyLossConfig::new().init(&b.inputs.device()).forward(logits, b.targets.clone())
        };
        let mean = |m: &NormedProbe| m.valid().norm.running_mean.value().into_data().try_to_vec::<f32>().unwrap()[0];
        let mut seen = Vec::new();
        let options = FitOptions { threads, ..options(None, 3, false) };
        let (model, _) = fit(model, &device, &set, &options, loss, |m| {
            seen.push(mean(m));
            score(seen.len())
        })
        .unwrap();
        (mean(&model), seen)
    }

    fn running_mean_after_training(threads: usize) -> f32 {
        normed_fit(threads, |epoch| epoch as f64).0
    }

    /// 3 epochs of 4 steps move the running mean 12 times by batch norm's momentum 0.1 on one
    /// thread (4.25 x (1 - 0.9^12) = 3.05), and as often on two (threads started afresh each
    /// step left it at 2.43).
    #[test]
    fn batch_norm_running_statistics_follow_the_data_on_several_threads() {
        let one = running_mean_after_training(1);
        assert!((one - 3.05).abs() < 0.1, "one thread: {one}");
        let two = running_mean_after_training(2);
        assert!((two - one).abs() < 0.05, "two threads: {two}, one: {one}");
    }

    /// The best epoch's model is returned with the batch-norm statistics it was validated with,
    /// not those of the epochs that trained on after it.
    #[test]
    fn the_best_epochs_model_keeps_its_own_batch_norm_statistics() {
        let (best, seen) = normed_fit(1, |epoch| if epoch == 1 { 1.0 } else { 0.5 });
        assert_eq!(best, seen[0], "epochs' running means: {seen:?}");
        assert!(seen[2] - seen[0] > 1.0, "later epochs moved on: {seen:?}");
    }
}
