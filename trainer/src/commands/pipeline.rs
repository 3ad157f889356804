//! `trainer pipeline`: every stage end to end in one run folder: teacher (stage 1) ->
//! semantic classifier (stage 2) -> students distilled with every KD strategy over several
//! seeds, compared on the test subjects -> optionally exported. `--quick` is the minutes-long
//! smoke profile the tests use.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;

use crate::commands::compare::{Comparison, compare};
use crate::commands::distill::DistillSettings;
use crate::commands::train_teacher::TeacherSettings;
use crate::commands::{RunArgs, Stage, StartArgs, export, train_semantic, train_teacher};
use crate::training::kd::KdStrategy;

#[derive(clap::Args, Debug, Clone)]
pub struct PipelineArgs {
    #[command(flatten)]
    pub start: StartArgs,
    /// Seeds per KD strategy (the comparison reports mean ± std over them).
    #[arg(long, default_value_t = 3)]
    pub seeds: u64,
    /// KD strategies to compare (comma-separated); default: all but `logit-oof` and
    /// `sc-logit-oof`, which first train four more teachers.
    #[arg(long, value_delimiter = ',')]
    pub kd: Vec<KdStrategy>,
    #[command(flatten)]
    pub settings: DistillSettings,
    #[command(flatten)]
    pub teacher: TeacherSettings,
    /// Export the teacher, the semantic classifier and the best student (by mean validation
    /// macro-F1 of its strategy, then its best seed) into this folder, e.g. `model-weights`.
    #[arg(long)]
    pub export: Option<PathBuf>,
    /// With `--export`, also write the bundle as one zip file (what the web app's model picker
    /// takes).
    #[arg(long, requires = "export")]
    pub zip: Option<PathBuf>,
    /// With `--export`, export the student alone (see `trainer export --student-only`).
    #[arg(long, requires = "export")]
    pub student_only: bool,
    /// Where the KD comparison report (markdown, JSON, SVG confusion matrices) goes; default
    /// `RUN/report`, so that a run never overwrites the committed `reports/` unless asked to.
    #[arg(long)]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

pub fn run(args: &PipelineArgs) -> Result<()> {
    let started = Instant::now();
    let comparison = run_pipeline(args)?;
    crate::commands::compare::print_summary(&comparison);
    eprintln!("pipeline finished in {:.0} s; results in {}", started.elapsed().as_secs_f64(), args.run.run.display());
    Ok(())
}

/// Runs the stages in order; each leaves its results in the run folder for the next.
pub fn run_pipeline(args: &PipelineArgs) -> Result<Comparison> {
    let stage = Stage::start(&args.start, &args.run)?;
    train_teacher::train(&stage, None, &args.teacher)?;
    train_semantic::train(&stage, None)?;
    let strategies = if args.kd.is_empty() { KdStrategy::compared_by_default() } else { args.kd.clone() };
    let seeds = if args.start.quick { 1 } else { args.seeds };
    let report = args.run.report_dir(args.report.as_deref());
    let comparison = compare(&stage, &strategies, seeds, &args.settings, None, &report)?;
    if let Some(dir) = &args.export {
        export::export_run(&stage.dir, dir, None, args.student_only)?;
        if let Some(zip) = &args.zip {
            export::write_bundle_zip(dir, zip)?;
        }
    }
    Ok(comparison)
}
