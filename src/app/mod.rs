//! The web app (wasm32 only): a Leptos CSR app mounted by [`start`], and the inference worker
//! ([`worker`]) that the same module runs in a Web Worker.
//!
//! The crate is a `cdylib` with a `#[wasm_bindgen(start)]` entry instead of a wasm bin: a bin
//! re-runs every static constructor on each call from JS into wasm (see docs/toolchain.md).

pub mod backend;
pub mod backend_memory;
pub mod browser;
pub mod bundle_store;
pub mod client;
pub mod components;
pub mod download;
pub mod dropped;
pub mod kiosk;
pub mod live;
pub mod model_url;
pub mod offline;
pub mod replay;
pub mod webgpu_module;
pub mod worker;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use components::app_status::AppStatus;
use components::backend_badge::BackendBadge;
use components::comparison::Comparison;
use components::controls::{PlayerControls, SourcePicker};
use components::error_banner::ErrorBanner;
use components::final_scores::{ExportButton, FinalScores};
use components::kiosk_layer::KioskLayer;
use components::live_panel::LivePanel;
use components::model_card::ModelCard;
use components::operation_legend::OperationLegend;
use components::session_summary::SessionSummary;
use components::signal_plot::SignalPlot;
use components::timeline::Timeline;
use replay::Replay;

use crate::infer::prediction::Which;

/// Entry point the generated JS calls once per module instance. In the page it mounts the
/// app; in the inference worker (no `window`) it does nothing: `worker_main` takes over.
#[wasm_bindgen(start)]
pub fn start() {
    crate::constructors::run_once();
    console_error_panic_hook::set_once();
    if web_sys::window().is_some() {
        mount_to_body(App);
    }
}

/// Which view is shown: replaying recorded sessions, or live from wearables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Replay,
    Live,
}

/// The app: a header with the backend badge and the mode tabs, then the replay view (sources
/// and playback on top, the two models side by side, then the timelines, the signals and, at
/// the end, the full scores) or the live view. Both share the inference worker.
#[component]
pub fn App() -> impl IntoView {
    let offline = offline::Offline::provide();
    let replay = Replay::provide();
    let live = live::session::Live::provide(replay);
    let recordings = live::recordings::Recordings::provide(live);
    let kiosk = kiosk::Kiosk::provide(replay, offline);
    model_url::load_requested(replay);
    let ready = move || replay.backend.with(Option::is_some);
    // Work a restart would cut short: a recording (or its last save), or wearables streaming.
    let busy = Signal::derive(move || {
        recordings.current.with(Option::is_some) || recordings.finishing.get() || live.slots.with(|s| !s.is_empty())
    });
    // A new version took over: start it as soon as nothing would be lost.
    Effect::new(move |_| {
        if offline.replaced.get() && !busy.get() {
            offline.reload();
        }
    });
    let mode = RwSignal::new(Mode::Replay);
    // Kiosk mode shows the replay, styled for the booth (`body.kiosk`).
    Effect::new(move |_| {
        let active = kiosk.active.get();
        if active {
            mode.set(Mode::Replay);
        }
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.class_list().toggle_with_force("kiosk", active);
        }
    });
    let tab = move |which: Mode, label: &'static str, id: &'static str| {
        view! {
            <button type="button" role="tab" data-testid=id aria-selected=move || (mode.get() == which).to_string()
                on:click=move |_| mode.set(which)>{label}</button>
        }
    };
    view! {
        <header class="app-header">
            <h1>"TSAK"</h1>
            <p class="tagline">"Packaging operations from one wrist, distilled from a two-handed teacher."</p>
            <nav class="modes" role="tablist">{tab(Mode::Replay, "Replay", "mode-replay")}{tab(Mode::Live, "Live", "mode-live")}</nav>
            <button type="button" class="kiosk-start" data-testid="kiosk-start" on:click=move |_| kiosk.start(true)>"Kiosk"</button>
            <BackendBadge />
            <AppStatus busy=busy />
        </header>
        <KioskLayer />
        <main data-testid="app-ready" data-models-ready=move || ready().to_string()>
            <Show when=move || mode.get() == Mode::Replay fallback=move || view! {
                <LivePanel on_replay=Callback::new(move |_| mode.set(Mode::Replay)) />
            }>
                <ErrorBanner />
                <SourcePicker />
                <PlayerControls />
                <SessionSummary />
                <div class="models">
                    <ModelCard which=Which::Student />
                    <ModelCard which=Which::Teacher />
                </div>
                <Comparison />
                <Timeline />
                <SignalPlot />
                <ExportButton />
                <FinalScores />
                <OperationLegend />
            </Show>
        </main>
    }
}
