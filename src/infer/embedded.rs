//! Which model bundles are compiled into the app, and their manifests and files. Plain data
//! (no ML stack), so the worker protocol and the demos can name a bundle in any build; decoding
//! one into models is [`crate::infer::bundle::ModelBundle::embedded_of`].

use serde::{Deserialize, Serialize};

use crate::model::manifest::Manifest;

/// The bundles compiled into the app: each demo session is replayed with the models trained on
/// its kind of data, and a user picks which run on their own files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmbeddedModels {
    /// `model-weights/`, the default: trained on the first 70% of OpenPack's public sample
    /// session (real data, one subject; CC BY-NC-SA 4.0, as their data).
    #[default]
    OpenPackSample,
    /// `model-weights/synthetic/`: trained on tsak's simulator at OpenPack's documented 30 Hz.
    Synthetic,
}

impl EmbeddedModels {
    pub const ALL: [EmbeddedModels; 2] = [EmbeddedModels::OpenPackSample, EmbeddedModels::Synthetic];

    /// The models live mode runs: the ones trained on real recordings. The live store's grid
    /// runs at their rate (33.3 Hz, OpenPack's ATR timestamps), so their windows are as trained.
    pub const LIVE: EmbeddedModels = EmbeddedModels::OpenPackSample;

    /// What to call them in the UI.
    pub fn label(self) -> &'static str {
        match self {
            Self::Synthetic => "trained on synthetic data",
            Self::OpenPackSample => "trained on the real OpenPack sample (U0209)",
        }
    }

    /// The value a `<select>` carries.
    pub fn value(self) -> &'static str {
        match self {
            Self::Synthetic => "synthetic",
            Self::OpenPackSample => "openpack-sample",
        }
    }

    pub fn from_value(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.value() == value)
    }

    /// The manifest's text, as in `model-weights/`.
    pub fn manifest_json(self) -> &'static str {
        match self {
            Self::OpenPackSample => include_str!("../../model-weights/manifest.json"),
            Self::Synthetic => include_str!("../../model-weights/synthetic/manifest.json"),
        }
    }

    /// The manifest alone (what the UI shows about the models without loading them).
    pub fn manifest(self) -> Manifest {
        serde_json::from_str(self.manifest_json()).expect("the embedded manifests are checked by the bundle tests")
    }

    /// Every file of the bundle by path, `manifest.json` first: the bundle as a folder holds it
    /// (what the WebGPU module decodes).
    pub fn files(self) -> Vec<(String, &'static [u8])> {
        let listed = self.manifest().files().into_iter().map(|entry| entry.path.clone()).collect::<Vec<_>>();
        let files = listed.into_iter().filter_map(|path| self.file(&path).map(|bytes| (path, bytes)));
        std::iter::once(("manifest.json".to_string(), self.manifest_json().as_bytes())).chain(files).collect()
    }

    /// The bytes of one of its files, as the manifest names them.
    pub fn file(self, path: &str) -> Option<&'static [u8]> {
        macro_rules! files {
            ($dir:literal) => {
                match path {
                    "teacher.bpk" => include_bytes!(concat!("../../model-weights/", $dir, "teacher.bpk")),
                    "teacher.json" => include_bytes!(concat!("../../model-weights/", $dir, "teacher.json")),
                    "semantic.bpk" => include_bytes!(concat!("../../model-weights/", $dir, "semantic.bpk")),
                    "semantic.json" => include_bytes!(concat!("../../model-weights/", $dir, "semantic.json")),
                    "student.bpk" => include_bytes!(concat!("../../model-weights/", $dir, "student.bpk")),
                    "student.json" => include_bytes!(concat!("../../model-weights/", $dir, "student.json")),
                    _ => return None,
                }
            };
        }
        Some(match self {
            Self::OpenPackSample => files!(""),
            Self::Synthetic => files!("synthetic/"),
        })
    }
}
