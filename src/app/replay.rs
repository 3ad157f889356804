//! The replay's typed context: the session, the predictions so far, the playback clock and
//! the worker link, shared by every panel. Playback is a 50 ms tick that moves the clock by
//! the chosen speed and asks the worker for the windows that ended meanwhile.

use std::time::Duration;

use leptos::prelude::*;

use crate::data::classes::ClassTable;
use crate::demo::Demo;
use crate::infer::embedded::EmbeddedModels;
use crate::infer::model_choice::{LoadedBundle, ModelsId, label_of, manifest_of};
use crate::infer::session_info::SessionInfo;
use crate::model::manifest::Manifest;
use crate::protocol::{BackendChoice, BackendReport, FromWorker, PlacementWhy, ToWorker};
use crate::replay::state::ReplayState;

use super::client::WorkerClient;

const TICK: Duration = Duration::from_millis(50);

/// Playback speed: a multiple of real time, or as fast as the models go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Speed {
    Times(u32),
    AsFastAsPossible,
}

impl Speed {
    pub const CHOICES: [Speed; 8] = [
        Speed::Times(1),
        Speed::Times(2),
        Speed::Times(4),
        Speed::Times(8),
        Speed::Times(16),
        Speed::Times(32),
        Speed::Times(64),
        Speed::AsFastAsPossible,
    ];

    pub fn value(self) -> String {
        match self {
            Speed::Times(n) => n.to_string(),
            Speed::AsFastAsPossible => "max".into(),
        }
    }

    pub fn label(self) -> String {
        match self {
            Speed::Times(n) => format!("{n}x"),
            Speed::AsFastAsPossible => "as fast as possible".into(),
        }
    }

    pub fn parse(value: &str) -> Option<Speed> {
        Speed::CHOICES.into_iter().find(|s| s.value() == value)
    }
}

/// Everything the panels read and the controls change.
#[derive(Clone, Copy)]
pub struct Replay {
    pub info: RwSignal<Option<SessionInfo>>,
    pub state: RwSignal<Option<ReplayState>>,
    /// The frame being shown.
    pub position: RwSignal<usize>,
    pub playing: RwSignal<bool>,
    pub speed: RwSignal<Speed>,
    /// Where the models run, and why (`None` while the worker decides).
    pub backend: RwSignal<Option<BackendReport>>,
    pub backend_choice: RwSignal<BackendChoice>,
    /// The last error, shown until dismissed; the app keeps its state.
    pub error: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    /// A model bundle is on its way to the worker's checks.
    pub adding_bundle: RwSignal<bool>,
    /// The models that replay sessions (as the worker confirms them).
    pub models: RwSignal<ModelsId>,
    /// The bundles the user loaded (kept in the browser by the worker).
    pub bundles: RwSignal<Vec<LoadedBundle>>,
    /// Frames per second of the session's clock, from its timestamps (see
    /// [`SessionInfo::frame_rate_hz`]): the clock, the speeds and the plots count in it.
    pub frame_rate: RwSignal<f64>,
    /// Sessions loaded so far: a caller that asked for one knows it came (kiosk mode).
    pub loads: StoredValue<u64>,
    /// The teacher channel shown in the plot, and its values.
    pub teacher_channel: RwSignal<Option<(String, Vec<f32>)>>,
    /// The latest answer for a live window (live mode shares the worker).
    pub live_result: RwSignal<Option<crate::live::classify::LiveResult>>,
    /// The models live windows go to (the live view sets them): answers from others, still
    /// on their way when the live models changed, are dropped.
    pub live_models: RwSignal<ModelsId>,
    client: StoredValue<Option<WorkerClient>, LocalStorage>,
    /// Fractional clock, so slow speeds advance smoothly.
    clock: StoredValue<f64>,
    /// How many seconds of playback each second of the wall clock is worth at 1x (`?timescale=`,
    /// default 1): the soak test runs 8 hours of a booth's 1x loop, window by window, in minutes.
    time_scale: StoredValue<f64>,
    requested: StoredValue<usize>,
}

impl Replay {
    /// Creates the context, starts the worker and the playback tick.
    pub fn provide() -> Self {
        let replay = Replay {
            info: RwSignal::new(None),
            state: RwSignal::new(None),
            position: RwSignal::new(0),
            playing: RwSignal::new(false),
            speed: RwSignal::new(Speed::Times(8)),
            backend: RwSignal::new(None),
            backend_choice: RwSignal::new(super::backend_memory::choice()),
            error: RwSignal::new(None),
            loading: RwSignal::new(false),
            adding_bundle: RwSignal::new(false),
            models: RwSignal::new(ModelsId::default()),
            bundles: RwSignal::new(Vec::new()),
            frame_rate: RwSignal::new(crate::data::frames::GRID_RATE_HZ),
            loads: StoredValue::new(0),
            teacher_channel: RwSignal::new(None),
            live_result: RwSignal::new(None),
            live_models: RwSignal::new(ModelsId::default().live()),
            client: StoredValue::new_local(None),
            clock: StoredValue::new(0.0),
            time_scale: StoredValue::new(time_scale_from_query()),
            requested: StoredValue::new(0),
        };
        provide_context(replay);
        match WorkerClient::spawn(move |message| replay.receive(message)) {
            Ok(client) => {
                client.send(&replay.use_backend(replay.backend_choice.get_untracked()));
                replay.client.set_value(Some(client));
            }
            Err(e) => replay.error.set(Some(format!("the inference worker did not start: {e}"))),
        }
        if let Ok(handle) = set_interval_with_handle(move || replay.tick(), TICK) {
            on_cleanup(move || handle.clear());
        }
        replay
    }

    pub fn send(&self, message: &ToWorker) {
        self.client.with_value(|c| {
            if let Some(c) = c {
                c.send(message)
            }
        });
    }

    pub fn send_files(&self, message: &ToWorker, buffers: Vec<js_sys::ArrayBuffer>) {
        self.client.with_value(|c| {
            if let Some(c) = c {
                c.send_with_files(message, buffers)
            }
        });
    }

    /// Replays `demo` with the models trained on its kind of data.
    pub fn load_demo(&self, demo: Demo) {
        let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
        match web_sys::Url::new_with_base(demo.folder(), &page) {
            Ok(url) => {
                self.loading.set(true);
                self.send(&ToWorker::LoadDemo { demo, base_url: url.href() });
            }
            Err(_) => self.error.set(Some(format!("cannot locate the demo session from {page}"))),
        }
    }

    /// Replays with `models` from now on; the loaded session starts again with them.
    pub fn use_models(&self, models: ModelsId) {
        self.models.set(models.clone());
        self.send(&ToWorker::UseModels(models));
    }

    /// Forgets a loaded bundle (the worker falls back to the built-in models if it was in use).
    pub fn remove_bundle(&self, id: String) {
        self.send(&ToWorker::RemoveBundle { id });
    }

    /// The manifest of the models in use (tracked). A loaded bundle's manifest comes with the
    /// bundle list, which the worker sends before it switches to the bundle.
    pub fn manifest(&self) -> Manifest {
        let models = self.models.get();
        self.bundles.with(|loaded| manifest_of(&models, loaded)).unwrap_or_else(|| EmbeddedModels::default().manifest())
    }

    /// What to call the models in use (tracked).
    pub fn models_label(&self) -> String {
        let models = self.models.get();
        self.bundles.with(|loaded| label_of(&models, loaded))
    }

    /// The user's choice of backend: remembered, and sent to the worker.
    pub fn set_backend(&self, choice: BackendChoice) {
        super::backend_memory::save_choice(choice);
        self.backend_choice.set(choice);
        self.backend.set(None);
        self.send(&self.use_backend(choice));
    }

    /// The message for `choice`, with the timings remembered on this browser.
    fn use_backend(&self, choice: BackendChoice) -> ToWorker {
        ToWorker::UseBackend { choice, remembered: super::backend_memory::timings() }
    }

    pub fn play(&self) {
        if self.info.with_untracked(Option::is_some) {
            let at_end = self
                .info
                .with_untracked(|i| i.as_ref().is_some_and(|i| self.position.get_untracked() + 1 >= i.labels.len()));
            if at_end {
                self.seek(0);
            }
            self.playing.set(true);
        }
    }

    pub fn seek(&self, frame: usize) {
        self.clock.set_value(frame as f64);
        self.position.set(frame);
    }

    fn receive(&self, message: FromWorker) {
        match message {
            FromWorker::Backend(report) => {
                if let PlacementWhy::Measured(measured) = &report.why {
                    super::backend_memory::save_timing(measured.clone());
                }
                self.backend.set(Some(report));
            }
            FromWorker::Loaded(info) => {
                self.models.set(info.models.clone());
                let manifest = self
                    .bundles
                    .with_untracked(|loaded| manifest_of(&info.models, loaded))
                    .unwrap_or_else(|| EmbeddedModels::default().manifest());
                let table =
                    ClassTable { classes: manifest.classes, null_id: manifest.null_id, null_aliases: Vec::new() };
                let state = ReplayState::new(
                    table,
                    info.unixtime_ms.clone(),
                    info.labels.clone(),
                    info.starts.clone(),
                    info.length,
                );
                self.state.set(Some(state));
                self.frame_rate.set(info.frame_rate_hz());
                self.info.set(Some(info));
                self.teacher_channel.set(None);
                self.requested.set_value(0);
                self.seek(0);
                self.loading.set(false);
                self.loads.update_value(|n| *n += 1);
                self.error.set(None);
                self.play();
            }
            FromWorker::LoadFailed { message } => {
                self.loading.set(false);
                self.error.set(Some(message));
            }
            FromWorker::Results { results } => {
                self.state.update(|s| {
                    if let Some(s) = s {
                        s.push(results)
                    }
                });
                if self.speed.get_untracked() == Speed::AsFastAsPossible {
                    let covered = self.state.with_untracked(|s| s.as_ref().map_or(0, |s| s.frames_covered()));
                    self.seek(covered.saturating_sub(1));
                }
            }
            FromWorker::Channel { name, values } => self.teacher_channel.set(Some((name, values))),
            FromWorker::Bundles { loaded } => {
                self.adding_bundle.set(false);
                self.bundles.set(loaded);
            }
            FromWorker::ModelsInUse(models) => self.models.set(models),
            FromWorker::BundleRefused { message } => {
                self.adding_bundle.set(false);
                self.error.set(Some(message));
            }
            FromWorker::Live { models, result } => {
                if self.live_models.with_untracked(|live| *live == models) {
                    self.live_result.set(Some(result));
                }
            }
            FromWorker::Failed { message } => self.error.set(Some(message)),
        }
    }

    fn tick(&self) {
        if !self.playing.get_untracked() {
            return;
        }
        let Some(frames) = self.info.with_untracked(|i| i.as_ref().map(|i| i.labels.len())) else { return };
        let last = frames.saturating_sub(1);
        match self.speed.get_untracked() {
            Speed::AsFastAsPossible => {
                self.request(usize::MAX);
                if self.state.with_untracked(|s| s.as_ref().is_some_and(ReplayState::is_complete)) {
                    self.seek(last);
                    self.playing.set(false);
                }
            }
            Speed::Times(times) => {
                let rate = self.frame_rate.get_untracked();
                let step = times as f64 * rate * TICK.as_secs_f64() * self.time_scale.get_value();
                let clock = (self.clock.get_value() + step).min(last as f64);
                self.clock.set_value(clock);
                self.position.set(clock as usize);
                self.request(clock as usize);
                if clock as usize >= last {
                    self.playing.set(false);
                }
            }
        }
    }

    /// Asks the worker for the windows up to `frame`, once per new frame.
    fn request(&self, frame: usize) {
        if frame > self.requested.get_value() {
            self.requested.set_value(frame);
            self.send(&ToWorker::InferUntil { frame });
        }
    }
}

/// `?timescale=N` (a number from 1 to 10,000), else 1.
fn time_scale_from_query() -> f64 {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|params| params.get("timescale"))
        .and_then(|text| text.parse::<f64>().ok())
        .filter(|scale| (1.0..=10_000.0).contains(scale))
        .unwrap_or(1.0)
}

/// The replay context of the current app.
pub fn use_replay() -> Replay {
    expect_context::<Replay>()
}
