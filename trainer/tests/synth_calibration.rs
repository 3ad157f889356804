//! `trainer synth --calibrate-to openpack:DIR`: the simulator calibrated against the real
//! OpenPack sample's training part looks like it, sensor by sensor and operation by operation,
//! and the calibration never looks at the part the split holds out for testing.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tsak::data::classes::ClassId;
use tsak::data::frames::FrameTable;
use tsak::data::openpack::DeviceMap;
use tsak_trainer::synth::calibration::{Calibration, ClassMoments, calibrate, class_moments};
use tsak_trainer::synth::signal_stats::sensor_stats;
use tsak_trainer::synth::{SynthConfig, write_dataset};
use tsak_trainer::training::dataset::{self, DataSource, SplitChoice, SplitData};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/openpack-u0209")
}

fn time_split() -> SplitChoice {
    "time:0.7".parse().unwrap()
}

fn calibrate_against(root: &Path) -> Calibration {
    let scratch = tempfile::tempdir().unwrap();
    calibrate(&DataSource::OpenPack(root.to_path_buf()), &time_split(), 5, scratch.path()).unwrap()
}

fn training_tables(data: &SplitData) -> Vec<&FrameTable> {
    data.train.iter().chain(&data.val).map(|s| &s.frames).collect()
}

/// Synthetic data of `minutes` with `calibration` (or none), read back as the trainer reads it.
fn synthetic(calibration: Option<Calibration>, minutes: f64) -> (tempfile::TempDir, SplitData) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SynthConfig { users: 1, sessions: 1, minutes, seed: 3, calibration };
    write_dataset(&cfg, dir.path()).unwrap();
    let data = dataset::load(&DataSource::OpenPack(dir.path().to_path_buf()), &SplitChoice::All, &DeviceMap::default())
        .unwrap();
    (dir, data)
}

/// The largest per-axis gap (G) between two gravity directions, over the operations both have.
fn worst_gravity_gap(a: &BTreeMap<ClassId, ClassMoments>, b: &BTreeMap<ClassId, ClassMoments>) -> f64 {
    a.iter()
        .filter_map(|(class, x)| {
            b.get(class).map(|y| (0..3).map(|i| (x.mean[i] - y.mean[i]).abs()).fold(0.0, f64::max))
        })
        .fold(0.0, f64::max)
}

#[test]
fn calibrated_synthetic_data_looks_like_the_real_training_part() {
    let real = dataset::load(&DataSource::OpenPack(fixture()), &time_split(), &DeviceMap::default()).unwrap();
    let calibration = calibrate_against(&fixture());
    assert!((calibration.atr_hz - 100.0 / 3.0).abs() < 0.01, "{}", calibration.atr_hz);
    let (_calibrated_dir, calibrated) = synthetic(Some(calibration), 15.0);
    let (_plain_dir, plain) = synthetic(None, 15.0);
    assert!((calibrated.sample_rate_hz - real.sample_rate_hz).abs() < 0.01);

    let real_stats = sensor_stats(&training_tables(&real), real.sample_rate_hz);
    let calibrated_stats = sensor_stats(&calibrated.test.iter().map(|s| &s.frames).collect::<Vec<_>>(), 100.0 / 3.0);
    for r in &real_stats {
        let c = calibrated_stats.iter().find(|c| c.sensor == r.sensor).unwrap();
        // Session-wide gravity of accelerometers (the simulated subject is not the reference
        // simulation's: its mounting and posture habits are drawn anew, so within 0.2 G; the
        // uncalibrated simulator is off by up to 1.1 G). Gyro means are biases, not calibrated.
        if !r.sensor.ends_with("gyro") {
            let gap = (0..3).map(|i| (r.mean[i] - c.mean[i]).abs()).fold(0.0, f64::max);
            assert!(gap < 0.2, "{}: mean {:?} real vs {:?} calibrated", r.sensor, r.mean, c.mean);
        }
        assert!((c.std / r.std - 1.0).abs() < 0.2, "{}: std {} real vs {} calibrated", r.sensor, r.std, c.std);
        let band_gap = (c.high_band_share - r.high_band_share).abs();
        assert!(band_gap < 0.17, "{}: > 3 Hz {} real vs {} calibrated", r.sensor, r.high_band_share, c.high_band_share);
    }
    assert!(
        !calibrated.test[0].frames.channels.iter().any(|c| c.starts_with("left_wrist/e4_acc")),
        "no e402, as in the sample"
    );

    // Per operation, where gravity points at the right wrist (the student's sensor): the
    // calibrated simulator is close to the real worker, the uncalibrated one is not.
    let moments =
        |data: &SplitData, tables: Vec<&FrameTable>| class_moments(&tables, "right_wrist/acc", data.sample_rate_hz);
    let real_moments = moments(&real, training_tables(&real));
    let calibrated_moments = moments(&calibrated, calibrated.test.iter().map(|s| &s.frames).collect());
    let plain_moments = moments(&plain, plain.test.iter().map(|s| &s.frames).collect());
    let calibrated_gap = worst_gravity_gap(&real_moments, &calibrated_moments);
    let plain_gap = worst_gravity_gap(&real_moments, &plain_moments);
    assert!(calibrated_gap < 0.3, "worst per-operation gravity gap {calibrated_gap:.2} G calibrated");
    assert!(plain_gap > 0.8, "the uncalibrated simulator was expected far off: {plain_gap:.2} G");
}

/// Copies the sample, overwriting the acceleration of the right wrist's first or last quarter of
/// rows: the last quarter lies in the test part of `time:0.7` (boxes 15-20 are the last 30%).
fn altered_copy(to: &Path, last_quarter: bool) {
    copy_dir(&fixture(), to);
    let path = to.join("U0209/atr/atr01/S0500.csv");
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let rows = lines.len() - 1;
    let (from, until) = if last_quarter { (1 + rows * 3 / 4, lines.len()) } else { (1, 1 + rows / 4) };
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        if (from..until).contains(&i) {
            let mut fields: Vec<&str> = line.split(',').collect();
            fields[1] = "-1.0";
            fields[2] = "0.0";
            fields[3] = "0.0";
            out += &fields.join(",");
        } else {
            out += line;
        }
        out.push('\n');
    }
    fs::write(&path, out).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn calibration_reads_the_training_part_and_never_the_test_part() {
    let original = calibrate_against(&fixture());
    let dir = tempfile::tempdir().unwrap();
    let test_part_changed = dir.path().join("test-part-changed");
    altered_copy(&test_part_changed, true);
    let blind = calibrate_against(&test_part_changed);
    assert_eq!(blind.corrections, original.corrections);
    assert_eq!(blind.durations, original.durations);
    let training_part_changed = dir.path().join("training-part-changed");
    altered_copy(&training_part_changed, false);
    assert_ne!(calibrate_against(&training_part_changed).corrections, original.corrections);
}
