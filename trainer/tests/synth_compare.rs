//! `trainer synth --compare` prints the data it wrote beside the real OpenPack sample, sensor by
//! sensor. The real column is checked against figures measured independently on the sample
//! (the real-data issue: right wrist acc_x mean +0.73 G, |acc| p99 2.83 G, clipping at +-4 G).

use std::path::Path;
use std::process::Command;

#[test]
fn synth_compare_prints_real_and_synthetic_statistics_side_by_side() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/openpack-u0209");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("synth");
    let real = format!("openpack:{}", fixture.display());
    let args = [
        "synth",
        "--out",
        out.to_str().unwrap(),
        "--users",
        "1",
        "--sessions",
        "1",
        "--minutes",
        "2",
        "--compare",
        &real,
    ];
    let output = Command::new(env!("CARGO_BIN_EXE_trainer")).args(args).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let row = |name: &str| -> Vec<String> {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no `{name}` row in\n{text}"));
        line[name.len()..].split_whitespace().map(String::from).collect()
    };
    assert_eq!(row("frame rate (Hz)"), ["33.33", "30.00"]);
    // Real, then synthetic: three signed means each.
    let gravity = row("right_wrist/acc mean x y z (G)");
    assert_eq!(gravity.len(), 6, "{gravity:?}");
    assert_eq!(gravity[0], "+0.73");
    assert_eq!(row("right_wrist/acc |v| p99 (G)")[0], "2.83");
    // The sample has no left E4: its row is absent, and every sensor it has is compared.
    assert!(!text.contains("left_wrist/e4_acc"), "{text}");
    for sensor in ["right_wrist", "left_wrist", "right_upper_arm", "left_upper_arm"] {
        for modality in ["acc", "gyro"] {
            assert_eq!(row(&format!("{sensor}/{modality} power > 3 Hz")).len(), 2);
        }
    }
    assert_eq!(row("Picking (mean s per run)").len(), 2);
}
