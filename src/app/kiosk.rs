//! Kiosk mode, the typed context of a trade-show booth: `?kiosk` (or the header's Kiosk button)
//! replays the demo in a loop with large type and no controls, keeps the screen awake (Wake
//! Lock API where there is one, asked again whenever the page comes back into view), and shows
//! a Leave button for a few seconds after any touch or key; Escape leaves too.
//! `?kiosk&speed=max` loops as fast as the models run: the soak test's hours in minutes.

use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::replay::{Replay, Speed};

/// How long the Leave button stays after a touch.
const CONTROLS_FOR: Duration = Duration::from_secs(5);
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
    hide_at: StoredValue<f64>,
    /// Load the demo at the next tick (the models may still be starting).
    restart: StoredValue<bool>,
    replay: Replay,
}

fn query() -> web_sys::UrlSearchParams {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search).expect("a query string parses")
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Calls `target.method(args…)` if the browser has it, returning its promise; errors (an API
/// missing, a permission refused) are swallowed: kiosk features are best effort.
fn call_promise(target: &JsValue, method: &str, args: &js_sys::Array) -> Option<js_sys::Promise> {
    let function = js_sys::Reflect::get(target, &method.into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
    let promise = function.apply(target, args).ok()?.dyn_into::<js_sys::Promise>().ok()?;
    // A refusal (no user gesture, no permission) is expected, not an error to report.
    let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
    let promise = promise.catch(&ignore);
    ignore.forget();
    Some(promise)
}

impl Kiosk {
    pub fn provide(replay: Replay) -> Kiosk {
        let params = query();
        let kiosk = Kiosk {
            active: RwSignal::new(false),
            controls: RwSignal::new(false),
            loops: RwSignal::new(0),
            awake: RwSignal::new(false),
            wake_lock: StoredValue::new_local(None),
            hide_at: StoredValue::new(0.0),
            restart: StoredValue::new(false),
            replay,
        };
        provide_context(kiosk);
        if let Ok(handle) = set_interval_with_handle(move || kiosk.tick(), TICK) {
            on_cleanup(move || handle.clear());
        }
        let document = web_sys::window().and_then(|w| w.document()).expect("a page");
        let visible = Closure::<dyn FnMut()>::new(move || {
            let shown = web_sys::window().and_then(|w| w.document()).is_some_and(|d| !d.hidden());
            if kiosk.active.get_untracked() && shown {
                kiosk.keep_awake();
            }
        });
        let _ = document.add_event_listener_with_callback("visibilitychange", visible.as_ref().unchecked_ref());
        visible.forget();
        if params.has("kiosk") {
            if params.get("speed").as_deref() == Some("max") {
                replay.speed.set(Speed::AsFastAsPossible);
            }
            kiosk.start(false);
        }
        kiosk
    }

    /// Starts the attract loop; `gesture` when a click asked for it (fullscreen needs one).
    pub fn start(&self, gesture: bool) {
        self.active.set(true);
        self.loops.set(0);
        if gesture {
            self.fullscreen();
        }
        self.keep_awake();
        self.restart.set_value(true);
    }

    pub fn leave(&self) {
        self.active.set(false);
        self.controls.set(false);
        if let Some(sentinel) = self.wake_lock.get_value() {
            call_promise(&sentinel, "release", &js_sys::Array::new());
        }
        self.wake_lock.set_value(None);
        self.awake.set(false);
        if let Some(document) = web_sys::window().and_then(|w| w.document())
            && document.fullscreen_element().is_some()
        {
            call_promise(&document, "exitFullscreen", &js_sys::Array::new());
        }
        self.replay.playing.set(false);
    }

    /// A touch, click or key while in kiosk mode: show the Leave button for a while, and go
    /// fullscreen (the touch is the gesture the browser asks for).
    pub fn touched(&self) {
        if !self.active.get_untracked() {
            return;
        }
        self.controls.set(true);
        self.hide_at.set_value(now_ms() + CONTROLS_FOR.as_millis() as f64);
        self.fullscreen();
    }

    fn fullscreen(&self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document())
            && document.fullscreen_element().is_none()
            && let Some(root) = document.document_element()
        {
            call_promise(&root, "requestFullscreen", &js_sys::Array::new());
        }
    }

    fn keep_awake(&self) {
        let navigator = web_sys::window().expect("a page").navigator();
        let Ok(wake_lock) = js_sys::Reflect::get(&navigator, &"wakeLock".into()) else { return };
        if wake_lock.is_undefined() {
            return;
        }
        let Some(promise) = call_promise(&wake_lock, "request", &js_sys::Array::of1(&"screen".into())) else { return };
        let kiosk = *self;
        wasm_bindgen_futures::spawn_local(async move {
            if let Ok(sentinel) = wasm_bindgen_futures::JsFuture::from(promise).await
                && !sentinel.is_undefined()
            {
                kiosk.wake_lock.set_value(Some(sentinel));
                kiosk.awake.set(true);
            }
        });
    }

    /// Restarts the demo when it has played to its end, and hides the Leave button in time.
    fn tick(&self) {
        if !self.active.get_untracked() {
            return;
        }
        if self.controls.get_untracked() && now_ms() >= self.hide_at.get_value() {
            self.controls.set(false);
        }
        let replay = self.replay;
        if replay.backend.with_untracked(Option::is_none) || replay.loading.get_untracked() {
            return;
        }
        if self.restart.get_value() {
            self.restart.set_value(false);
            replay.load_demo();
            return;
        }
        let ended = !replay.playing.get_untracked()
            && replay
                .info
                .with_untracked(|i| i.as_ref().is_some_and(|i| replay.position.get_untracked() + 1 >= i.labels.len()));
        if ended {
            self.loops.update(|n| *n += 1);
            replay.load_demo();
        }
    }
}

pub fn use_kiosk() -> Kiosk {
    expect_context::<Kiosk>()
}
