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
use tsak::model::manifest::Manifest;

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

/// The three models' scores on the test subjects.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub manifest: Manifest,
    /// The teacher's combined head.
    pub teacher: Scores,
    /// The teacher's final answer: the semantic classifier.
    pub semantic: Scores,
    pub student: Scores,
    /// Teacher inputs some test session lacked (the teacher ran without them), by sensor.
    pub teacher_missing: Vec<String>,
}

pub fn run(args: &EvaluateArgs) -> Result<()> {
    let evaluation = evaluate(&args.weights, &args.data, &args.split)?;
    let m = &evaluation.manifest;
    if args.json {
        let scores = serde_json::json!({
            "teacher_combined_head": &evaluation.teacher,
            "teacher": &evaluation.semantic,
            "student": &evaluation.student,
            "teacher_missing": &evaluation.teacher_missing,
        });
        println!("{}", serde_json::to_string_pretty(&scores)?);
    } else {
        if !evaluation.teacher_missing.is_empty() {
            println!("the teacher ran without {} (not in the data)", evaluation.teacher_missing.join(", "));
        }
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
    }
    if args.check {
        check(&evaluation)?;
        eprintln!("the scores equal the manifest's");
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

/// Reads `manifest.json` and every file it lists from `dir`, and decodes the bundle.
pub fn load_bundle(dir: &Path, device: &Device) -> Result<ModelBundle> {
    let manifest_path = dir.join("manifest.json");
    let manifest_json =
        std::fs::read_to_string(&manifest_path).with_context(|| format!("cannot read {}", manifest_path.display()))?;
    let manifest: Manifest = serde_json::from_str(&manifest_json)
        .with_context(|| format!("{} is not a manifest", manifest_path.display()))?;
    let mut files = HashMap::new();
    for entry in [&manifest.teacher, &manifest.semantic, &manifest.student] {
        for file in [&entry.weights, &entry.config] {
            let path = dir.join(&file.path);
            let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            files.insert(file.path.clone(), bytes);
        }
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
    let (mut teacher, mut semantic, mut student) = (Seconds::default(), Seconds::default(), Seconds::default());
    let mut teacher_missing: Vec<String> = Vec::new();
    for session in &data.test {
        let context = || format!("session {}", session.name);
        let window = bundle.manifest.window;
        let teacher_windows = model_windows_without(&session.frames, &bundle.manifest.teacher.normalisation, window)
            .with_context(context)?;
        let student_windows =
            model_windows(&session.frames, &bundle.manifest.student.normalisation, window).with_context(context)?;
        for sensor in sensors(&teacher_windows.missing) {
            if !teacher_missing.contains(&sensor) {
                teacher_missing.push(sensor);
            }
        }
        let all = 0..teacher_windows.len();
        let logits = bundle.teacher_logits(&teacher_windows, all, &device);
        teacher.extend(seconds(session, &teacher_windows, logits.combined, &classes));
        semantic.extend(seconds(session, &teacher_windows, logits.semantic, &classes));
        let logits = bundle.student_logits(&student_windows, 0..student_windows.len(), &device);
        student.extend(seconds(session, &student_windows, logits, &classes));
    }
    let scores = |s: &Seconds| score(&classes, &s.truth, &s.predicted);
    Ok(Evaluation {
        teacher: scores(&teacher),
        semantic: scores(&semantic),
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
