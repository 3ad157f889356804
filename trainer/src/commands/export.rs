//! `trainer export`: writes a run's teacher, semantic classifier (unless `--student-only`) and chosen student into
//! `model-weights/` (records, configs and a manifest the web app and `trainer evaluate` read).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use burn::tensor::Device;
use tsak::infer::bundle_files::{BundleFiles, MANIFEST};
use tsak::model::manifest::{DatasetInfo, Manifest};

use super::compare::best_student;
use crate::artifacts::bundle::{ExportInputs, TeacherExport, export};
use crate::artifacts::run_dir::RunDir;
use crate::training::kd::KdStrategy;

#[derive(clap::Args, Debug, Clone)]
pub struct ExportArgs {
    /// The run folder to export from.
    #[arg(long, default_value = "runs/latest")]
    pub run: PathBuf,
    /// Where the weights and manifest go.
    #[arg(long, default_value = "model-weights")]
    pub to: PathBuf,
    /// Ship a student of this strategy (default: the strategy with the best mean validation
    /// macro-F1); always its best seed by validation macro-F1.
    #[arg(long)]
    pub kd: Option<KdStrategy>,
    /// Also write the bundle as one zip file: what the web app's model picker takes.
    #[arg(long)]
    pub zip: Option<PathBuf>,
    /// Export the student alone, without the teacher and its semantic classifier: a bundle a
    /// fraction of the size, for devices that run only the student.
    #[arg(long)]
    pub student_only: bool,
}

pub fn run(args: &ExportArgs) -> Result<()> {
    export_run(&RunDir::new(&args.run), &args.to, args.kd, args.student_only)?;
    if let Some(zip) = &args.zip {
        write_bundle_zip(&args.to, zip)?;
    }
    Ok(())
}

/// Zips the bundle in `dir`: its manifest and the files it lists, nothing else.
pub fn write_bundle_zip(dir: &Path, zip: &Path) -> Result<()> {
    let read = |name: &str| {
        let path = dir.join(name);
        std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let manifest_bytes = read(MANIFEST)?;
    let manifest: Manifest = serde_json::from_slice(&manifest_bytes)
        .with_context(|| format!("{} is not a manifest", dir.join(MANIFEST).display()))?;
    let mut files = vec![(MANIFEST.to_string(), manifest_bytes)];
    for entry in manifest.files() {
        files.push((entry.path.clone(), read(&entry.path)?));
    }
    let bundle = BundleFiles::from_paths(files)?;
    if let Some(parent) = zip.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    std::fs::write(zip, bundle.to_zip()).with_context(|| format!("cannot write {}", zip.display()))?;
    eprintln!("zipped the bundle ({} bytes of files) to {}", bundle.size_bytes(), zip.display());
    Ok(())
}

/// The licence the run's training data passes on to models trained on it.
fn data_licence(spec: &crate::artifacts::run_dir::RunSpec) -> String {
    if spec.synthetic() {
        return "MIT OR Apache-2.0 (synthetic data written by `trainer synth`, this project's licence)".into();
    }
    match spec.data.parse::<crate::training::dataset::DataSource>() {
        Ok(crate::training::dataset::DataSource::OpenPack(_)) => {
            "CC BY-NC-SA 4.0 (OpenPack dataset, https://open-pack.github.io/): \
             non-commercial use only, share alike, attribute OpenPack"
                .into()
        }
        _ => "as the recordings' owners decide (a team's own data)".into(),
    }
}

/// Exports the run's models into `to`: the chosen student, and the teacher with its semantic
/// classifier unless `student_only`.
pub fn export_run(dir: &RunDir, to: &Path, strategy: Option<KdStrategy>, student_only: bool) -> Result<()> {
    let spec = dir.spec()?;
    let device = Device::flex();
    let teachers = if student_only { None } else { Some((dir.teacher(&device)?, dir.semantic(&device)?)) };
    let results: Vec<_> = dir.student_results()?.into_iter().map(|m| m.result).collect();
    let (strategy, seed) = best_student(&results, strategy).with_context(|| match strategy {
        Some(s) => format!("the run has no {s} student: run `trainer distill --kd {s}` first"),
        None => "the run has no students: run `trainer distill` or `trainer compare` first".to_string(),
    })?;
    let student = dir.student(strategy, seed, &device)?;
    let inputs = ExportInputs {
        dataset: DatasetInfo {
            name: if spec.synthetic() {
                format!("{} (synthetic)", spec.dataset_name)
            } else {
                spec.dataset_name.clone()
            },
            source: spec.data.clone(),
            synthetic: spec.synthetic(),
            split: spec.split_description.clone(),
            licence: data_licence(&spec),
        },
        classes: &spec.classes,
        window: spec.window,
        sample_rate_hz: spec.sample_rate_hz,
        teacher: teachers.as_ref().map(|(teacher, semantic)| TeacherExport {
            teacher: (&teacher.config, &teacher.model, &teacher.meta.stats, &teacher.meta.combined_head_test),
            semantic: (&semantic.config, &semantic.model, &semantic.meta.test),
        }),
        student: (
            &student.config,
            &student.model,
            &student.meta.stats,
            &student.meta.result.test,
            strategy.name().to_string(),
        ),
        evaluated_on: format!("test: {}", spec.test_sessions.join(", ")),
    };
    export(to, &inputs)?;
    let what = if student_only { "" } else { "the teacher, the semantic classifier and " };
    eprintln!("exported {what}the {strategy} student (seed {seed}) to {}", to.display());
    Ok(())
}
