//! tsak's models for other web pages (an MES dashboard, another vendor's kiosk): a
//! [`Classifier`] built from a model bundle's bytes (the zip `trainer export --zip` writes)
//! that classifies windows of the student's inputs in the page, on the CPU (wasm SIMD).
//! Nothing leaves the page. Built with `wasm-pack build --target web` (see README.md).
//!
//! The bundle is checked as the app checks it (schema, size and sha256 of every file,
//! architectures), and a window goes through the same normalisation and model code as in the
//! trainer and the app (`tsak::infer::raw_window`).

#[cfg(feature = "bench")]
mod bench;

use burn::tensor::Device;
use js_sys::Float32Array;
use serde::Serialize;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::bundle_files::BundleFiles;
use tsak::infer::raw_window::classify_window;
use wasm_bindgen::prelude::*;

/// Runs the module's static constructors once, when `init()` instantiates it. Without this
/// call wasm-ld links a "command" module that re-runs every constructor (cubecl registers its
/// IR types in them) at the start of each call from JS: about 7 ms per `classify`, measured by
/// scripts/bench-ort.sh. See `tsak::constructors`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen(start)]
pub fn start() {
    tsak::constructors::run_once();
}

/// A model bundle's student, ready to classify windows.
#[wasm_bindgen]
pub struct Classifier {
    bundle: ModelBundle,
}

/// What a bundle expects and predicts, for the host page.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BundleInfo<'a> {
    dataset: &'a str,
    licence: &'a str,
    classes: Vec<&'a str>,
    /// The student's input channels, in the order a window's values come in each frame.
    inputs: Vec<&'a str>,
    window_frames: usize,
    sample_rate_hz: f64,
    kd_strategy: Option<&'a str>,
}

#[wasm_bindgen]
impl Classifier {
    /// Checks and decodes a bundle from its zip's bytes. The error names the file and the problem.
    #[wasm_bindgen(constructor)]
    pub fn new(zip: &[u8]) -> Result<Classifier, JsError> {
        let device = Device::flex();
        let files = BundleFiles::from_zip("the bundle", zip).map_err(|e| JsError::new(&e.to_string()))?;
        let bundle = ModelBundle::from_files(&files, &device).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Classifier { bundle })
    }

    /// `{ dataset, licence, classes, inputs, windowFrames, sampleRateHz, kdStrategy }`.
    #[wasm_bindgen(getter)]
    pub fn info(&self) -> Result<JsValue, JsError> {
        let m = &self.bundle.manifest;
        let info = BundleInfo {
            dataset: m.dataset.display_name(),
            licence: &m.dataset.licence,
            classes: m.classes.iter().map(|c| c.name.as_str()).collect(),
            inputs: m.student.normalisation.channels.iter().map(String::as_str).collect(),
            window_frames: m.window.length,
            sample_rate_hz: m.sample_rate_hz,
            kd_strategy: m.student.kd_strategy.as_deref(),
        };
        serde_wasm_bindgen::to_value(&info).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Classifies one window: `windowFrames` frames of the `inputs`, frame after frame (x, y, z of
    /// the first frame, then the second...), in the units the inputs name (acceleration in G).
    /// Resolves to `{ class, index, probabilities: [{ name, probability }] }`.
    pub async fn classify(&self, window: Float32Array) -> Result<JsValue, JsError> {
        let prediction =
            classify_window(&self.bundle, &window.to_vec()).await.map_err(|e| JsError::new(&e.to_string()))?;
        serde_wasm_bindgen::to_value(&prediction).map_err(|e| JsError::new(&e.to_string()))
    }
}
