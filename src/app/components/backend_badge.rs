//! The backend badge tells the truth: "WebGPU" only when burn's wgpu backend got an adapter,
//! else "CPU" with the reason; and the switch between them.

use leptos::prelude::*;

use crate::app::replay::use_replay;
use crate::protocol::{BackendChoice, BackendInUse};

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
    // From WebGPU the switch goes to the CPU; from the CPU (chosen or fallen back to) it tries
    // WebGPU again.
    let on_webgpu = move || matches!(replay.backend.get(), Some(BackendInUse::WebGpu));
    let switch_label = move || if on_webgpu() { "Use CPU" } else { "Try WebGPU" };
    let switch = move |_| {
        let next = if on_webgpu() { BackendChoice::Cpu } else { BackendChoice::Auto };
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
