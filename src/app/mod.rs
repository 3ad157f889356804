//! The web app (wasm32 only): a Leptos CSR app mounted by [`start`].
//!
//! The crate is a `cdylib` with a `#[wasm_bindgen(start)]` entry instead of a wasm bin: a bin
//! re-runs every static constructor on each call from JS into wasm (see README "Toolchain").

pub mod components;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use components::operation_legend::OperationLegend;

/// Entry point called once by the generated JS: installs the panic hook and mounts the app.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
    mount_to_body(App);
}

/// The root component. Replay, live and kiosk modes arrive with their issues; today it shows
/// the operation classes the models recognise, read through the shared data layer.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <header class="app-header">
            <h1>"TSAK"</h1>
            <p class="tagline">"Packaging operations from one wrist, distilled from a two-handed teacher."</p>
        </header>
        <main data-testid="app-ready">
            <OperationLegend />
        </main>
    }
}
