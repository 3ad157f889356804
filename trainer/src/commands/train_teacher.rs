//! `trainer train-teacher`: stage 1. Starts a run folder, trains the multi-sensor teacher and
//! scores its combined head on the test subjects.

use anyhow::Result;

use super::{RunArgs, Stage, StartArgs};
use crate::artifacts::run_dir::TeacherMeta;
use crate::training::augment::Augment;
use crate::training::dataset::MissingInputs;
use crate::training::fit::FitOptions;
use crate::training::scoring::score_windows;
use crate::training::teacher::{predict_combined, train_teacher};

#[derive(clap::Args, Debug, Clone)]
pub struct TrainTeacherArgs {
    #[command(flatten)]
    pub start: StartArgs,
    /// Maximum epochs (default: the profile's).
    #[arg(long)]
    pub epochs: Option<usize>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: &TrainTeacherArgs) -> Result<()> {
    let stage = Stage::start(&args.start, &args.run)?;
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
