//! What kiosk mode adds on top of the replay: the Leave button after a touch (one tap leaves),
//! and the figures the soak test reads (loops, wake lock, both wasm memories, JS heap).

use leptos::ev;
use leptos::prelude::*;

use crate::app::kiosk::{use_kiosk, wasm_memory_bytes};
use crate::app::replay::use_replay;

#[component]
pub fn KioskLayer() -> impl IntoView {
    let kiosk = use_kiosk();
    let replay = use_replay();
    let touch = window_event_listener(ev::pointerdown, move |_| kiosk.touched());
    let key = window_event_listener(ev::keydown, move |e| {
        if kiosk.active.get_untracked() && e.key() == "Escape" {
            kiosk.leave();
        } else {
            kiosk.touched();
        }
    });
    on_cleanup(move || {
        touch.remove();
        key.remove();
    });
    let worker_memory = move || replay.info.with(|i| i.as_ref().map_or(0, |i| i.worker_memory_bytes));
    view! {
        <Show when=move || kiosk.active.get()>
            <div class="kiosk-layer" data-testid="kiosk" data-loops=move || kiosk.loops.get()
                data-awake=move || kiosk.awake.get().to_string()
                data-page-memory=move || { kiosk.loops.track(); wasm_memory_bytes() }
                data-worker-memory=worker_memory>
                <Show when=move || kiosk.controls.get()>
                    <button type="button" class="primary kiosk-exit" data-testid="kiosk-exit"
                        on:click=move |_| kiosk.leave()>"Leave kiosk mode"</button>
                </Show>
            </div>
        </Show>
    }
}
