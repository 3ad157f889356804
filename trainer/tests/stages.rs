//! The stage commands one at a time share a run folder: train-teacher -> train-semantic ->
//! distill -> compare -> export, each reading what the earlier ones left, refusing to run out of
//! order with a message that names the missing stage, and retraining invalidating what was
//! built on the old model.

use std::path::Path;
use std::process::{Command, Output};

fn trainer(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("trainer runs")
}

fn ok(args: &[&str]) -> String {
    let output = trainer(args);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "trainer {args:?} failed:\n{stderr}");
    stderr
}

fn failing(args: &[&str]) -> String {
    let output = trainer(args);
    assert!(!output.status.success(), "trainer {args:?} should fail");
    String::from_utf8_lossy(&output.stderr).to_string()
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Three synthetic workers' one session of `minutes` in `dir/synth`; returns the `--data`
/// argument that reads it.
fn synthetic_data(dir: &Path, minutes: &str, seed: &str) -> String {
    let data = dir.join("synth");
    ok(&["synth", "--out", s(&data), "--users", "3", "--sessions", "1", "--minutes", minutes, "--seed", seed]);
    format!("openpack:{}", data.display())
}

#[test]
fn stages_run_one_at_a_time_through_a_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data_arg = synthetic_data(dir.path(), "2", "5");

    let error = failing(&["train-semantic", "--run", s(&run)]);
    assert!(error.contains("trainer train-teacher"), "{error}");

    ok(&["train-teacher", "--data", &data_arg, "--run", s(&run), "--quick"]);
    assert!(run.join("run.json").is_file() && run.join("teacher.bpk").is_file());
    let error = failing(&["distill", "--run", s(&run), "--kd", "sc-rep", "--seeds", "1"]);
    assert!(error.contains("trainer train-semantic"), "a semantic-KD student needs stage 2:\n{error}");
    // Students that need only the teacher can be distilled before stage 2.
    ok(&["distill", "--run", s(&run), "--kd", "logit", "--seeds", "1"]);
    assert!(run.join("students/logit-seed1.bpk").is_file());

    // A new semantic classifier makes the students built before it stale.
    ok(&["train-semantic", "--run", s(&run)]);
    assert!(!run.join("students").exists(), "stale students must go");
    ok(&["distill", "--run", s(&run), "--kd", "none,sc-rep", "--seeds", "1"]);

    // compare reuses the students distilled with the same settings and distils the rest.
    let report = dir.path().join("report");
    let log =
        ok(&["compare", "--run", s(&run), "--kd", "none,sc-rep,sc-logit", "--seeds", "1", "--report", s(&report)]);
    assert_eq!(log.matches("already distilled in this run").count(), 2, "{log}");
    assert!(run.join("students/sc-logit-seed1.bpk").is_file());
    let results: serde_json::Value = serde_json::from_slice(&std::fs::read(run.join("results.json")).unwrap()).unwrap();
    assert_eq!(results["students"].as_array().unwrap().len(), 3);
    assert!(std::fs::read_to_string(report.join("report.md")).unwrap().contains("| sc-logit | 1 |"));
    // Different KD weights are a different experiment: not reused.
    let log =
        ok(&["compare", "--run", s(&run), "--kd", "none", "--seeds", "1", "--alpha", "0.7", "--report", s(&report)]);
    assert!(!log.contains("already distilled"), "{log}");

    // Export a chosen strategy and check the weights score what their manifest says.
    let weights = dir.path().join("weights");
    ok(&["export", "--run", s(&run), "--to", s(&weights), "--kd", "sc-rep"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(weights.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["student"]["kd_strategy"], "sc-rep");
    ok(&["evaluate", "--weights", s(&weights), "--data", &data_arg, "--check"]);
    let error = failing(&["export", "--run", s(&run), "--to", s(&weights), "--kd", "attn-rep"]);
    assert!(error.contains("no attn-rep student"), "{error}");
}

#[test]
fn out_of_fold_teachers_label_each_training_window_once_and_are_kept_for_their_teacher() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let data_arg = synthetic_data(dir.path(), "2", "6");
    ok(&["train-teacher", "--data", &data_arg, "--run", s(&run), "--quick"]);

    let log = ok(&["distill", "--run", s(&run), "--kd", "logit-oof", "--seeds", "1"]);
    assert_eq!(log.matches("labels the").count(), 4, "four fold teachers:\n{log}");
    assert!(run.join("students/logit-oof-seed1.bpk").is_file());
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(run.join("out-of-fold.json")).unwrap()).unwrap();
    let rows = |name: &str| stored[name]["values"].as_array().unwrap().len() / 11;
    let held_out: u64 = stored["folds"].as_array().unwrap().iter().map(|f| f["held_out"].as_u64().unwrap()).sum();
    assert_eq!((rows("combined"), rows("semantic")), (held_out as usize, held_out as usize));
    for fold in stored["folds"].as_array().unwrap() {
        let (trained_on, held) = (fold["trained_on"].as_u64().unwrap(), fold["held_out"].as_u64().unwrap());
        assert!(trained_on + held < held_out, "windows overlapping the held-out ones are left out: {fold}");
    }

    // More students of the same teacher reuse its fold teachers; a new teacher drops them.
    let log = ok(&["distill", "--run", s(&run), "--kd", "sc-logit-oof", "--seeds", "1"]);
    assert!(log.contains("already trained in this run") && !log.contains("labels the"), "{log}");
    ok(&["train-teacher", "--data", &data_arg, "--run", s(&run), "--quick"]);
    assert!(!run.join("out-of-fold.json").exists(), "stale fold teachers' logits must go");
}

#[cfg(not(feature = "cuda"))]
#[test]
fn a_backend_that_was_not_compiled_in_is_refused_before_training() {
    let dir = tempfile::tempdir().unwrap();
    let data_arg = synthetic_data(dir.path(), "1", "1");
    let run = dir.path().join("run");
    let error = failing(&["train-teacher", "--data", &data_arg, "--run", s(&run), "--quick", "--device", "cuda"]);
    assert!(error.contains("--features cuda"), "{error}");
    let error = failing(&["train-teacher", "--data", &data_arg, "--run", s(&run), "--device", "tpu"]);
    assert!(error.contains("is not a device"), "{error}");
}

/// A tuning run on `dev:` never touches the final test subject: its run scores the
/// validation subject as its test, and every later stage and report says it is a development run.
#[test]
fn a_development_run_leaves_the_final_test_subject_out() {
    let dir = tempfile::tempdir().unwrap();
    let data_arg = synthetic_data(dir.path(), "2", "4");
    let run = dir.path().join("run");
    ok(&["train-teacher", "--data", &data_arg, "--split", "dev:last-subjects", "--run", s(&run), "--quick"]);
    let spec: serde_json::Value = serde_json::from_slice(&std::fs::read(run.join("run.json")).unwrap()).unwrap();
    assert_eq!(spec["split"], "dev:last-subjects");
    assert_eq!(spec["test_sessions"], serde_json::json!(["U0102/S0100"]), "the validation subject tests");
    ok(&["train-semantic", "--run", s(&run)]);
    let report = dir.path().join("report");
    ok(&["compare", "--run", s(&run), "--kd", "none", "--seeds", "1", "--report", s(&report)]);
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("DEVELOPMENT (tuning) form") && md.contains("the final held-out part was not used"), "{md}");
    assert!(md.contains("DEVELOPMENT (tuning) form of [by subject: test U0103"), "it names what it left out:\n{md}");
}

/// `--threads 2` reaches every stage's loss (teacher, semantic classifier, a plain, a mixing and
/// a semantic-KD student), and `compare` without `--report` writes into its run folder, never
/// into the committed `reports/`.
#[test]
fn every_stage_trains_on_two_threads_and_reports_into_its_run() {
    let dir = tempfile::tempdir().unwrap();
    let data_arg = synthetic_data(dir.path(), "2", "6");
    let run = dir.path().join("run");
    ok(&["train-teacher", "--data", &data_arg, "--run", s(&run), "--quick", "--threads", "2"]);
    ok(&["train-semantic", "--run", s(&run), "--threads", "2"]);
    ok(&["compare", "--run", s(&run), "--kd", "none,logit-mix,sc-rep", "--seeds", "1", "--threads", "2"]);
    let results: serde_json::Value = serde_json::from_slice(&std::fs::read(run.join("results.json")).unwrap()).unwrap();
    let students = results["students"].as_array().unwrap();
    assert_eq!(students.len(), 3);
    for student in students {
        let f1 = student["test"]["macro_f1"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&f1), "{student}");
    }
    assert!(run.join("report/report.md").is_file(), "the report goes into the run folder by default");
    let error = failing(&["train-semantic", "--run", s(&run), "--threads", "0"]);
    assert!(error.contains("--threads"), "{error}");
}
