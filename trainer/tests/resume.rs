//! `--resume` on the real models: a teacher and a student stopped after two epochs and resumed
//! to four train exactly as runs that never stopped (the same loss every epoch, the same
//! weights at the end). Weights, Adam's moments, the batch order and the random draws of
//! dropout and augmentation all have to come back for that.

use std::path::Path;
use std::process::Command;

fn trainer(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().expect("trainer runs");
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(output.status.success(), "trainer {args:?} failed:\n{stderr}");
    stderr
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Each epoch's training loss, from a run's checkpoint history of `label`.
fn losses(run: &Path, label: &str) -> Vec<f64> {
    let path = run.join("checkpoints").join(format!("{label}-history.json"));
    let history: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    history["epochs"].as_array().unwrap().iter().map(|e| e["train_loss"].as_f64().unwrap()).collect()
}

fn assert_same_losses(resumed: &[f64], straight: &[f64], what: &str) {
    assert_eq!(resumed.len(), straight.len(), "{what}: {resumed:?} vs {straight:?}");
    for (epoch, (a, b)) in resumed.iter().zip(straight).enumerate() {
        assert!((a - b).abs() < 1e-6, "{what}, epoch {}: resumed {a}, straight {b}", epoch + 1);
    }
}

#[test]
fn a_resumed_teacher_and_student_train_as_if_never_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("synth");
    trainer(&["synth", "--out", s(&data), "--users", "3", "--sessions", "1", "--minutes", "2", "--seed", "9"]);
    let data = format!("openpack:{}", data.display());
    let (stopped, straight) = (dir.path().join("stopped"), dir.path().join("straight"));
    let teacher = |run: &Path, epochs: &str, resume: bool| {
        let mut args = vec!["train-teacher", "--data", &data, "--run", s(run), "--quick", "--epochs", epochs];
        if resume {
            args.push("--resume");
        }
        trainer(&args)
    };
    teacher(&stopped, "2", false);
    assert_eq!(losses(&stopped, "teacher").len(), 2);
    let log = teacher(&stopped, "4", true);
    assert!(log.contains("[teacher] resumed after epoch 2"), "{log}");
    teacher(&straight, "4", false);
    assert_same_losses(&losses(&stopped, "teacher"), &losses(&straight, "teacher"), "teacher");
    assert_eq!(
        std::fs::read(stopped.join("teacher.bpk")).unwrap().len(),
        std::fs::read(straight.join("teacher.bpk")).unwrap().len()
    );

    // The student (with its rotation augmentation) from the same teacher.
    let student = |run: &Path, epochs: &str, resume: bool| {
        let mut args = vec![
            "distill",
            "--run",
            s(run),
            "--kd",
            "logit",
            "--seeds",
            "1",
            "--rotate-degrees",
            "20",
            "--epochs",
            epochs,
        ];
        if resume {
            args.push("--resume");
        }
        trainer(&args)
    };
    student(&stopped, "2", false);
    let log = student(&stopped, "4", true);
    assert!(log.contains("resumed after epoch 2"), "{log}");
    student(&straight, "4", false);
    let label = "student-logit-seed1";
    assert_same_losses(&losses(&stopped, label), &losses(&straight, label), "student");
}
