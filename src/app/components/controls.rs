//! Choosing what to replay (a demo, picked files or a folder, dropped files) and playing it:
//! play, pause, seek, speed.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, DragEvent, Event, File, FileList, HtmlInputElement, HtmlSelectElement};

use crate::app::components::model_loader::ModelLoader;
use crate::app::components::models_picker::ModelsPicker;
use crate::app::dropped::{Dropped, DroppedFile};
use crate::app::replay::{Replay, Speed, use_replay};
use crate::demo::Demo;
use crate::infer::bundle_files::looks_like_bundle;
use crate::protocol::ToWorker;

/// A picked file with its path: the relative path of a folder pick, else its name.
fn picked_file(file: File) -> DroppedFile {
    let relative = js_sys::Reflect::get(&file, &"webkitRelativePath".into()).ok().and_then(|p| p.as_string());
    DroppedFile { path: relative.filter(|p| !p.is_empty()).unwrap_or_else(|| file.name()), file }
}

/// Reads the files' bytes and hands them to the worker with their paths: as a session to
/// replay, or as a model bundle when they are one (a zip, or a folder with a manifest).
async fn load_files(replay: Replay, files: Vec<DroppedFile>) {
    if files.is_empty() {
        return;
    }
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let bundle = looks_like_bundle(&paths);
    // A bundle is not a session load: the session in use stays until the bundle is checked.
    let busy = if bundle { replay.adding_bundle } else { replay.loading };
    busy.set(true);
    let mut buffers = Vec::with_capacity(files.len());
    for DroppedFile { path, file } in files {
        match JsFuture::from(file.array_buffer()).await {
            Ok(buffer) => buffers.push(buffer.unchecked_into()),
            Err(_) => {
                busy.set(false);
                replay.error.set(Some(format!("{path}: the browser could not read this file")));
                return;
            }
        }
    }
    let message = if bundle { ToWorker::AddBundle { paths } } else { ToWorker::LoadFiles { paths } };
    replay.send_files(&message, buffers);
}

fn load_list(replay: Replay, list: FileList) {
    let files = (0..list.length()).filter_map(|i| list.get(i)).map(picked_file).collect();
    wasm_bindgen_futures::spawn_local(load_files(replay, files));
}

/// A drop of files or of a whole session folder (walked with its paths).
fn load_drop(replay: Replay, data: DataTransfer) {
    let dropped = Dropped::take(&data);
    wasm_bindgen_futures::spawn_local(async move {
        match dropped.read().await {
            Ok(files) => load_files(replay, files).await,
            Err(message) => replay.error.set(Some(message)),
        }
    });
}

/// The `change` handler of a file input: loads what was picked (a session or a bundle) and
/// clears the input, so picking the same file again loads it again.
pub fn on_picked(replay: Replay) -> impl Fn(Event) + Copy + 'static {
    move |event: Event| {
        let input: HtmlInputElement = event.target().expect("an input").unchecked_into();
        if let Some(list) = input.files() {
            load_list(replay, list);
        }
        input.set_value("");
    }
}

/// A file input's reference that makes it pick a whole folder, with relative paths
/// (`webkitdirectory`, which has no typed setter).
pub fn folder_picker() -> NodeRef<leptos::html::Input> {
    let folder = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = folder.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    folder
}

#[component]
pub fn SourcePicker() -> impl IntoView {
    let replay = use_replay();
    let picked = on_picked(replay);
    let folder = folder_picker();
    let dropped = move |event: DragEvent| {
        event.prevent_default();
        if let Some(data) = event.data_transfer() {
            load_drop(replay, data);
        }
    };
    view! {
        <section class="sources" on:dragover=|e: DragEvent| e.prevent_default() on:drop=dropped>
            <button type="button" class="primary" data-testid="replay-demo" on:click=move |_| replay.load_demo(Demo::Synthetic)>
                "Replay the demo session"
            </button>
            <button
                type="button"
                data-testid="replay-real-demo"
                title="The held-out last 30% of OpenPack's public sample session (real data, CC BY-NC-SA 4.0), with the models trained on the rest of it"
                on:click=move |_| replay.load_demo(Demo::OpenPackSample)
            >
                "Replay real OpenPack data"
            </button>
            <ModelsPicker />
            <ModelLoader />
            <label class="file-pick">
                "Open session files… "
                <input type="file" multiple accept=".csv" data-testid="file-input" on:change=picked />
            </label>
            <label class="file-pick">
                "Open a session folder… "
                <input type="file" node_ref=folder data-testid="folder-input" on:change=picked />
            </label>
            <span class="hint">
                "or drop a session folder or files here: an OpenPack session's atr01–04 / e401–402 CSVs and its annotation, one imu-with-operation-label CSV, or one recording CSV; or a model bundle (its zip or folder). Files stay on this device."
            </span>
            <Show when=move || replay.loading.get() || replay.adding_bundle.get()>
                <span class="loading" data-testid="loading">"Loading…"</span>
            </Show>
        </section>
    }
}

fn clock_text(frame: usize, frame_rate: f64) -> String {
    let seconds = (frame as f64 / frame_rate) as u64;
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

#[component]
pub fn PlayerControls() -> impl IntoView {
    let replay = use_replay();
    let frames = move || replay.info.with(|i| i.as_ref().map_or(0, |i| i.labels.len()));
    let no_session = move || frames() == 0;
    let speed_changed = move |event: Event| {
        let select: HtmlSelectElement = event.target().expect("a select").unchecked_into();
        if let Some(speed) = Speed::parse(&select.value()) {
            replay.speed.set(speed);
        }
    };
    let seek = move |event: Event| {
        let input: HtmlInputElement = event.target().expect("an input").unchecked_into();
        replay.seek(input.value().parse().unwrap_or(0));
    };
    let options = Speed::CHOICES
        .into_iter()
        .map(|s| view! { <option value=s.value() selected=move || replay.speed.get() == s>{s.label()}</option> })
        .collect_view();
    view! {
        <section class="player" aria-label="Playback">
            <button type="button" data-testid="play" disabled=no_session on:click=move |_| replay.play()>"Play"</button>
            <button type="button" data-testid="pause" disabled=no_session on:click=move |_| replay.playing.set(false)>
                "Pause"
            </button>
            <label>
                "Speed "
                <select data-testid="speed" on:change=speed_changed>{options}</select>
            </label>
            <input
                type="range"
                class="seek"
                data-testid="seek"
                aria-label="Position in the session"
                min="0"
                max=move || frames().saturating_sub(1)
                prop:value=move || replay.position.get()
                disabled=no_session
                on:input=seek
            />
            <span class="clock" data-testid="clock">
                {move || {
                    let rate = replay.frame_rate.get();
                    format!("{} / {}", clock_text(replay.position.get(), rate), clock_text(frames(), rate))
                }}
            </span>
        </section>
    }
}
