//! Not part of the package's API: the burn side of the side-by-side bench against ONNX Runtime
//! Web (`scripts/bench-ort.sh`, built with `--features bench`). Each call does what ORT's side
//! does per window and nothing more: the window's values in, one batch-1 forward pass, the
//! logits out. Windows come normalised (both sides skip normalisation) and go through the app's
//! own path (`runner::student_values`; the teacher's kernel as `runner::teacher_values` runs
//! it, burn's ops where a model has no kernel), so the figures are the app's per-window cost.

use burn::tensor::{Device, Tensor};
use js_sys::Float32Array;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::bundle_files::BundleFiles;
use tsak::infer::inputs::ModelWindows;
use tsak::infer::runner::student_values;
use wasm_bindgen::prelude::*;

/// A bundle's student and teacher, run one window at a time.
#[wasm_bindgen]
pub struct ForwardBench {
    bundle: ModelBundle,
}

#[wasm_bindgen]
impl ForwardBench {
    /// Checks and decodes a whole bundle (teacher included) from its zip's bytes.
    #[wasm_bindgen(constructor)]
    pub fn new(zip: &[u8]) -> Result<ForwardBench, JsError> {
        let files = BundleFiles::from_zip("the bundle", zip).map_err(to_js)?;
        let bundle = ModelBundle::from_files(&files, &Device::flex()).map_err(to_js)?;
        if bundle.teacher.is_none() {
            return Err(JsError::new("the bench needs a bundle with its teacher"));
        }
        Ok(ForwardBench { bundle })
    }

    /// The student's logits for one normalised window, `[channels * frames]` channel after channel.
    pub async fn student(&self, window: Float32Array) -> Result<Float32Array, JsError> {
        let config = &self.bundle.student.config;
        let windows = one_window(config.channels, self.frames(), window)?;
        let logits = student_values(&self.bundle.student, &windows, 0..1).await.map_err(to_js)?;
        Ok(Float32Array::from(logits.as_slice()))
    }

    /// The teacher's answer for one normalised window: the semantic classifier's logits followed
    /// by the combined head's (the two the app reads).
    pub async fn teacher(&self, window: Float32Array) -> Result<Float32Array, JsError> {
        let teacher = self.bundle.teacher.as_ref().expect("checked when built");
        let windows = one_window(teacher.teacher_config.channels, self.frames(), window)?;
        // As `teacher_values` runs it on the CPU, with the combined head's logits kept too.
        if let Some(kernel) = &teacher.kernel {
            let logits = kernel.logits(&windows.values, windows.length);
            return Ok(Float32Array::from([logits.semantic, logits.combined].concat().as_slice()));
        }
        let logits = teacher.logits(&windows, 0..1);
        let semantic = read(logits.semantic).await?;
        let combined = read(logits.combined).await?;
        let both = Float32Array::new_with_length(semantic.length() + combined.length());
        both.set(&semantic, 0);
        both.set(&combined, semantic.length());
        Ok(both)
    }

    fn frames(&self) -> usize {
        self.bundle.manifest.window.length
    }
}

fn one_window(channels: usize, frames: usize, window: Float32Array) -> Result<ModelWindows, JsError> {
    if window.length() as usize != channels * frames {
        return Err(JsError::new(&format!("a window is {channels} x {frames} values; got {}", window.length())));
    }
    Ok(ModelWindows {
        channels,
        length: frames,
        starts: vec![0],
        labels: vec![0],
        values: window.to_vec(),
        missing: Vec::new(),
    })
}

async fn read(logits: Tensor<2>) -> Result<Float32Array, JsError> {
    let data = logits.into_data_async().await.map_err(|e| JsError::new(&format!("{e:?}")))?;
    let values = data.as_slice::<f32>().map_err(|e| JsError::new(&format!("{e:?}")))?;
    Ok(Float32Array::from(values))
}

fn to_js(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}
