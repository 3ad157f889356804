//! The inference worker: the same wasm module as the UI, started in a dedicated Web Worker by
//! [`crate::app::client`], so parsing and both models run off the UI thread. It owns the
//! models and the loaded session, and handles [`ToWorker`] messages strictly in order; between
//! chunks of windows it yields, so a new session or backend choice is not stuck behind a long
//! run.

use std::cell::RefCell;
use std::rc::Rc;

use burn::tensor::Device;
use futures::StreamExt;
use futures::channel::mpsc;
use gloo_events::EventListener;
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::app::backend::{Backends, BundleBytes};
use crate::app::browser::clock_ms;
use crate::app::bundle_store::BundleStore;
use crate::data::classes::ClassTable;
use crate::data::openpack::DeviceMap;
use crate::data::session_files::{LoadedSession, SessionFile, load_session};
use crate::demo::Demo;
use crate::infer::bundle::{BundleError, ModelBundle, sha256_hex};
use crate::infer::bundle_files::BundleFiles;
use crate::infer::model_choice::{LoadedBundle, ModelsId, bundle_id};
use crate::infer::runner::{ParkedRunner, Runner, run_batch, run_window};
use crate::infer::session_info::SessionInfo;
use crate::live::classify::classify;
use crate::protocol::{FromWorker, ToWorker};

/// Windows run between two looks at the message queue during playback.
const CHUNK: usize = 16;
/// The same "as fast as possible": larger batches run faster per window, and a chunk still
/// takes well under a second, so a pause or a new session is handled promptly.
const FAST_CHUNK: usize = 64;

struct Worker {
    scope: DedicatedWorkerGlobalScope,
    /// The devices, and where each model runs.
    backends: Backends,
    /// Which models replay sessions, and those models where `backends` places them.
    models: ModelsId,
    bundle: ModelBundle,
    /// The bundles the user loaded, and where they are kept (none if IndexedDB is unavailable:
    /// then they last until the page closes).
    loaded: Vec<KeptBundle>,
    store: Option<BundleStore>,
    /// Which models classify live windows (the page chooses: see [`ModelsId::live`]), placed
    /// as the replay's models are.
    live_models: ModelsId,
    live_bundle: ModelBundle,
    runner: Option<Runner>,
    /// Run windows up to this frame.
    target_frame: usize,
}

/// A loaded bundle: what the page lists, and its files (decoded again on a backend change).
struct KeptBundle {
    info: LoadedBundle,
    files: BundleFiles,
}

/// A message as it arrives: the JSON of a [`ToWorker`] and the file bytes beside it.
struct Incoming {
    message: Result<ToWorker, String>,
    buffers: Vec<Vec<u8>>,
}

fn incoming(data: &JsValue) -> Incoming {
    let json = Reflect::get(data, &"json".into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let message = serde_json::from_str(&json).map_err(|e| format!("unreadable message to the worker: {e}"));
    let buffers = Reflect::get(data, &"buffers".into())
        .ok()
        .filter(|b| b.is_object())
        .map(|b| {
            Array::from(&b).iter().map(|buf| Uint8Array::new(&buf.unchecked_into::<ArrayBuffer>()).to_vec()).collect()
        })
        .unwrap_or_default();
    Incoming { message, buffers }
}

/// Entry point, called by the worker's bootstrap script with the messages that arrived while
/// the module was loading.
#[wasm_bindgen]
pub fn worker_main(early: Array) {
    crate::constructors::run_once();
    console_error_panic_hook::set_once();
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let (sender, receiver) = mpsc::unbounded::<Incoming>();
    for event in early.iter() {
        let data = Reflect::get(&event, &"data".into()).unwrap_or(JsValue::NULL);
        let _ = sender.unbounded_send(incoming(&data));
    }
    // Lives as long as the worker.
    EventListener::new(&scope, "message", move |event| {
        let event: &MessageEvent = event.unchecked_ref();
        let _ = sender.unbounded_send(incoming(&event.data()));
    })
    .forget();
    wasm_bindgen_futures::spawn_local(run(scope, receiver));
}

async fn run(scope: DedicatedWorkerGlobalScope, mut receiver: mpsc::UnboundedReceiver<Incoming>) {
    let backends = Backends::default();
    let models = ModelsId::default();
    let live_models = models.live();
    let (bundle, live_bundle) = match bundles(&models, &live_models, &[], &backends) {
        Ok(bundles) => bundles,
        Err(e) => return post(&scope, &FromWorker::Failed { message: format!("the embedded models: {e}") }),
    };
    let store = match BundleStore::open().await {
        Ok(store) => Some(store),
        Err(e) => {
            post(&scope, &FromWorker::Failed { message: format!("loaded models will not be kept: {e}") });
            None
        }
    };
    let loaded = match &store {
        Some(store) => kept_bundles(&scope, store, backends.cpu()).await,
        None => Vec::new(),
    };
    let worker = Rc::new(RefCell::new(Worker {
        scope,
        backends,
        models,
        bundle,
        loaded,
        store,
        live_models,
        live_bundle,
        runner: None,
        target_frame: 0,
    }));
    post_bundles(&worker.borrow());
    loop {
        // Handle everything already queued, then do a chunk of work, else wait for a message.
        while let Ok(next) = receiver.try_recv() {
            handle(&worker, next).await;
        }
        if has_work(&worker.borrow()) {
            run_chunk(&worker).await;
            yield_now().await;
        } else {
            match receiver.next().await {
                Some(next) => handle(&worker, next).await,
                None => return,
            }
        }
    }
}

fn has_work(worker: &Worker) -> bool {
    worker.runner.as_ref().is_some_and(|r| !r.pending(worker.target_frame).is_empty())
}

// Borrows of the worker are held across awaits on purpose: only this one task touches it.
#[allow(clippy::await_holding_refcell_ref)]
async fn handle(worker: &Rc<RefCell<Worker>>, incoming: Incoming) {
    let message = match incoming.message {
        Ok(message) => message,
        Err(message) => return post(&worker.borrow().scope, &FromWorker::Failed { message }),
    };
    match message {
        ToWorker::UseBackend { choice, remembered } => {
            {
                let mut w = worker.borrow_mut();
                w.backends.choice = choice;
                w.backends.remembered = remembered;
            }
            place(worker).await;
        }
        ToWorker::LoadDemo { demo, base_url } => {
            let previous = park_runner(&mut worker.borrow_mut());
            let scope = worker.borrow().scope.clone();
            let started = clock_ms();
            let loaded = match fetch_demo(&scope, demo, &base_url).await {
                Ok(files) => load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations())
                    .map(|s| LoadedSession {
                        name: demo.name().to_string(),
                        attribution: demo.attribution().map(String::from),
                        ..s
                    })
                    .map_err(|e| e.to_string()),
                Err(message) => Err(message),
            };
            let loaded = loaded.and_then(|session| {
                switch_models(&mut worker.borrow_mut(), &ModelsId::Embedded(demo.models()))
                    .map_err(|e| e.to_string())?;
                Ok(session)
            });
            replace_session(&mut worker.borrow_mut(), loaded, started, previous);
        }
        ToWorker::LoadFiles { paths } => {
            let previous = park_runner(&mut worker.borrow_mut());
            let files: Vec<SessionFile> =
                paths.into_iter().zip(incoming.buffers).map(|(path, bytes)| SessionFile { path, bytes }).collect();
            let (classes, started) = (worker.borrow().bundle.classes(), clock_ms());
            let loaded = load_session(&files, &DeviceMap::default(), &classes).map_err(|e| e.to_string());
            replace_session(&mut worker.borrow_mut(), loaded, started, previous);
        }
        ToWorker::UseModels(models) => use_models(&mut worker.borrow_mut(), models),
        ToWorker::AddBundle { paths } => add_bundle(worker, paths, incoming.buffers).await,
        ToWorker::RemoveBundle { id } => remove_bundle(worker, &id).await,
        ToWorker::InferUntil { frame } => worker.borrow_mut().target_frame = frame,
        ToWorker::UseLiveModels(models) => use_live_models(&mut worker.borrow_mut(), models),
        ToWorker::LiveWindow { end_frame, frames } => {
            // Held across the await like run_chunk's: only this task handles messages.
            let w = worker.borrow();
            let message = match classify(end_frame, frames, &w.live_bundle, &clock_ms).await {
                Ok(result) => FromWorker::Live { models: w.live_models.clone(), result },
                Err(message) => FromWorker::Failed { message: format!("live window: {message}") },
            };
            post(&w.scope, &message);
        }
        ToWorker::Channel { name } => {
            let w = worker.borrow();
            if let Some(values) = w.runner.as_ref().and_then(|r| r.channel(&name)) {
                post(&w.scope, &FromWorker::Channel { name, values });
            }
        }
    }
    // New models may run faster elsewhere: time them (or recall their timing) before going on.
    let stale = {
        let w = worker.borrow();
        w.backends.stale_for(&w.models)
    };
    if stale {
        place(worker).await;
    }
}

/// Fetches a demo's files from beside the app (same origin: nothing leaves the device).
async fn fetch_demo(
    scope: &DedicatedWorkerGlobalScope,
    demo: Demo,
    base_url: &str,
) -> Result<Vec<SessionFile>, String> {
    let mut files = Vec::with_capacity(demo.paths().len());
    for &path in demo.paths() {
        let url = format!("{base_url}{path}");
        let failed = |what: &str| format!("the demo file {url} could not be loaded ({what})");
        let response: web_sys::Response = wasm_bindgen_futures::JsFuture::from(scope.fetch_with_str(&url))
            .await
            .map_err(|_| failed("network"))?
            .unchecked_into();
        if !response.ok() {
            return Err(failed(&format!("HTTP {}", response.status())));
        }
        let buffer = response.array_buffer().map_err(|_| failed("body"))?;
        let buffer = wasm_bindgen_futures::JsFuture::from(buffer).await.map_err(|_| failed("body"))?;
        files.push(SessionFile { path: path.to_string(), bytes: Uint8Array::new(&buffer).to_vec() });
    }
    Ok(files)
}

/// Releases the current session's windows before the next session loads, so that two
/// sessions' windows are never in memory at once (see [`ParkedRunner`]).
fn park_runner(worker: &mut Worker) -> Option<ParkedRunner> {
    worker.runner.take().map(Runner::park)
}

/// Swaps in a new session, or brings back the `previous` one and reports why the new one
/// failed. `started`: when loading began, for the time shown beside the session.
fn replace_session(
    worker: &mut Worker,
    loaded: Result<LoadedSession, String>,
    started: f64,
    previous: Option<ParkedRunner>,
) {
    match loaded.and_then(|session| Runner::new(session, &worker.bundle).map_err(|e| e.to_string())) {
        Ok(runner) => announce(worker, runner, started),
        Err(message) => {
            // It ran before on this bundle, so it rebuilds.
            worker.runner = previous.and_then(|parked| parked.resume(&worker.bundle).ok());
            post(&worker.scope, &FromWorker::LoadFailed { message });
        }
    }
}

/// Makes `runner` the session and tells the page, which replays it from its start.
fn announce(worker: &mut Worker, runner: Runner, started: f64) {
    let info = SessionInfo {
        load_ms: clock_ms() - started,
        worker_memory_bytes: crate::app::kiosk::wasm_memory_bytes(),
        models: worker.models.clone(),
        ..runner.info()
    };
    post(&worker.scope, &FromWorker::Loaded(info));
    worker.runner = Some(runner);
    worker.target_frame = 0;
}

/// Decides where the models run (see [`Backends::decide`]), decodes the replay and live models
/// there and tells the page.
#[allow(clippy::await_holding_refcell_ref)] // see `handle`
async fn place(worker: &Rc<RefCell<Worker>>) {
    let mut guard = worker.borrow_mut();
    let w = &mut *guard;
    let scope = w.scope.clone();
    let models = w.models.clone();
    let loaded = &w.loaded;
    let report =
        w.backends.decide(&scope, &models, |cpu| decode_on(&models, loaded, cpu), || files_of(&models, loaded)).await;
    w.backends.placement = report.placement;
    w.backends.placed_for = Some(models);
    match bundles(&w.models, &w.live_models, &w.loaded, &w.backends) {
        Ok((bundle, live_bundle)) => {
            w.bundle = bundle;
            w.live_bundle = live_bundle;
            post(&scope, &FromWorker::Backend(report));
        }
        Err(e) => post(&scope, &FromWorker::Failed { message: format!("loading the models failed: {e}") }),
    }
}

/// `models` for replay and `live_models` for live windows, placed by `backends` (decoded once
/// when they are the same).
fn bundles(
    models: &ModelsId,
    live_models: &ModelsId,
    loaded: &[KeptBundle],
    backends: &Backends,
) -> Result<(ModelBundle, ModelBundle), BundleError> {
    let live = decode(live_models, loaded, backends)?;
    let replay = if models == live_models { live.clone() } else { decode(models, loaded, backends)? };
    Ok((replay, live))
}

/// Classifies live windows with `models` from now on; if they cannot be decoded, the live
/// models stay and the page is told why.
fn use_live_models(worker: &mut Worker, models: ModelsId) {
    if worker.live_models == models {
        return;
    }
    let decoded = if models == worker.models {
        Ok(worker.bundle.clone())
    } else {
        decode(&models, &worker.loaded, &worker.backends)
    };
    match decoded {
        Ok(bundle) => {
            worker.live_bundle = bundle;
            worker.live_models = models;
        }
        Err(e) => post(&worker.scope, &FromWorker::Failed { message: format!("live models: {e}") }),
    }
}

/// The models of `models`, each where `backends` places it.
fn decode(models: &ModelsId, loaded: &[KeptBundle], backends: &Backends) -> Result<ModelBundle, BundleError> {
    backends.placed(decode_on(models, loaded, backends.cpu())?, || files_of(models, loaded))
}

/// The models of `models`, both on `device`.
fn decode_on(models: &ModelsId, loaded: &[KeptBundle], device: &Device) -> Result<ModelBundle, BundleError> {
    match models {
        ModelsId::Embedded(embedded) => ModelBundle::embedded_of(*embedded, device),
        ModelsId::Loaded(id) => ModelBundle::from_files(&kept(loaded, id)?.files, device),
    }
}

/// The files of `models` by path, `manifest.json` among them: what the WebGPU module decodes.
fn files_of<'a>(models: &ModelsId, loaded: &'a [KeptBundle]) -> Result<BundleBytes<'a>, BundleError> {
    match models {
        ModelsId::Embedded(embedded) => Ok(embedded.files()),
        ModelsId::Loaded(id) => {
            let files = &kept(loaded, id)?.files;
            Ok(files.paths().filter_map(|path| files.file(path).map(|bytes| (path.to_string(), bytes))).collect())
        }
    }
}

/// The loaded bundle `id`.
fn kept<'a>(loaded: &'a [KeptBundle], id: &str) -> Result<&'a KeptBundle, BundleError> {
    loaded
        .iter()
        .find(|kept| kept.info.id == id)
        .ok_or_else(|| BundleError { file: id.to_string(), message: "this bundle was removed".into() })
}

/// Replays with `models` from now on (placed as the current ones are); no-op if already so.
fn switch_models(worker: &mut Worker, models: &ModelsId) -> Result<(), BundleError> {
    if worker.models != *models {
        // The live models are decoded already.
        worker.bundle = if *models == worker.live_models {
            worker.live_bundle.clone()
        } else {
            decode(models, &worker.loaded, &worker.backends)?
        };
        worker.models = models.clone();
        post(&worker.scope, &FromWorker::ModelsInUse(models.clone()));
    }
    Ok(())
}

/// The user's choice of models: the loaded session is cut anew for them (their windows may
/// differ) and replays from its start, or keeps the models it had if the new ones cannot run it.
fn use_models(worker: &mut Worker, models: ModelsId) {
    if worker.models == models {
        return;
    }
    let previous = (worker.models.clone(), worker.bundle.clone());
    if let Err(e) = switch_models(worker, &models) {
        return post(&worker.scope, &FromWorker::Failed { message: format!("loading the models failed: {e}") });
    }
    let Some(parked) = park_runner(worker) else { return };
    let started = clock_ms();
    match Runner::new(parked.session().clone(), &worker.bundle) {
        Ok(runner) => announce(worker, runner, started),
        Err(message) => {
            (worker.models, worker.bundle) = previous;
            post(&worker.scope, &FromWorker::ModelsInUse(worker.models.clone()));
            worker.runner = parked.resume(&worker.bundle).ok();
            let message = format!("{message}; the session stays with the models it had");
            post(&worker.scope, &FromWorker::LoadFailed { message });
        }
    }
}

/// The bundles kept in the browser, each checked again; one that no longer loads (damaged
/// storage, a bundle this version cannot read) is reported and left out.
async fn kept_bundles(scope: &DedicatedWorkerGlobalScope, store: &BundleStore, device: &Device) -> Vec<KeptBundle> {
    let stored = match store.all().await {
        Ok(stored) => stored,
        Err(message) => {
            post(
                scope,
                &FromWorker::Failed { message: format!("the loaded models could not be read back: {message}") },
            );
            return Vec::new();
        }
    };
    let mut kept = Vec::with_capacity(stored.len());
    for (id, zip) in stored {
        match BundleFiles::from_zip(&id, &zip).map_err(BundleError::from).and_then(|files| checked(files, device)) {
            Ok((bundle, _)) => kept.push(bundle),
            Err(e) => post(scope, &FromWorker::Failed { message: format!("a kept bundle no longer loads: {e}") }),
        }
    }
    kept
}

/// Decodes `files` (which checks every file against the manifest) into a bundle to keep.
fn checked(files: BundleFiles, device: &Device) -> Result<(KeptBundle, ModelBundle), BundleError> {
    let models = ModelBundle::from_files(&files, device)?;
    let id = bundle_id(&sha256_hex(files.manifest_json()?.as_bytes()));
    let info = LoadedBundle { id, manifest: models.manifest.clone(), size_bytes: files.size_bytes() };
    Ok((KeptBundle { info, files }, models))
}

/// The files the page sent: one zip, or a folder's files by their paths.
fn bundle_files(paths: Vec<String>, buffers: Vec<Vec<u8>>) -> Result<BundleFiles, BundleError> {
    if let [path] = paths.as_slice()
        && path.to_ascii_lowercase().ends_with(".zip")
    {
        let zip = buffers.first().map(Vec::as_slice).unwrap_or_default();
        return Ok(BundleFiles::from_zip(path, zip)?);
    }
    Ok(BundleFiles::from_paths(paths.into_iter().zip(buffers))?)
}

/// Checks a bundle the user brought, keeps it and replays with it; a bundle that fails any
/// check is refused by name and the models in use stay.
#[allow(clippy::await_holding_refcell_ref)] // see `handle`
async fn add_bundle(worker: &Rc<RefCell<Worker>>, paths: Vec<String>, buffers: Vec<Vec<u8>>) {
    let name = paths.first().map(|p| p.split('/').next().unwrap_or(p).to_string()).unwrap_or_default();
    let device = worker.borrow().backends.cpu().clone();
    let (kept, _) = match bundle_files(paths, buffers).and_then(|files| checked(files, &device)) {
        Ok(checked) => checked,
        Err(e) => {
            let message = format!("{name}: not loaded, the models in use stay ({e})");
            return post(&worker.borrow().scope, &FromWorker::BundleRefused { message });
        }
    };
    let id = kept.info.id.clone();
    {
        let w = worker.borrow();
        if let Some(store) = &w.store
            && let Err(e) = store.put(&id, &kept.files.to_zip()).await
        {
            post(&w.scope, &FromWorker::Failed { message: format!("{name} is used but will not be kept: {e}") });
        }
    }
    let mut w = worker.borrow_mut();
    w.loaded.retain(|other| other.info.id != id);
    w.loaded.push(kept);
    post_bundles(&w);
    use_models(&mut w, ModelsId::Loaded(id));
}

/// Forgets a loaded bundle; if it was in use, the default models take over.
#[allow(clippy::await_holding_refcell_ref)] // see `handle`
async fn remove_bundle(worker: &Rc<RefCell<Worker>>, id: &str) {
    {
        let w = worker.borrow();
        if let Some(store) = &w.store
            && let Err(e) = store.delete(id).await
        {
            return post(&w.scope, &FromWorker::Failed { message: format!("removing the bundle failed: {e}") });
        }
    }
    let mut w = worker.borrow_mut();
    w.loaded.retain(|kept| kept.info.id != id);
    post_bundles(&w);
    if w.models == ModelsId::Loaded(id.to_string()) {
        use_models(&mut w, ModelsId::default());
    }
}

fn post_bundles(worker: &Worker) {
    let loaded = worker.loaded.iter().map(|kept| kept.info.clone()).collect();
    post(&worker.scope, &FromWorker::Bundles { loaded });
}

#[allow(clippy::await_holding_refcell_ref)] // see `handle`
async fn run_chunk(worker: &Rc<RefCell<Worker>>) {
    let scope = worker.borrow().scope.clone();
    let (range, fast) = {
        let w = worker.borrow();
        let pending = w.runner.as_ref().map(|r| r.pending(w.target_frame)).unwrap_or(0..0);
        let fast = w.target_frame == usize::MAX;
        let chunk = if fast { FAST_CHUNK } else { CHUNK };
        (pending.start..pending.end.min(pending.start + chunk), fast)
    };
    // The borrow is held across the awaits: nothing else touches the worker meanwhile, because
    // messages are only handled by this same task.
    let w = worker.borrow();
    let Some(runner) = w.runner.as_ref() else { return };
    let mut results = Vec::new();
    let mut outcome = Ok(());
    for window in range.clone() {
        // As fast as possible: two windows alone, the second timed (the first after a pause
        // runs cold and would overstate latency), then the rest of the chunk as one batch.
        if fast && window > range.start + 1 {
            outcome = run_batch(runner, &w.bundle, window..range.end).await.map(|batch| results.extend(batch));
            break;
        }
        match run_window(runner, &w.bundle, window, &clock_ms).await {
            Ok(mut result) if fast && window == range.start => {
                result.student.latency_ms = None;
                if let Some(teacher) = result.teacher.as_mut() {
                    teacher.latency_ms = None;
                }
                results.push(result);
            }
            Ok(result) => results.push(result),
            Err(message) => {
                outcome = Err(message);
                break;
            }
        }
    }
    drop(w);
    if let Err(message) = outcome {
        worker.borrow_mut().runner = None;
        return post(&scope, &FromWorker::Failed { message: message.to_string() });
    }
    if let Some(runner) = worker.borrow_mut().runner.as_mut() {
        runner.next += results.len();
    }
    post(&scope, &FromWorker::Results { results });
}

fn post(scope: &DedicatedWorkerGlobalScope, message: &FromWorker) {
    let _ = scope.post_message(&JsValue::from_str(&message.to_json()));
}

/// Lets the event loop deliver queued messages before the next chunk.
async fn yield_now() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}
