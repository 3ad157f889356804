//! A bench, not a test (it asserts nothing; `scripts/bench-messages.sh` runs it in headless
//! Chromium and prints its table): should the worker protocol's messages travel as JS objects
//! built by `serde-wasm-bindgen` (copied by structured clone) instead of the JSON strings they
//! are (`ToWorker::to_json`, `FromWorker::to_json`)? Each message is encoded, copied by the
//! browser's structured clone (what `postMessage` does) and decoded both ways, in alternating
//! rounds in one run. Sizes are those of real use: a 26-minute session at 33.3 Hz, 11 classes,
//! a 133-frame live window of four wearables.
#![cfg(target_arch = "wasm32")]

use serde::Serialize;
use serde::de::DeserializeOwned;
use tsak::data::frames::FrameTable;
use tsak::infer::prediction::{ModelPrediction, WindowResult};
use tsak::infer::session_info::SessionInfo;
use tsak::protocol::{FromWorker, ToWorker};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

/// The two ways a message can cross.
#[derive(Clone, Copy)]
enum Wire {
    /// What the app does: a JSON string (serde_json).
    Json,
    /// A JS object (serde-wasm-bindgen; maps as objects and unix ms as numbers, as in JSON).
    Object,
}

fn encode<T: Serialize>(message: &T, wire: Wire) -> JsValue {
    match wire {
        Wire::Json => JsValue::from_str(&serde_json::to_string(message).unwrap()),
        Wire::Object => message.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap(),
    }
}

fn decode<T: DeserializeOwned>(value: JsValue, wire: Wire) -> T {
    match wire {
        Wire::Json => serde_json::from_str(&value.as_string().unwrap()).unwrap(),
        Wire::Object => serde_wasm_bindgen::from_value(value).unwrap(),
    }
}

wasm_bindgen_test_configure!(run_in_browser);

const FRAMES: usize = 52_000;
const CLASSES: usize = 11;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn structured_clone(value: &JsValue) -> JsValue {
    let clone: js_sys::Function =
        js_sys::Reflect::get(&js_sys::global(), &"structuredClone".into()).unwrap().unchecked_into();
    clone.call1(&JsValue::NULL, value).unwrap()
}

fn prediction(i: usize) -> ModelPrediction {
    let probabilities = (0..CLASSES).map(|c| ((i + c) % CLASSES) as f32 / 55.0).collect();
    ModelPrediction { class: i % CLASSES, probabilities, latency_ms: Some(0.1 + i as f64 * 1e-3) }
}

fn results(count: usize) -> FromWorker {
    let results = (0..count)
        .map(|window| WindowResult { window, student: prediction(window), teacher: Some(prediction(window + 3)) })
        .collect();
    FromWorker::Results { results }
}

fn loaded() -> FromWorker {
    let channels: Vec<String> = (0..43).map(|c| format!("position{}/channel_{c}", c / 10)).collect();
    FromWorker::Loaded(SessionInfo {
        name: "U0209/S0500".into(),
        unixtime_ms: (0..FRAMES as i64).map(|i| 1_648_532_504_310 + i * 30).collect(),
        labels: (0..FRAMES).map(|i| 100 * (1 + (i / 900) as u32 % 10)).collect(),
        starts: (0..(FRAMES - 133) / 17).map(|w| w * 17).collect(),
        length: 133,
        student_channels: channels[..3].to_vec(),
        student_signal: (0..FRAMES * 3).map(|i| (i as f32 * 0.01).sin()).collect(),
        channels,
        teacher_missing: Vec::new(),
        teacher_runs: true,
        models: Default::default(),
        attribution: Some("OpenPack (CC BY-NC-SA 4.0)".into()),
        warnings: Vec::new(),
        load_ms: 812.5,
        worker_memory_bytes: 123_456_789,
    })
}

fn live_window() -> ToWorker {
    let channels: Vec<String> = ["right_wrist", "left_wrist", "right_upper_arm", "left_upper_arm"]
        .iter()
        .flat_map(|p| ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"].map(move |c| format!("{p}/{c}")))
        .collect();
    let values = (0..133 * channels.len()).map(|i| (i as f32 * 0.03).cos()).collect();
    let frames = FrameTable {
        unixtime_ms: (0..133).map(|i| 1_700_000_000_000 + i * 30).collect(),
        values,
        labels: vec![8100; 133],
        channels,
    };
    ToWorker::LiveWindow { end_frame: 12_345, frames }
}

/// Median microseconds per message of encode -> structured clone -> decode, for each encoding.
fn time<T: Serialize + DeserializeOwned>(message: &T, reps: usize) -> [f64; 2] {
    let mut samples = [Vec::new(), Vec::new()];
    for _round in 0..7 {
        for (slot, wire) in [Wire::Json, Wire::Object].into_iter().enumerate() {
            let started = now();
            for _ in 0..reps {
                let sent = structured_clone(&encode(message, wire));
                let _: T = decode(sent, wire);
            }
            samples[slot].push((now() - started) * 1000.0 / reps as f64);
        }
    }
    samples.map(|mut s| {
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    })
}

#[wasm_bindgen_test]
fn message_encodings_side_by_side() {
    let mut table = String::from("message | JSON bytes | JSON us | object us | object/JSON\n");
    let mut row = |name: &str, json_bytes: usize, [json, object]: [f64; 2]| {
        table.push_str(&format!("{name} | {json_bytes} | {json:.1} | {object:.1} | {:.2}\n", object / json));
    };
    let size = |m: &dyn erased::Json| m.json_len();
    let small = ToWorker::InferUntil { frame: 4_321 };
    row("InferUntil", size(&small), time(&small, 2000));
    let one = results(1);
    row("Results (1 window, 1x play)", size(&one), time(&one, 1000));
    let chunk = results(64);
    row("Results (64 windows, max speed)", size(&chunk), time(&chunk, 50));
    let live = live_window();
    row("LiveWindow (133 frames x 24)", size(&live), time(&live, 50));
    let channel =
        FromWorker::Channel { name: "left_wrist/acc_x".into(), values: (0..FRAMES).map(|i| i as f32 * 1e-3).collect() };
    row("Channel (26 min)", size(&channel), time(&channel, 3));
    let session = loaded();
    row("Loaded (26 min session)", size(&session), time(&session, 1));
    web_sys::console::log_1(&format!("\n{table}").into());
}

/// The JSON length of any message, for the table.
mod erased {
    pub trait Json {
        fn json_len(&self) -> usize;
    }
    impl<T: serde::Serialize> Json for T {
        fn json_len(&self) -> usize {
            serde_json::to_string(self).unwrap().len()
        }
    }
}
