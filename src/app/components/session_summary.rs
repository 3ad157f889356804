//! Which session is replaying, how long it is, what the user should know about its data, and
//! the credit and licence real data asks to be shown with it.

use leptos::prelude::*;

use crate::app::replay::use_replay;

#[component]
pub fn SessionSummary() -> impl IntoView {
    let replay = use_replay();
    view! {
        {move || replay.info.with(|info| info.as_ref().map(|info| {
            let minutes = info.labels.len() as f64 / info.frame_rate_hz() / 60.0;
            let warnings = info.warnings.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view();
            view! {
                <section class="session" data-testid="session">
                    <h2 data-testid="session-name">{info.name.clone()}</h2>
                    <p data-testid="session-facts" data-load-ms=info.load_ms.to_string()>
                        {format!(
                            "{minutes:.1} minutes at {:.1} Hz, {} windows of {} frames; read in {:.2} s on this device",
                            info.frame_rate_hz(),
                            info.starts.len(),
                            info.length,
                            info.load_ms / 1000.0
                        )}
                    </p>
                    {info.attribution.clone().map(|credit| view! {
                        <p class="attribution" data-testid="session-attribution">{credit}</p>
                    })}
                    <ul class="warnings">{warnings}</ul>
                </section>
            }
        }))}
    }
}
