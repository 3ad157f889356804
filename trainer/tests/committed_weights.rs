//! The committed bundles decode into today's architectures and reproduce their manifests'
//! recorded metrics on their evaluation data: `model-weights/` (real data) on the OpenPack
//! sample's held-out part, `model-weights/synthetic/` on the default synthetic dataset, which
//! `trainer synth` regenerates byte for byte from its defaults.

use std::path::Path;
use std::process::Command;

use tsak_trainer::commands::evaluate::{check, evaluate};
use tsak_trainer::training::dataset::{DataSource, SplitChoice};

#[test]
fn committed_weights_reproduce_their_manifest() {
    let weights = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model-weights/synthetic");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("synth");
    let output =
        Command::new(env!("CARGO_BIN_EXE_trainer")).args(["synth", "--out", data.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let evaluation = evaluate(&weights, &DataSource::OpenPack(data), &SplitChoice::LastSubjects).unwrap();
    assert!(evaluation.manifest.dataset.synthetic, "the committed weights come from synthetic data and must say so");
    check(&evaluation).unwrap();
}

/// The real-data bundle (trained on the first 70% of the OpenPack sample session) reproduces its
/// recorded held-out scores on the last 30%, from the files as released (no e402, E4 in
/// G / 9.80665), and names its data's licence.
#[test]
fn committed_real_data_weights_reproduce_their_held_out_scores() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let weights = root.join("model-weights");
    let data = DataSource::OpenPack(root.join("tests/fixtures/openpack-u0209"));
    let evaluation = evaluate(&weights, &data, &SplitChoice::Time { train_share: 0.7 }).unwrap();
    let dataset = &evaluation.manifest.dataset;
    assert!(!dataset.synthetic);
    assert!(dataset.licence.starts_with("CC BY-NC-SA 4.0"), "{}", dataset.licence);
    assert!(dataset.split.contains("not cross-subject"), "{}", dataset.split);
    // No training frame had a left E4, so the teacher was built without it and lacks nothing here.
    assert!(evaluation.teacher_missing.is_empty(), "{:?}", evaluation.teacher_missing);
    let inputs: Vec<&str> =
        evaluation.manifest.teacher.as_ref().unwrap().inputs.iter().map(|i| i.name.as_str()).collect();
    // Four ATRs' acc and gyro and the right E4's acc; no quaternions (they carry a drifting heading).
    assert_eq!(inputs.len(), 27);
    assert!(!inputs.iter().any(|name| name.starts_with("left_wrist/e4_acc")), "{inputs:?}");
    assert!(!inputs.iter().any(|name| name.contains("/quat_")), "{inputs:?}");
    check(&evaluation).unwrap();
}

/// The demo session the app embeds is what its documented command writes.
#[test]
fn committed_demo_session_regenerates_byte_for_byte() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let args = [
        "synth",
        "--out",
        out.to_str().unwrap(),
        "--users",
        "1",
        "--sessions",
        "1",
        "--minutes",
        "5",
        "--seed",
        "2026",
    ];
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    for file in tsak::demo::demo_files() {
        let regenerated = std::fs::read(out.join(&file.path)).unwrap();
        assert!(regenerated == file.bytes, "{} differs from a fresh `trainer synth`", file.path);
    }
    assert!(std::fs::read_to_string(demo.join("README.txt")).unwrap().starts_with("SYNTHETIC"));
}

/// The real demo the app serves is the sample's held-out part, as `trainer excerpt` writes it.
#[test]
fn committed_real_demo_is_the_held_out_part_as_excerpt_writes_it() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/openpack-u0209");
    let dir = tempfile::tempdir().unwrap();
    let data = format!("openpack:{}", fixture.display());
    let out = dir.path().join("demo-openpack");
    let args = ["excerpt", "--data", &data, "--split", "time:0.7", "--part", "test", "--out", out.to_str().unwrap()];
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let files = tsak::demo::Demo::OpenPackSample.files();
    for file in &files {
        let regenerated = std::fs::read(out.join(&file.path)).unwrap();
        assert!(regenerated == file.bytes, "{} differs from a fresh `trainer excerpt`", file.path);
    }
    let written = walkdir(&out);
    assert_eq!(written.len(), files.len(), "excerpt wrote {written:?}");
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() { found.extend(walkdir(&path)) } else { found.push(path) }
    }
    found
}

/// Replaying each demo window by window with its models, as the app's worker does, ends with
/// the scores `trainer evaluate` computes for the same session and weights; on the real demo
/// (the sample's held-out part) those are the held-out scores the real-data manifest records.
#[test]
fn each_demo_replay_ends_with_trainer_evaluate_scores() {
    use burn::tensor::Device;
    use tsak::data::classes::ClassTable;
    use tsak::data::openpack::DeviceMap;
    use tsak::data::session_files::load_session;
    use tsak::demo::Demo;
    use tsak::infer::bundle::ModelBundle;
    use tsak::infer::embedded::EmbeddedModels;
    use tsak::infer::prediction::Which;
    use tsak::infer::runner::{Runner, run_window};
    use tsak::replay::state::ReplayState;

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let device = Device::flex();
    for (demo, folder, weights) in [
        (Demo::Synthetic, "assets/demo", "model-weights/synthetic"),
        (Demo::OpenPackSample, "assets/demo-openpack", "model-weights"),
    ] {
        let bundle = ModelBundle::embedded_of(demo.models(), &device).unwrap();
        let session = load_session(&demo.files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let runner = Runner::new(session, &bundle).unwrap();
        let info = runner.info();
        let mut state = ReplayState::new(bundle.classes(), info.unixtime_ms, info.labels, info.starts, info.length);
        for w in runner.pending(usize::MAX) {
            let result = futures::executor::block_on(run_window(&runner, &bundle, w, &|| 0.0)).unwrap();
            state.push([result]);
        }
        let data = DataSource::OpenPack(root.join(folder));
        let evaluation = evaluate(&root.join(weights), &data, &SplitChoice::All).unwrap();
        assert_eq!(state.scores(Which::Student).unwrap(), evaluation.student, "{demo:?}");
        assert_eq!(state.scores(Which::Teacher).unwrap(), evaluation.teacher.as_ref().unwrap().semantic, "{demo:?}");
        if demo.models() == EmbeddedModels::OpenPackSample {
            check(&evaluation).unwrap();
        }
    }
}
