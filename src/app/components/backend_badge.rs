//! The backend badge tells the truth: "WebGPU" only when burn's wgpu backend got an adapter,
//! else "CPU" with the reason; and the switch between them.

use leptos::prelude::*;

use crate::app::replay::use_replay;
use crate::replay::protocol::{BackendChoice, BackendInUse};

#[component]
pub fn BackendBadge() -> impl IntoView {
    let replay = use_replay();
    let text = move || match replay.backend.get() {
        None => "starting…".to_string(),
        Some(BackendInUse::WebGpu) => "WebGPU".to_string(),
        Some(BackendInUse::Cpu { .. }) => "CPU".to_string(),
    };
    let reason = move || match replay.backend.get() {
        Some(BackendInUse::Cpu { reason }) => Some(reason),
        _ => None,
    };
    let switch_label = move || match replay.backend_choice.get() {
        BackendChoice::Auto => "Use CPU",
        BackendChoice::Cpu => "Try WebGPU",
    };
    let switch = move |_| {
        let next = match replay.backend_choice.get_untracked() {
            BackendChoice::Auto => BackendChoice::Cpu,
            BackendChoice::Cpu => BackendChoice::Auto,
        };
        replay.set_backend(next);
    };
    view! {
        <div class="backend">
            <span class="badge" data-testid="backend" title=move || reason().unwrap_or_default()>{text}</span>
            <span class="backend-reason" data-testid="backend-reason">{move || reason().map(|r| format!("({r})"))}</span>
            <button type="button" data-testid="backend-switch" on:click=switch>{switch_label}</button>
        </div>
    }
}
