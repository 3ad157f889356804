//! The schema of `model-weights/manifest.json`: everything the app needs to feed each model
//! exactly what it was trained on, and to say honestly where its numbers come from.

use serde::{Deserialize, Serialize};

use crate::data::classes::{ClassInfo, ClassTable};
use crate::data::normalize::ChannelStats;
use crate::data::window::WindowConfig;

/// Bumped whenever a field changes meaning; the app refuses manifests it does not know.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub dataset: DatasetInfo,
    pub sample_rate_hz: f64,
    pub window: WindowConfig,
    pub classes: Vec<ClassInfo>,
    pub null_id: u32,
    /// The teacher; `None` in a student-only bundle (`trainer export --student-only`: smaller,
    /// and it keeps the teacher, which needs every sensor, with the team that trained it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub teacher: Option<ModelEntry>,
    /// The teacher's semantic classifier: present exactly when the teacher is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub semantic: Option<ModelEntry>,
    pub student: ModelEntry,
}

/// Where the training and evaluation data came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// A short name to show: a recording spec's `name`, or "OpenPack" and its subjects. Empty
    /// in bundles exported before it was recorded (then [`DatasetInfo::display_name`] falls
    /// back to the source).
    #[serde(default)]
    pub name: String,
    /// E.g. `openpack:/data/openpack` or `recordings:line3/spec.toml`.
    pub source: String,
    /// True for `trainer synth` data: its numbers are not OpenPack results.
    pub synthetic: bool,
    /// The split, e.g. "by subject: test U0104, validation U0103, train the other 2".
    pub split: String,
    /// The licence the training data passes on to the models, e.g. OpenPack's CC BY-NC-SA
    /// 4.0. Empty in bundles exported before it was recorded.
    #[serde(default)]
    pub licence: String,
}

/// One exported model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// The `.bpk` record, relative to the manifest.
    pub weights: FileEntry,
    /// The model's config as JSON, relative to the manifest.
    pub config: FileEntry,
    pub inputs: Vec<InputChannel>,
    pub normalisation: ChannelStats,
    pub params: u64,
    /// Analytical FLOPs of one forward pass on one window.
    pub flops: u64,
    /// Macro-F1 etc. on the evaluation split.
    pub metrics: MetricsSummary,
    /// For the student: the KD strategy it was distilled with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kd_strategy: Option<String>,
}

impl ModelEntry {
    /// Where the model's inputs are worn, each position once, in input order.
    pub fn positions(&self) -> Vec<&str> {
        let mut positions: Vec<&str> = Vec::new();
        for input in &self.inputs {
            if !positions.contains(&input.position.as_str()) {
                positions.push(&input.position);
            }
        }
        positions
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub sha256: String,
    pub size_bytes: u64,
}

/// One input channel: its full name, body position, channel and physical unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputChannel {
    /// `position/channel`, e.g. `right_wrist/acc_x`.
    pub name: String,
    pub position: String,
    pub channel: String,
    pub unit: String,
}

impl InputChannel {
    /// Describes a `position/channel` name, with the unit OpenPack uses for that channel.
    pub fn from_name(name: &str) -> Self {
        let (position, channel) = name.split_once('/').unwrap_or(("", name));
        Self {
            name: name.to_string(),
            position: position.to_string(),
            channel: channel.to_string(),
            unit: unit_of(channel).to_string(),
        }
    }
}

/// OpenPack's units: acceleration in G, angular velocity in deg/s, quaternions unitless.
pub fn unit_of(channel: &str) -> &'static str {
    if channel.starts_with("acc_") || channel.starts_with("e4_acc_") {
        "G"
    } else if channel.starts_with("gyro_") {
        "deg/s"
    } else if channel.starts_with("quat_") {
        "1"
    } else {
        "unknown"
    }
}

/// The teacher and the semantic classifier that gives its final answer: they come together.
#[derive(Debug, Clone, Copy)]
pub struct TeacherEntries<'a> {
    pub teacher: &'a ModelEntry,
    pub semantic: &'a ModelEntry,
}

impl TeacherEntries<'_> {
    /// Their parameters together.
    pub fn params(&self) -> u64 {
        self.teacher.params + self.semantic.params
    }

    /// Their FLOPs per window together.
    pub fn flops(&self) -> u64 {
        self.teacher.flops + self.semantic.flops
    }

    /// Their weights' size together.
    pub fn weight_bytes(&self) -> u64 {
        self.teacher.weights.size_bytes + self.semantic.weights.size_bytes
    }
}

/// The scores recorded with a model, and on what they were measured.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricsSummary {
    /// Which sessions, e.g. "test: U0104/S0100, U0104/S0200".
    pub evaluated_on: String,
    pub macro_f1: f64,
    pub accuracy: f64,
}

impl DatasetInfo {
    /// The name to show for the data: its name, else what it was (synthetic) or where it came from.
    pub fn display_name(&self) -> &str {
        match (self.name.is_empty(), self.synthetic) {
            (false, _) => &self.name,
            (true, true) => "synthetic data (trainer synth)",
            (true, false) => &self.source,
        }
    }
}

impl Manifest {
    /// The models the manifest lists: teacher and semantic classifier (if any), then the student.
    pub fn models(&self) -> impl Iterator<Item = &ModelEntry> {
        [self.teacher.as_ref(), self.semantic.as_ref(), Some(&self.student)].into_iter().flatten()
    }

    /// The files the manifest lists (each model's weights and config), in model order.
    pub fn files(&self) -> Vec<&FileEntry> {
        self.models().flat_map(|m| [&m.weights, &m.config]).collect()
    }

    /// The class table the models predict into (output index = position in the table).
    pub fn class_table(&self) -> ClassTable {
        ClassTable { classes: self.classes.clone(), null_id: self.null_id, null_aliases: Vec::new() }
    }

    /// The teacher with its semantic classifier, if the bundle has them.
    pub fn teacher_models(&self) -> Option<TeacherEntries<'_>> {
        Some(TeacherEntries { teacher: self.teacher.as_ref()?, semantic: self.semantic.as_ref()? })
    }

    /// Why the manifest's models do not make a bundle: a teacher without its semantic
    /// classifier or the other way round (neither runs alone).
    pub fn incomplete(&self) -> Option<&'static str> {
        match (&self.teacher, &self.semantic) {
            (Some(_), None) => Some("lists a teacher without its semantic classifier (\"semantic\")"),
            (None, Some(_)) => Some("lists a semantic classifier without its teacher (\"teacher\")"),
            _ => None,
        }
    }

    /// A note when data at `rate_hz` differs from the training rate by more than 2%: the
    /// models count windows in frames, so there each window spans a different time than the
    /// models learnt from (30 Hz data through the real models' 133-frame windows: 4.4 s, not 4).
    pub fn rate_mismatch(&self, rate_hz: f64) -> Option<String> {
        let trained_at = self.sample_rate_hz;
        ((rate_hz - trained_at).abs() > 0.02 * trained_at).then(|| {
            format!(
                "the data runs at {rate_hz:.2} Hz but the models were trained at {trained_at:.2} Hz: their {}-frame \
                 windows span {:.1} s here instead of {:.1} s",
                self.window.length,
                self.window.length as f64 / rate_hz,
                self.window.length as f64 / trained_at
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_other_than_the_training_rate_is_named_with_the_window_it_makes() {
        let manifest: Manifest = serde_json::from_str(include_str!("../../model-weights/manifest.json")).unwrap();
        assert_eq!(manifest.rate_mismatch(33.0), None);
        let note = manifest.rate_mismatch(30.0).unwrap();
        assert!(note.contains("runs at 30.00 Hz") && note.contains("span 4.4 s here instead of 4.0 s"), "{note}");
    }

    #[test]
    fn a_models_positions_come_once_each_in_input_order() {
        let manifest: Manifest = serde_json::from_str(include_str!("../../model-weights/manifest.json")).unwrap();
        assert_eq!(manifest.student.positions(), ["right_wrist"]);
        let teacher = manifest.teacher.unwrap().positions().join(",");
        assert_eq!(teacher, "right_wrist,left_wrist,right_upper_arm,left_upper_arm", "{teacher}");
    }

    #[test]
    fn channels_get_openpack_units() {
        let c = InputChannel::from_name("left_upper_arm/gyro_z");
        assert_eq!((c.position.as_str(), c.channel.as_str(), c.unit.as_str()), ("left_upper_arm", "gyro_z", "deg/s"));
        assert_eq!(unit_of("e4_acc_x"), "G");
        assert_eq!(unit_of("quat_w"), "1");
    }
}
