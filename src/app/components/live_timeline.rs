//! The live timeline: the last minute of the label being recorded (when recording) and both
//! models' answers, filling from the left in the first minute and scrolling after; windows
//! skipped over dropouts stay blank.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::app::components::timeline::{ROW_HEIGHT, draw, short_labels};
use crate::app::live::session::use_live;
use crate::infer::embedded::EmbeddedModels;

#[component]
pub fn LiveTimeline() -> impl IntoView {
    let live = use_live();
    let canvas = NodeRef::<Canvas>::new();
    let manifest = EmbeddedModels::LIVE.manifest();
    let null_index = manifest.classes.iter().position(|c| c.id == manifest.null_id).unwrap_or(0);
    let labels = short_labels(&manifest.classes, manifest.null_id);
    Effect::new(move |_| {
        let rows = live.history.with(|h| h.rows());
        if let Some(canvas) = canvas.get() {
            draw(&canvas, ["label", "student", "teacher"], &rows, &labels, None, null_index);
        }
    });
    view! {
        <figure class="timeline">
            <canvas node_ref=canvas width="1200" height=(ROW_HEIGHT * 3.0) as u32 data-testid="live-timeline"
                data-windows=move || live.history.with(|h| h.windows())
                aria-label="The last minute: the label being recorded and both models' answers"></canvas>
            <figcaption>"The last minute (it fills from the left, then scrolls): the label being recorded, and what each model said."</figcaption>
        </figure>
    }
}
