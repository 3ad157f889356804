//! The header's status line: offline or online, whether this version works offline, and the
//! notice of a new version with the button that restarts into it.

use leptos::prelude::*;

use crate::app::offline::use_offline;

/// `busy`: the tab has work a restart would cut short (a recording, wearables streaming).
#[component]
pub fn AppStatus(busy: Signal<bool>) -> impl IntoView {
    let offline = use_offline();
    let network = move || {
        if offline.online.get() { "Online" } else { "Offline: everything runs on this device" }
    };
    let cached = move || {
        if let Some(why) = offline.unavailable.get() {
            format!("Not available offline: {why}")
        } else if offline.ready.get() {
            "Ready to work offline".to_string()
        } else {
            "Preparing offline use…".to_string()
        }
    };
    view! {
        <p class="app-status" role="status">
            <span data-testid="network-status" data-online=move || offline.online.get().to_string()>{network}</span>
            " · "
            <span data-testid="offline-ready" data-ready=move || offline.ready.get().to_string()>{cached}</span>
        </p>
        <Show when=move || offline.replaced.get() && busy.get()>
            <p class="update-notice" role="alert" data-testid="update-deferred">
                "A new version of TSAK took over. This tab restarts with it once recording has stopped and no wearable is connected; nothing is lost meanwhile."
            </p>
        </Show>
        <Show when=move || offline.update.get() && !offline.replaced.get()>
            <p class="update-notice" role="alert" data-testid="update-ready">
                "A new version of TSAK is ready. "
                <button type="button" class="primary" data-testid="update-restart" on:click=move |_| offline.restart()>
                    "Restart to update"
                </button>
            </p>
        </Show>
    }
}
