//! The list of the classes the models in use predict, with their ids: OpenPack's operations
//! for the built-in models, a team's own classes for a bundle trained on its recordings.

use leptos::prelude::*;

use crate::app::replay::use_replay;

/// Lists the scored classes (Null excluded), in model output order.
#[component]
pub fn OperationLegend() -> impl IntoView {
    let replay = use_replay();
    let items = move || {
        let manifest = replay.manifest();
        manifest
            .classes
            .into_iter()
            .filter(|class| class.id != manifest.null_id)
            .map(|class| {
                view! {
                    <li data-testid="operation" data-class-id=class.id>
                        <span class="class-id">{class.id}</span>
                        " "
                        <span class="class-name">{class.name.clone()}</span>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <section class="operation-legend" aria-labelledby="operations-heading">
            <h2 id="operations-heading">"Operations"</h2>
            <ol>{items}</ol>
        </section>
    }
}
