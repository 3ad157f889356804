//! The live session, the typed context of the live view: one slot per body position, each a
//! chosen wearable with its decoder and connection state, feeding the live frame store. A
//! 100 ms tick reconnects (with the connection policy's backoff), runs the no-data watchdog,
//! refreshes what the panel shows and sends each new window to the inference worker.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_events::EventListener;
use leptos::prelude::*;
use web_sys::BluetoothDevice;

use crate::app::replay::Replay;
use crate::ble::profile::{Decoder, Profile, ProfileId};
use crate::data::classes::ClassId;
use crate::infer::embedded::EmbeddedModels;
use crate::infer::model_choice::{ModelsId, label_of, manifest_of};
use crate::live::connection::{Action, Connection, LinkState, Policy};
use crate::live::frames::LiveFrames;
use crate::live::history::{LiveEntry, LiveHistory};
use crate::live::rate::RateMeter;
use crate::live::scheduler::WindowScheduler;
use crate::model::manifest::Manifest;
use crate::protocol::ToWorker;

use super::link::{self, OpenLink};
use crate::app::browser::clock_ms;

const TICK: Duration = Duration::from_millis(100);
/// How long each stream keeps its frames (s): two minutes. A hidden tab's timers may wake only
/// once a minute (Chrome's intensive throttling) while Bluetooth notifications keep arriving,
/// and the recorder must still find every frame when its tick comes.
const KEEP_SECONDS: f64 = 120.0;
/// How long a window waits for the other positions' streams to reach its end (s): half a
/// second, a few Bluetooth packets.
const WINDOW_GRACE_SECONDS: f64 = 0.5;
/// How far back the live timeline reaches (s).
const HISTORY_SECONDS: f64 = 60.0;

/// What the panel shows of one slot.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotView {
    pub position: String,
    pub device: String,
    pub profile: &'static str,
    pub status: &'static str,
    pub reason: Option<String>,
    pub rate_hz: Option<f64>,
    pub asked_hz: f64,
    pub dropped_packets: u64,
    pub gap_frames: u64,
    /// Samples thrown away: out of order on the grid, or with a missing or non-finite value.
    pub refused_samples: u64,
    pub decode_errors: u64,
    pub last_decode_error: Option<String>,
    pub battery: Option<u8>,
    pub reconnects: u32,
    /// How the device's axes map onto the ATR axes, e.g. `-y,x,z`.
    pub axes: String,
}

struct Slot {
    position: String,
    profile: Profile,
    device: BluetoothDevice,
    decoder: Decoder,
    connection: Connection,
    link: Option<OpenLink>,
    rate: RateMeter,
    decode_errors: u64,
    last_decode_error: Option<String>,
    battery: Option<u8>,
    /// Watches for the device dropping; `None` once the slot is being released.
    on_disconnect: Option<EventListener>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        // Stop listening before disconnecting: a release that was asked for is not a drop.
        self.on_disconnect.take();
        if let Some(gatt) = self.device.gatt() {
            gatt.disconnect();
        }
    }
}

struct Store {
    frames: LiveFrames,
    slots: Vec<Slot>,
    /// Which windows to send to the models, and when.
    scheduler: WindowScheduler,
}

type Shared = Rc<RefCell<Store>>;

/// The live view's context.
#[derive(Clone, Copy)]
pub struct Live {
    pub slots: RwSignal<Vec<SlotView>>,
    pub error: RwSignal<Option<String>>,
    pub skipped_windows: RwSignal<u64>,
    /// Teacher inputs the wrist wearables stand in for (the E4's accelerometers).
    pub stand_ins: RwSignal<Vec<String>>,
    /// The last minute of live answers, for the timeline and latency figures.
    pub history: RwSignal<LiveHistory>,
    /// The model class of the label being recorded, if recording: the timeline's truth row.
    pub truth: RwSignal<Option<ClassId>>,
    /// The manifest of the models live windows go to (`Replay::live_models`, see
    /// [`ModelsId::live`]): the grid's rate, the windows, the positions and the classes follow it.
    pub manifest: RwSignal<Manifest>,
    /// True while the recorder records: the grid it reads from is then not rebuilt for other
    /// models (they wait, and the page says so, until the recording stops).
    pub recording: RwSignal<bool>,
    /// The models waiting for the recording to stop, if any (their name).
    pub waiting_models: RwSignal<Option<String>>,
    store: StoredValue<Shared, LocalStorage>,
    replay: Replay,
}

/// The frames each stream keeps for `manifest`'s models: two minutes, and at least four windows.
fn keep_frames(manifest: &Manifest) -> usize {
    (4 * manifest.window.length).max((KEEP_SECONDS * manifest.sample_rate_hz).round() as usize)
}

/// A store for `manifest`'s models: a grid at their rate (so their windows mean what they were
/// trained on), cut into their windows.
fn store_for(manifest: &Manifest) -> Store {
    let rate_hz = manifest.sample_rate_hz;
    Store {
        frames: LiveFrames::new(clock_ms(), rate_hz, keep_frames(manifest)),
        slots: Vec::new(),
        scheduler: WindowScheduler::new(
            manifest.window.length,
            manifest.window.hop as u64,
            (WINDOW_GRACE_SECONDS * rate_hz).round() as u64,
            student_position(manifest),
            manifest.teacher.iter().flat_map(|t| t.inputs.iter().map(|i| i.name.clone())).collect(),
            manifest.null_id,
        ),
    }
}

fn history_for(manifest: &Manifest) -> LiveHistory {
    LiveHistory::new((HISTORY_SECONDS * manifest.sample_rate_hz).round() as u64, manifest.window.hop as u64)
}

impl Live {
    /// Creates the context and starts its tick; the models are the replay's worker's.
    pub fn provide(replay: Replay) -> Live {
        let models = replay.live_models.get_untracked();
        let manifest = manifest_of(&models, &[]).unwrap_or_else(|| EmbeddedModels::LIVE.manifest());
        let live = Live {
            slots: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            skipped_windows: RwSignal::new(0),
            stand_ins: RwSignal::new(Vec::new()),
            history: RwSignal::new(history_for(&manifest)),
            truth: RwSignal::new(None),
            store: StoredValue::new_local(Rc::new(RefCell::new(store_for(&manifest)))),
            manifest: RwSignal::new(manifest),
            recording: RwSignal::new(false),
            waiting_models: RwSignal::new(None),
            replay,
        };
        provide_context(live);
        Effect::new(move |_| {
            let Some(result) = replay.live_result.get() else { return };
            let truth = live
                .truth
                .get_untracked()
                .and_then(|id| live.manifest.with_untracked(|m| m.classes.iter().position(|c| c.id == id)));
            live.history.update(|h| h.push(LiveEntry { end_frame: result.end_frame, result: result.result, truth }));
        });
        // Live follows the models the user picked (a loaded bundle runs live too).
        Effect::new(move |_| {
            let wanted = replay.models.get().live();
            let Some(manifest) = replay.bundles.with(|loaded| manifest_of(&wanted, loaded)) else { return };
            if replay.live_models.with_untracked(|current| *current == wanted) {
                live.waiting_models.set(None);
            } else if live.recording.get() {
                live.waiting_models.set(Some(replay.bundles.with(|loaded| label_of(&wanted, loaded))));
            } else {
                live.waiting_models.set(None);
                live.use_models(wanted, manifest);
            }
        });
        if let Ok(handle) = set_interval_with_handle(move || live.tick(), TICK) {
            on_cleanup(move || handle.clear());
        }
        live
    }

    /// Runs live windows through `models` from now on: a fresh grid at their rate (the devices
    /// streaming now carry on into it, each with its axes), their windows, an empty history.
    fn use_models(&self, models: ModelsId, manifest: Manifest) {
        let shared = self.shared();
        {
            let mut store = shared.borrow_mut();
            let mut fresh = store_for(&manifest);
            for slot in &store.slots {
                let axes = store.frames.axes(&slot.position).unwrap_or_else(|| slot.profile.default_axes());
                fresh.frames.connect(&slot.position, slot.profile.gyro, axes);
            }
            let Store { frames, scheduler, .. } = &mut *store;
            *frames = fresh.frames;
            *scheduler = fresh.scheduler;
        }
        self.history.set(history_for(&manifest));
        self.stand_ins.set(Vec::new());
        self.replay.live_models.set(models.clone());
        self.replay.live_result.set(None);
        self.replay.send(&ToWorker::UseLiveModels(models));
        self.manifest.set(manifest);
    }

    /// The live models' classes (untracked).
    pub fn classes(&self) -> crate::data::classes::ClassTable {
        self.manifest.with_untracked(Manifest::class_table)
    }

    fn shared(&self) -> Shared {
        self.store.get_value()
    }

    /// Reads the live frames (for the recorder).
    pub fn with_frames<T>(&self, f: impl FnOnce(&LiveFrames) -> T) -> T {
        f(&self.shared().borrow().frames)
    }

    /// The unix time (ms) of the live grid's frame 0.
    pub fn origin_unix_ms(&self) -> f64 {
        let origin = self.shared().borrow().frames.origin_ms();
        js_sys::Date::now() - clock_ms() + origin
    }

    /// Asks the browser for a device with this profile, then streams it at `position`. Call
    /// from the click that asked for it.
    pub fn connect(&self, id: ProfileId, position: String) {
        let live = *self;
        let profile = id.profile();
        wasm_bindgen_futures::spawn_local(async move {
            match link::choose(&profile).await {
                Ok(device) => {
                    live.add_slot(profile, device, position.clone());
                    live.open(position).await;
                }
                Err(message) => live.error.set(Some(message)),
            }
        });
    }

    fn add_slot(&self, profile: Profile, device: BluetoothDevice, position: String) {
        let shared = self.shared();
        // The device this replaces is released first, outside the store's borrow (its
        // disconnect may fire at once) and before the new listener exists (the same device
        // picked again must not see its own release as a drop).
        let replaced = take_slot(&mut shared.borrow_mut().slots, &position);
        drop(replaced);
        let on_disconnect = {
            let (shared, position) = (Rc::downgrade(&shared), position.clone());
            EventListener::new(&device, "gattserverdisconnected", move |_| {
                let Some(shared) = shared.upgrade() else { return };
                // The event can fire inside a call that holds the store (a disconnect fires
                // it at once); such a disconnect was asked for, so there is nothing to do.
                let Ok(mut store) = shared.try_borrow_mut() else { return };
                if let Some(slot) = store.slots.iter_mut().find(|s| s.position == position) {
                    slot.link = None;
                    if matches!(slot.connection.state, LinkState::Streaming | LinkState::Connecting) {
                        slot.connection.dropped(clock_ms(), "the device disconnected");
                    }
                }
            })
        };
        let mut store = shared.borrow_mut();
        store.frames.connect(&position, profile.gyro, profile.default_axes());
        store.slots.push(Slot {
            position,
            decoder: profile.decoder(),
            connection: Connection::new(Policy::default(), clock_ms()),
            profile,
            device,
            link: None,
            rate: RateMeter::new(2000.0),
            decode_errors: 0,
            last_decode_error: None,
            battery: None,
            on_disconnect: Some(on_disconnect),
        });
    }

    /// Runs the GATT chain for a slot; a failure counts as a drop (and is retried). The
    /// decoder starts afresh: a device that rebooted numbers its packets from 0 again, and a
    /// frame's timing must not reach back across the time away.
    async fn open(&self, position: String) {
        let shared = self.shared();
        let Some((device, profile)) = shared.borrow_mut().slots.iter_mut().find(|s| s.position == position).map(|s| {
            s.decoder = s.profile.decoder();
            (s.device.clone(), s.profile.clone())
        }) else {
            return;
        };
        let on_data = packet_handler(&shared, &position, false);
        let on_control = packet_handler(&shared, &position, true);
        let opened = link::open(&device, &profile, on_data, on_control).await;
        let mut store = shared.borrow_mut();
        let Some(slot) = store.slots.iter_mut().find(|s| s.position == position && s.device == device) else {
            // Disconnected (or replaced) by the user while connecting: release the device.
            drop(store);
            if let (Ok(_), Some(gatt)) = (&opened, device.gatt()) {
                gatt.disconnect();
            }
            return;
        };
        match opened {
            Ok(link) => {
                slot.battery = link.battery.or(slot.battery);
                slot.link = Some(link);
            }
            Err(message) => slot.connection.dropped(clock_ms(), &message),
        }
    }

    /// The user's reconnect of a lost device.
    pub fn reconnect(&self, position: String) {
        if let Some(slot) = self.shared().borrow_mut().slots.iter_mut().find(|s| s.position == position) {
            slot.connection.retry_now(clock_ms());
        }
        let live = *self;
        wasm_bindgen_futures::spawn_local(async move { live.open(position).await });
    }

    /// Changes how a position's device axes map onto the ATR axes (how it is worn); a text
    /// that is not a mapping is reported and changes nothing.
    pub fn set_axes(&self, position: &str, text: &str) {
        match text.parse() {
            Ok(axes) => {
                self.shared().borrow_mut().frames.set_axes(position, axes);
                self.error.set(None);
            }
            Err(e) => self.error.set(Some(format!("{}: {e}", position.replace('_', " ")))),
        }
    }

    /// Stops streaming from a position.
    pub fn remove(&self, position: &str) {
        let shared = self.shared();
        let removed = {
            let mut store = shared.borrow_mut();
            store.frames.disconnect(position);
            take_slot(&mut store.slots, position)
        };
        // Dropped outside the borrow: the disconnect may fire its event at once.
        drop(removed);
    }

    fn tick(&self) {
        let now = clock_ms();
        let shared = self.shared();
        let (mut reopen, mut reset) = (Vec::new(), Vec::new());
        {
            let mut store = shared.borrow_mut();
            for slot in &mut store.slots {
                match slot.connection.tick(now) {
                    Some(Action::Connect) => reopen.push(slot.position.clone()),
                    Some(Action::Reset) => {
                        slot.link = None;
                        reset.extend(slot.device.gatt());
                    }
                    None => {}
                }
            }
        }
        // Outside the borrow: a disconnect may fire `gattserverdisconnected` at once.
        for gatt in reset {
            gatt.disconnect();
        }
        for position in reopen {
            let live = *self;
            wasm_bindgen_futures::spawn_local(async move { live.open(position).await });
        }
        self.send_windows(&shared);
        let store = shared.borrow();
        let stats = store.frames.stats();
        let views: Vec<SlotView> = store
            .slots
            .iter()
            .map(|slot| {
                let axes = store.frames.axes(&slot.position).map(|a| a.to_string()).unwrap_or_default();
                view_of(slot, stats.iter().find(|s| s.position == slot.position), axes)
            })
            .collect();
        if self.slots.with_untracked(|old| *old != views) {
            self.slots.set(views);
        }
        if self.skipped_windows.get_untracked() != store.scheduler.skipped() {
            self.skipped_windows.set(store.scheduler.skipped());
        }
    }

    /// Sends every window the scheduler finds due to the worker.
    fn send_windows(&self, shared: &Shared) {
        let mut store = shared.borrow_mut();
        let Store { frames, scheduler, .. } = &mut *store;
        for window in scheduler.due(frames) {
            if self.stand_ins.with_untracked(|old| *old != window.stood_in) {
                self.stand_ins.set(window.stood_in);
            }
            self.replay.send(&ToWorker::LiveWindow { end_frame: window.end_frame, frames: window.frames });
        }
    }
}

/// Takes the slot at `position` out of the list, to be dropped once the store is released.
fn take_slot(slots: &mut Vec<Slot>, position: &str) -> Option<Slot> {
    let index = slots.iter().position(|s| s.position == position)?;
    Some(slots.remove(index))
}

/// The body position of the student's inputs (`right_wrist/acc_x` -> `right_wrist`).
pub fn student_position(manifest: &Manifest) -> String {
    manifest.student.inputs.first().map_or_else(|| "right_wrist".into(), |i| i.position.clone())
}

fn packet_handler(shared: &Shared, position: &str, control: bool) -> link::OnPacket {
    let (shared, position) = (Rc::downgrade(shared), position.to_string());
    Rc::new(move |bytes: Vec<u8>, arrival: f64| {
        let Some(shared) = shared.upgrade() else { return };
        let mut store = shared.borrow_mut();
        let store = &mut *store;
        let Some(slot) = store.slots.iter_mut().find(|s| s.position == position) else { return };
        let outcome = if control {
            slot.decoder.control(&bytes).map(|_| None)
        } else {
            slot.decoder.decode(&bytes, arrival).map(Some)
        };
        match outcome {
            Ok(Some(decoded)) => {
                slot.connection.data(arrival);
                slot.rate.add(arrival, decoded.samples.len());
                store.frames.push(&position, &decoded, arrival);
            }
            Ok(None) => {}
            Err(error) => {
                slot.decode_errors += 1;
                slot.last_decode_error = Some(error.to_string());
            }
        }
    })
}

fn view_of(slot: &Slot, stats: Option<&crate::live::frames::StreamStats>, axes: String) -> SlotView {
    let reason = match &slot.connection.state {
        LinkState::Lost { reason } => Some(reason.clone()),
        _ => None,
    };
    SlotView {
        position: slot.position.clone(),
        device: slot.device.name().unwrap_or_else(|| slot.device.id()),
        profile: slot.profile.name,
        status: slot.connection.state.label(),
        reason,
        rate_hz: slot.rate.hz(),
        asked_hz: slot.profile.rate_hz,
        dropped_packets: stats.map_or(0, |s| s.dropped_packets),
        gap_frames: stats.map_or(0, |s| s.gap_frames),
        refused_samples: stats.map_or(0, |s| s.out_of_order + s.refused),
        decode_errors: slot.decode_errors,
        last_decode_error: slot.last_decode_error.clone(),
        battery: slot.battery,
        reconnects: slot.connection.reconnects,
        axes,
    }
}

pub fn use_live() -> Live {
    expect_context::<Live>()
}
