//! burn's WebGPU backend (cubecl's compiler and kernels: most of a wasm build that carries it)
//! as a wasm module of its own. The app's inference worker imports it only when a model is to
//! be timed or run on WebGPU (`src/app/webgpu_module.rs`), so the app's own module, which every
//! visit downloads, carries the CPU path alone. The Trunk hook
//! `scripts/build-webgpu-module.mjs` builds it into the app's `webgpu/` folder.
//!
//! The worker hands over a bundle's files; they are decoded here with the same code as
//! everywhere ([`ModelBundle::from_files`], which checks every file against the manifest), and
//! windows run through the same runner functions as on the CPU, so both backends answer alike.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use burn::tensor::Device;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::bundle_files::BundleFiles;
use tsak::infer::inputs::ModelWindows;
use tsak::infer::runner::{student_values, teacher_values};
use wasm_bindgen::prelude::*;

thread_local! {
    /// The WebGPU device, once the browser gave one ([`init_device`]).
    static DEVICE: RefCell<Option<Device>> = const { RefCell::new(None) };
    /// The bundles decoded here, by the id [`load_bundle`] gave them.
    static BUNDLES: RefCell<HashMap<u32, Rc<ModelBundle>>> = RefCell::new(HashMap::new());
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Asks the browser for a WebGPU device; fails with the browser's reason.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen]
pub async fn init_device() -> Result<(), JsError> {
    // cubecl registers its types in static constructors (see `tsak::constructors`). Not a
    // `#[wasm_bindgen(start)]`: the tests link this crate into a module that has one.
    tsak::constructors::run_once();
    if DEVICE.with_borrow(Option::is_some) {
        return Ok(());
    }
    // burn's WebGPU runtime is initialised once per module.
    let device = Device::wgpu_options().init_async().await.map_err(|e| JsError::new(&e.to_string()))?;
    DEVICE.set(Some(device));
    Ok(())
}

/// Decodes a bundle from its files (`paths[i]` holds `files[i]`, a `Uint8Array`) on the WebGPU
/// device and returns its id; fails with the file and what is wrong with it.
#[wasm_bindgen]
pub fn load_bundle(paths: Vec<String>, files: js_sys::Array) -> Result<u32, JsError> {
    let device = DEVICE.with_borrow(Clone::clone).ok_or_else(|| JsError::new("no WebGPU device: call init_device"))?;
    let bytes = files.iter().map(|file| js_sys::Uint8Array::new(&file).to_vec());
    let files = BundleFiles::from_paths(paths.into_iter().zip(bytes)).map_err(|e| JsError::new(&e.to_string()))?;
    let bundle = ModelBundle::from_files(&files, &device).map_err(|e| JsError::new(&e.to_string()))?;
    let id = NEXT_ID.replace(NEXT_ID.get() + 1);
    BUNDLES.with_borrow_mut(|bundles| bundles.insert(id, Rc::new(bundle)));
    Ok(id)
}

/// Forgets bundle `id` (its GPU buffers go with it).
#[wasm_bindgen]
pub fn drop_bundle(id: u32) {
    BUNDLES.with_borrow_mut(|bundles| bundles.remove(&id));
}

/// The student's logits `[batch, classes]` for `batch` windows of `length` frames, `values`
/// channel-major window after window (`[batch, channels, length]`).
#[wasm_bindgen]
pub async fn student_logits(id: u32, values: Vec<f32>, batch: usize, length: usize) -> Result<Vec<f32>, JsError> {
    let bundle = bundle(id)?;
    let windows = windows(values, batch, length)?;
    student_values(&bundle.student, &windows, 0..batch).await.map_err(|e| JsError::new(&e.to_string()))
}

/// The teacher's final (semantic classifier) logits, as [`student_logits`].
#[wasm_bindgen]
pub async fn teacher_logits(id: u32, values: Vec<f32>, batch: usize, length: usize) -> Result<Vec<f32>, JsError> {
    let bundle = bundle(id)?;
    let models = bundle.teacher.as_ref().ok_or_else(|| JsError::new("this bundle has no teacher"))?;
    let windows = windows(values, batch, length)?;
    teacher_values(models, &windows, 0..batch).await.map_err(|e| JsError::new(&e.to_string()))
}

fn bundle(id: u32) -> Result<Rc<ModelBundle>, JsError> {
    BUNDLES.with_borrow(|bundles| bundles.get(&id).cloned()).ok_or_else(|| JsError::new(&format!("no bundle {id}")))
}

/// `values` as `batch` windows of `length` frames; refused unless they divide evenly.
fn windows(values: Vec<f32>, batch: usize, length: usize) -> Result<ModelWindows, JsError> {
    let frames = batch * length;
    if frames == 0 || !values.len().is_multiple_of(frames) {
        return Err(JsError::new(&format!("{} values are not {batch} windows of {length} frames", values.len())));
    }
    Ok(ModelWindows {
        channels: values.len() / frames,
        length,
        starts: (0..batch).map(|w| w * length).collect(),
        labels: vec![0; batch],
        values,
        missing: Vec::new(),
    })
}
