//! `trainer distill`: distils one-wrist students from the run's frozen teacher (and semantic
//! classifier) with the given KD strategies, one student per strategy and seed, each scored on
//! the test subjects and stored in the run folder.

use std::time::Instant;

use anyhow::{Result, ensure};
use tsak::data::channels::ChannelSelection;
use tsak::data::normalize::ChannelStats;
use tsak::model::{SemanticClassifierConfig, StudentConfig, StudentProjectionsConfig};

use super::out_of_fold::out_of_fold_logits;
use super::{RunArgs, Stage};
use crate::artifacts::run_dir::{StudentMeta, StudentResult};
use crate::training::augment::Augment;
use crate::training::dataset::MissingInputs;
use crate::training::features::{FeatureRows, add_semantic, teacher_features};
use crate::training::fit::FitOptions;
use crate::training::folds::accuracy;
use crate::training::kd::KdStrategy;
use crate::training::mixed_views::{MixedViews, VIEWS};
use crate::training::rotation::SensorRotation;
use crate::training::scoring::score_windows;
use crate::training::student::{KdWeights, TeacherSignals, distill, predict};

/// What a student learns from and how strongly: recorded with every result.
#[derive(clap::Args, Debug, Clone)]
pub struct DistillSettings {
    /// Student input channels, as `position/modality` selectors.
    #[arg(long, value_delimiter = ',', default_value = "right_wrist/acc")]
    pub student_channels: Vec<String>,
    /// Softmax temperature of logit KD.
    #[arg(long, default_value_t = 4.0)]
    pub temperature: f64,
    /// Share of logit KD against the label loss.
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    /// Weight of representation KD.
    #[arg(long, default_value_t = 1.0)]
    pub beta: f64,
    /// Turn the student's 3-axis inputs by a random angle of up to this many degrees while it
    /// learns (0: off). Imitates a strap worn a little differently.
    #[arg(long, default_value_t = 0.0)]
    pub rotate_degrees: f32,
}

impl DistillSettings {
    pub fn weights(&self) -> KdWeights {
        KdWeights { temperature: self.temperature, alpha: self.alpha, beta: self.beta }
    }

    /// The student's training-time augmentation: only the rotation (measured on the real
    /// sample, gain and noise did not help the student; docs/real-data.md).
    pub fn augment(&self, stats: &ChannelStats) -> Option<Augment> {
        let rotation = SensorRotation::for_stats(stats, self.rotate_degrees)?;
        let none =
            Augment { gain_sd: 0.0, noise_sd: 0.0, drop_probability: 0.0, ..Augment::for_channels(&stats.channels) };
        Some(Augment { rotation: Some(rotation), ..none })
    }
}

#[derive(clap::Args, Debug, Clone)]
pub struct DistillArgs {
    /// KD strategies (comma-separated): none, logit, attn-rep, causal-rep, combi-rep, sc-logit,
    /// sc-rep, sc-mix, none-mix, logit-mix, logit-oof, sc-logit-oof (these two train four more
    /// teachers first, each on part of the training windows).
    #[arg(long, value_delimiter = ',', required = true)]
    pub kd: Vec<KdStrategy>,
    /// Students per strategy, seeded 1..=N.
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    #[command(flatten)]
    pub settings: DistillSettings,
    /// Maximum epochs (default: the run profile's).
    #[arg(long)]
    pub epochs: Option<usize>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: &DistillArgs) -> Result<()> {
    let stage = Stage::open(&args.run)?;
    for result in distill_students(&stage, &args.kd, args.seeds, &args.settings, args.epochs, false)? {
        eprintln!("student {:<10} seed {} test macro-F1 {:.4}", result.strategy, result.seed, result.test.macro_f1);
    }
    Ok(())
}

/// Distils every (strategy, seed). With `reuse`, a student already in the run folder that was
/// distilled with the same channels and KD weights is taken as it is.
pub fn distill_students(
    stage: &Stage,
    strategies: &[KdStrategy],
    seeds: u64,
    settings: &DistillSettings,
    epochs: Option<usize>,
    reuse: bool,
) -> Result<Vec<StudentResult>> {
    let device = stage.device()?;
    let teacher = stage.dir.teacher(&device)?;
    let teacher_windows = stage.windows(&teacher.meta.stats, MissingInputs::Fill)?;
    let mut features = teacher_features(&teacher.model, &teacher_windows.train, &device);
    let semantic = if stage.dir.has_semantic() || strategies.iter().any(|s| s.needs_semantic()) {
        Some(stage.dir.semantic(&device)?)
    } else {
        None
    };
    if let Some(semantic) = &semantic {
        add_semantic(&mut features, &semantic.model, &device);
    }
    if strategies.iter().any(|s| s.needs_out_of_fold()) {
        let logits = out_of_fold_logits(stage, &teacher, &teacher_windows)?;
        // What the fold teachers are for: the run's teacher has learnt these very windows.
        let own = |logits: &FeatureRows| 100.0 * accuracy(logits, &teacher_windows.train.targets);
        eprintln!(
            "the run's teacher is right on {:.1}% of its own training windows (combined head)",
            own(&features.combined_logits)
        );
        if !features.semantic_logits.is_empty() {
            eprintln!("the run's semantic classifier is right on {:.1}% of them", own(&features.semantic_logits));
        }
        features.out_of_fold_combined_logits = logits.combined;
        features.out_of_fold_semantic_logits = logits.semantic;
    }
    let mixed = strategies
        .iter()
        .any(|s| s.mixes_windows())
        .then(|| MixedViews::new(&teacher.model, &teacher_windows.train, VIEWS, 1, &device));
    let signals = TeacherSignals { features: &features, mixed: mixed.as_ref() };
    let (stats, windows) =
        stage.fitted_windows(&ChannelSelection::new(settings.student_channels.clone()), MissingInputs::Refuse)?;
    ensure!(windows.train.origin == teacher_windows.train.origin, "teacher and student windows must be the same");
    let config = StudentConfig::new().with_channels(windows.train.channels).with_classes(stage.data.classes.len());
    let semantic_config =
        semantic.as_ref().map_or_else(|| SemanticClassifierConfig::for_teacher(&teacher.config), |s| s.config.clone());
    let projections = StudentProjectionsConfig::for_models(&config, &teacher.config, &semantic_config);
    let weights = settings.weights();
    let stored = if reuse { stage.dir.student_results()? } else { Vec::new() };
    let mut results = Vec::new();
    for &strategy in strategies {
        for seed in 1..=seeds {
            let same = |m: &&StudentMeta| {
                m.result.strategy == strategy
                    && m.result.seed == seed
                    && m.result.kd_weights == weights
                    && m.result.rotate_degrees == settings.rotate_degrees
                    && m.stats.channels == stats.channels
            };
            if let Some(meta) = stored.iter().find(same) {
                eprintln!("student {strategy} seed {seed}: already distilled in this run");
                results.push(meta.result.clone());
                continue;
            }
            let started = Instant::now();
            let label = format!("student-{}-seed{seed}", strategy.name());
            let options = FitOptions {
                augment: settings.augment(&stats),
                ..stage.fit_options(&label, epochs, stage.profile.student_epochs, windows.train.len(), seed)
            };
            let train = (&windows.train, &signals);
            let trained = distill(
                config.clone(),
                projections.clone(),
                train,
                &stage.validation(&windows.val),
                strategy,
                weights,
                &options,
            )?;
            let predicted = predict(&trained.model, &windows.test, &device);
            let result = StudentResult {
                strategy,
                seed,
                kd_weights: weights,
                rotate_degrees: settings.rotate_degrees,
                val_macro_f1: trained.history.best_val_macro_f1,
                test: score_windows(&stage.data.test, &windows.test, &predicted, &stage.data.classes),
                epochs: trained.history.epochs.len(),
                seconds: started.elapsed().as_secs_f64(),
            };
            let meta = StudentMeta { result: result.clone(), stats: stats.clone(), history: trained.history };
            stage.dir.save_student(&trained.config, &trained.model, &meta)?;
            results.push(result);
        }
    }
    Ok(results)
}
