//! `trainer pipeline`: data -> teacher (stage 1) -> semantic classifier (stage 2) -> students
//! distilled with every KD strategy over several seeds -> evaluation on the test subjects.
//! `--quick` is the minutes-long smoke profile the tests use.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, ensure};
use burn::tensor::Device;
use serde::{Deserialize, Serialize};
use tsak::data::channels::ChannelSelection;
use tsak::data::openpack::DeviceMap;
use tsak::data::window::WindowConfig;
use tsak::infer::metrics::Scores;
use tsak::model::manifest::DatasetInfo;
use tsak::model::{SemanticClassifierConfig, StudentConfig, StudentProjectionsConfig, TeacherConfig};

use crate::dataset::{DataSource, SplitChoice, SplitData, WindowSet, fit_stats, load, window_sessions};
use crate::distill::{KdWeights, TrainedStudent, distill};
use crate::export::{ExportInputs, export};
use crate::features::{add_semantic, teacher_features};
use crate::fit::FitOptions;
use crate::kd::KdStrategy;
use crate::scoring::{Validation, score_windows};
use crate::stage1::{TrainedTeacher, predict_combined, train_teacher};
use crate::stage2::{TrainedSemantic, train_semantic};

#[derive(clap::Args, Debug, Clone)]
pub struct PipelineArgs {
    /// `openpack:DIR` (real or synthetic OpenPack layout) or `recordings:SPEC`.
    #[arg(long)]
    pub data: DataSource,
    /// A toolkit split name, or `last-subjects` (test = last subject, validation = the one before).
    #[arg(long, default_value = "last-subjects")]
    pub split: SplitChoice,
    /// Where checkpoints, the run log and the results go.
    #[arg(long, default_value = "runs/latest")]
    pub out: PathBuf,
    /// Smoke profile: few epochs, one seed, a smaller teacher. Minutes, not tens of minutes.
    #[arg(long)]
    pub quick: bool,
    /// Seeds per KD strategy (the comparison reports mean ± std over them).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// KD strategies to compare (comma-separated); default: all.
    #[arg(long, value_delimiter = ',')]
    pub kd: Vec<KdStrategy>,
    /// Student input channels, as `position/modality` selectors.
    #[arg(long, value_delimiter = ',', default_value = "right_wrist/acc")]
    pub student_channels: Vec<String>,
    #[arg(long, default_value_t = 4.0)]
    pub temperature: f64,
    #[arg(long, default_value_t = 0.5)]
    pub alpha: f64,
    #[arg(long, default_value_t = 1.0)]
    pub beta: f64,
    /// Continue interrupted stages from their checkpoints in `--out`.
    #[arg(long)]
    pub resume: bool,
    /// Export the teacher, the semantic classifier and the best student (by mean validation
    /// macro-F1 of its strategy, then its best seed) into this folder, e.g. `model-weights`.
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// Where the KD comparison report (markdown, JSON, SVG confusion matrices) goes.
    #[arg(long, default_value = "reports")]
    pub report: PathBuf,
}

/// One distilled student's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentResult {
    pub strategy: KdStrategy,
    pub seed: u64,
    pub val_macro_f1: f64,
    pub test: Scores,
    pub epochs: usize,
    pub seconds: f64,
}

/// Everything the pipeline measured, written as `results.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PipelineResults {
    pub data: String,
    pub split: String,
    pub windows: WindowConfig,
    pub kd_weights: KdWeights,
    pub teacher_test: Scores,
    pub teacher_combined_head_test: Scores,
    pub students: Vec<StudentResult>,
    pub seconds: f64,
}

/// Epochs and sizes of a run profile.
struct Profile {
    teacher_epochs: usize,
    semantic_epochs: usize,
    student_epochs: usize,
    patience: usize,
    teacher: TeacherConfig,
}

impl Profile {
    fn new(quick: bool) -> Self {
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

pub fn run(args: &PipelineArgs) -> Result<()> {
    let results = run_pipeline(args)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let path = args.out.join("results.json");
    std::fs::write(&path, serde_json::to_string_pretty(&results)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    eprintln!("teacher (semantic classifier) test macro-F1 {:.4}", results.teacher_test.macro_f1);
    for s in &results.students {
        eprintln!("student {:<10} seed {} test macro-F1 {:.4}", s.strategy.name(), s.seed, s.test.macro_f1);
    }
    eprintln!("results written to {} ({:.0} s)", path.display(), results.seconds);
    Ok(())
}

/// The window sets of one model's inputs for train / val / test.
struct Windows {
    train: WindowSet,
    val: WindowSet,
    test: WindowSet,
}

fn windows_for(
    data: &SplitData,
    selection: &ChannelSelection,
    config: WindowConfig,
) -> Result<(tsak::data::normalize::ChannelStats, Windows)> {
    let stats = fit_stats(&data.train, selection)?;
    let set = |sessions| window_sessions(sessions, selection, &stats, config, &data.classes);
    let windows = Windows { train: set(&data.train)?, val: set(&data.val)?, test: set(&data.test)? };
    Ok((stats, windows))
}

pub fn run_pipeline(args: &PipelineArgs) -> Result<PipelineResults> {
    let started = Instant::now();
    let profile = Profile::new(args.quick);
    let data = load(&args.data, &args.split, &DeviceMap::default())?;
    eprintln!(
        "data: {} ({} train, {} val, {} test sessions)",
        data.description,
        data.train.len(),
        data.val.len(),
        data.test.len()
    );
    let window = WindowConfig { length: 60, hop: 30 };
    let teacher_selection = match &args.data {
        DataSource::OpenPack(_) => ChannelSelection::openpack_teacher(),
        DataSource::Recordings(_) => {
            ChannelSelection::new(data.train.first().map(|s| s.frames.channels.clone()).unwrap_or_default())
        }
    };
    let (teacher_stats, tw) = windows_for(&data, &teacher_selection, window)?;
    let (student_stats, sw) = windows_for(&data, &ChannelSelection::new(args.student_channels.clone()), window)?;
    ensure!(tw.train.origin == sw.train.origin, "teacher and student windows must be the same windows");
    eprintln!("windows: {} train, {} val, {} test", tw.train.len(), tw.val.len(), tw.test.len());

    let options = |label: &str, epochs: usize, seed: u64| FitOptions {
        label: label.to_string(),
        max_epochs: epochs,
        batch_size: 64,
        learning_rate: 2e-3,
        patience: profile.patience,
        seed,
        checkpoint_dir: Some(args.out.join("checkpoints")),
        resume: args.resume,
        progress: !args.quick,
    };
    let device = Device::flex();
    let teacher_val = Validation { classes: &data.classes, sessions: &data.val, windows: &tw.val };
    let teacher_config = profile.teacher.clone().with_channels(tw.train.channels).with_classes(data.classes.len());
    let teacher: TrainedTeacher = train_teacher(
        teacher_config,
        &tw.train,
        &teacher_val,
        teacher_stats,
        &options("teacher", profile.teacher_epochs, 1),
    )?;

    let mut train_features = teacher_features(&teacher.model, &tw.train, &device);
    let mut val_features = teacher_features(&teacher.model, &tw.val, &device);
    let mut test_features = teacher_features(&teacher.model, &tw.test, &device);
    let semantic_config = SemanticClassifierConfig::for_teacher(&teacher.config);
    let semantic: TrainedSemantic = train_semantic(
        semantic_config,
        (&tw.train, &train_features),
        (&teacher_val, &val_features),
        &options("semantic", profile.semantic_epochs, 1),
    )?;
    for features in [&mut train_features, &mut val_features, &mut test_features] {
        add_semantic(features, &semantic.model, &device);
    }
    let teacher_test = score_windows(
        &data.test,
        &tw.test,
        &crate::stage2::predict(&semantic.model, &test_features, &device),
        &data.classes,
    );
    let teacher_combined_head_test =
        score_windows(&data.test, &tw.test, &predict_combined(&teacher.model, &tw.test, &device), &data.classes);

    let weights = KdWeights { temperature: args.temperature, alpha: args.alpha, beta: args.beta };
    let strategies = if args.kd.is_empty() { KdStrategy::ALL.to_vec() } else { args.kd.clone() };
    let student_val = Validation { classes: &data.classes, sessions: &data.val, windows: &sw.val };
    let student_config = StudentConfig::new().with_channels(sw.train.channels).with_classes(data.classes.len());
    let projections = StudentProjectionsConfig::for_models(&student_config, &teacher.config, &semantic.config);
    let seeds = if args.quick { 1 } else { args.seeds };
    let mut students = Vec::new();
    let mut trained_students: Vec<(TrainedStudent, Scores)> = Vec::new();
    for strategy in strategies {
        for seed in 1..=seeds {
            let run_started = Instant::now();
            let label = format!("student-{}-seed{seed}", strategy.name());
            let trained: TrainedStudent = distill(
                student_config.clone(),
                projections.clone(),
                (&sw.train, &train_features),
                &student_val,
                strategy,
                weights,
                &options(&label, profile.student_epochs, seed),
            )?;
            let test = score_windows(
                &data.test,
                &sw.test,
                &crate::distill::predict(&trained.model, &sw.test, &device),
                &data.classes,
            );
            students.push(StudentResult {
                strategy,
                seed,
                val_macro_f1: trained.history.best_val_macro_f1,
                test: test.clone(),
                epochs: trained.history.epochs.len(),
                seconds: run_started.elapsed().as_secs_f64(),
            });
            trained_students.push((trained, test));
        }
    }
    if let (Some(dir), Some((student, student_test))) = (&args.export, pick_student(&students, &trained_students)) {
        let synthetic = is_synthetic(&args.data);
        let test_names: Vec<&str> = data.test.iter().map(|s| s.name.as_str()).collect();
        let inputs = ExportInputs {
            dataset: DatasetInfo { source: source_text(&args.data), synthetic, split: data.description.clone() },
            classes: &data.classes,
            window,
            sample_rate_hz: 30.0,
            teacher: (&teacher.config, &teacher.model, &teacher.stats, &teacher_combined_head_test),
            semantic: (&semantic.config, &semantic.model, &teacher_test),
            student: (
                &student.config,
                &student.model,
                &student_stats,
                student_test,
                student.strategy.name().to_string(),
            ),
            evaluated_on: format!("test: {}", test_names.join(", ")),
        };
        export(dir, &inputs)?;
        eprintln!("exported teacher, semantic classifier and the {} student to {}", student.strategy, dir.display());
    }
    let results = PipelineResults {
        data: source_text(&args.data),
        split: data.description.clone(),
        windows: window,
        kd_weights: weights,
        teacher_test,
        teacher_combined_head_test,
        students,
        seconds: started.elapsed().as_secs_f64(),
    };
    if let Some((student, _)) = pick_student(&results.students, &trained_students) {
        write_report(
            args,
            &data,
            &results,
            (&teacher, &semantic, student),
            (tw.train.channels, sw.train.channels, window.length),
        )?;
    }
    Ok(results)
}

/// The comparison report, with teacher and student costs measured in this run.
fn write_report(
    args: &PipelineArgs,
    data: &SplitData,
    results: &PipelineResults,
    models: (&TrainedTeacher, &TrainedSemantic, &TrainedStudent),
    shape: (usize, usize, usize),
) -> Result<()> {
    use burn::module::Module;
    use tsak::model::flops::{semantic_flops, student_flops, teacher_flops};

    let (teacher, semantic, student) = models;
    let (teacher_ms, student_ms) = crate::latency::teacher_and_student_p50_ms(
        &teacher.model,
        &semantic.model,
        &student.model,
        (shape.0, shape.1),
        shape.2,
    );
    let costs = vec![
        crate::report::ModelCost {
            name: "teacher + semantic classifier".into(),
            params: (teacher.model.num_params() + semantic.model.num_params()) as u64,
            flops: teacher_flops(&teacher.config, shape.2).total() + semantic_flops(&semantic.config).total(),
            latency_ms_p50: teacher_ms,
        },
        crate::report::ModelCost {
            name: format!("student ({})", student.strategy),
            params: student.model.num_params() as u64,
            flops: student_flops(&student.config, shape.2).total(),
            latency_ms_p50: student_ms,
        },
    ];
    let synthetic = is_synthetic(&args.data);
    let report = crate::report::Report {
        data: results.data.clone(),
        split: results.split.clone(),
        synthetic,
        teacher_test_macro_f1: results.teacher_test.macro_f1,
        strategies: crate::report::summarise(results),
        costs,
        results: results.clone(),
    };
    let names: Vec<String> = data.classes.classes.iter().map(|c| c.name.clone()).collect();
    let best_student = results.students.iter().find(|s| s.strategy == student.strategy).map(|s| &s.test.confusion);
    let mut confusions = vec![("confusion-teacher.svg".to_string(), &results.teacher_test.confusion)];
    if let Some(matrix) = best_student {
        confusions.push((format!("confusion-student-{}.svg", student.strategy), matrix));
    }
    if let Some(none) = results.students.iter().find(|s| s.strategy == KdStrategy::None) {
        confusions.push(("confusion-student-none.svg".to_string(), &none.test.confusion));
    }
    crate::report::write(&args.report, &report, &names, &confusions)?;
    eprintln!("report written to {}", args.report.join("report.md").display());
    Ok(())
}

/// Whether a dataset root was written by `trainer synth` (its README says so).
fn is_synthetic(source: &DataSource) -> bool {
    match source {
        DataSource::OpenPack(root) => {
            std::fs::read_to_string(root.join("README.txt")).is_ok_and(|t| t.starts_with("SYNTHETIC"))
        }
        DataSource::Recordings(_) => false,
    }
}

/// The student to ship: the strategy with the best mean validation macro-F1, then its seed with
/// the best validation macro-F1. Test scores play no part in the choice.
fn pick_student<'a>(
    results: &[StudentResult],
    trained: &'a [(TrainedStudent, Scores)],
) -> Option<&'a (TrainedStudent, Scores)> {
    let best_strategy =
        results.iter().map(|r| r.strategy).max_by(|a, b| mean_val(results, *a).total_cmp(&mean_val(results, *b)))?;
    trained
        .iter()
        .filter(|(t, _)| t.strategy == best_strategy)
        .max_by(|(a, _), (b, _)| a.history.best_val_macro_f1.total_cmp(&b.history.best_val_macro_f1))
}

/// Mean validation macro-F1 of a strategy's runs.
fn mean_val(students: &[StudentResult], strategy: KdStrategy) -> f64 {
    let values: Vec<f64> = students.iter().filter(|s| s.strategy == strategy).map(|s| s.val_macro_f1).collect();
    values.iter().sum::<f64>() / values.len().max(1) as f64
}

/// `openpack:DIR` / `recordings:SPEC`, as the user wrote it.
fn source_text(source: &DataSource) -> String {
    match source {
        DataSource::OpenPack(root) => format!("openpack:{}", root.display()),
        DataSource::Recordings(spec) => format!("recordings:{}", spec.display()),
    }
}
