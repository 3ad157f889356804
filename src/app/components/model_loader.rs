//! Bringing a model bundle in: its zip (what `trainer export --zip` writes) or its folder. The
//! worker checks it (schema, every file's sha256, architectures, inputs and classes), keeps it
//! in the browser and replays with it; a bundle that fails is refused by name and the models
//! in use stay. Nothing is uploaded: the files go from the picker to the worker.

use leptos::prelude::*;

use crate::app::components::controls::{folder_picker, on_picked};
use crate::app::replay::use_replay;

#[component]
pub fn ModelLoader() -> impl IntoView {
    let picked = on_picked(use_replay());
    let folder = folder_picker();
    view! {
        <label class="file-pick">
            "Load models (bundle zip)… "
            <input type="file" accept=".zip,application/zip" data-testid="model-input" on:change=picked />
        </label>
        <label class="file-pick">
            "Load a models folder… "
            <input type="file" node_ref=folder data-testid="model-folder-input" on:change=picked />
        </label>
    }
}
