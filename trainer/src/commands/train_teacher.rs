//! `trainer train-teacher`: stage 1. Starts a run folder, trains the multi-sensor teacher and
//! scores its combined head on the test subjects.

use anyhow::Result;

use super::{RunArgs, Stage, WindowArgs};
use crate::artifacts::run_dir::TeacherMeta;
use crate::training::augment::Augment;
use crate::training::dataset::{DataSource, MissingInputs, SplitChoice};
use crate::training::fit::FitOptions;
use crate::training::scoring::score_windows;
use crate::training::teacher::{predict_combined, train_teacher};

#[derive(clap::Args, Debug, Clone)]
pub struct TrainTeacherArgs {
    /// `openpack:DIR` (real or synthetic OpenPack layout) or `recordings:SPEC`.
    #[arg(long)]
    pub data: DataSource,
    /// `last-subjects` (test = last subject, validation = the one before), a toolkit split
    /// name, `subjects:VAL,.../TEST,...`, or `time:0.7` (one subject: split each session by time).
    #[arg(long, default_value = "last-subjects")]
    pub split: SplitChoice,
    #[command(flatten)]
    pub window: WindowArgs,
    /// Smoke profile: a smaller teacher and few epochs in every stage of this run.
    #[arg(long)]
    pub quick: bool,
    /// Maximum epochs (default: the profile's).
    #[arg(long)]
    pub epochs: Option<usize>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: &TrainTeacherArgs) -> Result<()> {
    let stage = Stage::start(&args.data, &args.split, args.window, args.quick, &args.run)?;
    train(&stage, args.epochs)
}

/// Trains the teacher of a started run, replacing any earlier one and what was built on it.
pub fn train(stage: &Stage, epochs: Option<usize>) -> Result<()> {
    stage.dir.remove_downstream_of_teacher()?;
    let device = stage.device()?;
    let (stats, windows) = stage.fitted_windows(&stage.teacher_selection()?, MissingInputs::Fill)?;
    eprintln!(
        "teacher: {} channels; windows {} train, {} val, {} test",
        windows.train.channels,
        windows.train.len(),
        windows.val.len(),
        windows.test.len()
    );
    let config =
        stage.profile.teacher.clone().with_channels(windows.train.channels).with_classes(stage.data.classes.len());
    let options = FitOptions {
        augment: Some(Augment::for_channels(&stats.channels)),
        ..stage.fit_options("teacher", epochs, stage.profile.teacher_epochs, windows.train.len(), 1)
    };
    let trained = train_teacher(config, &windows.train, &stage.validation(&windows.val), stats, &options)?;
    let predicted = predict_combined(&trained.model, &windows.test, &device);
    let combined_head_test = score_windows(&stage.data.test, &windows.test, &predicted, &stage.data.classes);
    eprintln!("teacher combined head: test macro-F1 {:.4}", combined_head_test.macro_f1);
    let meta = TeacherMeta { stats: trained.stats, history: trained.history, combined_head_test };
    stage.dir.save_teacher(&trained.config, &trained.model, &meta)
}
