//! The CLI commands, one file each: the training stages, `pipeline`, `evaluate`, `inspect` and
//! `excerpt` (`synth` lives with the simulator). Each training stage reads what earlier stages
//! left in the run folder ([`RunDir`]), does its one job and writes its results there, so
//! stages can be run one at a time (`train-teacher`, `train-semantic`, `distill`, `compare`, `export`) or all together
//! (`pipeline`). A stage that retrains something removes what was built on the old version.

pub mod compare;
pub mod distill;
pub mod evaluate;
pub mod excerpt;
pub mod export;
pub mod inspect;
pub mod out_of_fold;
pub mod pipeline;
pub mod train_semantic;
pub mod train_teacher;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use burn::tensor::Device;
use tsak::data::channels::ChannelSelection;
use tsak::data::normalize::ChannelStats;
use tsak::data::openpack::DeviceMap;
use tsak::data::window::WindowConfig;
use tsak::model::TeacherConfig;

use crate::artifacts::run_dir::{RunDir, RunSpec};
use crate::training::dataset::{
    DataSource, MissingInputs, SplitChoice, SplitData, WindowSet, dataset_name, fit_stats, load, window_sessions,
};
use crate::training::device::TrainDevice;
use crate::training::fit::FitOptions;
use crate::training::scoring::Validation;

/// Options every stage command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// The run folder: where each stage reads its inputs and writes its results.
    #[arg(long, alias = "out", default_value = "runs/latest")]
    pub run: PathBuf,
    /// Continue interrupted training from the checkpoints in the run folder.
    #[arg(long)]
    pub resume: bool,
    /// Training backend: `cpu`, or `wgpu[:N]` / `cuda[:N]` in a trainer built with that feature.
    #[arg(long, default_value = "cpu")]
    pub device: TrainDevice,
    /// Fine-tune: every model starts from this exported bundle's weights (its `teacher.bpk`,
    /// `semantic.bpk`, `student.bpk`) instead of random ones, e.g. models trained on synthetic
    /// data calibrated against the real data. Their architectures and inputs must match.
    #[arg(long)]
    pub init_from: Option<PathBuf>,
    /// Threads per training step on the CPU (data parallelism: each thread the forward and
    /// backward pass of part of a batch). 1 keeps runs bit-reproducible; 2 uses both cores of
    /// a 2-core machine (docs/performance.md).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub threads: u16,
}

impl RunArgs {
    /// Where a KD comparison report goes: `explicit` when given, else `RUN/report`, so that a
    /// run never overwrites the committed `reports/` unless asked to.
    pub fn report_dir(&self, explicit: Option<&Path>) -> PathBuf {
        explicit.map_or_else(|| self.run.join("report"), Path::to_path_buf)
    }
}

/// The record file of a bundle that the model trained under `label` starts from.
fn bundle_record(label: &str) -> &'static str {
    // Out-of-fold teachers (`teacher-fold2`, `semantic-fold2`) start where the run's do.
    match label.split('-').next() {
        Some("teacher") => "teacher.bpk",
        Some("semantic") => "semantic.bpk",
        _ => "student.bpk",
    }
}

/// What starts a run (`train-teacher`, `pipeline`): the data, its split, the windows, the profile.
#[derive(clap::Args, Debug, Clone)]
pub struct StartArgs {
    /// `openpack:DIR` (real or synthetic OpenPack layout) or `recordings:SPEC`.
    #[arg(long)]
    pub data: DataSource,
    /// `last-subjects` (test = last subject, validation = the one before), a toolkit split
    /// name, `subjects:VAL,.../TEST,...`, or `time:0.7` (one subject: split each session by time);
    /// `dev:` before any of them for tuning: its test part is left out, its validation part tests.
    #[arg(long, default_value = "last-subjects")]
    pub split: SplitChoice,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Smoke profile: a smaller teacher, few epochs in every stage, one seed per strategy.
    /// Minutes, not tens of minutes.
    #[arg(long)]
    pub quick: bool,
}

/// The window length when none is given: chosen by validation on the real OpenPack sample
/// (2, 4 and 6 s compared; 4 s gave the best student, see docs/real-data.md).
pub const DEFAULT_WINDOW_SECONDS: f64 = 4.0;

/// How long the models' windows are, in seconds: the same duration whatever a dataset's rate.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct WindowArgs {
    /// Window length in seconds; windows overlap by half. Frames = seconds x the rate the
    /// data's timestamps show.
    #[arg(long, default_value_t = DEFAULT_WINDOW_SECONDS)]
    pub window_seconds: f64,
    /// Step between window starts in seconds (default: half a window). Smaller steps give
    /// more, overlapping, training windows and a finer timeline.
    #[arg(long)]
    pub hop_seconds: Option<f64>,
}

impl WindowArgs {
    /// The window in frames at `rate_hz`.
    pub fn frames(&self, rate_hz: f64) -> Result<WindowConfig> {
        let length = (self.window_seconds * rate_hz).round();
        if !(2.0..=100_000.0).contains(&length) {
            anyhow::bail!(
                "a {} s window at {rate_hz:.2} Hz is {length} frames; it needs 2 or more",
                self.window_seconds
            );
        }
        let length = length as usize;
        let hop = match self.hop_seconds {
            Some(seconds) => (seconds * rate_hz).round().max(1.0) as usize,
            None => length / 2,
        };
        Ok(WindowConfig { length, hop: hop.clamp(1, length) })
    }
}

/// Training batch size of every model.
pub const BATCH_SIZE: usize = 64;
/// The fewest optimiser steps a full-profile model trains for (see [`Stage::fit_options`]).
pub const MIN_STEPS: usize = 1500;
/// The most epochs the step rule may ask for.
pub const MAX_EPOCHS: usize = 150;

/// Epochs and model sizes of a run profile.
pub struct Profile {
    pub teacher_epochs: usize,
    pub semantic_epochs: usize,
    pub student_epochs: usize,
    pub patience: usize,
    pub teacher: TeacherConfig,
}

impl Profile {
    /// `quick`: the minutes-long smoke profile (a smaller teacher, two epochs per stage).
    pub fn new(quick: bool) -> Self {
        if quick {
            Self {
                teacher_epochs: 2,
                semantic_epochs: 2,
                student_epochs: 2,
                patience: 2,
                teacher: TeacherConfig::new().with_d_model(32).with_d_ff(64),
            }
        } else {
            Self {
                teacher_epochs: 15,
                semantic_epochs: 10,
                student_epochs: 20,
                patience: 4,
                teacher: TeacherConfig::new(),
            }
        }
    }
}

/// The window sets of one model's inputs.
pub struct Windows {
    pub train: WindowSet,
    pub val: WindowSet,
    pub test: WindowSet,
}

/// A stage at work: its run folder, what the run trains on, and the loaded data.
pub struct Stage {
    pub dir: RunDir,
    pub spec: RunSpec,
    pub data: SplitData,
    pub args: RunArgs,
    pub profile: Profile,
}

impl Stage {
    /// Starts a run: loads the data, and writes `run.json` for the later stages.
    pub fn start(start: &StartArgs, args: &RunArgs) -> Result<Self> {
        let StartArgs { data: source, split, window, quick } = start;
        let loading = std::time::Instant::now();
        let data = load(source, split, &DeviceMap::default())?;
        let frames: usize =
            [&data.train, &data.val, &data.test].iter().flat_map(|p| p.iter()).map(|s| s.frames.len()).sum();
        eprintln!(
            "data loaded in {:.1} s: {frames} frames{}",
            loading.elapsed().as_secs_f64(),
            crate::training::memory::peak_note()
        );
        let window = window.frames(data.sample_rate_hz)?;
        eprintln!("windows: {} frames at {:.2} Hz, hop {}", window.length, data.sample_rate_hz, window.hop);
        let spec = RunSpec {
            data: source.to_string(),
            dataset_name: dataset_name(source, &data)?,
            split: split.to_string(),
            split_description: data.description.clone(),
            test_sessions: data.test.iter().map(|s| s.name.clone()).collect(),
            classes: data.classes.clone(),
            window,
            sample_rate_hz: data.sample_rate_hz,
            quick: *quick,
        };
        let dir = RunDir::new(&args.run);
        dir.write_spec(&spec)?;
        Ok(Self::with(dir, spec, data, args))
    }

    /// Opens a run that `train-teacher` started, reloading its data.
    pub fn open(args: &RunArgs) -> Result<Self> {
        let dir = RunDir::new(&args.run);
        let spec = dir.spec()?;
        let source: DataSource = spec.data.parse().map_err(anyhow::Error::msg)?;
        let split: SplitChoice = spec.split.parse().map_err(anyhow::Error::msg)?;
        let data = load(&source, &split, &DeviceMap::default())
            .with_context(|| format!("reloading the data of run {}", dir.root().display()))?;
        Ok(Self::with(dir, spec, data, args))
    }

    fn with(dir: RunDir, spec: RunSpec, data: SplitData, args: &RunArgs) -> Self {
        eprintln!(
            "data: {} ({}; {} train, {} val, {} test sessions)",
            spec.data,
            data.description,
            data.train.len(),
            data.val.len(),
            data.test.len()
        );
        let profile = Profile::new(spec.quick);
        Self { dir, spec, data, args: args.clone(), profile }
    }

    pub fn device(&self) -> Result<Device> {
        self.args.device.base()
    }

    pub fn source(&self) -> Result<DataSource> {
        self.spec.data.parse().map_err(anyhow::Error::msg)
    }

    /// The teacher's inputs: OpenPack's multi-sensor default, or every channel a recording has.
    pub fn teacher_selection(&self) -> Result<ChannelSelection> {
        Ok(match self.source()? {
            DataSource::OpenPack(_) => ChannelSelection::openpack_teacher(),
            DataSource::Recordings(_) => {
                ChannelSelection::new(self.data.train.first().map(|s| s.frames.channels.clone()).unwrap_or_default())
            }
        })
    }

    /// Normalised windows of `selection` with statistics fitted on the training subjects.
    pub fn fitted_windows(
        &self,
        selection: &ChannelSelection,
        missing: MissingInputs,
    ) -> Result<(ChannelStats, Windows)> {
        let stats = fit_stats(&self.data.train, selection)?;
        let windows = self.windows(&stats, missing)?;
        Ok((stats, windows))
    }

    /// Normalised windows of the channels of `stats`, normalised with them.
    pub fn windows(&self, stats: &ChannelStats, missing: MissingInputs) -> Result<Windows> {
        let set = |sessions| window_sessions(sessions, stats, self.spec.window, &self.data.classes, missing);
        Ok(Windows { train: set(&self.data.train)?, val: set(&self.data.val)?, test: set(&self.data.test)? })
    }

    /// Validation of a model whose windows are `windows`.
    pub fn validation<'a>(&'a self, windows: &'a WindowSet) -> Validation<'a> {
        Validation { classes: &self.data.classes, sessions: &self.data.val, windows }
    }

    /// How to fit one model of this run on `train_windows` windows. An explicit `epochs` is
    /// taken as given; otherwise the profile's `base_epochs` is raised so that training takes
    /// at least [`MIN_STEPS`] optimiser steps: one subject's session has a tenth of the windows
    /// of the synthetic dataset the profile was set on, and 15 epochs of it are 200 steps, too
    /// few to train the teacher (measured on the real sample's validation part). Patience grows
    /// with the epochs, so a noisy small validation set does not stop it at once.
    pub fn fit_options(
        &self,
        label: &str,
        epochs: Option<usize>,
        base_epochs: usize,
        train_windows: usize,
        seed: u64,
    ) -> FitOptions {
        let max_epochs = match epochs {
            Some(epochs) => epochs,
            None if self.spec.quick => base_epochs,
            None => base_epochs.max((MIN_STEPS * BATCH_SIZE).div_ceil(train_windows.max(1))).min(MAX_EPOCHS),
        };
        FitOptions {
            label: label.to_string(),
            max_epochs,
            batch_size: BATCH_SIZE,
            learning_rate: 2e-3,
            patience: self.profile.patience.max(max_epochs / 5),
            min_epochs: 0,
            seed,
            checkpoint_dir: Some(self.dir.checkpoints()),
            resume: self.args.resume,
            progress: !self.spec.quick,
            device: self.args.device,
            augment: None,
            start_from: self.args.init_from.as_ref().map(|bundle| bundle.join(bundle_record(label))),
            threads: usize::from(self.args.threads),
        }
    }
}
