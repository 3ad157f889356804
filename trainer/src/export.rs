//! Writing `model-weights/`: the three models' records (`.bpk`) and configs (JSON), and a
//! manifest with their inputs, normalisation, sizes, cost, metrics and file hashes, so the app
//! (and a later `trainer evaluate`) can rebuild each model exactly and say where its numbers
//! come from.

use std::path::Path;

use anyhow::{Context, Result};
use burn::module::Module;
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
    pub teacher: (&'a TeacherConfig, &'a Teacher, &'a ChannelStats, &'a Scores),
    pub semantic: (&'a SemanticClassifierConfig, &'a SemanticClassifier, &'a Scores),
    pub student: (&'a StudentConfig, &'a Student, &'a ChannelStats, &'a Scores, String),
    /// Which sessions the metrics come from.
    pub evaluated_on: String,
}

/// Writes the weights, configs and `manifest.json` into `dir`.
pub fn export(dir: &Path, inputs: &ExportInputs<'_>) -> Result<Manifest> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let metrics = |scores: &Scores| MetricsSummary {
        evaluated_on: inputs.evaluated_on.clone(),
        macro_f1: scores.macro_f1,
        accuracy: scores.accuracy,
    };
    let (t_config, teacher, t_stats, t_scores) = inputs.teacher;
    let (s_config, semantic, s_scores) = inputs.semantic;
    let (st_config, student, st_stats, st_scores, strategy) =
        (inputs.student.0, inputs.student.1, inputs.student.2, inputs.student.3, &inputs.student.4);
    let time = inputs.window.length;

    let teacher_entry = ModelEntry {
        weights: write_record(dir, "teacher.bpk", teacher.clone())?,
        config: write_file(dir, "teacher.json", serde_json::to_string_pretty(t_config)?.as_bytes())?,
        inputs: t_stats.channels.iter().map(|c| InputChannel::from_name(c)).collect(),
        normalisation: t_stats.clone(),
        params: teacher.num_params() as u64,
        flops: teacher_flops(t_config, time).total(),
        metrics: metrics(t_scores),
        kd_strategy: None,
    };
    let semantic_entry = ModelEntry {
        weights: write_record(dir, "semantic.bpk", semantic.clone())?,
        config: write_file(dir, "semantic.json", serde_json::to_string_pretty(s_config)?.as_bytes())?,
        // The semantic classifier eats the teacher's representations, so the teacher's inputs.
        inputs: teacher_entry.inputs.clone(),
        normalisation: t_stats.clone(),
        params: semantic.num_params() as u64,
        flops: semantic_flops(s_config).total(),
        metrics: metrics(s_scores),
        kd_strategy: None,
    };
    let student_entry = ModelEntry {
        weights: write_record(dir, "student.bpk", student.clone())?,
        config: write_file(dir, "student.json", serde_json::to_string_pretty(st_config)?.as_bytes())?,
        inputs: st_stats.channels.iter().map(|c| InputChannel::from_name(c)).collect(),
        normalisation: st_stats.clone(),
        params: student.num_params() as u64,
        flops: student_flops(st_config, time).total(),
        metrics: metrics(st_scores),
        kd_strategy: Some(strategy.clone()),
    };
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

fn write_record<M: Module>(dir: &Path, name: &str, model: M) -> Result<FileEntry> {
    let bytes = model.into_record().into_bytes().with_context(|| format!("cannot encode {name}"))?;
    write_file(dir, name, &bytes)
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
