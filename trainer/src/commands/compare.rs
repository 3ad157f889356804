//! `trainer compare`: every KD strategy on the same split and seeds. Distils the students the
//! run folder does not have yet, then writes `RUN/results.json` and the report (markdown, JSON,
//! SVG confusion matrices) with teacher and student costs measured side by side.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use burn::module::Module;
use serde::{Deserialize, Serialize};
use tsak::data::channels::ChannelSelection;
use tsak::data::normalize::ChannelStats;
use tsak::data::window::WindowConfig;
use tsak::infer::metrics::Scores;
use tsak::model::flops::{semantic_flops, student_flops, teacher_flops};

use super::distill::{DistillSettings, distill_students};
use super::{RunArgs, Stage, Windows};
use crate::artifacts::report::{ModelCost, Report};
use crate::artifacts::run_dir::{StudentResult, write_json};
use crate::training::baseline::{BaselineResult, knn_baseline};
use crate::training::dataset::MissingInputs;
use crate::training::kd::KdStrategy;
use crate::training::student::KdWeights;

#[derive(clap::Args, Debug, Clone)]
pub struct CompareArgs {
    /// KD strategies to compare (comma-separated); default: all but `logit-oof` and
    /// `sc-logit-oof`, which first train four more teachers.
    #[arg(long, value_delimiter = ',')]
    pub kd: Vec<KdStrategy>,
    /// Students per strategy (the report gives mean ± std over them).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    #[command(flatten)]
    pub settings: DistillSettings,
    /// Maximum epochs per student (default: the run profile's).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Where the report goes; default `RUN/report`, so that a run never overwrites the
    /// committed `reports/` unless asked to.
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// What a comparison measured, written as `RUN/results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    pub data: String,
    pub split: String,
    pub windows: WindowConfig,
    pub kd_weights: KdWeights,
    /// The largest random rotation of the students' inputs in training (0: none).
    #[serde(default)]
    pub rotate_degrees: f32,
    /// The teacher's final (semantic classifier) prediction.
    pub teacher_test: Scores,
    /// The semantic classifier's best validation macro-F1 (what chose its epoch).
    pub teacher_val_macro_f1: f64,
    pub teacher_combined_head_test: Scores,
    pub students: Vec<StudentResult>,
    /// The classical baselines on the teacher's and on the students' inputs.
    pub baselines: Baselines,
    pub seconds: f64,
}

/// kNN on summary features of each model's own windows (see [`crate::training::baseline`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Baselines {
    pub teacher_inputs: BaselineResult,
    pub student_inputs: BaselineResult,
}

pub fn run(args: &CompareArgs) -> Result<()> {
    let stage = Stage::open(&args.run)?;
    let strategies = if args.kd.is_empty() { KdStrategy::compared_by_default() } else { args.kd.clone() };
    let report = args.run.report_dir(args.report.as_deref());
    let comparison = compare(&stage, &strategies, args.seeds, &args.settings, args.epochs, &report)?;
    print_summary(&comparison);
    Ok(())
}

/// The comparison in a few lines: the teacher and each strategy next to their baselines.
pub fn print_summary(comparison: &Comparison) {
    let b = &comparison.baselines;
    eprintln!("teacher (semantic classifier) test macro-F1 {:.4}", comparison.teacher_test.macro_f1);
    eprintln!("baseline {:<50} test macro-F1 {:.4}", b.teacher_inputs.name, b.teacher_inputs.test.macro_f1);
    eprintln!("baseline {:<50} test macro-F1 {:.4}", b.student_inputs.name, b.student_inputs.test.macro_f1);
    for summary in crate::artifacts::report::summarise(comparison) {
        eprintln!(
            "student {:<10} test macro-F1 {:.4} ± {:.4} over {} seeds",
            summary.strategy, summary.test_macro_f1_mean, summary.test_macro_f1_std, summary.seeds
        );
    }
}

/// Distils what is missing, then compares and reports.
pub fn compare(
    stage: &Stage,
    strategies: &[KdStrategy],
    seeds: u64,
    settings: &DistillSettings,
    epochs: Option<usize>,
    report_dir: &Path,
) -> Result<Comparison> {
    let started = Instant::now();
    let students = distill_students(stage, strategies, seeds, settings, epochs, true)?;
    let device = stage.device()?;
    let teacher = stage.dir.teacher(&device)?;
    let semantic = stage.dir.semantic(&device)?;
    let baselines = baselines(stage, &teacher.meta.stats, &settings.student_channels)?;
    let comparison = Comparison {
        data: stage.spec.data.clone(),
        split: stage.spec.split_description.clone(),
        windows: stage.spec.window,
        kd_weights: settings.weights(),
        rotate_degrees: settings.rotate_degrees,
        teacher_test: semantic.meta.test.clone(),
        teacher_val_macro_f1: semantic.meta.history.best_val_macro_f1,
        teacher_combined_head_test: teacher.meta.combined_head_test.clone(),
        students,
        baselines,
        seconds: started.elapsed().as_secs_f64(),
    };
    write_json(&stage.dir.results_path(), &comparison)?;
    let (strategy, seed) = best_student(&comparison.students, None).context("no students to compare")?;
    let student = stage.dir.student(strategy, seed, &device)?;

    let time = stage.spec.window.length;
    let (teacher_ms, student_ms) = crate::training::latency::teacher_and_student_p50_ms(
        &teacher.model,
        &semantic.model,
        &student.model,
        (teacher.config.channels, student.config.channels),
        time,
    )?;
    let costs = vec![
        ModelCost {
            name: "teacher + semantic classifier".into(),
            params: (teacher.model.num_params() + semantic.model.num_params()) as u64,
            flops: teacher_flops(&teacher.config, time).total() + semantic_flops(&semantic.config).total(),
            latency_ms_p50: teacher_ms,
        },
        ModelCost {
            name: format!("student ({strategy})"),
            params: student.model.num_params() as u64,
            flops: student_flops(&student.config, time).total(),
            latency_ms_p50: student_ms,
        },
    ];
    let report = Report {
        data: comparison.data.clone(),
        split: comparison.split.clone(),
        synthetic: stage.spec.synthetic(),
        teacher_test_macro_f1: comparison.teacher_test.macro_f1,
        strategies: crate::artifacts::report::summarise(&comparison),
        costs,
        results: comparison.clone(),
    };
    let names: Vec<String> = stage.spec.classes.classes.iter().map(|c| c.name.clone()).collect();
    let mut confusions = vec![("confusion-teacher.svg".to_string(), &comparison.teacher_test.confusion)];
    confusions.push((format!("confusion-student-{strategy}.svg"), &student.meta.result.test.confusion));
    if let Some(none) = comparison.students.iter().find(|s| s.strategy == KdStrategy::None && s.seed == 1) {
        confusions.push(("confusion-student-none.svg".to_string(), &none.test.confusion));
    }
    crate::artifacts::report::write(report_dir, &report, &names, &confusions)?;
    eprintln!("report written to {}", report_dir.join("report.md").display());
    Ok(comparison)
}

/// The kNN baselines on the teacher's inputs and on the students' inputs: the same windows
/// the models see, `k` chosen on validation.
fn baselines(stage: &Stage, teacher_stats: &ChannelStats, student_channels: &[String]) -> Result<Baselines> {
    let teacher = stage.windows(teacher_stats, MissingInputs::Fill)?;
    let (_, student) =
        stage.fitted_windows(&ChannelSelection::new(student_channels.to_vec()), MissingInputs::Refuse)?;
    let run = |inputs: &str, windows: &Windows| {
        let classes = &stage.data.classes;
        let validation = stage.validation(&windows.val);
        let (k, val_macro_f1, predicted) =
            knn_baseline(&windows.train, &windows.val, &windows.test, classes.len(), |p| validation.macro_f1(p));
        BaselineResult {
            name: format!("kNN (k={k}) on summary features of the {inputs}"),
            k,
            val_macro_f1,
            test: crate::training::scoring::score_windows(&stage.data.test, &windows.test, &predicted, classes),
        }
    };
    Ok(Baselines {
        teacher_inputs: run("teacher's inputs", &teacher),
        student_inputs: run("student's inputs", &student),
    })
}

/// The student to ship: of `strategy` if given, else of the strategy with the best mean
/// validation macro-F1; then its seed with the best validation macro-F1. Test scores play no
/// part in the choice.
pub fn best_student(results: &[StudentResult], strategy: Option<KdStrategy>) -> Option<(KdStrategy, u64)> {
    let strategy = match strategy {
        Some(s) => s,
        None => {
            results.iter().map(|r| r.strategy).max_by(|a, b| mean_val(results, *a).total_cmp(&mean_val(results, *b)))?
        }
    };
    results
        .iter()
        .filter(|r| r.strategy == strategy)
        .max_by(|a, b| a.val_macro_f1.total_cmp(&b.val_macro_f1))
        .map(|r| (r.strategy, r.seed))
}

/// Mean validation macro-F1 of a strategy's runs.
fn mean_val(students: &[StudentResult], strategy: KdStrategy) -> f64 {
    let values: Vec<f64> = students.iter().filter(|s| s.strategy == strategy).map(|s| s.val_macro_f1).collect();
    values.iter().sum::<f64>() / values.len().max(1) as f64
}
