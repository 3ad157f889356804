//! Writing `model-weights/`: the three models' records (`.bpk`) and configs (JSON), and a
//! manifest with their inputs, normalisation, sizes, cost, metrics and file hashes, so the app
//! (and a later `trainer evaluate`) can rebuild each model exactly and say where its numbers
//! come from.

use std::path::Path;

use crate::artifacts::model_files::ModelFiles;
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use tsak::data::classes::ClassTable;
use tsak::data::normalize::ChannelStats;
use tsak::data::window::WindowConfig;
use tsak::infer::metrics::Scores;
use tsak::model::flops::{semantic_flops, student_flops, teacher_flops};
use tsak::model::manifest::{
    DatasetInfo, FileEntry, InputChannel, Manifest, MetricsSummary, ModelEntry, SCHEMA_VERSION,
};
use tsak::model::{SemanticClassifier, SemanticClassifierConfig, Student, StudentConfig, Teacher, TeacherConfig};

/// Everything an export needs, gathered by the pipeline.
pub struct ExportInputs<'a> {
    pub dataset: DatasetInfo,
    pub classes: &'a ClassTable,
    pub window: WindowConfig,
    pub sample_rate_hz: f64,
    /// `None` writes a student-only bundle.
    pub teacher: Option<TeacherExport<'a>>,
    pub student: (&'a StudentConfig, &'a Student, &'a ChannelStats, &'a Scores, String),
    /// Which sessions the metrics come from.
    pub evaluated_on: String,
}

/// The teacher and its semantic classifier, with their inputs' statistics and test scores.
pub struct TeacherExport<'a> {
    pub teacher: (&'a TeacherConfig, &'a Teacher, &'a ChannelStats, &'a Scores),
    pub semantic: (&'a SemanticClassifierConfig, &'a SemanticClassifier, &'a Scores),
}

/// The files a teacher adds to a bundle: removed from a folder a student-only bundle is
/// written into, so the folder holds the bundle and nothing left from an earlier export.
const TEACHER_FILES: [&str; 4] = ["teacher.bpk", "teacher.json", "semantic.bpk", "semantic.json"];

/// Writes the weights, configs and `manifest.json` into `dir`.
pub fn export(dir: &Path, inputs: &ExportInputs<'_>) -> Result<Manifest> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let metrics = |scores: &Scores| MetricsSummary {
        evaluated_on: inputs.evaluated_on.clone(),
        macro_f1: scores.macro_f1,
        accuracy: scores.accuracy,
    };
    let (st_config, student, st_stats, st_scores, strategy) =
        (inputs.student.0, inputs.student.1, inputs.student.2, inputs.student.3, &inputs.student.4);
    let time = inputs.window.length;

    let entry = |name: &str, model: ModelFiles, stats: &ChannelStats, flops: u64, scores: &Scores, kd_strategy| {
        Ok::<_, anyhow::Error>(ModelEntry {
            weights: write_file(dir, &format!("{name}.bpk"), &model.record)?,
            config: write_file(dir, &format!("{name}.json"), model.config_json.as_bytes())?,
            inputs: stats.channels.iter().map(|c| InputChannel::from_name(c)).collect(),
            normalisation: stats.clone(),
            params: model.params,
            flops,
            metrics: metrics(scores),
            kd_strategy,
        })
    };
    let (teacher_entry, semantic_entry) = match &inputs.teacher {
        Some(TeacherExport {
            teacher: (t_config, teacher, t_stats, t_scores),
            semantic: (s_config, semantic, s_scores),
        }) => {
            let teacher_entry = entry(
                "teacher",
                ModelFiles::of(*teacher, t_config)?,
                t_stats,
                teacher_flops(t_config, time).total(),
                t_scores,
                None,
            )?;
            // The semantic classifier eats the teacher's representations, so it has the teacher's inputs.
            let semantic_entry = entry(
                "semantic",
                ModelFiles::of(*semantic, s_config)?,
                t_stats,
                semantic_flops(s_config).total(),
                s_scores,
                None,
            )?;
            (Some(teacher_entry), Some(semantic_entry))
        }
        None => {
            remove_stale(dir, &TEACHER_FILES)?;
            (None, None)
        }
    };
    let student_entry = entry(
        "student",
        ModelFiles::of(student, st_config)?,
        st_stats,
        student_flops(st_config, time).total(),
        st_scores,
        Some(strategy.clone()),
    )?;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        dataset: inputs.dataset.clone(),
        sample_rate_hz: inputs.sample_rate_hz,
        window: inputs.window,
        classes: inputs.classes.classes.clone(),
        null_id: inputs.classes.null_id,
        teacher: teacher_entry,
        semantic: semantic_entry,
        student: student_entry,
    };
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(manifest)
}

/// Removes `names` from `dir` where they exist.
fn remove_stale(dir: &Path, names: &[&str]) -> Result<()> {
    for name in names {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("cannot remove {}", path.display()));
            }
            _ => {}
        }
    }
    Ok(())
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<FileEntry> {
    let path = dir.join(name);
    std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(FileEntry { path: name.to_string(), sha256: sha256_hex(bytes), size_bytes: bytes.len() as u64 })
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_a_known_digest() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
