//! The synthetic OpenPack dataset round-trips through the real reader, and `trainer inspect`
//! reports it and writes its frame table. Runs the built `trainer` binary like a user would.

use std::fs::File;
use std::path::Path;
use std::process::Command;

use tsak::data::classes::ClassTable;
use tsak::data::openpack::annotation::{read_operations, read_operations_1hz};
use tsak::data::openpack::session::assemble;
use tsak::data::openpack::{DeviceMap, fs, layout};

fn trainer(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("trainer runs");
    assert!(output.status.success(), "trainer {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

fn synth(dir: &Path, minutes: &str, seed: &str) {
    trainer(&[
        "synth",
        "--out",
        dir.to_str().unwrap(),
        "--users",
        "2",
        "--sessions",
        "1",
        "--minutes",
        minutes,
        "--seed",
        seed,
    ]);
}

#[test]
fn synthetic_sessions_assemble_with_every_device_and_consistent_labels() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), "4", "11");
    let classes = ClassTable::openpack_operations();
    let map = DeviceMap::default();
    for user in ["U0101", "U0102"] {
        let devices = fs::available_devices(dir.path(), user, "S0100", &map);
        assert_eq!(devices.len(), 6, "{user}: every ATR and E4 file is written");
        let sources = fs::read_session(dir.path(), user, "S0100", &devices, &classes).unwrap();
        let session = assemble(sources).unwrap();
        let frames = &session.frames;
        // Four minutes at 30 Hz, give or take the lead-in/out and rare dropped samples.
        assert!((6800..=7800).contains(&frames.len()), "{user}: {} frames", frames.len());
        assert_eq!(frames.channels.len(), 46);
        let seen: Vec<u32> = frames.label_histogram().into_iter().map(|(id, _)| id).collect();
        assert!(seen.len() >= 8, "{user}: only {seen:?} occur in four minutes");
        assert!(frames.values.iter().all(|v| v.is_finite()));

        let one_hz = dir.path().join(layout::operations_1hz_path(user, "S0100"));
        let spans = dir.path().join(layout::operations_path(user, "S0100"));
        let a = read_operations_1hz("1hz", File::open(one_hz).unwrap(), &classes).unwrap();
        let b = read_operations("ops", File::open(spans).unwrap(), &classes).unwrap();
        assert_eq!(a, b, "{user}: both annotation forms say the same");
    }
}

#[test]
fn synth_is_deterministic_per_seed() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    synth(a.path(), "1", "5");
    synth(b.path(), "1", "5");
    synth(c.path(), "1", "6");
    let file = "U0102/atr/atr02/S0100.csv";
    let read = |d: &tempfile::TempDir| std::fs::read(d.path().join(file)).unwrap();
    assert_eq!(read(&a), read(&b));
    assert_ne!(read(&a), read(&c));
}

#[test]
fn inspect_summarises_and_writes_the_frame_table() {
    let dir = tempfile::tempdir().unwrap();
    synth(dir.path(), "2", "3");
    let csv = dir.path().join("frames.csv");
    let root = dir.path().to_str().unwrap();
    let out = trainer(&[
        "inspect",
        "--root",
        root,
        "--user",
        "U0101",
        "--session",
        "S0100",
        "--frames-csv",
        csv.to_str().unwrap(),
    ]);
    assert!(out.contains("session U0101/S0100"), "{out}");
    for device in ["atr01", "atr02", "atr03", "atr04", "e401", "e402"] {
        assert!(out.contains(device), "{device} missing from:\n{out}");
    }
    assert!(out.contains("Picking"), "{out}");

    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    assert_eq!(header.get(0), Some("unixtime"));
    assert_eq!(header.get(1), Some("right_wrist/acc_x"));
    assert_eq!(header.iter().next_back(), Some("operation"));
    let frames_line = out.lines().find(|l| l.starts_with("aligned:")).unwrap();
    let frames: usize = frames_line.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert_eq!(reader.records().count(), frames);
}

#[test]
fn inspect_names_a_missing_session() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(["inspect", "--root", dir.path().to_str().unwrap(), "--user", "U0101", "--session", "S0100"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no device files for U0101/S0100"), "{stderr}");
}
