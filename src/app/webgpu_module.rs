//! The worker's handle on the WebGPU module (`packages/webgpu`): burn's WebGPU backend built as
//! a wasm module of its own, beside the app's (`webgpu/` in the build, written by the Trunk
//! hook `scripts/build-webgpu-module.mjs`). The app's module carries only the CPU path; this
//! one is imported the first time the worker needs WebGPU (to time it, or because the user
//! chose it), so a browser without WebGPU never downloads it. Bundles are handed over as their
//! files and decoded there; windows go in and logits come back as typed arrays.

use std::rc::Rc;

use js_sys::{Array, Float32Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::app::browser::{describe_js_error, glue_url};
use crate::infer::offload::{OffloadedLogits, OffloadedModels};

/// Where the module's glue lies, relative to the app's own glue.
const MODULE_PATH: &str = "webgpu/tsak_webgpu.js";

#[wasm_bindgen(inline_js = "export function import_module(url) { return import(url); }")]
extern "C" {
    /// `import(url)`: wasm-bindgen cannot write a dynamic import itself.
    fn import_module(url: &str) -> Promise;
}

#[wasm_bindgen]
extern "C" {
    /// The exports of the module's glue (see `packages/webgpu/src/lib.rs`).
    #[derive(Debug, Clone)]
    type GpuModuleExports;

    /// wasm-bindgen's `init`: fetches and instantiates the module's wasm.
    #[wasm_bindgen(method, js_name = default)]
    fn init(this: &GpuModuleExports, options: &JsValue) -> Promise;
    #[wasm_bindgen(method)]
    fn init_device(this: &GpuModuleExports) -> Promise;
    #[wasm_bindgen(method, catch)]
    fn load_bundle(this: &GpuModuleExports, paths: Array, files: Array) -> Result<u32, JsValue>;
    #[wasm_bindgen(method)]
    fn drop_bundle(this: &GpuModuleExports, id: u32);
    #[wasm_bindgen(method)]
    fn student_logits(this: &GpuModuleExports, id: u32, values: &[f32], batch: usize, length: usize) -> Promise;
    #[wasm_bindgen(method)]
    fn teacher_logits(this: &GpuModuleExports, id: u32, values: &[f32], batch: usize, length: usize) -> Promise;
}

/// The WebGPU module, loaded and holding a WebGPU device.
#[derive(Debug, Clone)]
pub struct WebGpuModule {
    exports: GpuModuleExports,
}

impl WebGpuModule {
    /// Imports the module, instantiates its wasm and asks it for a WebGPU device; the reason
    /// when any step fails (offline before it was ever cached, no adapter, …).
    pub async fn load() -> Result<Self, String> {
        let glue = url_beside_glue(MODULE_PATH)?;
        let wasm = format!("{}_bg.wasm", glue.strip_suffix(".js").unwrap_or(&glue));
        let exports: GpuModuleExports = JsFuture::from(import_module(&glue))
            .await
            .map_err(|e| format!("the WebGPU module ({glue}) could not be loaded: {}", describe_js_error(&e)))?
            .unchecked_into();
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"module_or_path".into(), &wasm.clone().into()).expect("a plain object");
        JsFuture::from(exports.init(&options))
            .await
            .map_err(|e| format!("the WebGPU module ({wasm}) did not start: {}", describe_js_error(&e)))?;
        JsFuture::from(exports.init_device())
            .await
            .map_err(|e| format!("WebGPU adapter request failed: {}", describe_js_error(&e)))?;
        Ok(Self { exports })
    }

    /// Decodes a bundle (its files by path, `manifest.json` among them) in the module, on its
    /// WebGPU device.
    pub fn load_bundle<'a>(
        &self,
        files: impl IntoIterator<Item = (String, &'a [u8])>,
    ) -> Result<Rc<dyn OffloadedModels>, String> {
        let (paths, contents) = (Array::new(), Array::new());
        for (path, bytes) in files {
            paths.push(&JsValue::from_str(&path));
            contents.push(&Uint8Array::from(bytes));
        }
        let id = self.exports.load_bundle(paths, contents).map_err(|e| describe_js_error(&e))?;
        Ok(Rc::new(GpuModels { exports: self.exports.clone(), id }))
    }
}

/// One bundle decoded in the module; dropped with the last bundle that runs a model there.
#[derive(Debug)]
struct GpuModels {
    exports: GpuModuleExports,
    id: u32,
}

impl OffloadedModels for GpuModels {
    fn backend(&self) -> &'static str {
        "WebGPU"
    }

    fn student(&self, values: &[f32], batch: usize, length: usize) -> OffloadedLogits {
        logits(self.exports.student_logits(self.id, values, batch, length))
    }

    fn teacher(&self, values: &[f32], batch: usize, length: usize) -> OffloadedLogits {
        logits(self.exports.teacher_logits(self.id, values, batch, length))
    }
}

impl Drop for GpuModels {
    /// Frees the models' GPU buffers in the module.
    fn drop(&mut self) {
        self.exports.drop_bundle(self.id);
    }
}

/// The logits a call of the module promises. The call has already copied the window values
/// into the module's memory, so the future borrows nothing.
fn logits(promise: Promise) -> OffloadedLogits {
    Box::pin(async move {
        let answer = JsFuture::from(promise).await.map_err(|e| describe_js_error(&e))?;
        Ok(answer.dyn_into::<Float32Array>().map_err(|_| "the module answered no logits".to_string())?.to_vec())
    })
}

/// `path` resolved against the URL of this module's glue.
fn url_beside_glue(path: &str) -> Result<String, String> {
    web_sys::Url::new_with_base(path, &glue_url())
        .map(|url| url.href())
        .map_err(|e| format!("no URL for {path}: {}", describe_js_error(&e)))
}
