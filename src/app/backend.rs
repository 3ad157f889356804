//! The worker's backends: burn's CPU device, the WebGPU module once the browser gave it a
//! device, and where each model runs ([`Placement`]). With [`BackendChoice::Fastest`] the
//! placement comes from timing both models on both backends (see [`crate::infer::placement`]),
//! or from a timing the page remembered for this device and these models.
//!
//! Bundles are always decoded here, on the CPU; a model placed on WebGPU is handed to the
//! WebGPU module (see [`WebGpuModule`]), which runs it in place of the CPU copy.

use std::rc::Rc;

use burn::tensor::Device;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

use crate::app::browser::{clock_ms, describe_js_error};
use crate::app::webgpu_module::WebGpuModule;
use crate::infer::bundle::{BundleError, ModelBundle};
use crate::infer::model_choice::ModelsId;
use crate::infer::offload::OffloadedModels;
use crate::infer::placement::{Backend, Measurement, ModelTimes, Placement, time_models};
use crate::protocol::{BackendChoice, BackendReport, PlacementWhy};

/// Untimed runs before timing: the first WebGPU call compiles the shaders.
const WARMUP: usize = 3;
/// Timed runs per model and backend (their median counts). Even the teacher on Chromium's
/// software adapter (~85 ms a window) is timed in under 2 s.
const ROUNDS: usize = 15;

/// A bundle's files by path (`manifest.json` among them): what the WebGPU module decodes.
pub type BundleBytes<'a> = Vec<(String, &'a [u8])>;

pub struct Backends {
    cpu: Device,
    /// The name of the browser's WebGPU adapter, once asked for.
    adapter: Option<String>,
    /// The WebGPU module with its device, loaded the first time a model is to be timed or run
    /// on WebGPU (at most once).
    webgpu: Option<WebGpuModule>,
    pub choice: BackendChoice,
    /// The page's remembered timings.
    pub remembered: Vec<Measurement>,
    pub placement: Placement,
    /// The models the placement was timed for: a fastest placement is decided again when they
    /// change.
    pub placed_for: Option<ModelsId>,
}

impl Default for Backends {
    /// Both models on the CPU until the page says what it wants.
    fn default() -> Self {
        Backends {
            cpu: Device::flex(),
            adapter: None,
            webgpu: None,
            choice: BackendChoice::Fastest,
            remembered: Vec::new(),
            placement: Placement::CPU,
            placed_for: None,
        }
    }
}

impl Backends {
    /// Where bundles are decoded, and the models that stay on the CPU run.
    pub fn cpu(&self) -> &Device {
        &self.cpu
    }

    /// `bundle` (decoded on the CPU) with each model the placement puts on WebGPU running in
    /// the WebGPU module, which decodes `files`, the same bundle's.
    pub fn placed<'a>(
        &self,
        bundle: ModelBundle,
        files: impl FnOnce() -> Result<BundleBytes<'a>, BundleError>,
    ) -> Result<ModelBundle, BundleError> {
        let placement = self.placement;
        let teacher_there = placement.teacher == Backend::WebGpu && bundle.teacher.is_some();
        match &self.webgpu {
            Some(module) if placement.student == Backend::WebGpu || teacher_there => {
                Ok(bundle.placed(placement, &on_webgpu(module, files()?)?))
            }
            _ => Ok(bundle),
        }
    }

    /// Whether the placement must be decided again now that `models` replay sessions.
    pub fn stale_for(&self, models: &ModelsId) -> bool {
        self.choice == BackendChoice::Fastest && self.placed_for.as_ref() != Some(models)
    }

    /// Where the models should run for `choice`, timing them when no remembered timing fits.
    /// `decode` decodes `models` on the CPU, `files` gives their files; both are called only
    /// for a timing.
    pub async fn decide<'a>(
        &mut self,
        scope: &DedicatedWorkerGlobalScope,
        models: &ModelsId,
        decode: impl FnOnce(&Device) -> Result<ModelBundle, BundleError>,
        files: impl FnOnce() -> Result<BundleBytes<'a>, BundleError>,
    ) -> BackendReport {
        let report = |placement, why| BackendReport { placement, why };
        if self.choice == BackendChoice::Cpu {
            return report(Placement::CPU, PlacementWhy::Chosen);
        }
        let no_webgpu = |reason| report(Placement::CPU, PlacementWhy::NoWebGpu { reason });
        let adapter = match self.adapter(scope).await {
            Ok(adapter) => adapter,
            Err(reason) => return no_webgpu(reason),
        };
        if self.choice == BackendChoice::WebGpu {
            return match self.webgpu().await {
                Ok(_) => report(Placement::WEBGPU, PlacementWhy::Chosen),
                Err(reason) => no_webgpu(reason),
            };
        }
        let device = device_key(scope, &adapter);
        if let Some(known) = self.remembered.iter().find(|m| m.holds_for(&device, models)).cloned() {
            // Recalled: the module is fetched only if the timing put a model on WebGPU.
            if known.placement().uses_webgpu()
                && let Err(reason) = self.webgpu().await
            {
                return no_webgpu(reason);
            }
            return report(known.placement(), PlacementWhy::Remembered(known));
        }
        let module = match self.webgpu().await {
            Ok(module) => module,
            Err(reason) => return no_webgpu(reason),
        };
        match measure(&module, decode(&self.cpu), files).await {
            Ok((cpu, webgpu)) => {
                let measured = Measurement { device, models: models.clone(), cpu, webgpu };
                report(measured.placement(), PlacementWhy::Measured(measured))
            }
            Err(reason) => no_webgpu(reason),
        }
    }

    /// The name of the browser's WebGPU adapter, asked for once; the reason when the browser
    /// has none. Asked before the WebGPU module is fetched, so a browser that cannot use it
    /// never downloads it.
    async fn adapter(&mut self, scope: &DedicatedWorkerGlobalScope) -> Result<String, String> {
        if let Some(adapter) = &self.adapter {
            return Ok(adapter.clone());
        }
        let navigator = scope.navigator();
        let gpu = Reflect::get(&navigator, &"gpu".into()).unwrap_or(JsValue::UNDEFINED);
        if gpu.is_undefined() {
            return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
        }
        let adapter = adapter_name(&gpu).await?;
        self.adapter = Some(adapter.clone());
        Ok(adapter)
    }

    /// The WebGPU module with its device, loaded once; the reason when it cannot be.
    async fn webgpu(&mut self) -> Result<WebGpuModule, String> {
        if let Some(module) = &self.webgpu {
            return Ok(module.clone());
        }
        let module = WebGpuModule::load().await?;
        self.webgpu = Some(module.clone());
        Ok(module)
    }
}

/// `files` decoded in the WebGPU module; an error names the module as the file that failed.
fn on_webgpu(module: &WebGpuModule, files: BundleBytes<'_>) -> Result<Rc<dyn OffloadedModels>, BundleError> {
    module.load_bundle(files).map_err(|message| BundleError { file: "the WebGPU module".into(), message })
}

/// Times both models on both backends: the CPU bundle as decoded, then the same bundle with
/// both models in the WebGPU module.
async fn measure<'a>(
    module: &WebGpuModule,
    bundle: Result<ModelBundle, BundleError>,
    files: impl FnOnce() -> Result<BundleBytes<'a>, BundleError>,
) -> Result<(ModelTimes, ModelTimes), String> {
    let cpu_bundle = bundle.map_err(|e| e.to_string())?;
    let gpu = on_webgpu(module, files().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let cpu =
        time_models(&cpu_bundle, WARMUP, ROUNDS, &clock_ms).await.map_err(|e| format!("timing on the CPU: {e}"))?;
    let gpu_bundle = cpu_bundle.placed(Placement::WEBGPU, &gpu);
    let gpu = time_models(&gpu_bundle, WARMUP, ROUNDS, &clock_ms)
        .await
        .map_err(|e| format!("timing on WebGPU failed: {e}"))?;
    Ok((cpu, gpu))
}

/// The adapter's vendor, architecture, device and description (`GPUAdapterInfo`), as far as
/// the browser tells them; the reason when it offers no adapter.
async fn adapter_name(gpu: &JsValue) -> Result<String, String> {
    let request = Reflect::get(gpu, &"requestAdapter".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(gpu).ok());
    let Some(promise) = request.and_then(|p| p.dyn_into::<Promise>().ok()) else {
        return Err("this browser's WebGPU has no requestAdapter".into());
    };
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|e| format!("WebGPU adapter request failed: {}", describe_js_error(&e)))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("WebGPU adapter request failed: the browser offers no adapter".into());
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |name: &str| Reflect::get(&info, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let parts: Vec<String> =
        ["vendor", "architecture", "device", "description"].into_iter().map(field).filter(|s| !s.is_empty()).collect();
    Ok(if parts.is_empty() { "unnamed adapter".into() } else { parts.join(" ") })
}

/// What a timing holds for: the adapter, the cores and the browser (a new browser version may
/// run either backend faster).
fn device_key(scope: &DedicatedWorkerGlobalScope, adapter: &str) -> String {
    let navigator = scope.navigator();
    let cores = navigator.hardware_concurrency();
    let browser = navigator.user_agent().unwrap_or_default();
    format!("{adapter}; {cores} cores; {browser}")
}
