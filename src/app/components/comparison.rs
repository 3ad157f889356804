//! Student against teacher in this run: how often they agree, and the teacher/student latency
//! ratio, both measured side by side on the same windows.

use leptos::prelude::*;

use crate::app::replay::use_replay;
use crate::infer::prediction::Which;

#[component]
pub fn Comparison() -> impl IntoView {
    let replay = use_replay();
    let agreement = move || {
        replay
            .state
            .with(|s| s.as_ref().and_then(|s| s.agreement()))
            .map(|a| format!("{:.1}%", 100.0 * a))
            .unwrap_or_else(|| "—".into())
    };
    let ratio = move || {
        replay
            .state
            .with(|s| {
                let s = s.as_ref()?;
                Some(s.latency(Which::Teacher)?.0 / s.latency(Which::Student)?.0)
            })
            .map(|r| format!("{r:.1}x"))
            .unwrap_or_else(|| "—".into())
    };
    let progress =
        move || replay.state.with(|s| s.as_ref().map(|s| format!("{} of {} windows", s.results.len(), s.starts.len())));
    view! {
        <section class="comparison" aria-label="Student against teacher">
            <span>"Agreement: " <strong data-testid="agreement">{agreement}</strong></span>
            <span>"Teacher / student latency (p50): " <strong data-testid="latency-ratio">{ratio}</strong></span>
            <span data-testid="progress">{progress}</span>
        </section>
    }
}
