//! The last error, in words that name the file and line; the app keeps its state behind it.

use leptos::prelude::*;

use crate::app::replay::use_replay;

#[component]
pub fn ErrorBanner() -> impl IntoView {
    let replay = use_replay();
    view! {
        <Show when=move || replay.error.with(Option::is_some)>
            <div class="error" role="alert">
                <span data-testid="error">{move || replay.error.get().unwrap_or_default()}</span>
                <button type="button" aria-label="Dismiss the error" on:click=move |_| replay.error.set(None)>
                    "×"
                </button>
            </div>
        </Show>
    }
}
