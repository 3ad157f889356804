//! A model's three most likely classes with their probabilities, as coloured bars.

use leptos::prelude::*;

use crate::infer::embedded::EmbeddedModels;
use crate::infer::prediction::ModelPrediction;
use crate::replay::palette::class_colour;

#[component]
pub fn ProbabilityBars(prediction: Signal<Option<ModelPrediction>>) -> impl IntoView {
    // Every embedded bundle predicts OpenPack's operations in one order (a bundle test checks).
    let manifest = EmbeddedModels::LIVE.manifest();
    let names: Vec<String> = manifest.classes.iter().map(|c| c.name.clone()).collect();
    let null_index = manifest.classes.iter().position(|c| c.id == manifest.null_id).unwrap_or(0);
    let bars = move || {
        prediction.get().map(|p| {
            let mut order: Vec<usize> = (0..p.probabilities.len()).collect();
            order.sort_by(|a, b| p.probabilities[*b].total_cmp(&p.probabilities[*a]));
            order
                .into_iter()
                .take(3)
                .map(|i| {
                    let percent = 100.0 * p.probabilities[i];
                    let style = format!("width: {percent:.1}%; background: {}", class_colour(i, null_index));
                    view! {
                        <li>
                            <span class="bar-label">{names[i].clone()}</span>
                            <span class="bar"><span class="fill" style=style></span></span>
                            <span class="bar-value">{format!("{percent:.0}%")}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! { <ul class="probabilities">{bars}</ul> }
}
