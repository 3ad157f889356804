//! Ground truth and both models' predictions along the session, one row each, with the
//! playback position; drawn on a canvas (thousands of segments stay smooth at 64x).

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use crate::app::replay::use_replay;
use crate::replay::palette::{class_colour, label_colour};

const ROWS: [&str; 3] = ["truth", "student", "teacher"];
pub const ROW_HEIGHT: f64 = 22.0;
const LABEL_WIDTH: f64 = 70.0;

/// Draws three named rows of classes per frame, with a red line at `position` if given. Each
/// segment wide enough also carries its class's short label (`labels`, by output index), so
/// the timeline never relies on colour alone.
pub fn draw(
    canvas: &web_sys::HtmlCanvasElement,
    names: [&str; 3],
    rows: &[Vec<Option<usize>>; 3],
    labels: &[String],
    position: Option<usize>,
    null_index: usize,
) {
    let Ok(Some(context)) = canvas.get_context("2d") else { return };
    let context: CanvasRenderingContext2d = context.unchecked_into();
    let (width, height) = (canvas.width() as f64, canvas.height() as f64);
    context.clear_rect(0.0, 0.0, width, height);
    let frames = rows[0].len().max(1);
    let scale = (width - LABEL_WIDTH) / frames as f64;
    context.set_font("12px sans-serif");
    for (r, name) in names.iter().enumerate() {
        let y = r as f64 * ROW_HEIGHT;
        context.set_fill_style_str("#333");
        let _ = context.fill_text(name, 4.0, y + 15.0);
        let values = &rows[r];
        let mut start = 0;
        while start < values.len() {
            let end = (start..values.len()).find(|&i| values[i] != values[start]).unwrap_or(values.len());
            if let Some(class) = values[start] {
                let (x, width) = (LABEL_WIDTH + start as f64 * scale, (end - start) as f64 * scale);
                context.set_fill_style_str(class_colour(class, null_index));
                context.fill_rect(x, y + 2.0, width, ROW_HEIGHT - 4.0);
                let label = labels.get(class).map_or("", String::as_str);
                if width >= 8.0 * label.len() as f64 + 6.0 {
                    context.set_fill_style_str(label_colour(class, null_index));
                    let _ = context.fill_text(label, x + 3.0, y + 15.0);
                }
            }
            start = end;
        }
    }
    if let Some(position) = position {
        context.set_fill_style_str("#d00");
        context.fill_rect(LABEL_WIDTH + position as f64 * scale - 1.0, 0.0, 2.0, height);
    }
}

/// Short labels by output index: the class id, `Null` as `–`.
pub fn short_labels(classes: &[crate::data::classes::ClassInfo], null_id: u32) -> Vec<String> {
    classes.iter().map(|c| if c.id == null_id { "–".to_string() } else { c.id.to_string() }).collect()
}

#[component]
pub fn Timeline() -> impl IntoView {
    let replay = use_replay();
    let canvas = NodeRef::<Canvas>::new();
    let rows = Memo::new(move |_| {
        replay.state.with(|s| {
            s.as_ref().map(|s| {
                let null_index = s.classes.index_of(s.classes.null_id).unwrap_or(0);
                (s.timeline_rows(), short_labels(&s.classes.classes, s.classes.null_id), null_index)
            })
        })
    });
    Effect::new(move |_| {
        let position = replay.position.get();
        rows.with(|rows| {
            if let (Some((rows, labels, null_index)), Some(canvas)) = (rows, canvas.get()) {
                draw(&canvas, ROWS, rows, labels, Some(position), *null_index);
            }
        });
    });
    view! {
        <figure class="timeline">
            <canvas node_ref=canvas width="1200" height=(ROW_HEIGHT * 3.0) as u32 data-testid="timeline"
                aria-label="Timeline of ground truth, student and teacher predictions"></canvas>
            <figcaption>"Ground truth and predictions over the session; the red line is now."</figcaption>
        </figure>
    }
}
