//! The list of operation classes, with their ids, as the data layer defines them.

use leptos::prelude::*;

use crate::data::classes::ClassTable;

/// Lists the scored operations of OpenPack (Null excluded), in model output order.
#[component]
pub fn OperationLegend() -> impl IntoView {
    let table = ClassTable::openpack_operations();
    let items = table
        .operations()
        .map(|class| {
            view! {
                <li data-testid="operation" data-class-id=class.id>
                    <span class="class-id">{class.id}</span>
                    " "
                    <span class="class-name">{class.name.clone()}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="operation-legend" aria-labelledby="operations-heading">
            <h2 id="operations-heading">"Operations"</h2>
            <ol>{items}</ol>
        </section>
    }
}
