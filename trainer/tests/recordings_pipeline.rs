//! A team's own data end to end: sessions exported to the generic recording format with a
//! dataset spec (two wrists' accelerometers, subjects named by the spec) go through the quick
//! pipeline with a subject split from the command line; the exported models take the spec's
//! channels and classes and score what their manifest says.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use tsak::data::channels::ChannelSelection;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::session::assemble;
use tsak::data::openpack::{DeviceMap, fs};

fn trainer(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("trainer runs");
    assert!(output.status.success(), "trainer {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

/// Writes each synthetic session's two wrist accelerometers as a recording, and the spec.
fn write_recordings(synth: &Path, out: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(out).unwrap();
    let classes = ClassTable::openpack_operations();
    let channels = ChannelSelection::new(["right_wrist/acc", "left_wrist/acc"].map(String::from));
    let mut spec = String::from("name = \"two wrists\"\nsample_rate_hz = 30\nnull_class = \"Null\"\n");
    let mut recordings = String::new();
    let mut channel_names = Vec::new();
    for user in ["U0101", "U0102", "U0103", "U0104"] {
        let sources = fs::read_session(synth, user, "S0100", &DeviceMap::default().devices, &classes).unwrap();
        let frames = assemble(sources).unwrap().frames.select(&channels).unwrap();
        channel_names = frames.channels.clone();
        let file = format!("{user}-S0100.csv");
        tsak::data::recording::write(&frames, std::fs::File::create(out.join(&file)).unwrap()).unwrap();
        let subject = format!("worker-{}", &user[3..]);
        write!(recordings, "[[recordings]]\nfile = \"{file}\"\nsubject = \"{subject}\"\n").unwrap();
    }
    let quoted: Vec<String> = channel_names.iter().map(|c| format!("\"{c}\"")).collect();
    writeln!(spec, "channels = [{}]", quoted.join(", ")).unwrap();
    for class in &classes.classes {
        write!(spec, "[[classes]]\nid = {}\nname = \"{}\"\n", class.id, class.name).unwrap();
    }
    let path = out.join("spec.toml");
    std::fs::write(&path, spec + &recordings).unwrap();
    path
}

#[test]
fn recordings_train_export_and_evaluate_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let synth = dir.path().join("synth");
    let path = |p: &Path| p.to_str().unwrap().to_string();
    trainer(&["synth", "--out", &path(&synth), "--users", "4", "--sessions", "1", "--minutes", "2", "--seed", "3"]);
    let spec = write_recordings(&synth, &dir.path().join("recordings"));
    let data = format!("recordings:{}", spec.display());
    let (run, weights, report) = (dir.path().join("run"), dir.path().join("weights"), dir.path().join("report"));
    trainer(&[
        "pipeline",
        "--data",
        &data,
        "--split",
        "subjects:worker-02/worker-04",
        "--quick",
        "--kd",
        "none,sc-logit",
        "--run",
        &path(&run),
        "--export",
        &path(&weights),
        "--report",
        &path(&report),
    ]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(weights.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["dataset"]["source"], data.as_str());
    assert_eq!(manifest["dataset"]["synthetic"], false, "a recordings dataset is the team's data");
    assert!(manifest["dataset"]["split"].as_str().unwrap().contains("test worker-04, validation worker-02"));
    // The teacher takes every channel of the recordings, the student the right wrist.
    let names = |model: &str| -> Vec<String> {
        manifest[model]["inputs"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(names("teacher").len(), 6);
    assert!(names("teacher").contains(&"left_wrist/acc_z".to_string()));
    assert_eq!(names("student"), ["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z"]);
    assert_eq!(manifest["classes"].as_array().unwrap().len(), 11);
    trainer(&[
        "evaluate",
        "--weights",
        &path(&weights),
        "--data",
        &data,
        "--split",
        "subjects:worker-02/worker-04",
        "--check",
    ]);
}
