//! `trainer pipeline --quick` on a small synthetic dataset runs every stage end to end and
//! writes results for the teacher and for a student per KD strategy.

use std::process::Command;

use burn::config::Config;
use tsak::model::flops::{student_flops, teacher_flops};
use tsak::model::{StudentConfig, TeacherConfig};

fn trainer(args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("trainer runs");
    assert!(output.status.success(), "trainer {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
}

/// The folders of one quick run: results and checkpoints, exported weights, report. They live
/// as long as this value (the temporary folder is removed when it drops).
struct QuickRun {
    _dir: tempfile::TempDir,
    data: std::path::PathBuf,
    out: std::path::PathBuf,
    weights: std::path::PathBuf,
    report: std::path::PathBuf,
}

/// Writes a small synthetic dataset (3 users, one session each) and runs the quick pipeline
/// on it with the given KD strategies, exporting weights and a report.
fn quick_run(minutes: &str, seed: &str, kd: &str) -> QuickRun {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("synth");
    let (out, weights, report) = (dir.path().join("run"), dir.path().join("weights"), dir.path().join("report"));
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    trainer(&["synth", "--out", &path(&data), "--users", "3", "--sessions", "1", "--minutes", minutes, "--seed", seed]);
    let data_arg = format!("openpack:{}", data.display());
    trainer(&[
        "pipeline",
        "--data",
        &data_arg,
        "--out",
        &path(&out),
        "--quick",
        "--kd",
        kd,
        "--export",
        &path(&weights),
        "--report",
        &path(&report),
    ]);
    QuickRun { _dir: dir, data, out, weights, report }
}

/// Macro-F1 over the operations (Null excluded) from a confusion matrix's counts: for each
/// operation, precision over the seconds it was predicted whose truth is not Null, recall over
/// its own seconds; the mean over every operation of the table.
fn macro_f1_of(confusion: &serde_json::Value) -> f64 {
    let classes: Vec<u64> = confusion["classes"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
    let counts: Vec<Vec<f64>> = confusion["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row.as_array().unwrap().iter().map(|c| c.as_f64().unwrap()).collect())
        .collect();
    let null = classes.iter().position(|&c| c == 8100).expect("OpenPack's Null");
    let operations: Vec<usize> = (0..classes.len()).filter(|&i| i != null).collect();
    let f1s = operations.iter().map(|&c| {
        let tp = counts[c][c];
        let predicted: f64 = operations.iter().map(|&t| counts[t][c]).sum();
        let support: f64 = counts[c].iter().sum();
        let (precision, recall) =
            (if predicted > 0.0 { tp / predicted } else { 0.0 }, if support > 0.0 { tp / support } else { 0.0 });
        if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 }
    });
    f1s.sum::<f64>() / operations.len() as f64
}

#[test]
fn quick_pipeline_trains_every_stage_and_reports_each_strategy() {
    let run = quick_run("3", "2", "none,sc-logit,combi-rep");
    let (out, report) = (&run.out, &run.report);
    let results: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("results.json")).unwrap()).unwrap();
    let teacher_f1 = results["teacher_test"]["macro_f1"].as_f64().unwrap();
    // Every score the run reports is the one its confusion matrix gives (recomputed here from
    // the counts alone), and the report prints those very numbers.
    assert!((teacher_f1 - macro_f1_of(&results["teacher_test"]["confusion"])).abs() < 1e-12);
    for student in results["students"].as_array().unwrap() {
        let f1 = student["test"]["macro_f1"].as_f64().unwrap();
        assert!((f1 - macro_f1_of(&student["test"]["confusion"])).abs() < 1e-12, "{}", student["strategy"]);
    }
    let strategies: Vec<&str> =
        results["students"].as_array().unwrap().iter().map(|s| s["strategy"].as_str().unwrap()).collect();
    assert_eq!(strategies, ["none", "sc-logit", "combi-rep"]);
    assert!(results["split"].as_str().unwrap().contains("test U0103"));
    // The report compares the strategies and the two models, and draws confusion matrices.
    let md = std::fs::read_to_string(report.join("report.md")).unwrap();
    assert!(md.contains("not OpenPack results"), "{md}");
    assert!(md.contains("test figures are the final held-out part's"), "{md}");
    assert!(md.contains(&format!("Teacher (semantic classifier) test macro-F1: **{teacher_f1:.4}**")), "{md}");
    for student in results["students"].as_array().unwrap() {
        let row = format!(
            "| {} | 1 | {:.4} ± 0.0000 |",
            student["strategy"].as_str().unwrap(),
            student["test"]["macro_f1"].as_f64().unwrap()
        );
        assert!(md.contains(&row), "{row} missing from:\n{md}");
    }
    assert_eq!(md.matches("| kNN (k=").count(), 2, "both baselines are rows of the report:\n{md}");
    assert!(md.contains("faster (same run)"), "{md}");
    let svg = std::fs::read_to_string(report.join("confusion-teacher.svg")).unwrap();
    assert_eq!(svg.matches("<rect").count(), 11 * 11);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(report.join("report.json")).unwrap()).unwrap();
    assert!(json["costs"][0]["latency_ms_p50"].as_f64().unwrap() > 0.0);
    // Checkpoints of every stage are on disk for --resume.
    for file in ["teacher-best.bpk", "semantic-optim.bpk", "student-sc-logit-seed1-history.json"] {
        assert!(out.join("checkpoints").join(file).is_file(), "{file} missing");
    }
}

#[test]
fn exported_weights_come_with_a_truthful_manifest() {
    let run = quick_run("2", "4", "none,logit");
    let weights = &run.weights;
    // The exported files rebuild into models that score exactly what the manifest says.
    let data_arg = format!("openpack:{}", run.data.display());
    trainer(&["evaluate", "--weights", weights.to_str().unwrap(), "--data", &data_arg, "--check"]);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(weights.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["dataset"]["synthetic"], true, "synthetic data must be marked as such");
    assert_eq!(manifest["classes"].as_array().unwrap().len(), 11);
    for model in ["teacher", "semantic", "student"] {
        let entry = &manifest[model];
        for file in ["weights", "config"] {
            let path = weights.join(entry[file]["path"].as_str().unwrap());
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(entry[file]["size_bytes"].as_u64().unwrap(), bytes.len() as u64);
            assert_eq!(
                entry[file]["sha256"].as_str().unwrap(),
                tsak_trainer::artifacts::bundle::sha256_hex(&bytes),
                "{model} {file}"
            );
        }
        assert!(entry["params"].as_u64().unwrap() > 0 && entry["flops"].as_u64().unwrap() > 0);
        let f1 = entry["metrics"]["macro_f1"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&f1));
    }
    assert_eq!(manifest["student"]["inputs"][0]["name"], "right_wrist/acc_x");
    assert_eq!(manifest["student"]["inputs"][0]["unit"], "G");
    // Four ATRs' acc and gyro and both E4s' acc: OpenPack's default teacher inputs.
    let teacher_inputs = manifest["teacher"]["inputs"].as_array().unwrap();
    assert_eq!(teacher_inputs.len(), 30);
    assert!(teacher_inputs.iter().all(|i| !i["name"].as_str().unwrap().contains("/quat_")));
    let strategy = manifest["student"]["kd_strategy"].as_str().unwrap();
    assert!(["none", "logit"].contains(&strategy), "{strategy}");
    // The recorded FLOPs are the analytical counts of the exported configs.
    let teacher = TeacherConfig::load_binary(&std::fs::read(weights.join("teacher.json")).unwrap()).unwrap();
    let student = StudentConfig::load_binary(&std::fs::read(weights.join("student.json")).unwrap()).unwrap();
    // Windows are 4 s (the default) at the synthetic data's 30 Hz: 120 frames.
    let frames = manifest["window"]["length"].as_u64().unwrap() as usize;
    assert_eq!(frames, 120);
    assert_eq!(manifest["teacher"]["flops"].as_u64().unwrap(), teacher_flops(&teacher, frames).total());
    assert_eq!(manifest["student"]["flops"].as_u64().unwrap(), student_flops(&student, frames).total());
    // A student-only export, into the same folder: the teacher's files go, the student's
    // answers and scores stay, and it still evaluates to what its manifest says.
    let zip = run.out.join("student-only.zip");
    trainer(&[
        "export",
        "--run",
        run.out.to_str().unwrap(),
        "--to",
        weights.to_str().unwrap(),
        "--student-only",
        "--zip",
        zip.to_str().unwrap(),
    ]);
    let alone: serde_json::Value =
        serde_json::from_slice(&std::fs::read(weights.join("manifest.json")).unwrap()).unwrap();
    assert!(alone.get("teacher").is_none() && alone.get("semantic").is_none(), "{alone}");
    // The same student (the record's bytes are encoded anew, so only its size is compared).
    let same = |entry: &serde_json::Value| {
        let mut entry = entry.clone();
        entry["weights"] = entry["weights"]["size_bytes"].clone();
        entry
    };
    assert_eq!(same(&alone["student"]), same(&manifest["student"]));
    for file in ["teacher.bpk", "teacher.json", "semantic.bpk", "semantic.json"] {
        assert!(!weights.join(file).exists(), "{file} left behind");
    }
    let bundle =
        tsak::infer::bundle_files::BundleFiles::from_zip("student-only.zip", &std::fs::read(&zip).unwrap()).unwrap();
    let decoded = tsak::infer::bundle::ModelBundle::from_files(&bundle, &burn::tensor::Device::flex()).unwrap();
    assert!(decoded.teacher.is_none());
    let output = Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(["evaluate", "--weights", weights.to_str().unwrap(), "--data", &data_arg, "--check"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("a student-only bundle: no teacher to score"));
    // A damaged weights file is refused by name.
    let student = weights.join("student.bpk");
    let mut bytes = std::fs::read(&student).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&student, bytes).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_trainer"))
        .args(["evaluate", "--weights", weights.to_str().unwrap(), "--data", &data_arg])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("student.bpk: does not match the manifest"), "{stderr}");
}
