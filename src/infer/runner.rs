//! The worker's side of a replay: the loaded session cut into each model's windows, and one
//! window at a time through both models. Results are awaited: a model placed on WebGPU answers
//! from another module, asynchronously (see [`crate::infer::offload`]); here they resolve at
//! once, so this runs, and is tested, natively and in the browser alike.

use burn::tensor::Tensor;

use crate::data::channels::SelectionError;
use crate::infer::bundle::{ModelBundle, StudentModels, TeacherModels};
use crate::infer::engine::{argmax_rows, softmax_rows};
use crate::infer::inputs::{ModelWindows, model_windows, model_windows_without};
use crate::infer::offload::{OffloadedLogits, OffloadedModels};

use super::prediction::{ModelPrediction, WindowResult};
use super::session_info::SessionInfo;
use crate::data::session_files::LoadedSession;

/// Why a session cannot be replayed, or a window not run; the page shows the message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InferError {
    #[error("{session}: the student cannot run on this session: {source}")]
    StudentInputs { session: String, source: SelectionError },
    #[error("{session}: shorter than one window ({frames} frames): nothing to replay")]
    TooShort { session: String, frames: usize },
    /// The backend failed to hand the results back (a lost WebGPU device, say).
    #[error("reading the models' results back failed: {0}")]
    ReadBack(String),
}

/// A session ready for inference.
pub struct Runner {
    pub session: LoadedSession,
    pub student: ModelWindows,
    /// `None` when the session has none of the teacher's inputs, or the bundle no teacher.
    pub teacher: Option<ModelWindows>,
    /// Teacher inputs the session lacks: the teacher runs without them (they read their
    /// training mean, as in its sensor-dropout training) and the UI says so.
    pub teacher_missing: Vec<String>,
    /// The student's input channels, in its order.
    pub student_channels: Vec<String>,
    /// The next window to run.
    pub next: usize,
    /// Said beside the session's own warnings when its rate is not the models' (see
    /// [`crate::model::manifest::Manifest::rate_mismatch`]).
    pub rate_note: Option<String>,
}

impl Runner {
    /// Cuts the session into the models' windows. The student's inputs are required.
    pub fn new(session: LoadedSession, bundle: &ModelBundle) -> Result<Self, InferError> {
        let manifest = &bundle.manifest;
        let rate_note = session.frames.sample_rate_hz().and_then(|rate| manifest.rate_mismatch(rate));
        let student = model_windows(&session.frames, &manifest.student.normalisation, manifest.window)
            .map_err(|source| InferError::StudentInputs { session: session.name.clone(), source })?;
        if student.is_empty() {
            return Err(InferError::TooShort { session: session.name.clone(), frames: manifest.window.length });
        }
        // A student-only bundle has no teacher to cut windows for, and so nothing it lacks.
        let (teacher, teacher_missing) = match &manifest.teacher {
            Some(entry) => match model_windows_without(&session.frames, &entry.normalisation, manifest.window) {
                Ok(windows) => {
                    let missing = windows.missing.clone();
                    (Some(windows), missing)
                }
                Err(_) => (None, entry.normalisation.channels.clone()),
            },
            None => (None, Vec::new()),
        };
        let student_channels = manifest.student.normalisation.channels.clone();
        Ok(Self { session, student, teacher, teacher_missing, student_channels, next: 0, rate_note })
    }

    /// Releases the windows and keeps what rebuilds them: see [`ParkedRunner`].
    pub fn park(self) -> ParkedRunner {
        ParkedRunner { session: self.session, next: self.next }
    }

    /// What the UI needs to show and score the session.
    pub fn info(&self) -> SessionInfo {
        let frames = &self.session.frames;
        let columns: Vec<usize> =
            self.student_channels.iter().filter_map(|name| frames.channels.iter().position(|c| c == name)).collect();
        let signal = (0..frames.len()).flat_map(|i| columns.iter().map(move |&c| frames.frame(i)[c])).collect();
        SessionInfo {
            name: self.session.name.clone(),
            unixtime_ms: frames.unixtime_ms.clone(),
            labels: frames.labels.clone(),
            starts: self.student.starts.clone(),
            length: self.student.length,
            student_channels: self.student_channels.clone(),
            student_signal: signal,
            channels: frames.channels.clone(),
            teacher_missing: self.teacher_missing.clone(),
            teacher_runs: self.teacher.is_some(),
            // The worker, which chose the bundle, says which.
            models: Default::default(),
            attribution: self.session.attribution.clone(),
            warnings: self.session.warnings.iter().chain(&self.rate_note).cloned().collect(),
            load_ms: 0.0,
            worker_memory_bytes: 0,
        }
    }

    /// The raw values of one channel, for the plot.
    pub fn channel(&self, name: &str) -> Option<Vec<f32>> {
        let frames = &self.session.frames;
        let c = frames.channels.iter().position(|n| n == name)?;
        Some((0..frames.len()).map(|i| frames.frame(i)[c]).collect())
    }

    /// Windows that end at or before `frame` and have not run yet.
    pub fn pending(&self, frame: usize) -> std::ops::Range<usize> {
        let ended = self.student.starts.partition_point(|&s| s + self.student.length <= frame.saturating_add(1));
        self.next..ended.max(self.next)
    }
}

/// A session whose windows were released while the worker loads the next one: the windows are
/// the bulk of a session's memory (they overlap, so each frame is in several), so a load then
/// never holds two sessions' windows: a lower peak, and in the kiosk soak (a reload every loop)
/// less growth of the worker's wasm heap. If the next session fails to load,
/// [`ParkedRunner::resume`] rebuilds these windows (the cut is deterministic) and the user's
/// session carries on where it was.
pub struct ParkedRunner {
    session: LoadedSession,
    next: usize,
}

impl ParkedRunner {
    /// The session, as loaded.
    pub fn session(&self) -> &LoadedSession {
        &self.session
    }

    /// The runner again, at the window it had reached.
    pub fn resume(self, bundle: &ModelBundle) -> Result<Runner, InferError> {
        let next = self.next;
        Runner::new(self.session, bundle).map(|runner| Runner { next, ..runner })
    }
}

/// Runs window `w` through the student and (when it can) the teacher, timing each with
/// `now_ms` (the browser's `performance.now`, or a native clock).
pub async fn run_window(
    runner: &Runner,
    bundle: &ModelBundle,
    w: usize,
    now_ms: &impl Fn() -> f64,
) -> Result<WindowResult, InferError> {
    let classes = bundle.manifest.classes.len();
    let started = now_ms();
    let logits = student_logits(runner, bundle, w).await?;
    let student = prediction(&logits, classes, Some(now_ms() - started));
    let teacher = match teacher_logits(runner, bundle, w) {
        Some(pending) => {
            let started = now_ms();
            let logits = pending.await?;
            Some(prediction(&logits, classes, Some(now_ms() - started)))
        }
        None => None,
    };
    Ok(WindowResult { window: w, student, teacher })
}

/// The student's logits for window `w`, read back.
pub async fn student_logits(runner: &Runner, bundle: &ModelBundle, w: usize) -> Result<Vec<f32>, InferError> {
    student_values(&bundle.student, &runner.student, w..w + 1).await
}

/// The teacher's final (semantic classifier) logits for window `w`, when it can run. The
/// forward pass starts when the future is first polled.
pub fn teacher_logits<'a>(
    runner: &'a Runner,
    bundle: &'a ModelBundle,
    w: usize,
) -> Option<impl std::future::Future<Output = Result<Vec<f32>, InferError>> + 'a> {
    let (windows, models) = (runner.teacher.as_ref()?, bundle.teacher.as_ref()?);
    Some(teacher_values(models, windows, w..w + 1))
}

/// The student's logits for windows `range`, from wherever it runs: the module it was handed
/// to (see [`crate::infer::offload`]), its CPU kernel (values straight, no tensor to read
/// back), or burn.
pub async fn student_values(
    student: &StudentModels,
    windows: &ModelWindows,
    range: std::ops::Range<usize>,
) -> Result<Vec<f32>, InferError> {
    let values = windows.slice(range.clone());
    match (&student.offload, &student.kernel) {
        (Some(offload), _) => offloaded(offload.as_ref(), offload.student(values, range.len(), windows.length)).await,
        (None, Some(kernel)) => Ok(kernel.logits(values, windows.length)),
        (None, None) => read(student.logits(windows, range)).await,
    }
}

/// The teacher's final (semantic classifier) logits for windows `range`, from wherever it runs
/// (as [`student_values`]).
pub async fn teacher_values(
    models: &TeacherModels,
    windows: &ModelWindows,
    range: std::ops::Range<usize>,
) -> Result<Vec<f32>, InferError> {
    let values = windows.slice(range.clone());
    match (&models.offload, &models.kernel) {
        (Some(offload), _) => offloaded(offload.as_ref(), offload.teacher(values, range.len(), windows.length)).await,
        (None, Some(kernel)) => Ok(kernel.logits(values, windows.length).semantic),
        (None, None) => read(models.logits(windows, range).semantic).await,
    }
}

/// Logits from another module, or its failure named after the backend it runs.
async fn offloaded(offload: &dyn OffloadedModels, pending: OffloadedLogits) -> Result<Vec<f32>, InferError> {
    pending.await.map_err(|e| InferError::ReadBack(format!("{}: {e}", offload.backend())))
}

/// Reads logits back (awaited: a synchronous read-back panics on WebGPU).
pub(crate) async fn read(tensor: Tensor<2>) -> Result<Vec<f32>, InferError> {
    let data = tensor.into_data_async().await.map_err(|e| InferError::ReadBack(format!("{e:?}")))?;
    data.try_to_vec::<f32>().map_err(|e| InferError::ReadBack(format!("results are not f32: {e:?}")))
}

/// The most likely class and every probability of one window's logits.
pub(crate) fn prediction(logits: &[f32], classes: usize, latency_ms: Option<f64>) -> ModelPrediction {
    ModelPrediction { class: argmax_rows(logits, classes)[0], probabilities: softmax_rows(logits, classes), latency_ms }
}

/// Runs windows `range` as one batch per model: the "as fast as possible" path. No latency is
/// recorded for them (a batch's time per window is not a window's latency).
pub async fn run_batch(
    runner: &Runner,
    bundle: &ModelBundle,
    range: std::ops::Range<usize>,
) -> Result<Vec<WindowResult>, InferError> {
    let classes = bundle.manifest.classes.len();
    let student = student_values(&bundle.student, &runner.student, range.clone()).await?;
    let teacher = match (&runner.teacher, &bundle.teacher) {
        (Some(windows), Some(models)) => Some(teacher_values(models, windows, range.clone()).await?),
        _ => None,
    };
    Ok(range
        .enumerate()
        .map(|(i, window)| {
            let row = |logits: &[f32]| prediction(&logits[i * classes..(i + 1) * classes], classes, None);
            WindowResult { window, student: row(&student), teacher: teacher.as_deref().map(row) }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use burn::tensor::Device;

    use super::*;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::DeviceMap;
    use crate::data::session_files::load_session;
    use crate::demo::demo_files;
    use crate::infer::bundle::ModelBundle;
    use crate::model::manifest::Manifest;

    #[test]
    fn the_demo_runs_window_by_window_as_the_batch_does() {
        let bundle = ModelBundle::synthetic(&Device::flex()).unwrap();
        let session = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let runner = Runner::new(session, &bundle).unwrap();
        assert!(runner.teacher_missing.is_empty());
        let info = runner.info();
        assert_eq!(info.student_signal.len(), info.unixtime_ms.len() * 3);
        assert_eq!(runner.pending(59), 0..1, "the first window ends at frame 59");
        assert_eq!(runner.pending(58), 0..0);
        let clock = || 0.0;
        let last = runner.student.len() - 1;
        let one = futures::executor::block_on(run_window(&runner, &bundle, last, &clock)).unwrap();
        // The same window in a batch of all windows (what `trainer evaluate` runs).
        let all = bundle.student.logits(&runner.student, 0..runner.student.len());
        let all = all.into_data().try_to_vec::<f32>().unwrap();
        let classes = bundle.manifest.classes.len();
        let batch = softmax_rows(&all[last * classes..], classes);
        for (a, b) in one.student.probabilities.iter().zip(&batch) {
            assert!((a - b).abs() < 1e-5, "{a} vs {b}");
        }
        assert!(one.teacher.is_some());
        // A batch gives the same answers, without latencies.
        let batch = futures::executor::block_on(run_batch(&runner, &bundle, last - 2..last + 1)).unwrap();
        assert_eq!(batch.len(), 3);
        assert_eq!(batch[2].window, last);
        assert_eq!(batch[2].student.class, one.student.class);
        assert_eq!(batch[2].teacher.as_ref().unwrap().class, one.teacher.as_ref().unwrap().class);
        assert!(batch[2].student.latency_ms.is_none() && one.student.latency_ms.is_some());
    }

    /// Stands for the WebGPU module: the same bundle's kernels, run "elsewhere", with every
    /// call recorded and the teacher failing on request.
    #[derive(Debug)]
    struct Elsewhere {
        bundle: ModelBundle,
        calls: std::cell::RefCell<Vec<&'static str>>,
        teacher_fails: bool,
    }

    impl OffloadedModels for Elsewhere {
        fn backend(&self) -> &'static str {
            "elsewhere"
        }

        fn student(&self, values: &[f32], _batch: usize, length: usize) -> OffloadedLogits {
            self.calls.borrow_mut().push("student");
            let logits = self.bundle.student.kernel.as_ref().unwrap().logits(values, length);
            Box::pin(async move { Ok(logits) })
        }

        fn teacher(&self, values: &[f32], _batch: usize, length: usize) -> OffloadedLogits {
            self.calls.borrow_mut().push("teacher");
            let logits = self.bundle.teacher.as_ref().unwrap().kernel.as_ref().unwrap().logits(values, length).semantic;
            let fails = self.teacher_fails;
            Box::pin(async move { if fails { Err("device lost".into()) } else { Ok(logits) } })
        }
    }

    #[test]
    fn each_model_runs_where_it_is_placed_and_a_failure_there_is_reported() {
        use crate::infer::placement::{Backend, Placement};
        let here = ModelBundle::synthetic(&Device::flex()).unwrap();
        let session = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let runner = Runner::new(session, &here).unwrap();
        let local = futures::executor::block_on(run_batch(&runner, &here, 5..8)).unwrap();
        for (placement, calls) in [
            (Placement { student: Backend::WebGpu, teacher: Backend::Cpu }, vec!["student"]),
            (Placement { student: Backend::Cpu, teacher: Backend::WebGpu }, vec!["teacher"]),
            (Placement::WEBGPU, vec!["student", "teacher"]),
            (Placement::CPU, vec![]),
        ] {
            let elsewhere =
                Rc::new(Elsewhere { bundle: here.clone(), calls: Default::default(), teacher_fails: false });
            let placed = here.clone().placed(placement, &(elsewhere.clone() as Rc<dyn OffloadedModels>));
            let batch = futures::executor::block_on(run_batch(&runner, &placed, 5..8)).unwrap();
            assert_eq!(*elsewhere.calls.borrow(), calls, "{placement:?}");
            for (got, want) in batch.iter().zip(&local) {
                assert_eq!(got.student.probabilities, want.student.probabilities);
                assert_eq!(got.teacher.as_ref().unwrap().probabilities, want.teacher.as_ref().unwrap().probabilities);
            }
        }
        let failing = Rc::new(Elsewhere { bundle: here.clone(), calls: Default::default(), teacher_fails: true });
        let placed = here.clone().placed(Placement::WEBGPU, &(failing as Rc<dyn OffloadedModels>));
        let error = futures::executor::block_on(run_window(&runner, &placed, 0, &|| 0.0)).unwrap_err();
        assert_eq!(error, InferError::ReadBack("elsewhere: device lost".into()));
    }

    #[test]
    fn a_parked_runner_resumes_with_the_same_windows_where_it_was() {
        let bundle = ModelBundle::synthetic(&Device::flex()).unwrap();
        let session = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let runner = Runner { next: 7, ..Runner::new(session, &bundle).unwrap() };
        let (student, teacher) = (runner.student.clone(), runner.teacher.clone());
        let resumed = runner.park().resume(&bundle).unwrap();
        assert_eq!(resumed.next, 7);
        assert_eq!(resumed.student, student);
        assert_eq!(resumed.teacher, teacher);
    }

    #[test]
    fn a_wrist_only_session_runs_both_models_and_names_what_the_teacher_lacks() {
        let bundle = ModelBundle::synthetic(&Device::flex()).unwrap();
        let mut session =
            load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let wrist = crate::data::channels::ChannelSelection::new(["right_wrist/acc".to_string()]);
        session.frames = session.frames.select(&wrist).unwrap();
        let runner = Runner::new(session, &bundle).unwrap();
        assert!(runner.teacher_missing.contains(&"left_wrist/e4_acc_x".to_string()));
        assert!(!runner.teacher_missing.contains(&"right_wrist/acc_x".to_string()));
        assert!(runner.info().teacher_runs);
        let result = futures::executor::block_on(run_window(&runner, &bundle, 0, &|| 0.0)).unwrap();
        assert!(result.teacher.is_some(), "the teacher runs on what the session has");
    }

    #[test]
    fn a_session_with_none_of_the_teachers_inputs_runs_the_student_alone() {
        let bundle = ModelBundle::synthetic(&Device::flex()).unwrap();
        let mut session =
            load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let student =
            crate::data::channels::ChannelSelection::new(bundle.manifest.student.normalisation.channels.clone());
        session.frames = session.frames.select(&student).unwrap();
        // A teacher whose inputs all sit on positions this session does not have.
        let mut manifest = bundle.manifest.clone();
        let teacher_inputs = &mut manifest.teacher.as_mut().unwrap().normalisation.channels;
        *teacher_inputs =
            teacher_inputs.iter().map(|c| c.replacen("wrist", "ankle", 1).replacen("arm", "leg", 1)).collect();
        let bundle = ModelBundle { manifest, ..bundle };
        let runner = Runner::new(session, &bundle).unwrap();
        assert!(runner.teacher.is_none() && !runner.info().teacher_runs);
        let result = futures::executor::block_on(run_window(&runner, &bundle, 0, &|| 0.0)).unwrap();
        assert!(result.teacher.is_none());
    }

    #[test]
    fn a_student_only_bundle_runs_the_student_and_lacks_nothing() {
        let full = ModelBundle::synthetic(&Device::flex()).unwrap();
        let manifest = Manifest { teacher: None, semantic: None, ..full.manifest.clone() };
        let bundle = ModelBundle { manifest, teacher: None, ..full.clone() };
        let session = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let runner = Runner::new(session, &bundle).unwrap();
        assert!(runner.teacher.is_none() && runner.teacher_missing.is_empty() && !runner.info().teacher_runs);
        let alone = futures::executor::block_on(run_window(&runner, &bundle, 3, &|| 0.0)).unwrap();
        assert!(alone.teacher.is_none());
        let batch = futures::executor::block_on(run_batch(&runner, &bundle, 0..4)).unwrap();
        assert!(batch.iter().all(|r| r.teacher.is_none()));
        // The student answers as it does in the full bundle.
        let session = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let with_teacher = Runner::new(session, &full).unwrap();
        let both = futures::executor::block_on(run_window(&with_teacher, &full, 3, &|| 0.0)).unwrap();
        assert_eq!(both.student.probabilities, alone.student.probabilities);
    }
}
