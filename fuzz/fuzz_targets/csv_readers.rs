//! Feeds arbitrary bytes to every CSV reader of the data layer: none may panic, and every
//! error must point at a line that exists.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use tsak::data::classes::ClassTable;
use tsak::data::dataset_spec::DatasetSpec;
use tsak::data::openpack::annotation::{read_operations, read_operations_1hz};
use tsak::data::openpack::devices::{ATR_LAYOUT, E4_ACC_LAYOUT};
use tsak::data::openpack::{DeviceMap, imu_with_label};
use tsak::data::recording;
use tsak::data::timeseries::TimeSeries;

const SPEC: &str = "name = \"fuzz\"\nsample_rate_hz = 30\nchannels = [\"right_wrist/acc_x\"]\nnull_class = \"0\"\n\
                    [[classes]]\nid = 0\nname = \"Null\"\n[[classes]]\nid = 1\nname = \"Tape\"\n";

/// Parsed once: the fuzzer's time belongs to the readers, not to TOML parsing.
static CLASSES: LazyLock<ClassTable> = LazyLock::new(ClassTable::openpack_operations);
static RECORDING_SPEC: LazyLock<DatasetSpec> =
    LazyLock::new(|| DatasetSpec::parse("spec.toml", SPEC).expect("the fuzz spec is valid"));

fuzz_target!(|bytes: &[u8]| {
    let (classes, spec) = (&*CLASSES, &*RECORDING_SPEC);
    let lines = bytes.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
    let errors = [
        TimeSeries::read("a", bytes, ATR_LAYOUT).err(),
        TimeSeries::read("e", bytes, E4_ACC_LAYOUT).err(),
        read_operations_1hz("h", bytes, classes).err(),
        read_operations("o", bytes, classes).err(),
        recording::read("r", bytes, spec).err(),
        imu_with_label::read("i", bytes, &DeviceMap::default(), classes).err(),
    ];
    for error in errors.into_iter().flatten() {
        if let Some(line) = error.location.line {
            assert!(line >= 1 && line <= lines, "{error} (the input has {lines} lines)");
        }
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = DatasetSpec::parse("fuzz.toml", text);
    }
});
