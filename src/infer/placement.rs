//! Which backend each model runs on, decided by timing both on the device at hand.
//!
//! No rule of thumb holds: a tablet's GPU can be slower than wasm SIMD for a model this small
//! (each call pays a dispatch and a read-back), and Chromium's software WebGPU adapter ran the
//! student 80x and the teacher 60x slower than the CPU backend. So the worker times each model
//! on both backends, batch 1 as in live use, and runs each where it was faster.

use serde::{Deserialize, Serialize};

use crate::infer::model_choice::ModelsId;

/// The backends the browser offers burn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Backend {
    /// burn's CPU backend (wasm SIMD in the browser).
    Cpu,
    /// burn's wgpu backend on the browser's WebGPU.
    WebGpu,
}

impl Backend {
    pub fn label(self) -> &'static str {
        match self {
            Backend::Cpu => "CPU",
            Backend::WebGpu => "WebGPU",
        }
    }
}

/// Where the student and the teacher (with its semantic classifier) run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub student: Backend,
    pub teacher: Backend,
}

impl Placement {
    pub const CPU: Placement = Placement { student: Backend::Cpu, teacher: Backend::Cpu };
    pub const WEBGPU: Placement = Placement { student: Backend::WebGpu, teacher: Backend::WebGpu };

    /// What the badge says: one backend, or each model's.
    pub fn label(&self) -> String {
        if self.student == self.teacher {
            self.student.label().to_string()
        } else {
            format!("student {} · teacher {}", self.student.label(), self.teacher.label())
        }
    }

    /// Whether any model needs the WebGPU device.
    pub fn uses_webgpu(&self) -> bool {
        self.student == Backend::WebGpu || self.teacher == Backend::WebGpu
    }
}

/// Median milliseconds per window of each model on one backend (batch 1, inputs uploaded and
/// logits read back: what one live window costs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelTimes {
    pub student_ms: f64,
    /// `None` for a student-only bundle.
    pub teacher_ms: Option<f64>,
}

/// Both backends timed on one device for one set of models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Which device (GPU adapter, cores, browser) the times hold for: a measurement is reused
    /// only on the same device and models.
    pub device: String,
    pub models: ModelsId,
    pub cpu: ModelTimes,
    pub webgpu: ModelTimes,
}

impl Measurement {
    /// Each model where it ran faster; the CPU on a tie or a time that is not a number (it
    /// needs no GPU memory and cannot lose its device).
    pub fn placement(&self) -> Placement {
        let faster = |cpu: Option<f64>, gpu: Option<f64>| match (cpu, gpu) {
            (Some(cpu), Some(gpu)) if gpu < cpu => Backend::WebGpu,
            _ => Backend::Cpu,
        };
        Placement {
            student: faster(Some(self.cpu.student_ms), Some(self.webgpu.student_ms)),
            teacher: faster(self.cpu.teacher_ms, self.webgpu.teacher_ms),
        }
    }

    /// Both backends' times per model, e.g. "student: CPU 0.09 ms, WebGPU 7.5 ms".
    pub fn summary(&self) -> String {
        let both = |cpu: f64, gpu: f64| format!("CPU {}, WebGPU {}", ms(cpu), ms(gpu));
        let mut text = format!("student: {}", both(self.cpu.student_ms, self.webgpu.student_ms));
        if let (Some(cpu), Some(gpu)) = (self.cpu.teacher_ms, self.webgpu.teacher_ms) {
            text.push_str(&format!("; teacher: {}", both(cpu, gpu)));
        }
        text
    }

    /// Whether this measurement answers for `device` and `models`.
    pub fn holds_for(&self, device: &str, models: &ModelsId) -> bool {
        self.device == device && &self.models == models
    }
}

/// Keeps the newest measurement per device and models, at most `keep` of them, newest first:
/// what the page remembers between visits.
pub fn remember(list: &mut Vec<Measurement>, measured: Measurement, keep: usize) {
    list.retain(|m| !m.holds_for(&measured.device, &measured.models));
    list.insert(0, measured);
    list.truncate(keep);
}

/// Milliseconds with two significant digits past the point where they matter.
fn ms(value: f64) -> String {
    if value < 10.0 { format!("{value:.2} ms") } else { format!("{value:.0} ms") }
}

/// The median of `times` (milliseconds); `NaN` when there are none.
pub fn median_ms(times: &mut [f64]) -> f64 {
    if times.is_empty() {
        return f64::NAN;
    }
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    if times.len() % 2 == 1 { times[mid] } else { (times[mid - 1] + times[mid]) / 2.0 }
}

#[cfg(feature = "burn")]
pub use timing::time_models;

#[cfg(feature = "burn")]
mod timing {
    use super::{ModelTimes, median_ms};
    use crate::infer::bundle::ModelBundle;
    use crate::infer::inputs::ModelWindows;
    use crate::infer::runner::{InferError, student_values, teacher_values};

    /// Times each model of `bundle` where it runs: `warmup` untimed runs
    /// (the first WebGPU call compiles its shaders), then the median of `rounds` timed rounds,
    /// one window per run, read back.
    pub async fn time_models(
        bundle: &ModelBundle,
        warmup: usize,
        rounds: usize,
        now_ms: &impl Fn() -> f64,
    ) -> Result<ModelTimes, InferError> {
        let length = bundle.manifest.window.length;
        let student = probe_window(bundle.student.config.channels, length);
        let student_ms = time(warmup, rounds, now_ms, || student_values(&bundle.student, &student, 0..1)).await?;
        let teacher_ms = match &bundle.teacher {
            Some(models) => {
                let window = probe_window(models.teacher_config.channels, length);
                Some(time(warmup, rounds, now_ms, || teacher_values(models, &window, 0..1)).await?)
            }
            None => None,
        };
        Ok(ModelTimes { student_ms, teacher_ms })
    }

    /// Shortest timed stretch: browsers coarsen `performance.now` (to 0.1 ms without cross-origin
    /// isolation), so a model faster than that is run several times per timed round.
    const ROUND_MS: f64 = 2.0;

    async fn time<F: std::future::Future<Output = Result<Vec<f32>, InferError>>>(
        warmup: usize,
        rounds: usize,
        now_ms: &impl Fn() -> f64,
        run: impl Fn() -> F,
    ) -> Result<f64, InferError> {
        let started = now_ms();
        for _ in 0..warmup.max(1) {
            run().await?;
        }
        let estimate = (now_ms() - started) / warmup.max(1) as f64;
        let per_round = (ROUND_MS / estimate.max(1e-3)).ceil().clamp(1.0, 1000.0) as usize;
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = now_ms();
            for _ in 0..per_round {
                run().await?;
            }
            times.push((now_ms() - started) / per_round as f64);
        }
        Ok(median_ms(&mut times))
    }

    /// One normalised window of a smooth signal: the timing does not depend on the values,
    /// only on the shapes.
    fn probe_window(channels: usize, length: usize) -> ModelWindows {
        ModelWindows {
            channels,
            length,
            starts: vec![0],
            labels: vec![0],
            values: (0..channels * length).map(|i| (i as f32 * 0.37).sin()).collect(),
            missing: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::embedded::EmbeddedModels;

    fn measurement(cpu: (f64, Option<f64>), gpu: (f64, Option<f64>)) -> Measurement {
        Measurement {
            device: "gpu-a".into(),
            models: ModelsId::Embedded(EmbeddedModels::Synthetic),
            cpu: ModelTimes { student_ms: cpu.0, teacher_ms: cpu.1 },
            webgpu: ModelTimes { student_ms: gpu.0, teacher_ms: gpu.1 },
        }
    }

    #[test]
    fn each_model_runs_where_it_was_faster() {
        // Chromium's software adapter: both faster on the CPU.
        assert_eq!(measurement((0.09, Some(1.4)), (7.5, Some(83.7))).placement(), Placement::CPU);
        // A real GPU: the tiny student stays on the CPU, the teacher moves.
        let mixed = measurement((0.09, Some(4.0)), (0.6, Some(1.1))).placement();
        assert_eq!(mixed, Placement { student: Backend::Cpu, teacher: Backend::WebGpu });
        assert!(mixed.uses_webgpu());
        assert_eq!(measurement((0.5, Some(4.0)), (0.2, Some(1.1))).placement(), Placement::WEBGPU);
    }

    #[test]
    fn ties_unknowns_and_student_only_bundles_stay_on_the_cpu() {
        assert_eq!(measurement((1.0, Some(2.0)), (1.0, Some(2.0))).placement(), Placement::CPU);
        assert_eq!(measurement((f64::NAN, None), (1.0, None)).placement(), Placement::CPU);
        assert_eq!(measurement((1.0, Some(2.0)), (f64::NAN, Some(f64::NAN))).placement(), Placement::CPU);
        let student_only = measurement((1.0, None), (0.5, None)).placement();
        assert_eq!(student_only, Placement { student: Backend::WebGpu, teacher: Backend::Cpu });
    }

    #[test]
    fn a_measurement_is_reused_only_for_its_device_and_models() {
        let m = measurement((1.0, None), (2.0, None));
        assert!(m.holds_for("gpu-a", &ModelsId::Embedded(EmbeddedModels::Synthetic)));
        assert!(!m.holds_for("gpu-b", &ModelsId::Embedded(EmbeddedModels::Synthetic)));
        assert!(!m.holds_for("gpu-a", &ModelsId::Embedded(EmbeddedModels::OpenPackSample)));
        assert!(!m.holds_for("gpu-a", &ModelsId::Loaded("abc".into())));
    }

    #[test]
    fn remembering_keeps_the_newest_per_device_and_models() {
        let mut list = Vec::new();
        remember(&mut list, measurement((1.0, None), (2.0, None)), 3);
        remember(&mut list, measurement((3.0, None), (2.0, None)), 3);
        assert_eq!(list.len(), 1, "the same device and models: replaced");
        assert_eq!(list[0].cpu.student_ms, 3.0);
        for i in 0..4 {
            let other = Measurement { device: format!("gpu-{i}"), ..list[0].clone() };
            remember(&mut list, other, 3);
        }
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].device, "gpu-3", "newest first");
    }

    #[test]
    fn labels_and_summaries() {
        assert_eq!(Placement::CPU.label(), "CPU");
        assert_eq!(Placement::WEBGPU.label(), "WebGPU");
        assert_eq!(
            Placement { student: Backend::Cpu, teacher: Backend::WebGpu }.label(),
            "student CPU · teacher WebGPU"
        );
        let m = measurement((0.0912, Some(1.4)), (7.5, Some(83.7)));
        assert_eq!(m.summary(), "student: CPU 0.09 ms, WebGPU 7.50 ms; teacher: CPU 1.40 ms, WebGPU 84 ms");
        assert_eq!(measurement((0.1, None), (0.2, None)).summary(), "student: CPU 0.10 ms, WebGPU 0.20 ms");
    }

    #[test]
    fn medians() {
        assert_eq!(median_ms(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median_ms(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median_ms(&mut []).is_nan());
    }

    #[cfg(feature = "burn")]
    #[test]
    fn both_models_are_timed_on_their_device() {
        let bundle = crate::infer::bundle::ModelBundle::synthetic(&burn::tensor::Device::flex()).unwrap();
        let clock = std::time::Instant::now();
        let now = || clock.elapsed().as_secs_f64() * 1000.0;
        let times = futures::executor::block_on(time_models(&bundle, 1, 5, &now)).unwrap();
        let teacher = times.teacher_ms.expect("the synthetic bundle has a teacher");
        assert!(times.student_ms > 0.0 && teacher > 0.0, "{times:?}");
        assert!(teacher > times.student_ms, "the teacher does ~70x the student's work: {times:?}");
    }
}
