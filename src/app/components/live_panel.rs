//! The live view: choose a wearable's profile and where it is worn, connect, and watch each
//! device's state (connecting, streaming, reconnecting, lost), measured rate and losses, with
//! the student's and the teacher's live answers. Browsers without Web Bluetooth get the reason
//! and a way into replay.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlSelectElement};

use crate::app::components::live_timeline::LiveTimeline;
use crate::app::components::probability_bars::ProbabilityBars;
use crate::app::components::recorder_panel::RecorderPanel;
use crate::app::live::link;
use crate::app::live::session::{Live, SlotView, use_live};
use crate::app::replay::use_replay;
use crate::ble::profile::ProfileId;
use crate::data::channels::sensors;
use crate::infer::model_choice::label_of;
use crate::infer::prediction::{ModelPrediction, Which};
use crate::live::positions::{missing_positions, position_label, positions_to_offer};
use crate::model::manifest::Manifest;

fn selected(event: &Event) -> String {
    event.target().expect("a select").unchecked_into::<HtmlSelectElement>().value()
}

#[component]
fn ConnectForm(live: Live) -> impl IntoView {
    let profile = RwSignal::new(ProfileId::TsakOpen);
    // The positions follow the live models (a team's bundle may read `waist`); the first, the
    // student's, is picked whenever they change.
    let offered = Memo::new(move |_| live.manifest.with(positions_to_offer));
    let position = RwSignal::new(String::new());
    Effect::new(move |_| position.set(offered.with(|o| o.first().cloned().unwrap_or_default())));
    let profiles = ProfileId::ALL
        .into_iter()
        .map(|id| view! { <option value=id.value() selected=move || profile.get() == id>{id.profile().name}</option> })
        .collect_view();
    let positions = move || {
        offered
            .get()
            .into_iter()
            .map(|value| {
                let label = position_label(&value);
                let chosen = value.clone();
                view! { <option value=value selected=move || position.with(|p| *p == chosen)>{label}</option> }
            })
            .collect_view()
    };
    let connect = move |_| live.connect(profile.get_untracked(), position.get_untracked());
    view! {
        <section class="sources live-connect" aria-label="Connect a wearable">
            <label>
                "Device "
                <select data-testid="ble-profile" on:change=move |e| {
                    if let Some(id) = ProfileId::parse(&selected(&e)) { profile.set(id) }
                }>{profiles}</select>
            </label>
            <label>
                "Worn at "
                <select data-testid="ble-position" on:change=move |e| position.set(selected(&e))>{positions}</select>
            </label>
            <button type="button" class="primary" data-testid="connect-ble" on:click=connect>"Connect…"</button>
        </section>
    }
}

#[component]
fn DeviceRow(device: SlotView, live: Live) -> impl IntoView {
    let slot = device;
    let rate = slot.rate_hz.map_or_else(|| "—".to_string(), |hz| format!("{hz:.1}"));
    let position = slot.position.clone();
    let lost = slot.status == "lost";
    view! {
        <li class="device" data-position=slot.position.clone()>
            <strong>{slot.position.replace('_', " ")}</strong>
            {format!(" · {} ({})", slot.device, slot.profile)}
            " · " <span class="status" data-testid="ble-status" data-status=slot.status>{slot.status}</span>
            " · " <span data-testid="ble-rate" data-value=slot.rate_hz.map(|r| r.to_string()).unwrap_or_default()>{rate}</span>
            {format!(" Hz (asked {:.0})", slot.asked_hz)}
            " · dropped packets " <span data-testid="ble-dropped">{slot.dropped_packets}</span>
            {format!(" · gap frames {} · reconnects {}", slot.gap_frames, slot.reconnects)}
            {(slot.refused_samples > 0).then(|| format!(" · {} samples refused (out of order or unreadable values)", slot.refused_samples))}
            {slot.battery.map(|b| format!(" · battery {b}%"))}
            {slot.reason.map(|r| view! { <span class="reason">{format!(" · {r}")}</span> })}
            {(slot.decode_errors > 0).then(|| format!(
                " · {} unreadable packets (last: {})", slot.decode_errors, slot.last_decode_error.clone().unwrap_or_default()
            ))}
            <Show when=move || lost>
                <button type="button" data-testid="ble-reconnect" on:click={
                    let position = position.clone();
                    move |_| live.reconnect(position.clone())
                }>"Reconnect"</button>
            </Show>
            <button type="button" data-testid="ble-disconnect" on:click={
                let position = slot.position.clone();
                move |_| live.remove(&position)
            }>"Disconnect"</button>
        </li>
    }
}

/// One axis-mapping box per device. Rendered from a memo of (position, mapping) pairs, not with
/// the device rows that refresh every tick, so what the user is typing is not replaced.
#[component]
fn AxesEditor(live: Live) -> impl IntoView {
    let mappings = Memo::new(move |_| {
        live.slots.with(|slots| slots.iter().map(|s| (s.position.clone(), s.axes.clone())).collect::<Vec<_>>())
    });
    view! {
        <p class="axes">
            {move || mappings.get().into_iter().map(|(position, axes)| {
                let label = format!("{} axes (ATR x,y,z from the device's, e.g. -y,x,z) ", position.replace('_', " "));
                view! {
                    <label>
                        {label}
                        <input type="text" size="8" data-testid="ble-axes" value=axes
                            on:change=move |e: Event| {
                                let input: web_sys::HtmlInputElement = e.target().expect("an input").unchecked_into();
                                live.set_axes(&position, &input.value());
                            } />
                    </label>
                }
            }).collect_view()}
        </p>
    }
}

/// What a live card calls its model: where its inputs are worn, or that the bundle has none.
fn live_title(which: Which, manifest: &Manifest) -> String {
    let worn = |entry: &crate::model::manifest::ModelEntry| entry.positions().join(", ").replace('_', " ");
    match (which, &manifest.teacher) {
        (Which::Student, _) => format!("Student ({})", worn(&manifest.student)),
        (Which::Teacher, Some(teacher)) => format!("Teacher ({})", worn(teacher)),
        (Which::Teacher, None) => "Teacher: none in this bundle (student only)".into(),
    }
}

/// One model's live answer: class, top probabilities, this window's latency and the p50/p95
/// over the recent windows.
#[component]
fn LivePrediction(which: Which, prediction: Signal<Option<ModelPrediction>>) -> impl IntoView {
    let live = use_live();
    let id = match which {
        Which::Student => "student",
        Which::Teacher => "teacher",
    };
    let manifest = live.manifest;
    let class = move || {
        prediction
            .get()
            .and_then(|p| manifest.with(|m| m.classes.get(p.class).map(|c| c.name.clone())))
            .unwrap_or_else(|| "—".into())
    };
    let detail = move || {
        prediction
            .get()
            .map(|p| format!("{:.0}% · {:.2} ms", 100.0 * p.probabilities[p.class], p.latency_ms.unwrap_or_default()))
    };
    let percentiles = Memo::new(move |_| live.history.with(|h| h.latency(which)));
    let percentiles = move || {
        percentiles.get().map(|(p50, p95)| format!("p50 {p50:.2} ms · p95 {p95:.2} ms")).unwrap_or_else(|| "—".into())
    };
    view! {
        <article class="model-card">
            <h2>{move || manifest.with(|m| live_title(which, m))}</h2>
            <p class="prediction" data-testid=format!("{id}-prediction")>{class}</p>
            <p data-testid=format!("{id}-latency")>{detail}</p>
            <ProbabilityBars prediction=prediction manifest=manifest.into() />
            <dl class="figures">
                <dt>"Latency per window"</dt>
                <dd data-testid=format!("{id}-latency-percentiles")>{percentiles}</dd>
            </dl>
        </article>
    }
}

#[component]
pub fn LivePanel(on_replay: Callback<()>) -> impl IntoView {
    if let Err(reason) = link::bluetooth() {
        return view! {
            <section class="live-unsupported" data-testid="ble-unsupported">
                <h2>"Live mode needs Web Bluetooth"</h2>
                <p>{reason}</p>
                <button type="button" class="primary" on:click=move |_| on_replay.run(())>"Replay a recorded session instead"</button>
            </section>
        }
        .into_any();
    }
    let replay = use_replay();
    let live = use_live();
    let result = replay.live_result;
    let student = Signal::derive(move || result.with(|r| r.as_ref().map(|r| r.result.student.clone())));
    let teacher = Signal::derive(move || result.with(|r| r.as_ref().and_then(|r| r.result.teacher.clone())));
    let missing = move || {
        result.with(|r| {
            r.as_ref().filter(|r| !r.teacher_missing.is_empty()).map(|r| {
                let lacking = sensors(&r.teacher_missing).join(", ");
                if r.result.teacher.is_some() {
                    format!("The teacher runs without {lacking}: connect them for its full answer.")
                } else {
                    format!("The teacher needs {lacking}: connect them to see it run.")
                }
            })
        })
    };
    // What the models lack: positions no device streams from.
    let needs = move || {
        let connected: Vec<String> = live.slots.with(|slots| slots.iter().map(|s| s.position.clone()).collect());
        live.manifest.with(|m| missing_positions(m, &connected))
    };
    view! {
        <ConnectForm live=live />
        <ul class="devices" data-testid="ble-devices">
            {move || live.slots.get().into_iter().map(|slot| view! { <DeviceRow device=slot live=live /> }).collect_view()}
        </ul>
        <AxesEditor live=live />
        {move || live.error.get().map(|e| view! { <p class="error" data-testid="error">{e}</p> })}
        <div class="models">
            <LivePrediction which=Which::Student prediction=student />
            <LivePrediction which=Which::Teacher prediction=teacher />
        </div>
        <p class="missing" data-testid="live-needs">{needs}</p>
        <p class="hint" data-testid="live-models">{move || {
            let models = replay.live_models.with(|m| replay.bundles.with(|loaded| label_of(m, loaded)));
            match live.waiting_models.get() {
                Some(next) => format!("Live runs the models {models}; {next} take over when the recording stops."),
                None => format!("Live runs the models {models}."),
            }
        }}</p>
        <p class="missing" data-testid="teacher-missing">{missing}</p>
        <p class="hint" data-testid="teacher-stand-ins">{move || {
            let stood_in = live.stand_ins.get();
            (!stood_in.is_empty()).then(|| format!(
                "Standing in for the teacher's {}: the wrist wearables' accelerometers (no E4 is worn).",
                sensors(&stood_in).join(", ")
            ))
        }}</p>
        <LiveTimeline />
        <p class="hint">{move || format!("Windows skipped over dropouts: {}", live.skipped_windows.get())}</p>
        <RecorderPanel />
    }
    .into_any()
}
