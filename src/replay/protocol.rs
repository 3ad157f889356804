//! The typed messages between the UI thread and the inference worker. They travel as JSON
//! strings (`postMessage`); the bytes of picked files travel beside them as `ArrayBuffer`s,
//! so no file is ever copied through JSON.

use serde::{Deserialize, Serialize};

use crate::data::classes::ClassId;

use super::state::WindowResult;

/// Which backend the user wants the models on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendChoice {
    /// WebGPU when the browser gives an adapter, else the CPU.
    Auto,
    /// burn's CPU backend (wasm SIMD).
    Cpu,
}

/// The backend the models actually run on, and why, for the badge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendInUse {
    WebGpu,
    /// With the reason WebGPU is not used (no `navigator.gpu`, no adapter, chosen by the user...).
    Cpu {
        reason: String,
    },
}

/// UI -> worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// (Re)load the models on a backend. The session, if any, stays.
    UseBackend(BackendChoice),
    /// Replay a demo session, whose files are served under this URL (ending in `/`), with the
    /// models trained on its kind of data.
    LoadDemo { demo: crate::replay::demo::Demo, base_url: String },
    /// Replay with these embedded models from now on (the loaded session is cut anew for them).
    UseModels(crate::infer::embedded::EmbeddedModels),
    /// Replay the files sent beside this message, in this order (paths as the browser gave them).
    LoadFiles { paths: Vec<String> },
    /// Run both models on every window that ends before this frame (`usize::MAX`: all).
    InferUntil { frame: usize },
    /// One channel of the loaded session, for the plot.
    Channel { name: String },
    /// Classify one live window (the frames the live store cut, raw values).
    LiveWindow { end_frame: u64, frames: crate::data::frames::FrameTable },
}

/// Worker -> UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    Backend(BackendInUse),
    /// A session is loaded and the previous one replaced.
    Loaded(SessionInfo),
    /// Loading failed; the previous session (if any) is still loaded.
    LoadFailed {
        message: String,
    },
    /// Results for the next windows, in order.
    Results {
        results: Vec<WindowResult>,
    },
    /// The models' answer for a live window.
    Live(crate::live::classify::LiveResult),
    Channel {
        name: String,
        values: Vec<f32>,
    },
    /// Something went wrong outside loading (e.g. the backend failed mid-run).
    Failed {
        message: String,
    },
}

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
    pub models: crate::infer::embedded::EmbeddedModels,
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
        crate::data::frames::rate_from_timestamps(&self.unixtime_ms).unwrap_or(30.0)
    }
}

impl ToWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialise")
    }
}

impl FromWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_through_json() {
        let to = ToWorker::LoadFiles { paths: vec!["U0101/atr/atr01/S0100.csv".into()] };
        assert_eq!(serde_json::from_str::<ToWorker>(&to.to_json()).unwrap(), to);
        let from = FromWorker::Backend(BackendInUse::Cpu { reason: "no navigator.gpu".into() });
        assert_eq!(serde_json::from_str::<FromWorker>(&from.to_json()).unwrap(), from);
    }
}
