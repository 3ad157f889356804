//! `trainer evaluate`: rebuilds the exported models from `model-weights/` (every file checked
//! against the manifest's sha256), scores them on a dataset's test subjects, and with `--check`
//! fails unless the scores equal the ones the manifest records. Loading, model inputs, forward
//! passes and 1 Hz scoring are the web app's own code (`tsak::infer`), so the browser shows
//! these very numbers for the same session.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::tensor::Device;
use serde::Serialize;
use tsak::data::channels::sensors;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::DeviceMap;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::engine::argmax_rows;
use tsak::infer::inputs::{ModelWindows, model_windows, model_windows_without};
use tsak::infer::metrics::{Scores, score};
use tsak::infer::seconds::{Seconds, session_seconds};
use tsak::model::manifest::{Manifest, ModelEntry};

use crate::training::dataset::{DataSource, LabelledSession, SplitChoice, load};

#[derive(clap::Args, Debug, Clone)]
pub struct EvaluateArgs {
    /// The exported models: a folder with `manifest.json`.
    #[arg(long, default_value = "model-weights")]
    pub weights: PathBuf,
    /// `openpack:DIR` or `recordings:SPEC`: the data to score on (its test subjects).
    #[arg(long)]
    pub data: DataSource,
    /// `last-subjects`, a toolkit split, `subjects:VAL/TEST`, or `all` (every session is test).
    #[arg(long, default_value = "last-subjects")]
    pub split: SplitChoice,
    /// Fail unless the scores equal the manifest's recorded metrics.
    #[arg(long)]
    pub check: bool,
    /// Print the scores as JSON (for scripts and the browser end-to-end test).
    #[arg(long)]
    pub json: bool,
}

/// The models' scores on the test subjects.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub manifest: Manifest,
    /// `None` for a student-only bundle.
    pub teacher: Option<TeacherScores>,
    pub student: Scores,
    /// Teacher inputs some test session lacked (the teacher ran without them), by sensor.
    pub teacher_missing: Vec<String>,
}

/// The teacher's two answers.
#[derive(Debug, Clone, Serialize)]
pub struct TeacherScores {
    /// The teacher's combined head.
    pub combined: Scores,
    /// The teacher's final answer: the semantic classifier.
    pub semantic: Scores,
}

impl Evaluation {
    /// Each model the bundle has, with what its manifest entry says and what it scored now.
    fn rows(&self) -> Vec<(&'static str, &ModelEntry, &Scores)> {
        let m = &self.manifest;
        let mut rows = Vec::new();
        if let (Some(entries), Some(scores)) = (m.teacher_models(), &self.teacher) {
            rows.push(("teacher (combined head)", entries.teacher, &scores.combined));
            rows.push(("teacher (semantic classifier)", entries.semantic, &scores.semantic));
        }
        rows.push(("student", &m.student, &self.student));
        rows
    }
}

pub fn run(args: &EvaluateArgs) -> Result<()> {
    let evaluation = evaluate(&args.weights, &args.data, &args.split)?;
    if args.json {
        let scores = serde_json::json!({
            "teacher_combined_head": evaluation.teacher.as_ref().map(|t| &t.combined),
            "teacher": evaluation.teacher.as_ref().map(|t| &t.semantic),
            "student": &evaluation.student,
            "teacher_missing": &evaluation.teacher_missing,
        });
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        if evaluation.teacher.is_none() {
            println!("a student-only bundle: no teacher to score");
        }
        if !evaluation.teacher_missing.is_empty() {
            println!("the teacher ran without {} (not in the data)", evaluation.teacher_missing.join(", "));
        }
        for (name, entry, scores) in evaluation.rows() {
            println!(
                "{name:<30} macro-F1 {:.6} (manifest {:.6})  accuracy {:.4}",
                scores.macro_f1, entry.metrics.macro_f1, scores.accuracy
            );
        }
    }
    if args.check {
        check(&evaluation)?;
        eprintln!("the scores equal the manifest's");
    }
    Ok(())
}

/// Fails with the first model whose macro-F1 or accuracy differs from the manifest.
pub fn check(evaluation: &Evaluation) -> Result<()> {
    for (name, entry, scores) in evaluation.rows() {
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

/// Reads `manifest.json` and every file it lists from `dir`, and decodes the bundle.
pub fn load_bundle(dir: &Path, device: &Device) -> Result<ModelBundle> {
    let manifest_path = dir.join("manifest.json");
    let manifest_json =
        std::fs::read_to_string(&manifest_path).with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Manifest = serde_json::from_str(&manifest_json)
        .with_context(|| format!("{} is not a manifest", manifest_path.display()))?;
    let mut files = HashMap::new();
    for file in manifest.files() {
        let path = dir.join(&file.path);
        let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        files.insert(file.path.clone(), bytes);
    }
    ModelBundle::load(&manifest_json, |name| files.get(name).map(Vec::as_slice), device)
        .map_err(|e| anyhow::anyhow!("{}: {}", dir.join(&e.file).display(), e.message))
}

/// Rebuilds the exported models and scores them on the test subjects of `data`.
pub fn evaluate(weights: &Path, data: &DataSource, split: &SplitChoice) -> Result<Evaluation> {
    let device = Device::flex();
    let bundle = load_bundle(weights, &device)?;
    let data = load(data, split, &DeviceMap::default())?;
    if let Some(note) = bundle.manifest.rate_mismatch(data.sample_rate_hz) {
        eprintln!("warning: {note}");
    }
    let classes = bundle.classes();
    let (mut combined, mut semantic, mut student) = (Seconds::default(), Seconds::default(), Seconds::default());
    let mut teacher_missing: Vec<String> = Vec::new();
    let window = bundle.manifest.window;
    for session in &data.test {
        let context = || format!("session {}", session.name);
        if let (Some(entry), Some(models)) = (&bundle.manifest.teacher, &bundle.teacher) {
            let windows = model_windows_without(&session.frames, &entry.normalisation, window).with_context(context)?;
            for sensor in sensors(&windows.missing) {
                if !teacher_missing.contains(&sensor) {
                    teacher_missing.push(sensor);
                }
            }
            let logits = models.logits(&windows, 0..windows.len());
            combined.extend(seconds(session, &windows, logits.combined, &classes));
            semantic.extend(seconds(session, &windows, logits.semantic, &classes));
        }
        let windows =
            model_windows(&session.frames, &bundle.manifest.student.normalisation, window).with_context(context)?;
        let logits = bundle.student.logits(&windows, 0..windows.len());
        student.extend(seconds(session, &windows, logits, &classes));
    }
    let scores = |s: &Seconds| score(&classes, &s.truth, &s.predicted);
    Ok(Evaluation {
        teacher: bundle
            .teacher
            .is_some()
            .then(|| TeacherScores { combined: scores(&combined), semantic: scores(&semantic) }),
        student: scores(&student),
        manifest: bundle.manifest,
        teacher_missing,
    })
}

/// A session's 1 Hz truth and predictions from one model's logits over its windows.
fn seconds(
    session: &LabelledSession,
    windows: &ModelWindows,
    logits: burn::tensor::Tensor<2>,
    classes: &ClassTable,
) -> Seconds {
    let values = logits.into_data().try_to_vec::<f32>().expect("f32 logits");
    let ids: Vec<_> = argmax_rows(&values, classes.len()).into_iter().map(|i| classes.classes[i].id).collect();
    let frames = &session.frames;
    session_seconds(&frames.unixtime_ms, &frames.labels, &windows.starts, windows.length, &ids)
}
