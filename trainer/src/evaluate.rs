//! `trainer evaluate`: rebuilds the exported models from `model-weights/` (checking every file
//! against the manifest's sha256), scores them on a dataset's test subjects, and with `--check`
//! fails unless the scores equal the ones the manifest records.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail, ensure};
use burn::config::Config;
use burn::module::Module;
use burn::tensor::Device;
use tsak::data::channels::ChannelSelection;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::DeviceMap;
use tsak::infer::metrics::Scores;
use tsak::model::manifest::{FileEntry, Manifest, ModelEntry};
use tsak::model::{SemanticClassifier, SemanticClassifierConfig, Student, StudentConfig, Teacher, TeacherConfig};

use crate::dataset::{DataSource, SplitChoice, load, window_sessions};
use crate::export::sha256_hex;
use crate::features::{add_semantic, teacher_features};
use crate::model_files::decode;
use crate::scoring::score_windows;

#[derive(clap::Args, Debug, Clone)]
pub struct EvaluateArgs {
    /// The exported models: a folder with `manifest.json`.
    #[arg(long, default_value = "model-weights")]
    pub weights: PathBuf,
    /// `openpack:DIR` or `recordings:SPEC`: the data to score on (its test subjects).
    #[arg(long)]
    pub data: DataSource,
    #[arg(long, default_value = "last-subjects")]
    pub split: SplitChoice,
    /// Fail unless the scores equal the manifest's recorded metrics.
    #[arg(long)]
    pub check: bool,
}

/// The three models' scores on the test subjects.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub manifest: Manifest,
    pub teacher: Scores,
    pub semantic: Scores,
    pub student: Scores,
}

pub fn run(args: &EvaluateArgs) -> Result<()> {
    let evaluation = evaluate(&args.weights, &args.data, &args.split)?;
    let m = &evaluation.manifest;
    for (name, entry, scores) in [
        ("teacher (combined head)", &m.teacher, &evaluation.teacher),
        ("teacher (semantic classifier)", &m.semantic, &evaluation.semantic),
        ("student", &m.student, &evaluation.student),
    ] {
        println!(
            "{name:<30} macro-F1 {:.6} (manifest {:.6})  accuracy {:.4}",
            scores.macro_f1, entry.metrics.macro_f1, scores.accuracy
        );
    }
    if args.check {
        check(&evaluation)?;
        println!("the scores equal the manifest's");
    }
    Ok(())
}

/// Fails with the first model whose macro-F1 or accuracy differs from the manifest.
pub fn check(evaluation: &Evaluation) -> Result<()> {
    let m = &evaluation.manifest;
    for (name, entry, scores) in [
        ("teacher", &m.teacher, &evaluation.teacher),
        ("semantic", &m.semantic, &evaluation.semantic),
        ("student", &m.student, &evaluation.student),
    ] {
        let (f1, acc) = (entry.metrics.macro_f1, entry.metrics.accuracy);
        if (scores.macro_f1 - f1).abs() > 1e-9 || (scores.accuracy - acc).abs() > 1e-9 {
            bail!(
                "{name}: macro-F1 {} / accuracy {} but the manifest says {f1} / {acc}",
                scores.macro_f1,
                scores.accuracy
            );
        }
    }
    Ok(())
}

/// Reads a file the manifest lists, refusing it if its hash or size differ.
fn verified(dir: &Path, entry: &FileEntry) -> Result<Vec<u8>> {
    let path = dir.join(&entry.path);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    ensure!(
        bytes.len() as u64 == entry.size_bytes && sha256_hex(&bytes) == entry.sha256,
        "{} does not match the manifest (size or sha256 differ): re-export or restore it",
        path.display()
    );
    Ok(bytes)
}

fn load_model<C: Config, M: Module>(dir: &Path, entry: &ModelEntry, init: impl Fn(&C) -> M) -> Result<(C, M)> {
    let config = verified(dir, &entry.config)?;
    decode(&config, verified(dir, &entry.weights)?, init, (&entry.config.path, &entry.weights.path))
}

/// Rebuilds the exported models and scores them on the test subjects of `data`.
pub fn evaluate(weights: &Path, data: &DataSource, split: &SplitChoice) -> Result<Evaluation> {
    let manifest_path = weights.join("manifest.json");
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(&manifest_path).with_context(|| format!("cannot read {}", manifest_path.display()))?,
    )
    .with_context(|| format!("{} is not a manifest", manifest_path.display()))?;
    ensure!(
        manifest.schema_version == tsak::model::manifest::SCHEMA_VERSION,
        "manifest schema {} is not supported",
        manifest.schema_version
    );
    let device = Device::flex();
    let (_, teacher): (TeacherConfig, Teacher) =
        load_model(weights, &manifest.teacher, |c: &TeacherConfig| c.init(&device))?;
    let (_, semantic): (SemanticClassifierConfig, SemanticClassifier) =
        load_model(weights, &manifest.semantic, |c: &SemanticClassifierConfig| c.init(&device))?;
    let (_, student): (StudentConfig, Student) =
        load_model(weights, &manifest.student, |c: &StudentConfig| c.init(&device))?;

    let data = load(data, split, &DeviceMap::default())?;
    let classes = ClassTable { classes: manifest.classes.clone(), null_id: manifest.null_id, null_aliases: Vec::new() };
    let selection = |entry: &ModelEntry| ChannelSelection::new(entry.inputs.iter().map(|c| c.name.clone()));
    let teacher_set = window_sessions(
        &data.test,
        &selection(&manifest.teacher),
        &manifest.teacher.normalisation,
        manifest.window,
        &classes,
    )?;
    let student_set = window_sessions(
        &data.test,
        &selection(&manifest.student),
        &manifest.student.normalisation,
        manifest.window,
        &classes,
    )?;
    let mut features = teacher_features(&teacher, &teacher_set, &device);
    add_semantic(&mut features, &semantic, &device);
    let teacher_scores = score_windows(
        &data.test,
        &teacher_set,
        &crate::stage1::predict_combined(&teacher, &teacher_set, &device),
        &classes,
    );
    let semantic_scores =
        score_windows(&data.test, &teacher_set, &crate::stage2::predict(&semantic, &features, &device), &classes);
    let student_scores =
        score_windows(&data.test, &student_set, &crate::distill::predict(&student, &student_set, &device), &classes);
    Ok(Evaluation { manifest, teacher: teacher_scores, semantic: semantic_scores, student: student_scores })
}
