//! The backend badge tells the truth: where each model runs (the faster backend per model,
//! timed on this device, unless the user chose one), why, and a menu to choose.

use leptos::prelude::*;

use crate::app::replay::use_replay;
use crate::protocol::BackendChoice;

const CHOICES: [(BackendChoice, &str, &str); 3] = [
    (BackendChoice::Fastest, "fastest", "Fastest (timed)"),
    (BackendChoice::Cpu, "cpu", "CPU"),
    (BackendChoice::WebGpu, "webgpu", "WebGPU"),
];

#[component]
pub fn BackendBadge() -> impl IntoView {
    let replay = use_replay();
    let text = move || match replay.backend.get() {
        None if replay.backend_choice.get() == BackendChoice::Fastest => "timing…".to_string(),
        None => "starting…".to_string(),
        Some(report) => report.placement.label(),
    };
    let reason = move || replay.backend.get().map(|report| report.reason());
    let selected = move || CHOICES.iter().find(|c| c.0 == replay.backend_choice.get()).map_or("fastest", |c| c.1);
    let choose = move |event: leptos::ev::Event| {
        let value = event_target_value(&event);
        if let Some((choice, ..)) = CHOICES.iter().find(|c| c.1 == value) {
            replay.set_backend(*choice);
        }
    };
    view! {
        <div class="backend">
            <span class="badge" data-testid="backend" title=move || reason().unwrap_or_default()>{text}</span>
            <span class="backend-reason" data-testid="backend-reason">{move || reason().map(|r| format!("({r})"))}</span>
            <label class="backend-choice">
                "Run on "
                <select data-testid="backend-choice" prop:value=selected on:change=choose>
                    {CHOICES.map(|(_, value, label)| view! { <option value=value>{label}</option> })}
                </select>
            </label>
        </div>
    }
}
