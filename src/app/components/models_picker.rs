//! Which embedded models replay the user's own files: those trained on synthetic data or those
//! trained on the real OpenPack sample. A demo picks its own; a change re-runs the loaded session.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlSelectElement};

use crate::app::replay::use_replay;
use crate::infer::embedded::EmbeddedModels;

#[component]
pub fn ModelsPicker() -> impl IntoView {
    let replay = use_replay();
    let changed = move |event: Event| {
        let select: HtmlSelectElement = event.target().expect("a select").unchecked_into();
        if let Some(models) = EmbeddedModels::from_value(&select.value()) {
            replay.use_models(models);
        }
    };
    let options = EmbeddedModels::ALL
        .into_iter()
        .map(|m| view! { <option value=m.value() selected=move || replay.models.get() == m>{m.label()}</option> })
        .collect_view();
    view! {
        <label class="models-pick">
            "Models: "
            <select data-testid="models" on:change=changed>{options}</select>
        </label>
    }
}
