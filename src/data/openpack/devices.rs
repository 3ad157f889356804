//! OpenPack's wearable devices, their file layouts, and where on the body each one sits.

use std::io::Read;

use serde::{Deserialize, Serialize};

use crate::data::error::DataResult;
use crate::data::timeseries::{SensorLayout, TimeSeries};

/// ATR TSND151 IMU files: acc in G, gyro in deg/s, orientation quaternion; 30 Hz.
pub const ATR_LAYOUT: SensorLayout = SensorLayout {
    columns: &[
        "unixtime", "acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z", "quat_w", "quat_x", "quat_y", "quat_z",
    ],
};

/// Empatica E4 accelerometer files: acc in G; 32 Hz.
pub const E4_ACC_LAYOUT: SensorLayout = SensorLayout { columns: &["time", "acc_x", "acc_y", "acc_z"] };

/// E4 accelerometer sample rate.
pub const E4_ACC_RATE_HZ: f64 = 32.0;
/// The E4 accelerometer's range and resolution, in G: 8 bits over ±2 G.
pub const E4_ACC_RANGE_G: f64 = 2.0;
pub const E4_ACC_STEP_G: f64 = 1.0 / 64.0;

/// An acceleration (G) as the E4 reports it: in its 1/64 G steps, clipped to its range. The
/// synthetic generator writes its E4s this way, and live wrist wearables standing in for an E4
/// are read this way.
pub fn e4_acc_reading(g: f64) -> f64 {
    ((g / E4_ACC_STEP_G).round() * E4_ACC_STEP_G).clamp(-E4_ACC_RANGE_G, E4_ACC_RANGE_G)
}

/// Standard gravity: OpenPack released its E4 acceleration divided by it once too often.
pub const STANDARD_GRAVITY: f64 = 9.80665;

/// Whether an E4 acceleration stream (x, y, z interleaved) is in G / 9.80665 rather than G,
/// and so must be multiplied by [`STANDARD_GRAVITY`]. OpenPack's documentation says G, but the
/// released files (the public sample U0209/S0500) are in G / 9.80665: their grid step is
/// 1/627.6 = 1/(64 x 9.80665) and a worn band reads about 0.1 at rest. A worn accelerometer's
/// median magnitude is about 1 G (gravity), whatever the wearer does; a median below 0.5
/// separates the two units with a wide margin on each side (0.1 vs 1).
pub fn e4_acc_in_g_over_gravity(values: &[f32]) -> Option<f64> {
    let mut magnitudes: Vec<f32> =
        values.chunks_exact(3).map(|v| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt()).collect();
    if magnitudes.is_empty() {
        return None;
    }
    let middle = magnitudes.len() / 2;
    let (_, &mut median, _) = magnitudes.select_nth_unstable_by(middle, f32::total_cmp);
    (median < 0.5).then_some(median as f64)
}

/// The two kinds of wearable stream the readers understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Atr,
    E4Acc,
}

impl DeviceKind {
    pub fn layout(self) -> SensorLayout {
        match self {
            DeviceKind::Atr => ATR_LAYOUT,
            DeviceKind::E4Acc => E4_ACC_LAYOUT,
        }
    }

    /// How channels of this device are named after its position: E4 channels get an `e4_`
    /// prefix so that `right_wrist/acc_x` (ATR) and `right_wrist/e4_acc_x` (E4) can coexist.
    pub fn channel_name(self, column: &str) -> String {
        match self {
            DeviceKind::Atr => column.to_string(),
            DeviceKind::E4Acc => format!("e4_{column}"),
        }
    }
}

/// One device of a session, e.g. `atr01` at `right_wrist`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// Folder name in the dataset: `atr01`..`atr04`, `e401`, `e402`.
    pub id: String,
    pub kind: DeviceKind,
    /// Body position used in channel names, e.g. `right_wrist`.
    pub position: String,
}

impl Device {
    /// Reads this device's file for one session.
    pub fn read<R: Read>(&self, file: impl Into<String>, reader: R) -> DataResult<TimeSeries> {
        TimeSeries::read(file, reader, self.kind.layout())
    }
}

/// Which device sits where. A config value, not a constant: the dataset docs say atr01 is
/// the right wrist, one openpack-torch README says left; users can override it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceMap {
    pub devices: Vec<Device>,
}

impl Default for DeviceMap {
    /// The placement given by the OpenPack dataset documentation.
    fn default() -> Self {
        let device = |id: &str, kind, position: &str| Device { id: id.into(), kind, position: position.into() };
        Self {
            devices: vec![
                device("atr01", DeviceKind::Atr, "right_wrist"),
                device("atr02", DeviceKind::Atr, "left_wrist"),
                device("atr03", DeviceKind::Atr, "right_upper_arm"),
                device("atr04", DeviceKind::Atr, "left_upper_arm"),
                device("e401", DeviceKind::E4Acc, "right_wrist"),
                device("e402", DeviceKind::E4Acc, "left_wrist"),
            ],
        }
    }
}

impl DeviceMap {
    pub fn get(&self, id: &str) -> Option<&Device> {
        self.devices.iter().find(|d| d.id == id)
    }

    pub fn of_kind(&self, kind: DeviceKind) -> impl Iterator<Item = &Device> {
        self.devices.iter().filter(move |d| d.kind == kind)
    }

    /// The devices needed to provide channels whose names are listed, e.g. a model's inputs.
    pub fn devices_for_channels<'a>(&'a self, channels: &'a [String]) -> impl Iterator<Item = &'a Device> {
        self.devices.iter().filter(move |d| {
            d.kind
                .layout()
                .channels()
                .iter()
                .any(|c| channels.contains(&format!("{}/{}", d.position, d.kind.channel_name(c))))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e4_acc_divided_by_gravity_is_told_from_acc_in_g() {
        let in_g = [0.0, 0.98, 0.1, 0.3, 0.9, -0.2, 0.1, 1.1, 0.0];
        assert_eq!(e4_acc_in_g_over_gravity(&in_g), None);
        let released: Vec<f32> = in_g.iter().map(|v| v / STANDARD_GRAVITY as f32).collect();
        let median = e4_acc_in_g_over_gravity(&released).unwrap();
        assert!((median - 0.1).abs() < 0.005, "{median}");
        assert_eq!(e4_acc_in_g_over_gravity(&[]), None);
    }

    #[test]
    fn e4_readings_are_8_bits_over_two_g() {
        assert_eq!(e4_acc_reading(1.0), 1.0);
        assert_eq!(e4_acc_reading(0.01), 0.015625);
        assert_eq!(e4_acc_reading(3.0), 2.0);
        assert_eq!(e4_acc_reading(-0.004), -0.0);
    }
}
