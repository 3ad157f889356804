//! `trainer train-semantic`: stage 2. Trains the semantic classifier on the frozen teacher's
//! three representations and scores the teacher's final prediction on the test subjects.

use anyhow::Result;
use tsak::model::SemanticClassifierConfig;

use super::{RunArgs, Stage};
use crate::artifacts::run_dir::SemanticMeta;
use crate::training::augment::Augment;
use crate::training::dataset::MissingInputs;
use crate::training::features::{augmented_teacher_features, teacher_features};
use crate::training::scoring::score_windows;
use crate::training::semantic::{predict, train_semantic};

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

/// Trains the semantic classifier, replacing any earlier one and the students built on it.
pub fn train(stage: &Stage, epochs: Option<usize>) -> Result<()> {
    stage.dir.remove_downstream_of_semantic()?;
    let device = stage.device()?;
    let teacher = stage.dir.teacher(&device)?;
    let windows = stage.windows(&teacher.meta.stats, MissingInputs::Fill)?;
    let features = |set| teacher_features(&teacher.model, set, &device);
    let augment = Augment::for_channels(&teacher.meta.stats.channels);
    let train = augmented_teacher_features(&teacher.model, &windows.train, &device, Some((&augment, 2)));
    let (val, test) = (features(&windows.val), features(&windows.test));
    let options = stage.fit_options("semantic", epochs, stage.profile.semantic_epochs, windows.train.len(), 1);
    let trained = train_semantic(
        SemanticClassifierConfig::for_teacher(&teacher.config),
        (&windows.train, &train),
        (&stage.validation(&windows.val), &val),
        &options,
    )?;
    let test_scores =
        score_windows(&stage.data.test, &windows.test, &predict(&trained.model, &test, &device), &stage.data.classes);
    eprintln!("teacher (semantic classifier): test macro-F1 {:.4}", test_scores.macro_f1);
    let meta = SemanticMeta { history: trained.history, test: test_scores };
    stage.dir.save_semantic(&trained.config, &trained.model, &meta)
}
