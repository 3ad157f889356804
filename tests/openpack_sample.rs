//! The OpenPack reader on real data: the dataset's public sample session (U0209/S0500, in
//! tests/fixtures/openpack-u0209 with its licence), checked against what openpack-toolkit 1.1.0
//! reads from the same files (`expected-toolkit.json`, written by the toolkit through
//! `make_expected.py`, not by tsak).
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::session::{AssembledSession, assemble};
use tsak::data::openpack::{DeviceMap, fs};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openpack-u0209")
}

#[derive(Deserialize)]
struct Run {
    start: usize,
    id: u32,
    frames: usize,
}

#[derive(Deserialize)]
struct Expected {
    frames: usize,
    first_unixtime_ms: i64,
    last_unixtime_ms: i64,
    label_runs: Vec<Run>,
    channel_sums: std::collections::BTreeMap<String, f64>,
}

fn expected() -> Expected {
    let text = std::fs::read_to_string(root().join("expected-toolkit.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn session() -> AssembledSession {
    let map = DeviceMap::default();
    let devices = fs::available_devices(&root(), "U0209", "S0500", &map);
    let ids: Vec<&str> = devices.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["atr01", "atr02", "atr03", "atr04", "e401"], "the sample has no e402");
    let sources = fs::read_session(&root(), "U0209", "S0500", &devices, &ClassTable::openpack_operations()).unwrap();
    assemble(sources).unwrap()
}

#[test]
fn frames_clock_and_labels_equal_the_toolkits() {
    let (session, expected) = (session(), expected());
    let frames = &session.frames;
    assert_eq!(frames.len(), expected.frames);
    assert_eq!(frames.unixtime_ms[0], expected.first_unixtime_ms);
    assert_eq!(*frames.unixtime_ms.last().unwrap(), expected.last_unixtime_ms);
    let mut labels = Vec::with_capacity(expected.frames);
    for run in &expected.label_runs {
        assert_eq!(run.start, labels.len());
        labels.extend(std::iter::repeat_n(run.id, run.frames));
    }
    assert_eq!(frames.labels, labels);
    assert!(expected.label_runs.len() > 150, "a real session has many operations");
}

#[test]
fn atr_values_equal_the_toolkits() {
    let (session, expected) = (session(), expected());
    let frames = &session.frames;
    let positions = DeviceMap::default();
    for (name, &sum) in &expected.channel_sums {
        let (device, channel) = name.split_once('/').unwrap();
        let position = &positions.get(device).unwrap().position;
        let column = frames.channels.iter().position(|c| *c == format!("{position}/{channel}")).unwrap();
        let ours: f64 = (0..frames.len()).map(|i| frames.frame(i)[column] as f64).sum();
        // The toolkit sums f64 parses, tsak f32 ones: within f32 rounding per value.
        assert!((ours - sum).abs() / frames.len() as f64 <= 1e-4, "{name}: {ours} vs the toolkit's {sum}");
    }
}

#[test]
fn the_real_rate_is_read_from_the_timestamps() {
    let rate = session().frames.sample_rate_hz().unwrap();
    assert!((rate - 1000.0 / 30.0).abs() < 1e-9, "ATR files step 30 ms: {rate} Hz");
}

#[test]
fn e4_acceleration_is_brought_to_g_and_said_so() {
    let session = session();
    let note = session.warnings.iter().find(|w| w.contains("9.80665")).expect("a note on the E4's units");
    assert!(note.contains("e401"), "{note}");
    let frames = &session.frames;
    let columns: Vec<usize> = ["x", "y", "z"]
        .map(|axis| frames.channels.iter().position(|c| *c == format!("right_wrist/e4_acc_{axis}")).unwrap())
        .to_vec();
    let mut magnitudes: Vec<f32> =
        (0..frames.len()).map(|i| columns.iter().map(|&c| frames.frame(i)[c].powi(2)).sum::<f32>().sqrt()).collect();
    magnitudes.sort_by(f32::total_cmp);
    let median = magnitudes[magnitudes.len() / 2];
    assert!((0.85..1.15).contains(&median), "a worn wristband reads about 1 G at its median, got {median}");
}

/// The sample dropped into the app as a folder: the replay reads it as released (no e402, E4
/// units converted) and runs both models, the teacher without the left E4.
#[test]
fn the_app_replays_the_sample_with_both_models() {
    use tsak::data::session_files::{SessionFile, load_session};
    use tsak::infer::bundle::ModelBundle;
    use tsak::infer::runner::Runner;

    let mut files = Vec::new();
    for entry in walk(&root().join("U0209")) {
        let path = entry.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
        files.push(SessionFile { path, bytes: std::fs::read(&entry).unwrap() });
    }
    let session = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
    assert_eq!(session.frames.len(), expected().frames);
    assert!(session.warnings.iter().any(|w| w.contains("9.80665")), "{:?}", session.warnings);
    let device = burn::tensor::Device::flex();
    let bundle = ModelBundle::synthetic(&device).unwrap();
    let runner = Runner::new(session, &bundle).unwrap();
    assert!(runner.teacher.is_some(), "the teacher runs without the missing E4");
    let missing = tsak::data::channels::sensors(&runner.teacher_missing);
    assert_eq!(missing, ["left_wrist/e4_acc"]);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { out.extend(walk(&path)) } else { out.push(path) }
    }
    out.sort();
    out
}
