//! Where OpenPack keeps each file, relative to the dataset root.
//!
//! Plain strings, no file system: the trainer joins them to a root folder, the web app
//! matches them against the names of dropped files.

use super::devices::{Device, DeviceKind};

/// `{user}/atr/{atr0N}/{session}.csv` or `{user}/e4/{e40N}/acc/{session}.csv`.
pub fn device_path(user: &str, session: &str, device: &Device) -> String {
    match device.kind {
        DeviceKind::Atr => format!("{user}/atr/{}/{session}.csv", device.id),
        DeviceKind::E4Acc => format!("{user}/e4/{}/acc/{session}.csv", device.id),
    }
}

/// The annotation with ISO start/end per operation span.
pub fn operations_path(user: &str, session: &str) -> String {
    format!("{user}/annotation/openpack-operations/{session}.csv")
}

/// The annotation with one row per second.
pub fn operations_1hz_path(user: &str, session: &str) -> String {
    format!("{user}/annotation/openpack-operations-1hz/{session}.csv")
}

/// The preprocessed single-file form: `{user}/preprocessed/imu-with-operation-label/{session}.csv`.
pub fn imu_with_label_path(user: &str, session: &str) -> String {
    format!("{user}/preprocessed/imu-with-operation-label/{session}.csv")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::openpack::DeviceMap;

    #[test]
    fn paths_follow_the_dataset_layout() {
        let map = DeviceMap::default();
        assert_eq!(device_path("U0101", "S0100", map.get("atr02").unwrap()), "U0101/atr/atr02/S0100.csv");
        assert_eq!(device_path("U0101", "S0100", map.get("e401").unwrap()), "U0101/e4/e401/acc/S0100.csv");
        assert_eq!(operations_1hz_path("U0102", "S0500"), "U0102/annotation/openpack-operations-1hz/S0500.csv");
    }
}
