//! The worker's backends: burn's CPU device, the WebGPU device once the browser gave one, and
//! where each model runs ([`Placement`]). With [`BackendChoice::Fastest`] the placement comes
//! from timing both models on both backends (see [`crate::infer::placement`]), or from a
//! timing the page remembered for this device and these models.

use burn::tensor::Device;
use js_sys::{Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::DedicatedWorkerGlobalScope;

use crate::app::browser::clock_ms;
use crate::infer::bundle::{BundleError, ModelBundle};
use crate::infer::model_choice::ModelsId;
use crate::infer::placement::{Backend, Measurement, ModelTimes, Placement, time_models};
use crate::protocol::{BackendChoice, BackendReport, PlacementWhy};

/// Untimed runs before timing: the first WebGPU call compiles the shaders.
const WARMUP: usize = 3;
/// Timed runs per model and backend (their median counts). Even the teacher on Chromium's
/// software adapter (~85 ms a window) is timed in under 2 s.
const ROUNDS: usize = 15;

pub struct Backends {
    cpu: Device,
    /// The WebGPU device once initialised (burn's runtime cannot be initialised twice), and the
    /// name of the adapter it runs on.
    webgpu: Option<(Device, String)>,
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
            webgpu: None,
            choice: BackendChoice::Fastest,
            remembered: Vec::new(),
            placement: Placement::CPU,
            placed_for: None,
        }
    }
}

impl Backends {
    pub fn cpu(&self) -> &Device {
        &self.cpu
    }

    fn device(&self, backend: Backend) -> &Device {
        match (backend, &self.webgpu) {
            (Backend::WebGpu, Some((device, _))) => device,
            _ => &self.cpu,
        }
    }

    /// `decode` on the devices of the placement: the student on its backend, the teacher on
    /// its own.
    pub fn placed(
        &self,
        decode: impl Fn(&Device) -> Result<ModelBundle, BundleError>,
    ) -> Result<ModelBundle, BundleError> {
        let Placement { student, teacher } = self.placement;
        let bundle = decode(self.device(student))?;
        if student == teacher || bundle.teacher.is_none() {
            return Ok(bundle);
        }
        Ok(bundle.with_teacher_of(&decode(self.device(teacher))?))
    }

    /// Whether the placement must be decided again now that `models` replay sessions.
    pub fn stale_for(&self, models: &ModelsId) -> bool {
        self.choice == BackendChoice::Fastest && self.placed_for.as_ref() != Some(models)
    }

    /// Where the models should run for `choice`, timing them when no remembered timing fits.
    /// `decode` decodes `models` on a device.
    pub async fn decide(
        &mut self,
        scope: &DedicatedWorkerGlobalScope,
        models: &ModelsId,
        decode: impl Fn(&Device) -> Result<ModelBundle, BundleError>,
    ) -> BackendReport {
        let report = |placement, why| BackendReport { placement, why };
        if self.choice == BackendChoice::Cpu {
            return report(Placement::CPU, PlacementWhy::Chosen);
        }
        let (gpu, adapter) = match self.webgpu(scope).await {
            Ok(found) => found,
            Err(reason) => return report(Placement::CPU, PlacementWhy::NoWebGpu { reason }),
        };
        if self.choice == BackendChoice::WebGpu {
            return report(Placement::WEBGPU, PlacementWhy::Chosen);
        }
        let device = device_key(scope, &adapter);
        if let Some(known) = self.remembered.iter().find(|m| m.holds_for(&device, models)) {
            return report(known.placement(), PlacementWhy::Remembered(known.clone()));
        }
        match measure(&self.cpu, &gpu, &decode).await {
            Ok((cpu, webgpu)) => {
                let measured = Measurement { device, models: models.clone(), cpu, webgpu };
                report(measured.placement(), PlacementWhy::Measured(measured))
            }
            Err(reason) => report(Placement::CPU, PlacementWhy::NoWebGpu { reason }),
        }
    }

    /// The WebGPU device and its adapter's name, initialised once; the reason when the browser
    /// cannot give one.
    async fn webgpu(&mut self, scope: &DedicatedWorkerGlobalScope) -> Result<(Device, String), String> {
        if let Some(found) = &self.webgpu {
            return Ok(found.clone());
        }
        let navigator = scope.navigator();
        let gpu = Reflect::get(&navigator, &"gpu".into()).unwrap_or(JsValue::UNDEFINED);
        if gpu.is_undefined() {
            return Err("this browser has no WebGPU (navigator.gpu is missing)".into());
        }
        let adapter = adapter_name(&gpu).await;
        let device =
            Device::wgpu_options().init_async().await.map_err(|e| format!("WebGPU adapter request failed: {e}"))?;
        self.webgpu = Some((device, adapter));
        Ok(self.webgpu.clone().expect("just set"))
    }
}

/// Times both models on both devices.
async fn measure(
    cpu: &Device,
    gpu: &Device,
    decode: &impl Fn(&Device) -> Result<ModelBundle, BundleError>,
) -> Result<(ModelTimes, ModelTimes), String> {
    let on = |device: &Device| decode(device).map_err(|e| e.to_string());
    let cpu = time_models(&on(cpu)?, WARMUP, ROUNDS, &clock_ms).await.map_err(|e| format!("timing on the CPU: {e}"))?;
    let gpu =
        time_models(&on(gpu)?, WARMUP, ROUNDS, &clock_ms).await.map_err(|e| format!("timing on WebGPU failed: {e}"))?;
    Ok((cpu, gpu))
}

/// The adapter's vendor, architecture, device and description (`GPUAdapterInfo`), as far as
/// the browser tells them.
async fn adapter_name(gpu: &JsValue) -> String {
    let request = Reflect::get(gpu, &"requestAdapter".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(gpu).ok());
    let Some(promise) = request.and_then(|p| p.dyn_into::<Promise>().ok()) else { return "unknown adapter".into() };
    let Ok(adapter) = JsFuture::from(promise).await else { return "unknown adapter".into() };
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |name: &str| Reflect::get(&info, &name.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let parts: Vec<String> =
        ["vendor", "architecture", "device", "description"].into_iter().map(field).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() { "unnamed adapter".into() } else { parts.join(" ") }
}

/// What a timing holds for: the adapter, the cores and the browser (a new browser version may
/// run either backend faster).
fn device_key(scope: &DedicatedWorkerGlobalScope, adapter: &str) -> String {
    let navigator = scope.navigator();
    let cores = navigator.hardware_concurrency();
    let browser = navigator.user_agent().unwrap_or_default();
    format!("{adapter}; {cores} cores; {browser}")
}
