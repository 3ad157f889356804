//! A model's three most likely classes with their probabilities, as coloured bars.

use leptos::prelude::*;

use crate::infer::prediction::ModelPrediction;
use crate::model::manifest::Manifest;
use crate::replay::palette::class_colour;

#[component]
/// `manifest`: the models that made the prediction (their classes name the bars).
pub fn ProbabilityBars(prediction: Signal<Option<ModelPrediction>>, manifest: Signal<Manifest>) -> impl IntoView {
    let bars = move || {
        let (names, null_index) = manifest.with(|m| {
            let names: Vec<String> = m.classes.iter().map(|c| c.name.clone()).collect();
            (names, m.classes.iter().position(|c| c.id == m.null_id).unwrap_or(0))
        });
        prediction.get().map(|p| {
            let mut order: Vec<usize> = (0..p.probabilities.len()).collect();
            order.sort_by(|a, b| p.probabilities[*b].total_cmp(&p.probabilities[*a]));
            order
                .into_iter()
                .take(3)
                .filter(|&i| i < names.len())
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
