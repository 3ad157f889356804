//! `trainer train-semantic`: stage 2. Trains the semantic classifier on the frozen teacher's
//! three representations and scores the teacher's final prediction on the test subjects.

use anyhow::Result;
use tsak::data::normalize::ChannelStats;
use tsak::model::{SemanticClassifierConfig, Teacher, TeacherConfig};

use super::{RunArgs, Stage};
use crate::artifacts::run_dir::SemanticMeta;
use crate::training::augment::Augment;
use crate::training::dataset::{MissingInputs, WindowSet};
use crate::training::features::{augmented_teacher_features, teacher_features};
use crate::training::scoring::score_windows;
use crate::training::semantic::{TrainedSemantic, predict, train_semantic};

#[derive(clap::Args, Debug, Clone)]
pub struct TrainSemanticArgs {
    /// Maximum epochs (default: the run profile's).
    #[arg(long)]
    pub epochs: Option<usize>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: &TrainSemanticArgs) -> Result<()> {
    train(&Stage::open(&args.run)?, args.epochs)
}

/// A trained teacher, held still while a semantic classifier learns on its representations.
pub struct FrozenTeacher<'a> {
    pub model: &'a Teacher,
    pub config: &'a TeacherConfig,
    pub stats: &'a ChannelStats,
}

/// Stage 2 on `teacher`: its representations of the windows `train`, each perturbed by the
/// teacher's augmentation (on clean training windows it is nearly always right, and there is
/// little to learn to merge), validated on `val`. The run's semantic classifier and those of
/// `distill`'s out-of-fold teachers learn this way.
pub fn fit_semantic(
    stage: &Stage,
    label: &str,
    epochs: Option<usize>,
    teacher: &FrozenTeacher<'_>,
    (train, val): (&WindowSet, &WindowSet),
) -> Result<TrainedSemantic> {
    let device = stage.device()?;
    let augment = Augment::for_channels(&teacher.stats.channels);
    let train_features = augmented_teacher_features(teacher.model, train, &device, Some((&augment, 2)));
    let val_features = teacher_features(teacher.model, val, &device);
    let options = stage.fit_options(label, epochs, stage.profile.semantic_epochs, train.len(), 1);
    train_semantic(
        SemanticClassifierConfig::for_teacher(teacher.config),
        (train, &train_features),
        (&stage.validation(val), &val_features),
        &options,
    )
}

/// Trains the semantic classifier, replacing any earlier one and the students built on it.
pub fn train(stage: &Stage, epochs: Option<usize>) -> Result<()> {
    stage.dir.remove_downstream_of_semantic()?;
    let device = stage.device()?;
    let teacher = stage.dir.teacher(&device)?;
    let windows = stage.windows(&teacher.meta.stats, MissingInputs::Fill)?;
    let frozen = FrozenTeacher { model: &teacher.model, config: &teacher.config, stats: &teacher.meta.stats };
    let trained = fit_semantic(stage, "semantic", epochs, &frozen, (&windows.train, &windows.val))?;
    let test = teacher_features(&teacher.model, &windows.test, &device);
    let test_scores =
        score_windows(&stage.data.test, &windows.test, &predict(&trained.model, &test, &device), &stage.data.classes);
    eprintln!("teacher (semantic classifier): test macro-F1 {:.4}", test_scores.macro_f1);
    let meta = SemanticMeta { history: trained.history, test: test_scores };
    stage.dir.save_semantic(&trained.config, &trained.model, &meta)
}
