//! What the page needs of a loaded session to show and score it: its clock and truth, the
//! windows both models run on, the student's signal, what the teacher lacks, the credit its
//! data asks for. Built by the runner in the worker, sent over the protocol.

use serde::{Deserialize, Serialize};

use crate::data::classes::ClassId;

/// What the UI needs of a loaded session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub name: String,
    pub unixtime_ms: Vec<i64>,
    pub labels: Vec<ClassId>,
    /// First frame of each window (the same windows for both models).
    pub starts: Vec<usize>,
    pub length: usize,
    /// The student's input channels and their raw values, frame-major.
    pub student_channels: Vec<String>,
    pub student_signal: Vec<f32>,
    /// Every channel of the session (for the teacher-channel plot).
    pub channels: Vec<String>,
    /// Teacher inputs this session lacks (the teacher runs without them when `teacher_runs`).
    pub teacher_missing: Vec<String>,
    /// Whether the teacher runs: it needs at least one of its inputs.
    pub teacher_runs: bool,
    /// The models that replay it.
    #[serde(default)]
    pub models: crate::infer::model_choice::ModelsId,
    /// The credit and licence its data asks to be shown with it (the real demo).
    #[serde(default)]
    pub attribution: Option<String>,
    pub warnings: Vec<String>,
    /// Time the worker took to read the files and cut the windows, in ms.
    #[serde(default)]
    pub load_ms: f64,
    /// The worker's wasm memory when the session was loaded, in bytes (the kiosk's soak test
    /// watches it over hours of loops).
    #[serde(default)]
    pub worker_memory_bytes: u64,
}

impl SessionInfo {
    /// Frames per second, from the timestamps (OpenPack's ATR: 33.3 Hz, the synthetic demo and
    /// the live grid: 30 Hz); 30 for a session too short to tell.
    pub fn frame_rate_hz(&self) -> f64 {
        crate::data::frames::rate_from_timestamps(&self.unixtime_ms).unwrap_or(crate::data::frames::GRID_RATE_HZ)
    }
}
