//! End-to-end checks of the written dataset: layout, determinism, physics, clocks, labels.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::DateTime;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::{DeviceMap, fs as openpack_fs, session as openpack_session};

use super::kinematics::{Quat, Vec3};
use super::*;
use tsak::data::openpack::writer::OpenPackFile;

const ATR: [&str; 4] = ["atr01", "atr02", "atr03", "atr04"];

fn small(seed: u64, users: usize, sessions: usize, minutes: f64) -> (tempfile::TempDir, SynthSummary) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = SynthConfig { users, sessions, minutes, seed, calibration: None };
    let summary = write_dataset(&cfg, dir.path()).unwrap();
    (dir, summary)
}

/// All files under `root`, relative, sorted.
fn files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                out.push(path.strip_prefix(root).unwrap().to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Header and rows of a CSV file, split on commas (none of these files quotes anything).
fn read_csv(path: &Path) -> (String, Vec<Vec<String>>) {
    let text = fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    (header, lines.map(|l| l.split(',').map(str::to_string).collect()).collect())
}

/// Timestamps and numeric columns of a sensor file.
fn read_sensor(path: &Path) -> (Vec<i64>, Vec<Vec<f64>>) {
    let (_, rows) = read_csv(path);
    let times = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    let values = rows.iter().map(|r| r[1..].iter().map(|v| v.parse().unwrap()).collect()).collect();
    (times, values)
}

fn atr_path(root: &Path, user: &str, session: &str, device: &str) -> PathBuf {
    root.join(format!("{user}/atr/{device}/{session}.csv"))
}

#[test]
fn the_layout_and_headers_are_exact() {
    let (dir, summary) = small(7, 2, 2, 1.0);
    let root = dir.path();
    let mut expected = vec![PathBuf::from("README.txt")];
    for user in ["U0101", "U0102"] {
        for session in ["S0100", "S0200"] {
            for d in ATR {
                expected.push(format!("{user}/atr/{d}/{session}.csv").into());
            }
            for d in ["e401", "e402"] {
                expected.push(format!("{user}/e4/{d}/acc/{session}.csv").into());
            }
            expected.push(format!("{user}/annotation/openpack-operations/{session}.csv").into());
            expected.push(format!("{user}/annotation/openpack-operations-1hz/{session}.csv").into());
        }
    }
    expected.sort();
    assert_eq!(files(root), expected);
    for path in files(root).iter().filter(|p| p.extension().is_some_and(|e| e == "csv")) {
        let header = read_csv(&root.join(path)).0;
        let want = match path.to_string_lossy() {
            p if p.contains("/atr/") => "unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z",
            p if p.contains("/e4/") => "time,acc_x,acc_y,acc_z",
            p if p.contains("openpack-operations-1hz") => "unixtime,user,session,box,id",
            _ => "uuid,user,session,box,id,operation,start,end,actions",
        };
        assert_eq!(header, want, "{}", path.display());
    }
    assert_eq!(
        OpenPackFile::Atr.columns().join(","),
        "unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z"
    );
    let readme = fs::read_to_string(root.join("README.txt")).unwrap();
    assert!(readme.contains("SYNTHETIC") && readme.contains("NOT the OpenPack dataset"));
    assert!(readme.contains("users=2 sessions=2 minutes=1 seed=7"));
    assert_eq!(summary.sessions.len(), 4);
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let (a, _) = small(11, 2, 1, 1.0);
    let (b, _) = small(11, 2, 1, 1.0);
    let (c, _) = small(12, 2, 1, 1.0);
    let list = files(a.path());
    assert_eq!(list, files(b.path()));
    for path in &list {
        assert_eq!(
            fs::read(a.path().join(path)).unwrap(),
            fs::read(b.path().join(path)).unwrap(),
            "{}",
            path.display()
        );
    }
    let differing = list
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .filter(|p| fs::read(a.path().join(p)).unwrap() != fs::read(c.path().join(p)).unwrap())
        .count();
    assert_eq!(differing, list.len() - 1, "every data file changes with the seed");
}

#[test]
fn quaternions_are_unit_and_consistent_with_the_gyro() {
    let (dir, _) = small(3, 1, 1, 1.0);
    for device in ATR {
        let (times, rows) = read_sensor(&atr_path(dir.path(), "U0101", "S0100", device));
        let written = |r: &Vec<f64>| Quat { w: r[6], x: r[7], y: r[8], z: r[9] };
        // 4 decimals leave |q| off by up to ~1e-4, which alone is ~1.6 degrees of arccos error.
        let quat = |r: &Vec<f64>| written(r).normalized();
        let gyro = |r: &Vec<f64>| Vec3::new(r[3], r[4], r[5]).scale(std::f64::consts::PI / 180.0);
        for r in &rows {
            assert!((written(r).norm() - 1.0).abs() < 2e-4, "{device}: |q| = {}", written(r).norm());
        }
        // Integrate the gyro over three samples (trapezoid, sensor frame) and compare with the
        // quaternion's change; integrating it as a world-frame rate must do much worse.
        let dt = 1.0 / 30.0;
        let (mut errors, mut world_errors, mut turns) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..rows.len() - 3 {
            if times[i + 3] - times[i] > 115 {
                continue; // a dropped sample in between
            }
            let (mut body, mut world) = (quat(&rows[i]), quat(&rows[i]));
            for j in i..i + 3 {
                let step = Quat::from_rotation_vector((gyro(&rows[j]) + gyro(&rows[j + 1])).scale(0.5 * dt));
                body = (body * step).normalized();
                world = (step * world).normalized();
            }
            let target = quat(&rows[i + 3]);
            errors.push(body.angle_to(target).to_degrees());
            world_errors.push(world.angle_to(target).to_degrees());
            turns.push(quat(&rows[i]).angle_to(target).to_degrees());
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        errors.sort_by(f64::total_cmp);
        let p95 = errors[errors.len() * 95 / 100];
        assert!(mean(&turns) > 1.0, "{device}: the limb should move ({:.2} deg per 0.1 s)", mean(&turns));
        // What is left is the gyro bias (~2 deg/s) and 30 Hz sampling of fast wrist strokes.
        assert!(mean(&errors) < 0.4, "{device}: mean error {:.3} deg", mean(&errors));
        assert!(p95 < 1.0, "{device}: p95 error {p95:.3} deg");
        assert!(mean(&errors) < 0.25 * mean(&world_errors), "{device}: the gyro is in the sensor frame");
    }
}

#[test]
fn a_limb_at_rest_measures_about_one_g() {
    let (dir, _) = small(5, 1, 1, 1.0);
    for device in ATR {
        let (_, rows) = read_sensor(&atr_path(dir.path(), "U0101", "S0100", device));
        let gyro_norm: Vec<f64> = rows.iter().map(|r| Vec3::new(r[3], r[4], r[5]).norm()).collect();
        let mut quiet = Vec::new();
        for i in 5..rows.len() - 5 {
            if gyro_norm[i - 5..i + 5].iter().all(|&g| g < 6.0) {
                quiet.push(Vec3::new(rows[i][0], rows[i][1], rows[i][2]).norm());
            }
        }
        assert!(quiet.len() > 20, "{device}: only {} quiet samples", quiet.len());
        let mean = quiet.iter().sum::<f64>() / quiet.len() as f64;
        assert!((mean - 1.0).abs() < 0.05, "{device}: |acc| at rest = {mean:.3} G");
        // Over the whole session, the accelerometer stays in human ranges.
        let all: Vec<f64> = rows.iter().map(|r| Vec3::new(r[0], r[1], r[2]).norm()).collect();
        let mean_all = all.iter().sum::<f64>() / all.len() as f64;
        assert!((mean_all - 1.0).abs() < 0.1, "{device}: mean |acc| = {mean_all:.3}");
    }
}

#[test]
fn atr_devices_agree_in_time_and_drop_samples_together() {
    let (dir, summary) = small(9, 1, 2, 2.0);
    for session in ["S0100", "S0200"] {
        let streams: Vec<Vec<i64>> =
            ATR.iter().map(|d| read_sensor(&atr_path(dir.path(), "U0101", session, d)).0).collect();
        let reference = &streams[0];
        for (d, times) in streams.iter().enumerate() {
            assert_eq!(times.len(), reference.len(), "{}", ATR[d]);
            assert!(times.windows(2).all(|w| w[1] > w[0]), "{} increases", ATR[d]);
            for (i, (&t, &r)) in times.iter().zip(reference).enumerate() {
                assert!((t - r).abs() < 30, "{session} {} index {i}: {t} vs {r}", ATR[d]);
                assert!((t - r).abs() <= 10);
            }
        }
        // Steps are one period (33/34 ms +- jitter) or two where a sample was dropped.
        for w in reference.windows(2) {
            let step = w[1] - w[0];
            assert!((23..=44).contains(&step) || (57..=77).contains(&step), "step {step}");
        }
    }
    let e4 = read_sensor(&dir.path().join("U0101/e4/e401/acc/S0100.csv")).0;
    assert!(e4.windows(2).all(|w| w[1] > w[0]));
    let period = (e4[e4.len() - 1] - e4[0]) as f64 / (e4.len() - 1) as f64;
    assert!((period - 31.25).abs() < 0.1, "E4 period {period}");
    assert_eq!(summary.sessions[0].atr_samples, read_sensor(&atr_path(dir.path(), "U0101", "S0100", "atr01")).0.len());
}

/// Unix ms of an ISO time written by the generator, checking its exact shape.
fn iso_ms(text: &str) -> i64 {
    assert_eq!(text.len(), 25, "{text}");
    assert!(text.ends_with("+09:00") && text.as_bytes()[10] == b'T', "{text}");
    DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
}

#[test]
fn the_two_annotation_forms_agree() {
    let (dir, summary) = small(4, 1, 2, 3.0);
    let table = ClassTable::openpack_operations();
    for session in ["S0100", "S0200"] {
        let (_, spans) = read_csv(&dir.path().join(format!("U0101/annotation/openpack-operations/{session}.csv")));
        let (_, seconds) =
            read_csv(&dir.path().join(format!("U0101/annotation/openpack-operations-1hz/{session}.csv")));
        let mut expanded = Vec::new();
        let mut previous_end = None;
        let mut uuids = std::collections::BTreeSet::new();
        for row in &spans {
            assert_eq!(row.len(), 9);
            assert!(uuids.insert(row[0].clone()), "uuids are unique");
            assert_eq!((row[1].as_str(), row[2].as_str()), ("U0101", session));
            let id: u32 = row[4].parse().unwrap();
            assert_eq!(table.name_of(id), Some(row[5].as_str()));
            assert_eq!(row[8], "", "actions are empty");
            let (start, end) = (iso_ms(&row[6]), iso_ms(&row[7]));
            assert!(end > start && start % 1000 == 0);
            if let Some(previous) = previous_end {
                assert_eq!(start, previous, "spans are contiguous");
            }
            previous_end = Some(end);
            for t in (start..end).step_by(1000) {
                expanded.push(vec![t.to_string(), "U0101".into(), session.into(), row[3].clone(), row[4].clone()]);
            }
        }
        assert_eq!(expanded, seconds);
        // The sensors run a few seconds before and after the annotated part.
        let (atr, _) = read_sensor(&atr_path(dir.path(), "U0101", session, "atr01"));
        let first: i64 = seconds[0][0].parse().unwrap();
        let last: i64 = seconds[seconds.len() - 1][0].parse().unwrap();
        assert!(atr[0] <= first - 1900 && atr[0] > first - 6100, "{} vs {first}", atr[0]);
        assert!(atr[atr.len() - 1] >= last + 3900, "{} vs {last}", atr[atr.len() - 1]);
    }
    assert!(summary.sessions.iter().all(|s| (174..=180).contains(&s.annotated_seconds)));
}

#[test]
fn a_ten_minute_session_has_every_operation_and_human_accelerations() {
    let (dir, summary) = small(21, 1, 1, 10.0);
    let (_, seconds) = read_csv(&dir.path().join("U0101/annotation/openpack-operations-1hz/S0100.csv"));
    let mut per_class: BTreeMap<u32, usize> = BTreeMap::new();
    for row in &seconds {
        *per_class.entry(row[4].parse().unwrap()).or_default() += 1;
    }
    for op in ClassTable::openpack_operations().operations() {
        assert!(per_class.get(&op.id).copied().unwrap_or(0) >= 3, "{} missing: {per_class:?}", op.name);
    }
    let s = &summary.sessions[0];
    assert!(s.boxes >= 3, "{} boxes", s.boxes);
    assert!((594..=600).contains(&s.annotated_seconds), "{} s", s.annotated_seconds);
    for (d, p99) in s.linear_acc_p99.iter().enumerate() {
        assert!(*p99 < 1.0 && *p99 > 0.05, "{}: p99 linear acceleration {p99:.2} G", ATR[d]);
    }
}

#[test]
fn devices_sit_where_the_core_device_map_says() {
    let map = DeviceMap::default();
    assert_eq!(map.devices.len(), session::DEVICES.len());
    for spec in &session::DEVICES {
        let device = map.get(spec.id).unwrap();
        assert_eq!((device.kind, device.position.as_str()), (spec.kind, spec.position), "{}", spec.id);
        let side = if spec.position.starts_with("right") { body::Side::Right } else { body::Side::Left };
        assert_eq!(spec.side, side);
    }
}

#[test]
fn the_core_reader_accepts_the_dataset() {
    let (dir, _) = small(8, 1, 1, 1.0);
    let table = ClassTable::openpack_operations();
    let map = DeviceMap::default();
    let devices = openpack_fs::available_devices(dir.path(), "U0101", "S0100", &map);
    assert_eq!(devices.len(), 6);
    let sources = openpack_fs::read_session(dir.path(), "U0101", "S0100", &devices, &table).unwrap();
    let assembled = openpack_session::assemble(sources).unwrap();
    assert!(assembled.frames.labels.iter().any(|&l| l != table.null_id));
    assert_eq!(assembled.frames.labels.first(), Some(&table.null_id), "the lead-in is Null");
}

/// Mean accelerometer vector (gravity direction, mostly) of one device per operation.
fn mean_acc_per_operation(root: &Path, device: &str) -> BTreeMap<u32, Vec3> {
    let (times, rows) = read_sensor(&atr_path(root, "U0101", "S0100", device));
    let (_, seconds) = read_csv(&root.join("U0101/annotation/openpack-operations-1hz/S0100.csv"));
    let labels: BTreeMap<i64, u32> = seconds.iter().map(|r| (r[0].parse().unwrap(), r[4].parse().unwrap())).collect();
    let mut sums: BTreeMap<u32, (Vec3, f64)> = BTreeMap::new();
    for (t, r) in times.iter().zip(&rows) {
        if let Some(&id) = labels.get(&(t.div_euclid(1000) * 1000)) {
            let e = sums.entry(id).or_insert((Vec3::ZERO, 0.0));
            e.0 += Vec3::new(r[0], r[1], r[2]);
            e.1 += 1.0;
        }
    }
    sums.into_iter().map(|(id, (s, n))| (id, s.scale(1.0 / n))).collect()
}

#[test]
fn labelling_operations_differ_more_in_the_other_hand_than_in_the_dominant_wrist() {
    // Relocate Item Label (200), Attach Box Label (600) and Attach Shipping Label (800) share the
    // dominant hand's peel-and-press: its wrist posture must be more alike across them than the
    // other hand's. Seed 21 user U0101 is right-handed.
    let (dir, summary) = small(21, 1, 1, 10.0);
    assert!(summary.left_handed.is_empty());
    let right = mean_acc_per_operation(dir.path(), "atr01");
    let left = mean_acc_per_operation(dir.path(), "atr02");
    let spread = |m: &BTreeMap<u32, Vec3>| {
        let pairs = [(200, 600), (200, 800), (600, 800)];
        pairs.iter().map(|(a, b)| (m[a] - m[b]).norm()).sum::<f64>()
    };
    assert!(spread(&left) > 2.0 * spread(&right), "left {:.3} vs right {:.3}", spread(&left), spread(&right));
}
