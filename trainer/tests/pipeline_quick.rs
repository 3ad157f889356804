//! `trainer pipeline --quick` on a small synthetic dataset runs every stage end to end and
//! writes results for the teacher and for a student per KD strategy.

use std::process::Command;

fn trainer(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("trainer runs");
    assert!(output.status.success(), "trainer {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn quick_pipeline_trains_every_stage_and_reports_each_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("synth");
    let out = dir.path().join("run");
    trainer(&[
        "synth",
        "--out",
        data.to_str().unwrap(),
        "--users",
        "3",
        "--sessions",
        "1",
        "--minutes",
        "3",
        "--seed",
        "2",
    ]);
    let data_arg = format!("openpack:{}", data.display());
    trainer(&[
        "pipeline",
        "--data",
        &data_arg,
        "--out",
        out.to_str().unwrap(),
        "--quick",
        "--kd",
        "none,sc-logit,combi-rep",
    ]);

    let results: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let teacher_f1 = results["teacher_test"]["macro_f1"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&teacher_f1));
    let strategies: Vec<&str> =
        results["students"].as_array().unwrap().iter().map(|s| s["strategy"].as_str().unwrap()).collect();
    assert_eq!(strategies, ["none", "sc-logit", "combi-rep"]);
    assert!(results["split"].as_str().unwrap().contains("test U0103"));
    // Checkpoints of every stage are on disk for --resume.
    for file in ["teacher-best.bpk", "semantic-optim.bpk", "student-sc-logit-seed1-history.json"] {
        assert!(out.join("checkpoints").join(file).is_file(), "{file} missing");
    }
}
