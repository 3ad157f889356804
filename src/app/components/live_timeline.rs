//! The live timeline: the last minute of the label being recorded (when recording) and both
//! models' answers, filling from the left in the first minute and scrolling after; windows
//! skipped over dropouts stay blank.

use leptos::html::Canvas;
use leptos::prelude::*;

use crate::app::components::timeline::{ROW_HEIGHT, draw, short_labels};
use crate::app::live::session::use_live;

#[component]
pub fn LiveTimeline() -> impl IntoView {
    let live = use_live();
    let canvas = NodeRef::<Canvas>::new();
    // The classes follow the live models.
    let classes = Memo::new(move |_| {
        live.manifest.with(|m| {
            let null_index = m.classes.iter().position(|c| c.id == m.null_id).unwrap_or(0);
            (short_labels(&m.classes, m.null_id), null_index)
        })
    });
    Effect::new(move |_| {
        let rows = live.history.with(|h| h.rows());
        if let Some(canvas) = canvas.get() {
            classes.with(|(labels, null_index)| {
                draw(&canvas, ["label", "student", "teacher"], &rows, labels, None, *null_index)
            });
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
