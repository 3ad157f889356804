//! Kiosk mode, the typed context of a trade-show booth (the loop's rules are the plain state
//! machine [`KioskLoop`]; this is its browser shell): `?kiosk` (or the header's Kiosk button)
//! replays the demo in a loop with large type and no controls, keeps the screen awake (Wake
//! Lock API where there is one, asked again whenever the page comes back into view), and shows
//! a Leave button for a few seconds after any touch or key; Escape leaves too. The demo plays
//! in real time (1x); `?kiosk&speed=max` loops as fast as the models run: the soak test's
//! hours in minutes. A new deploy is taken between two loops, since nobody is there to press
//! Restart.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::browser::{call_promise, unix_ms};
use crate::app::offline::Offline;
use crate::app::replay::{Replay, Speed};
use crate::replay::kiosk_loop::{Action, KioskLoop, Observed};

const TICK: Duration = Duration::from_millis(500);

/// This module instance's wasm memory in bytes (page or worker).
pub fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .unchecked_into::<js_sys::WebAssembly::Memory>()
        .buffer()
        .unchecked_into::<js_sys::ArrayBuffer>()
        .byte_length() as u64
}

#[derive(Clone, Copy)]
pub struct Kiosk {
    pub active: RwSignal<bool>,
    /// The Leave button is showing (after a touch).
    pub controls: RwSignal<bool>,
    /// Demo loops completed since kiosk mode started.
    pub loops: RwSignal<u32>,
    /// The screen is kept awake.
    pub awake: RwSignal<bool>,
    wake_lock: StoredValue<Option<JsValue>, LocalStorage>,
    /// The loop's state; `active`, `controls` and `loops` show it.
    state: StoredValue<KioskLoop>,
    replay: Replay,
    offline: Offline,
}

fn query() -> web_sys::UrlSearchParams {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search)
        .or_else(|_| web_sys::UrlSearchParams::new())
        .expect("an empty query string parses")
}

impl Kiosk {
    pub fn provide(replay: Replay, offline: Offline) -> Kiosk {
        let params = query();
        let kiosk = Kiosk {
            active: RwSignal::new(false),
            controls: RwSignal::new(false),
            loops: RwSignal::new(0),
            awake: RwSignal::new(false),
            wake_lock: StoredValue::new_local(None),
            state: StoredValue::new(KioskLoop::default()),
            replay,
            offline,
        };
        provide_context(kiosk);
        if let Ok(handle) = set_interval_with_handle(move || kiosk.tick(), TICK) {
            on_cleanup(move || handle.clear());
        }
        // Asked again whenever the page comes back into view: the browser drops the lock on hide.
        let visible = window_event_listener(leptos::ev::visibilitychange, move |_| {
            let shown = web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden());
            if kiosk.active.get_untracked() && shown {
                kiosk.keep_awake();
            }
        });
        on_cleanup(move || visible.remove());
        if params.has("kiosk") {
            kiosk.start(false);
        }
        kiosk
    }

    /// Starts the attract loop; `gesture` when a click asked for it (fullscreen needs one).
    pub fn start(&self, gesture: bool) {
        let fast = query().get("speed").as_deref() == Some("max");
        self.replay.speed.set(if fast { Speed::AsFastAsPossible } else { Speed::Times(1) });
        self.state.update_value(KioskLoop::start);
        self.show_state();
        if gesture {
            self.fullscreen();
        }
        self.keep_awake();
    }

    /// Mirrors the loop's state into the signals the page shows.
    fn show_state(&self) {
        let (active, controls, loops) =
            self.state.with_value(|s| (s.active(), s.controls_visible(unix_ms()), s.loops()));
        if self.active.get_untracked() != active {
            self.active.set(active);
        }
        if self.controls.get_untracked() != controls {
            self.controls.set(controls);
        }
        if self.loops.get_untracked() != loops {
            self.loops.set(loops);
        }
    }

    pub fn leave(&self) {
        self.state.update_value(KioskLoop::leave);
        self.show_state();
        if let Some(sentinel) = self.wake_lock.get_value() {
            call_promise(&sentinel, "release", &js_sys::Array::new(), |_| {});
        }
        self.wake_lock.set_value(None);
        self.awake.set(false);
        if let Some(document) = web_sys::window().and_then(|w| w.document())
            && document.fullscreen_element().is_some()
        {
            call_promise(&document, "exitFullscreen", &js_sys::Array::new(), |_| {});
        }
        self.replay.playing.set(false);
    }

    /// A touch, click or key while in kiosk mode: show the Leave button for a while, and go
    /// fullscreen (the touch is the gesture the browser asks for).
    pub fn touched(&self) {
        if !self.active.get_untracked() {
            return;
        }
        self.state.update_value(|s| s.touched(unix_ms()));
        self.show_state();
        self.fullscreen();
    }

    fn fullscreen(&self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document())
            && document.fullscreen_element().is_none()
            && let Some(root) = document.document_element()
        {
            call_promise(&root, "requestFullscreen", &js_sys::Array::new(), |_| {});
        }
    }

    fn keep_awake(&self) {
        let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
        let Ok(wake_lock) = js_sys::Reflect::get(&navigator, &"wakeLock".into()) else { return };
        if wake_lock.is_undefined() {
            return;
        }
        let kiosk = *self;
        call_promise(&wake_lock, "request", &js_sys::Array::of1(&"screen".into()), move |sentinel| {
            if sentinel.is_undefined() {
                return;
            }
            if !kiosk.active.get_untracked() {
                // Left kiosk mode while the browser was granting it.
                call_promise(&sentinel, "release", &js_sys::Array::new(), |_| {});
                return;
            }
            // The browser drops the lock when the page is hidden; say so until it is asked again.
            let target = sentinel.unchecked_ref::<web_sys::EventTarget>();
            gloo_events::EventListener::once(target, "release", move |_| kiosk.awake.set(false)).forget();
            kiosk.wake_lock.set_value(Some(sentinel));
            kiosk.awake.set(true);
        });
    }

    /// One tick: what the page shows goes to the loop, and the loop says what to do.
    fn tick(&self) {
        let replay = self.replay;
        // A loop ends when playback reached the end and the models answered every window (at
        // 1x they keep up; with the soak test's sped-up clock the end waits for them), or the
        // worker reported a failure (then no more answers come, and the next loop starts afresh).
        let answered =
            replay.state.with_untracked(|s| s.as_ref().is_some_and(crate::replay::state::ReplayState::is_complete))
                || replay.error.with_untracked(Option::is_some);
        let ended = !replay.playing.get_untracked()
            && replay
                .info
                .with_untracked(|i| i.as_ref().is_some_and(|i| replay.position.get_untracked() + 1 >= i.labels.len()))
            && answered;
        let seen = Observed {
            now_ms: unix_ms(),
            models_ready: replay.backend.with_untracked(Option::is_some),
            loading: replay.loading.get_untracked(),
            loads: replay.loads.get_value(),
            ended,
            update_waiting: self.offline.update.get_untracked(),
        };
        let action = self.state.try_update_value(|s| s.tick(&seen)).unwrap_or(Action::Nothing);
        self.show_state();
        match action {
            Action::Nothing => {}
            Action::LoadDemo => self.replay.load_demo(crate::demo::Demo::Synthetic),
            Action::TakeUpdate => self.restart_with_new_version(),
        }
    }

    /// Takes the new deploy between two loops, coming back in kiosk mode.
    fn restart_with_new_version(&self) {
        if let Some(window) = web_sys::window()
            && let Ok(history) = window.history()
        {
            let params = query();
            params.set("kiosk", "");
            let _ = history.replace_state_with_url(
                &JsValue::NULL,
                "",
                Some(&format!("?{}", String::from(params.to_string()))),
            );
        }
        self.offline.restart();
    }
}

pub fn use_kiosk() -> Kiosk {
    expect_context::<Kiosk>()
}
