//! The committed `model-weights/` decode into today's architectures and reproduce the
//! manifest's recorded metrics on their evaluation data: the default synthetic dataset, which
//! `trainer synth` regenerates byte for byte from its defaults.

use std::path::Path;
use std::process::Command;

use tsak_trainer::dataset::{DataSource, SplitChoice};
use tsak_trainer::evaluate::{check, evaluate};

#[test]
fn committed_weights_reproduce_their_manifest() {
    let weights = Path::new(env!("CARGO_MANIFEST_DIR")).join("../model-weights");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("synth");
    let output =
        Command::new(env!("CARGO_BIN_EXE_trainer")).args(["synth", "--out", data.to_str().unwrap()]).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let evaluation = evaluate(&weights, &DataSource::OpenPack(data), &SplitChoice::LastSubjects).unwrap();
    assert!(evaluation.manifest.dataset.synthetic, "the committed weights come from synthetic data and must say so");
    check(&evaluation).unwrap();
}
