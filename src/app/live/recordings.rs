//! Recording in the live view, the typed context of the recorder panel: start, label, stop,
//! resume, delete and export recordings. While recording, a tick appends the frames every
//! recorded position has completed and, once a second, saves the new ones to the journal, so
//! a reload or a crash keeps everything up to the last second.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use futures::channel::oneshot;
use leptos::prelude::*;

use crate::app::browser::unix_ms;
use crate::app::download;
use crate::data::classes::{ClassId, ClassTable};
use crate::live::export::{openpack_zip, recording_zip, safe_name};
use crate::live::recorder::Recorder;
use crate::live::recording::{Chunk, Recording, RecordingSummary};

use super::journal::Journal;
use super::session::Live;

const TICK: Duration = Duration::from_millis(250);
/// Time between saves, by the clock rather than by ticks: a hidden tab's timers fire late. Half
/// a second, so that a crash (which fires no `pagehide`) loses at most the last second: a frame
/// shown is saved within this plus a tick (250 ms) plus the write (tests/e2e/recording.test.mjs).
const SAVE_EVERY_MS: f64 = 500.0;

/// How the warning about a failed save begins (cleared once a save succeeds again).
const NOT_SAVED: &str = "Not saved yet";

/// What the page shows of the recording in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordingView {
    pub id: String,
    pub name: String,
    pub positions: Vec<String>,
    pub frames: usize,
    pub seconds: f64,
    pub saved_seconds: f64,
    pub label: String,
}

/// Which file layout an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// Recording CSVs and a dataset spec.
    Csv,
    /// OpenPack's folder layout.
    OpenPack,
}

struct State {
    recorder: Option<Recorder>,
    journal: Option<Rc<Journal>>,
    /// Chunks whose save failed, with their recording's id, retried with that recording's
    /// next save (oldest first).
    pending: Vec<(String, Chunk)>,
    /// A save is in flight: saves never overlap, so a failed chunk is always re-queued before
    /// the next save looks, and Stop's final save waits for it.
    saving: bool,
    /// Told when the save in flight ends (Stop's final save waits on this, not on a timer).
    after_save: Vec<oneshot::Sender<()>>,
    /// The recording whose final save (after Stop) has not finished: it cannot be resumed
    /// until its last chunk is in the journal.
    finishing: Option<String>,
    last_save_ms: f64,
    saved_seconds: f64,
}

impl State {
    /// The save in flight has ended: the next may start, and whoever waits for it is told.
    fn save_ended(&mut self) {
        self.saving = false;
        for waiter in self.after_save.drain(..) {
            let _ = waiter.send(());
        }
    }

    /// Resolves when the save in flight ends.
    async fn save_ends(state: &Rc<RefCell<State>>) {
        let (told, ended) = oneshot::channel();
        state.borrow_mut().after_save.push(told);
        let _ = ended.await;
    }

    /// Takes the failed chunks of recording `id` off the queue.
    fn take_pending(&mut self, id: &str) -> Vec<Chunk> {
        let (mine, others) = std::mem::take(&mut self.pending).into_iter().partition(|(owner, _)| owner == id);
        self.pending = others;
        mine.into_iter().map(|(_, chunk)| chunk).collect()
    }

    /// Puts chunks whose save failed back at the front of the queue.
    fn requeue(&mut self, id: &str, chunks: Vec<Chunk>) {
        let failed = chunks.into_iter().map(|chunk| (id.to_string(), chunk));
        self.pending.splice(0..0, failed);
    }
}

/// The recorder panel's context.
#[derive(Clone, Copy)]
pub struct Recordings {
    pub current: RwSignal<Option<RecordingView>>,
    pub saved: RwSignal<Vec<RecordingSummary>>,
    /// The label new frames get, by class id (the recording's classes).
    pub label: RwSignal<ClassId>,
    pub error: RwSignal<Option<String>>,
    /// A stopped recording's last frames are being saved (a restart must wait for them).
    pub finishing: RwSignal<bool>,
    state: StoredValue<Rc<RefCell<State>>, LocalStorage>,
    live: Live,
}

impl Recordings {
    /// Creates the context, opens the journal and lists what it holds.
    pub fn provide(live: Live) -> Recordings {
        let classes = live.classes();
        let recordings = Recordings {
            current: RwSignal::new(None),
            saved: RwSignal::new(Vec::new()),
            label: RwSignal::new(classes.null_id),
            error: RwSignal::new(None),
            finishing: RwSignal::new(false),
            state: StoredValue::new_local(Rc::new(RefCell::new(State {
                recorder: None,
                journal: None,
                pending: Vec::new(),
                saving: false,
                after_save: Vec::new(),
                finishing: None,
                last_save_ms: 0.0,
                saved_seconds: 0.0,
            }))),
            live,
        };
        provide_context(recordings);
        wasm_bindgen_futures::spawn_local(async move {
            match Journal::open().await {
                Ok(journal) => {
                    recordings.state.get_value().borrow_mut().journal = Some(Rc::new(journal));
                    recordings.refresh().await;
                }
                Err(e) => recordings.error.set(Some(format!("Recordings will not survive a reload: {e}"))),
            }
        });
        // Labels follow the live models: a label theirs do not know goes back to their Null
        // (a recording keeps its own classes).
        Effect::new(move |_| {
            let classes = live.manifest.with(|m| m.class_table());
            let idle = recordings.current.with_untracked(Option::is_none);
            if idle && classes.index_of(recordings.label.get_untracked()).is_none() {
                recordings.label.set(classes.null_id);
            }
        });
        if let Ok(handle) = set_interval_with_handle(move || recordings.tick(), TICK) {
            on_cleanup(move || handle.clear());
        }
        // A tab going into the background or away saves what it has at once: its timers may
        // not fire again for a minute, or ever.
        let hidden = window_event_listener(leptos::ev::visibilitychange, move |_| recordings.save_now());
        let leaving = window_event_listener(leptos::ev::pagehide, move |_| recordings.save_now());
        on_cleanup(move || {
            hidden.remove();
            leaving.remove();
        });
        recordings
    }

    fn journal(&self) -> Option<Rc<Journal>> {
        self.state.get_value().borrow().journal.clone()
    }

    async fn refresh(&self) {
        let Some(journal) = self.journal() else { return };
        match journal.list().await {
            Ok(list) => self.saved.set(list),
            Err(e) => self.error.set(Some(e)),
        }
    }

    /// Starts recording every streaming position.
    pub fn start(&self, name: &str, subject: &str) {
        let state = self.state.get_value();
        let mut state = state.borrow_mut();
        if state.recorder.is_some() {
            return;
        }
        let id = format!("rec-{}-{:06}", unix_ms() as u64, (js_sys::Math::random() * 1e6) as u32);
        let name = if name.trim().is_empty() { id.clone() } else { name.trim().to_string() };
        let subject = if subject.trim().is_empty() { "worker".to_string() } else { subject.trim().to_string() };
        let origin = self.live.origin_unix_ms();
        let label = self.label.get_untracked();
        let classes = self.live.classes();
        let new = |channels| Recording::new(&id, &name, &subject, 0.0, channels, classes);
        match self.live.with_frames(|frames| Recorder::start(frames, origin, new, label)) {
            Ok(recorder) => {
                state.recorder = Some(recorder);
                self.live.recording.set(true);
                state.saved_seconds = 0.0;
                state.last_save_ms = unix_ms();
                self.error.set(None);
            }
            Err(e) => self.error.set(Some(e.to_string())),
        }
        drop(state);
        self.show();
    }

    /// Why a recording cannot be resumed now, if it cannot.
    fn resume_refused(&self, id: &str) -> Option<&'static str> {
        let state = self.state.get_value();
        let state = state.borrow();
        if state.recorder.is_some() {
            Some("Stop the current recording before resuming another.")
        } else if state.finishing.as_deref() == Some(id) {
            Some("This recording is still being saved; resume it in a moment.")
        } else {
            None
        }
    }

    /// Continues a saved recording with the devices that stream now.
    pub fn resume(&self, summary: RecordingSummary) {
        let recordings = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let Some(journal) = recordings.journal() else { return };
            if let Some(why) = recordings.resume_refused(&summary.meta.id) {
                return recordings.error.set(Some(why.into()));
            }
            let recording = match journal.load(&summary).await {
                Ok(recording) => recording,
                Err(e) => return recordings.error.set(Some(e)),
            };
            // Asked again: Record (or a second Resume) may have started while it loaded.
            if let Some(why) = recordings.resume_refused(&summary.meta.id) {
                return recordings.error.set(Some(why.into()));
            }
            let origin = recordings.live.origin_unix_ms();
            let label = recording.meta.classes.null_id;
            let saved_seconds = recording.seconds();
            match recordings.live.with_frames(|frames| Recorder::resume(recording, frames, origin, label)) {
                Ok(recorder) => {
                    let state = recordings.state.get_value();
                    let mut state = state.borrow_mut();
                    state.recorder = Some(recorder);
                    recordings.live.recording.set(true);
                    state.saved_seconds = saved_seconds;
                    state.last_save_ms = unix_ms();
                    drop(state);
                    recordings.label.set(label);
                    recordings.error.set(None);
                    recordings.show();
                }
                Err(e) => recordings.error.set(Some(e.to_string())),
            }
        });
    }

    /// Labels the frames from now on with a class of the recording, or a free label (a new
    /// class). Before recording, only the model's classes can be picked.
    pub fn set_label(&self, text: &str) {
        let state = self.state.get_value();
        let mut state = state.borrow_mut();
        let picked = match state.recorder.as_mut() {
            Some(recorder) => {
                recorder.recording.label(text).map_err(|e| e.to_string()).inspect(|&id| recorder.label = id)
            }
            None => self
                .live
                .classes()
                .resolve(text)
                .ok_or_else(|| format!("\"{}\": free labels are added while recording", text.trim())),
        };
        drop(state);
        match picked {
            Ok(id) => {
                self.label.set(id);
                self.error.set(None);
                self.show();
            }
            Err(e) => self.error.set(Some(e)),
        }
    }

    /// Subscribes the caller to changes of the live models, whose classes are the labels offered
    /// before a recording starts.
    pub fn track_live_models(&self) {
        self.live.manifest.track();
    }

    /// The classes a label can be picked from: the recording's (with its free labels) or the
    /// model's.
    pub fn classes(&self) -> ClassTable {
        self.state
            .get_value()
            .borrow()
            .recorder
            .as_ref()
            .map_or_else(|| self.live.classes(), |r| r.recording.meta.classes.clone())
    }

    /// Stops recording and saves the rest. If the browser cannot keep it (no IndexedDB, or a
    /// save failed), the whole recording is offered as a download instead: nothing is lost.
    pub fn stop(&self) {
        let state = self.state.get_value();
        let Some(mut recorder) = state.borrow_mut().recorder.take() else { return };
        self.live.with_frames(|frames| recorder.pull(frames));
        self.live.recording.set(false);
        let id = recorder.recording.meta.id.clone();
        state.borrow_mut().finishing = Some(id.clone());
        self.finishing.set(true);
        // A free label belongs to this recording only; the next one starts from the model's.
        let models = self.live.classes();
        if models.index_of(self.label.get_untracked()).is_none() {
            self.label.set(models.null_id);
        }
        self.show();
        let journal = self.journal();
        let recordings = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let shared = recordings.state.get_value();
            // Waits for a save in flight (its failed chunks are re-queued before it ends),
            // then holds the journal for the final save, so nothing overlaps it. Looked at
            // again after each wait: a recording started meanwhile may have begun a save.
            while shared.borrow().saving {
                State::save_ends(&shared).await;
            }
            let mut chunks = {
                let mut state = shared.borrow_mut();
                state.saving = true;
                state.take_pending(&id)
            };
            chunks.extend(recorder.recording.take_chunk());
            let recording = &recorder.recording;
            let saved = match journal {
                Some(journal) => journal.save(&recording.summary(unix_ms(), true), &chunks).await,
                None => Err("this browser offers no storage for it".to_string()),
            };
            {
                let mut state = shared.borrow_mut();
                state.save_ended();
                state.finishing = None;
            }
            if let Err(e) = saved {
                let name = &recording.meta.name;
                let downloaded = recording_zip(recording)
                    .map_err(|e| e.to_string())
                    .and_then(|bytes| download::offer(&format!("{}.zip", safe_name(name)), &bytes, "application/zip"));
                recordings.error.set(Some(match downloaded {
                    Ok(()) => format!(
                        "\"{name}\" could not be kept in this browser ({e}): it was downloaded as a zip instead."
                    ),
                    Err(d) => format!("\"{name}\" could not be kept in this browser ({e}) nor downloaded ({d})."),
                }));
            }
            recordings.finishing.set(false);
            recordings.refresh().await;
        });
    }

    /// Deletes a saved recording (after the user confirms).
    pub fn delete(&self, summary: RecordingSummary) {
        if self.current.with_untracked(|c| c.as_ref().is_some_and(|c| c.id == summary.meta.id)) {
            self.error.set(Some("Stop the recording before deleting it.".into()));
            return;
        }
        let question = format!(
            "Delete the recording \"{}\" ({:.0} s)? This cannot be undone.",
            summary.meta.name, summary.seconds
        );
        let confirmed = web_sys::window().and_then(|w| w.confirm_with_message(&question).ok()).unwrap_or(false);
        if !confirmed {
            return;
        }
        let recordings = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let Some(journal) = recordings.journal() else { return };
            if let Err(e) = journal.delete(&summary.meta.id).await {
                recordings.error.set(Some(e));
            }
            recordings.refresh().await;
        });
    }

    /// Offers a saved recording as a zip download.
    pub fn export(&self, summary: RecordingSummary, kind: ExportKind) {
        let recordings = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let Some(journal) = recordings.journal() else { return };
            let recording = match journal.load(&summary).await {
                Ok(recording) => recording,
                Err(e) => return recordings.error.set(Some(e)),
            };
            let (zip, suffix) = match kind {
                ExportKind::Csv => (recording_zip(&recording), ""),
                ExportKind::OpenPack => (openpack_zip(&recording), "-openpack"),
            };
            let name = format!("{}{suffix}.zip", safe_name(&recording.meta.name));
            let offered =
                zip.map_err(|e| e.to_string()).and_then(|bytes| download::offer(&name, &bytes, "application/zip"));
            match offered {
                Ok(()) => recordings.error.set(None),
                Err(e) => recordings.error.set(Some(format!("\"{}\": {e}", recording.meta.name))),
            }
        });
    }

    fn tick(&self) {
        if !self.pull() {
            return;
        }
        if unix_ms() - self.state.get_value().borrow().last_save_ms >= SAVE_EVERY_MS {
            self.save();
        }
        self.show();
    }

    /// Appends the frames every recorded position has completed; `false` when not recording.
    fn pull(&self) -> bool {
        let state = self.state.get_value();
        let mut state = state.borrow_mut();
        let Some(recorder) = state.recorder.as_mut() else { return false };
        self.live.with_frames(|frames| recorder.pull(frames));
        true
    }

    /// Pulls and saves at once: the tab is going into the background or away.
    fn save_now(&self) {
        if self.pull() {
            self.save();
        }
    }

    /// Saves the frames pulled since the last save (and any whose save failed before), unless
    /// a save is in flight: saves never overlap.
    fn save(&self) {
        let state = self.state.get_value();
        let mut state = state.borrow_mut();
        let Some(journal) = state.journal.clone() else { return };
        if state.saving {
            return;
        }
        let Some(recorder) = state.recorder.as_mut() else { return };
        let recording = &mut recorder.recording;
        let id = recording.meta.id.clone();
        let fresh = recording.take_chunk();
        let summary = recording.summary(unix_ms(), false);
        let seconds = recording.seconds();
        let mut chunks = state.take_pending(&id);
        chunks.extend(fresh);
        state.saving = true;
        state.last_save_ms = unix_ms();
        let recordings = *self;
        wasm_bindgen_futures::spawn_local(async move {
            let result = journal.save(&summary, &chunks).await;
            let state = recordings.state.get_value();
            let mut state = state.borrow_mut();
            match result {
                Ok(()) => {
                    state.saved_seconds = seconds;
                    if state.pending.is_empty()
                        && recordings.error.get_untracked().is_some_and(|e| e.starts_with(NOT_SAVED))
                    {
                        recordings.error.set(None);
                    }
                }
                Err(e) => {
                    // Kept in the tab and retried with the next save; Stop downloads the
                    // recording if it still cannot be saved.
                    state.requeue(&id, chunks);
                    recordings.error.set(Some(format!("{NOT_SAVED} ({e}); retrying every second.")));
                }
            }
            // After a failed chunk is back in the queue, so Stop's final save takes it.
            state.save_ended();
        });
    }

    fn show(&self) {
        let state = self.state.get_value();
        let state = state.borrow();
        let view = state.recorder.as_ref().map(|r| RecordingView {
            id: r.recording.meta.id.clone(),
            name: r.recording.meta.name.clone(),
            positions: r.positions().to_vec(),
            frames: r.recording.len(),
            seconds: r.recording.seconds(),
            saved_seconds: state.saved_seconds,
            label: r.recording.meta.classes.name_of(r.label).unwrap_or_default().to_string(),
        });
        if self.current.with_untracked(|old| *old != view) {
            self.current.set(view);
        }
        let truth = state.recorder.as_ref().map(|r| r.label);
        if self.live.truth.get_untracked() != truth {
            self.live.truth.set(truth);
        }
    }
}

pub fn use_recordings() -> Recordings {
    expect_context::<Recordings>()
}
