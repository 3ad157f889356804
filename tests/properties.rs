//! Property tests for the readers: arbitrary or mangled input never panics and every error
//! points inside the file; valid data round-trips; the label and window rules hold.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use tsak::data::classes::ClassTable;
use tsak::data::dataset_spec::DatasetSpec;
use tsak::data::frames::FrameTable;
use tsak::data::openpack::annotation::{SecondLabels, read_operations, read_operations_1hz};
use tsak::data::openpack::devices::{ATR_LAYOUT, E4_ACC_LAYOUT};
use tsak::data::openpack::{DeviceMap, imu_with_label};
use tsak::data::recording;
use tsak::data::timeseries::TimeSeries;
use tsak::data::window::{WindowConfig, windows};

const SPEC: &str = r#"
name = "prop"
sample_rate_hz = 30
channels = ["right_wrist/acc_x", "right_wrist/acc_y"]
null_class = "Null"
[[classes]]
id = 0
name = "Null"
[[classes]]
id = 1
name = "Tape"
"#;

/// Runs every reader on `bytes`; returns the line numbers their errors name.
fn error_lines(bytes: &[u8]) -> Vec<Option<u64>> {
    let classes = ClassTable::openpack_operations();
    let spec = DatasetSpec::parse("spec.toml", SPEC).unwrap();
    vec![
        TimeSeries::read("a", bytes, ATR_LAYOUT).err().map(|e| e.location.line),
        TimeSeries::read("e", bytes, E4_ACC_LAYOUT).err().map(|e| e.location.line),
        read_operations_1hz("h", bytes, &classes).err().map(|e| e.location.line),
        read_operations("o", bytes, &classes).err().map(|e| e.location.line),
        recording::read("r", bytes, &spec).err().map(|e| e.location.line),
        imu_with_label::read("i", bytes, &DeviceMap::default(), &classes).err().map(|e| e.location.line),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn valid_atr(rows: usize) -> String {
    let mut text = String::from("unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z\n");
    for k in 0..rows {
        text.push_str(&format!("{},0.1,-0.2,0.98,1.5,-3,2,1,0,0,0\n", 1000 + k * 33));
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = error_lines(&bytes);
    }

    #[test]
    fn mangled_valid_files_fail_inside_the_file(
        rows in 1_usize..20,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec!["", ",", "x", "\n", "NaN", "\"", "9e99"])), 1..4),
    ) {
        let mut text = valid_atr(rows);
        for (at, insert) in edits {
            let mut i = at.index(text.len());
            while !text.is_char_boundary(i) { i -= 1; }
            text.replace_range(i..(i + 1).min(text.len()), insert);
        }
        let lines = text.lines().count() as u64 + 1;
        for line in error_lines(text.as_bytes()).into_iter().flatten() {
            prop_assert!(line >= 1 && line <= lines, "error at line {line} of a {lines}-line file");
        }
    }

    #[test]
    fn recordings_round_trip(values in proptest::collection::vec((-1e6_f32..1e6, -1e6_f32..1e6, 0_u32..2), 1..50)) {
        let spec = DatasetSpec::parse("spec.toml", SPEC).unwrap();
        let frames = FrameTable {
            channels: spec.channels.clone(),
            unixtime_ms: (0..values.len() as i64).map(|i| 1_700_000_000_000 + i * 33).collect(),
            values: values.iter().flat_map(|&(x, y, _)| [x, y]).collect(),
            labels: values.iter().map(|&(_, _, l)| l).collect(),
        };
        let mut csv = Vec::new();
        recording::write(&frames, &mut csv).unwrap();
        prop_assert_eq!(recording::read("r.csv", csv.as_slice(), &spec).unwrap(), frames);
    }

    #[test]
    fn label_at_matches_a_brute_force_oracle(
        first in 0_i64..1000,
        labels in proptest::collection::vec(prop::sample::select(vec![100_u32, 200, 8100]), 1..20),
        times in proptest::collection::vec(-2_000_i64..30_000, 1..50),
    ) {
        let table = SecondLabels { first_second_ms: first * 1000, labels: labels.clone(), null_id: 8100, box_starts_ms: vec![] };
        for t in times {
            let t = first * 1000 + t;
            let oracle = labels
                .iter()
                .enumerate()
                .find(|&(i, _)| { let s = first * 1000 + i as i64 * 1000; s <= t && t < s + 1000 })
                .map_or(8100, |(_, &l)| l);
            prop_assert_eq!(table.label_at(t), oracle);
        }
    }

    #[test]
    fn windows_tile_the_table(n in 0_usize..300, length in 1_usize..60, hop in 1_usize..60) {
        let frames = FrameTable {
            channels: vec!["p/a".into()],
            unixtime_ms: (0..n as i64).map(|i| i * 1000 / 30).collect(),
            values: vec![0.0; n],
            labels: (0..n as u32).map(|i| i / 45).collect(),
        };
        let w = windows(&frames, WindowConfig { length, hop });
        let expected = if n < length { 0 } else { (n - length) / hop + 1 };
        prop_assert_eq!(w.len(), expected);
        for window in &w {
            prop_assert!(window.start + length <= n);
            prop_assert!(window.seconds.windows(2).all(|s| s[0].0 < s[1].0));
            prop_assert!(frames.labels[window.start..window.start + length].contains(&window.label));
        }
    }
}
