//! A team's dataset in the generic recording format loads from its spec.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

use tsak::data::recording_fs::load_dataset;

#[test]
fn loads_the_fixture_dataset_with_subjects_and_labels() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recordings/spec.toml");
    let dataset = load_dataset(&spec).unwrap();
    assert_eq!(dataset.spec.subjects(), ["alice", "bob"]);
    let (alice, frames) = &dataset.recordings[0];
    assert_eq!(alice.subject, "alice");
    assert_eq!(frames.labels, vec![0, 1, 1, 2]);
    // bob's columns come as z, x, y; the table keeps the spec's x, y, z.
    let (_, bob) = &dataset.recordings[1];
    assert_eq!(bob.frame(1), [0.1, 0.2, 0.8]);
}

#[test]
fn a_missing_recording_is_named() {
    let dir = tempfile_dir();
    let spec = dir.join("spec.toml");
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/recordings/spec.toml"))
            .unwrap();
    std::fs::write(&spec, text).unwrap();
    let err = load_dataset(&spec).unwrap_err().to_string();
    assert!(err.contains("alice-01.csv: cannot open"), "{err}");
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tsak-recordings-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
