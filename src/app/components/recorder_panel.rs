//! The recorder: name the recording and the worker, record what the connected wearables
//! stream while tapping the operation being done, stop; and the saved recordings, which
//! survive reloads, can be resumed, exported (recording CSV or OpenPack layout) or deleted.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlInputElement};

use crate::app::live::recordings::{ExportKind, Recordings, use_recordings};
use crate::live::recording::RecordingSummary;

fn input_value(event: &Event) -> String {
    event.target().expect("an input").unchecked_into::<HtmlInputElement>().value()
}

/// One button per class, the current one pressed, and a box for a free label.
#[component]
fn LabelPicker(recordings: Recordings) -> impl IntoView {
    let classes = Memo::new(move |_| {
        recordings.current.track();
        recordings.track_live_models();
        recordings.classes().classes
    });
    view! {
        <div class="label-picker" role="group" aria-label="Operation being done now">
            {move || classes.get().into_iter().map(|class| {
                let id = class.id;
                let name = class.name.clone();
                view! {
                    <button type="button" data-testid="label-option" data-value=id
                        aria-pressed=move || (recordings.label.get() == id).to_string()
                        on:click=move |_| recordings.set_label(&id.to_string())>{name}</button>
                }
            }).collect_view()}
            <label>
                "Other label "
                <input type="text" size="14" data-testid="record-label" placeholder="e.g. Tape the box"
                    on:change=move |e| {
                        let text = input_value(&e);
                        if !text.trim().is_empty() { recordings.set_label(&text) }
                    } />
            </label>
        </div>
    }
}

#[component]
fn SavedRow(summary: RecordingSummary, recordings: Recordings) -> impl IntoView {
    let state = if summary.stopped { "stopped" } else { "interrupted" };
    let sensors = crate::data::channels::sensors(&summary.meta.channels).join(", ");
    let text = format!(
        "{} · {} · {:.1} s · {} · {}",
        summary.meta.name, summary.meta.subject, summary.seconds, sensors, state
    );
    let (resume, csv, openpack, delete) = (summary.clone(), summary.clone(), summary.clone(), summary.clone());
    view! {
        <li data-id=summary.meta.id.clone() data-frames=summary.frames data-state=state>
            <span>{text}</span>
            <button type="button" data-testid="record-resume" on:click=move |_| recordings.resume(resume.clone())>"Resume"</button>
            <button type="button" data-testid="export-csv" on:click=move |_| recordings.export(csv.clone(), ExportKind::Csv)>"Export CSV"</button>
            <button type="button" data-testid="export-openpack" on:click=move |_| recordings.export(openpack.clone(), ExportKind::OpenPack)>"Export OpenPack"</button>
            <button type="button" data-testid="record-delete" on:click=move |_| recordings.delete(delete.clone())>"Delete"</button>
        </li>
    }
}

#[component]
pub fn RecorderPanel() -> impl IntoView {
    let recordings = use_recordings();
    let name = RwSignal::new(String::new());
    let subject = RwSignal::new(String::new());
    let recording = move || recordings.current.with(Option::is_some);
    let status = move || {
        recordings.current.get().map(|c| {
            format!(
                "Recording \"{}\" ({}): {:.1} s, saved {:.1} s · now: {}",
                c.name,
                c.positions.iter().map(|p| p.replace('_', " ")).collect::<Vec<_>>().join(", "),
                c.seconds,
                c.saved_seconds,
                c.label
            )
        })
    };
    view! {
        <section class="recorder" aria-label="Record labelled data">
            <h2>"Record"</h2>
            <p class="record-form">
                <label>"Name " <input type="text" data-testid="record-name" placeholder="e.g. line3-morning"
                    on:input=move |e| name.set(input_value(&e)) /></label>
                <label>"Worker " <input type="text" data-testid="record-subject" placeholder="e.g. anna"
                    on:input=move |e| subject.set(input_value(&e)) /></label>
                <button type="button" class="primary" data-testid="record" disabled=recording
                    on:click=move |_| recordings.start(&name.get_untracked(), &subject.get_untracked())>"● Record"</button>
                <button type="button" data-testid="stop-record" disabled=move || !recording()
                    on:click=move |_| recordings.stop()>"■ Stop"</button>
            </p>
            <LabelPicker recordings=recordings />
            <p data-testid="record-status" data-frames=move || recordings.current.get().map(|c| c.frames).unwrap_or_default()>{status}</p>
            {move || recordings.error.get().map(|e| view! { <p class="error" data-testid="record-error">{e}</p> })}
            <h3>"Saved in this browser"</h3>
            <ul class="recordings" data-testid="recordings">
                {move || recordings.saved.get().into_iter().map(|s| view! { <SavedRow summary=s recordings=recordings /> }).collect_view()}
            </ul>
        </section>
    }
}
