//! Bringing a model bundle in: its zip (what `trainer export --zip` writes) or its folder. The
//! worker checks it (schema, every file's sha256, architectures, inputs and classes), keeps it
//! in the browser and replays with it; a bundle that fails is refused by name and the models
//! in use stay. Nothing is uploaded: the files go from the picker to the worker.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlInputElement};

use crate::app::components::controls::load_list;
use crate::app::replay::use_replay;

#[component]
pub fn ModelLoader() -> impl IntoView {
    let replay = use_replay();
    let picked = move |event: Event| {
        let input: HtmlInputElement = event.target().expect("an input").unchecked_into();
        if let Some(list) = input.files() {
            load_list(replay, list);
        }
        input.set_value("");
    };
    // A folder pick (`webkitdirectory`) has no typed setter.
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
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
