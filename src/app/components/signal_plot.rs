//! The last ten seconds of the student's input channels and of one teacher channel the user
//! picks, drawn on a canvas around the playback position.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, Event, HtmlSelectElement};

use crate::app::replay::use_replay;
use crate::protocol::ToWorker;

const SECONDS: f64 = 10.0;
const COLOURS: [&str; 4] = ["#0072B2", "#D55E00", "#009E73", "#7F3C8D"];

/// One channel to draw: `values[offset + frame * stride]` for each frame, so the student's
/// interleaved signal is drawn in place (no per-tick copy of a whole session).
struct Series<'a> {
    name: &'a str,
    values: &'a [f32],
    stride: usize,
    offset: usize,
}

impl Series<'_> {
    fn frames(&self) -> usize {
        self.values.len() / self.stride.max(1)
    }

    fn visible(&self, from: usize, to: usize) -> impl Iterator<Item = f32> + '_ {
        (from.min(self.frames())..to.min(self.frames())).map(move |f| self.values[self.offset + f * self.stride])
    }
}

/// Draws the series over frames `from..to` in a band of the canvas, scaled to their range.
fn draw_band(
    context: &CanvasRenderingContext2d,
    series: &[Series],
    from: usize,
    to: usize,
    band: (f64, f64),
    width: f64,
) {
    let (top, height) = band;
    let (mut low, mut high) = (f32::INFINITY, f32::NEG_INFINITY);
    for v in series.iter().flat_map(|s| s.visible(from, to)) {
        low = low.min(v);
        high = high.max(v);
    }
    if !low.is_finite() || !high.is_finite() {
        return;
    }
    let span = (high - low).max(1e-3) as f64;
    let x_scale = width / (to - from).max(1) as f64;
    for (i, series) in series.iter().enumerate() {
        context.set_stroke_style_str(COLOURS[i % COLOURS.len()]);
        context.begin_path();
        for (k, v) in series.visible(from, to).enumerate() {
            let (x, y) = (k as f64 * x_scale, top + height - (v - low) as f64 / span * height);
            if k == 0 { context.move_to(x, y) } else { context.line_to(x, y) }
        }
        context.stroke();
        context.set_fill_style_str(COLOURS[i % COLOURS.len()]);
        let _ = context.fill_text(series.name, 4.0 + 150.0 * i as f64, top + 12.0);
    }
}

#[component]
pub fn SignalPlot() -> impl IntoView {
    let replay = use_replay();
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let position = replay.position.get();
        let Some(canvas) = canvas.get() else { return };
        let Ok(Some(context)) = canvas.get_context("2d") else { return };
        let context: CanvasRenderingContext2d = context.unchecked_into();
        let (width, height) = (canvas.width() as f64, canvas.height() as f64);
        context.clear_rect(0.0, 0.0, width, height);
        context.set_font("12px sans-serif");
        context.set_line_width(1.5);
        let to = position + 1;
        let from = to.saturating_sub((SECONDS * replay.frame_rate.get_untracked()) as usize);
        replay.info.with(|info| {
            let Some(info) = info else { return };
            let stride = info.student_channels.len().max(1);
            let student: Vec<Series> = info
                .student_channels
                .iter()
                .enumerate()
                .map(|(offset, name)| Series { name, values: &info.student_signal, stride, offset })
                .collect();
            draw_band(&context, &student, from, to, (0.0, height / 2.0 - 6.0), width);
        });
        replay.teacher_channel.with(|channel| {
            if let Some((name, values)) = channel {
                draw_band(
                    &context,
                    &[Series { name, values, stride: 1, offset: 0 }],
                    from,
                    to,
                    (height / 2.0 + 6.0, height / 2.0 - 6.0),
                    width,
                );
            }
        });
    });
    let channels = move || replay.info.with(|i| i.as_ref().map(|i| i.channels.clone()).unwrap_or_default());
    let pick = move |event: Event| {
        let select: HtmlSelectElement = event.target().expect("a select").unchecked_into();
        replay.send(&ToWorker::Channel { name: select.value() });
    };
    view! {
        <figure class="signals">
            <canvas node_ref=canvas width="1200" height="220" data-testid="signal-plot"
                aria-label="The student's input channels and one teacher channel, last ten seconds"></canvas>
            <figcaption>
                "Student inputs (top), last 10 s. Teacher channel (bottom): "
                <select data-testid="teacher-channel" on:change=pick>
                    <option value="">"choose…"</option>
                    {move || channels().into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                </select>
            </figcaption>
        </figure>
    }
}
