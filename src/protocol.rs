//! The typed messages between the UI thread and the inference worker. They travel as JSON
//! strings (`postMessage`); the bytes of picked files travel beside them as `ArrayBuffer`s,
//! so no file is ever copied through JSON. JSON because it is faster here: as JS objects built
//! by `serde-wasm-bindgen` (structured clone) every message kind took 1.3-2.6x as long to
//! encode, copy and decode (`scripts/bench-messages.sh`, docs/performance.md).

use serde::{Deserialize, Serialize};

use crate::infer::model_choice::{LoadedBundle, ModelsId};
use crate::infer::placement::{Measurement, Placement};
use crate::infer::prediction::WindowResult;
use crate::infer::session_info::SessionInfo;

/// Which backend the user wants the models on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendChoice {
    /// Each model on the backend where it ran faster on this device (timed by the worker, or
    /// remembered from an earlier timing on the same device): the default.
    Fastest,
    /// burn's CPU backend (wasm SIMD) for both models.
    Cpu,
    /// WebGPU for both models, when the browser gives an adapter.
    WebGpu,
}

/// Where the models run, and why, for the badge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackendReport {
    pub placement: Placement,
    pub why: PlacementWhy,
}

impl BackendReport {
    /// Why, in words, for the line beside the badge.
    pub fn reason(&self) -> String {
        match &self.why {
            PlacementWhy::Measured(m) => format!("the faster per model, timed on this device: {}", m.summary()),
            PlacementWhy::Remembered(m) => {
                format!("the faster per model, as timed earlier on this device: {}", m.summary())
            }
            PlacementWhy::Chosen => "chosen by the user".into(),
            PlacementWhy::NoWebGpu { reason } => reason.clone(),
        }
    }
}

/// Why the models run where they run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PlacementWhy {
    /// Timed just now on this device (the page remembers it).
    Measured(Measurement),
    /// Timed earlier on this device for these models.
    Remembered(Measurement),
    /// The user chose the backend.
    Chosen,
    /// On the CPU because WebGPU is not available, with the reason (no `navigator.gpu`, no
    /// adapter, a failed timing...).
    NoWebGpu { reason: String },
}

/// UI -> worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// (Re)load the models on the backends `choice` gives; for [`BackendChoice::Fastest`],
    /// `remembered` holds the page's earlier timings (one that fits this device and these models
    /// is used instead of timing again). The session, if any, stays.
    UseBackend { choice: BackendChoice, remembered: Vec<Measurement> },
    /// Replay a demo session, whose files are served under this URL (ending in `/`), with the
    /// models trained on its kind of data.
    LoadDemo { demo: crate::demo::Demo, base_url: String },
    /// Replay with these models from now on (the loaded session is cut anew for them).
    UseModels(ModelsId),
    /// Check the model bundle sent beside this message (one zip, or a folder's files by their
    /// paths), keep it in the browser and replay with it.
    AddBundle { paths: Vec<String> },
    /// Forget a loaded bundle (the built-in ones stay).
    RemoveBundle { id: String },
    /// Replay the files sent beside this message, in this order (paths as the browser gave them).
    LoadFiles { paths: Vec<String> },
    /// Run both models on every window that ends before this frame (`usize::MAX`: all).
    InferUntil { frame: usize },
    /// One channel of the loaded session, for the plot.
    Channel { name: String },
    /// Classify live windows with these models from now on (the live store cuts its windows
    /// for them before it sends this).
    UseLiveModels(ModelsId),
    /// Classify one live window (the frames the live store cut, raw values).
    LiveWindow { end_frame: u64, frames: crate::data::frames::FrameTable },
}

/// Worker -> UI.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// Where the models run now (sent on every change of backend or, when measured, of models).
    Backend(BackendReport),
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
    /// The bundles the user loaded, kept in the browser (sent at start and on every change).
    Bundles {
        loaded: Vec<LoadedBundle>,
    },
    /// The models that replay sessions from now on.
    ModelsInUse(ModelsId),
    /// A bundle was refused (damaged, not a bundle, models that do not fit); the models in use stay.
    BundleRefused {
        message: String,
    },
    /// The answer of the live models `models` for a live window.
    Live {
        models: ModelsId,
        result: crate::live::classify::LiveResult,
    },
    Channel {
        name: String,
        values: Vec<f32>,
    },
    /// Something went wrong outside loading (e.g. the backend failed mid-run).
    Failed {
        message: String,
    },
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
        let why = PlacementWhy::NoWebGpu { reason: "no navigator.gpu".into() };
        let from = FromWorker::Backend(BackendReport { placement: Placement::CPU, why });
        assert_eq!(serde_json::from_str::<FromWorker>(&from.to_json()).unwrap(), from);
    }
}
