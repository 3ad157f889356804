//! The OpenPack reader against a hand-made session (tests/fixtures/openpack-mini, written by
//! make_openpack_mini.py). Every expected value below was worked out by hand from the
//! toolkit's rules; the reasoning is in the comments.
#![cfg(not(target_arch = "wasm32"))]

use std::fs::File;
use std::path::{Path, PathBuf};

use tsak::data::classes::ClassTable;
use tsak::data::openpack::annotation::{read_operations, read_operations_1hz};
use tsak::data::openpack::session::assemble;
use tsak::data::openpack::{DeviceMap, fs};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openpack-mini")
}

fn sources() -> tsak::data::openpack::SessionSources {
    let map = DeviceMap::default();
    let devices = fs::available_devices(&root(), "U0101", "S0100", &map);
    assert_eq!(devices.len(), 6, "all four ATR and both E4 files are found");
    fs::read_session(&root(), "U0101", "S0100", &devices, &ClassTable::openpack_operations()).unwrap()
}

#[test]
fn labels_follow_the_toolkit_rule() {
    let session = assemble(sources()).unwrap();
    // ATR clock t_k = 1634178333900 + round(k*1000/30). e402 starts at ...333960, so frames
    // k=0 (…900) and k=1 (…933) are trimmed; frames are k = 2..=99 (98 frames).
    assert_eq!(session.frames.len(), 98);
    assert_eq!(session.frames.unixtime_ms[0], 1_634_178_333_967);
    // k=2 (…333967) floors to second …333 < first annotated second …334 -> Null.
    // k=3 (…334000) .. k=32 (…334967): second 334 -> 100 (30 frames).
    // k=33 (…335000) .. k=92 (…336967): seconds 335, 336 -> 200 (60 frames).
    // k=93 (…337000) .. k=99: second 337 > last annotated second 336 -> Null (7 frames).
    let mut expected = vec![8100];
    expected.extend([100; 30]);
    expected.extend([200; 60]);
    expected.extend([8100; 7]);
    assert_eq!(session.frames.labels, expected);
}

#[test]
fn channels_are_named_by_position_and_e4_is_interpolated() {
    let session = assemble(sources()).unwrap();
    let frames = &session.frames;
    assert_eq!(frames.channels.len(), 4 * 10 + 2 * 3);
    assert_eq!(frames.channels[0], "right_wrist/acc_x");
    assert_eq!(frames.channels[10], "left_wrist/acc_x");
    assert_eq!(frames.channels[40], "right_wrist/e4_acc_x");
    assert_eq!(frames.channels[43], "left_wrist/e4_acc_x");
    let first = frames.frame(0);
    // acc_x = 1000*N + k for atrN, at k = 2.
    assert_eq!([first[0], first[10], first[20], first[30]], [1002.0, 2002.0, 3002.0, 4002.0]);
    // e401: t_3 = …333944, t_4 = …333975, acc_x = j. At …333967: 3 + 23/31.
    assert!((first[40] - (3.0 + 23.0 / 31.0)).abs() < 1e-5, "{}", first[40]);
    // e402: t_0 = …333960, t_1 = …333991. At …333967: 7/31.
    assert!((first[43] - 7.0 / 31.0).abs() < 1e-5, "{}", first[43]);
}

#[test]
fn truncation_and_trimming_are_reported() {
    let session = assemble(sources()).unwrap();
    let warnings = session.warnings.join("\n");
    assert!(warnings.contains("atr03/S0100.csv: truncated from 102 to 100 samples"), "{warnings}");
    assert!(warnings.contains("trimmed 2 frame(s) at the start and 0 at the end"), "{warnings}");
    let atr03 = session.devices.iter().find(|d| d.device == "atr03").unwrap();
    assert_eq!(atr03.samples, 102);
}

#[test]
fn both_annotation_forms_agree() {
    let classes = ClassTable::openpack_operations();
    let dir = root().join("U0101/annotation");
    let one_hz = dir.join("openpack-operations-1hz/S0100.csv");
    let spans = dir.join("openpack-operations/S0100.csv");
    let a = read_operations_1hz("1hz", File::open(one_hz).unwrap(), &classes).unwrap();
    let b = read_operations("ops", File::open(spans).unwrap(), &classes).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.labels, vec![100, 200, 200]);
}

#[test]
fn device_skew_of_30_ms_is_an_error_naming_file_line_and_field() {
    let mut sources = sources();
    let (_, atr04) = sources.streams.iter_mut().find(|(d, _)| d.id == "atr04").unwrap();
    // atr04 runs 3 ms early; +33 ms at index 50 makes it 30 ms late: the toolkit allows < 30.
    atr04.unixtime_ms[50] += 33;
    let err = assemble(sources).unwrap_err().to_string();
    assert!(err.contains("atr04/S0100.csv, line 52, field `unixtime`"), "{err}");
    assert!(err.contains("differs by 30 ms from atr01's"), "{err}");
}

#[test]
fn a_missing_device_file_is_named() {
    let map = DeviceMap::default();
    let mut devices = fs::available_devices(&root(), "U0101", "S0100", &map);
    devices[0].id = "atr09".into();
    let err = fs::read_session(&root(), "U0101", "S0100", &devices, &ClassTable::openpack_operations()).unwrap_err();
    assert!(err.to_string().contains("atr09/S0100.csv: cannot open"), "{err}");
}

/// The published U0101/S0500 has one extra leading row in atr01, which the toolkit drops.
/// The mini session renamed S0500, once with such a row put in front of atr01 and once as it is.
fn as_u0101_s0500(extra_leading_row: bool) -> tsak::data::openpack::SessionSources {
    let mut sources = sources();
    sources.session = "S0500".into();
    if extra_leading_row {
        let (_, atr01) = sources.streams.iter_mut().find(|(d, _)| d.id == "atr01").unwrap();
        let width = atr01.channels.len();
        atr01.unixtime_ms.insert(0, atr01.unixtime_ms[0] - 33);
        atr01.values.splice(0..0, vec![-1.0; width]);
    }
    sources
}

#[test]
fn the_known_bad_leading_row_is_dropped_where_it_is_there() {
    let plain = assemble(sources()).unwrap();
    let session = assemble(as_u0101_s0500(true)).unwrap();
    let warnings = session.warnings.join("\n");
    assert!(warnings.contains("dropped 1 known-bad leading row(s) of"), "{warnings}");
    assert_eq!(session.frames.values, plain.frames.values, "aligned as if the row had never been there");
    assert_eq!(session.frames.unixtime_ms, plain.frames.unixtime_ms);
}

/// A copy without the defect (synthetic data under the same names, or a fixed release) keeps
/// its first row: dropping it would shift atr01 a sample against the others.
#[test]
fn a_session_without_the_known_bad_row_keeps_its_first_row() {
    let plain = assemble(sources()).unwrap();
    let session = assemble(as_u0101_s0500(false)).unwrap();
    let warnings = session.warnings.join("\n");
    assert!(warnings.contains("so the 1 leading row(s) openpack-toolkit drops for U0101/S0500 are kept"), "{warnings}");
    assert_eq!(session.frames.values, plain.frames.values);
}
