//! BBC micro:bit accelerometer service (no gyroscope).
//!
//! Each notification is one sample: x, y, z as little-endian i16 in milli-g. The period
//! characteristic takes one of the periods the runtime supports, in ms.

use super::error::{Bytes, DecodeError};
use super::sample::{Decoded, ImuSample};

pub const NAME: &str = "BBC micro:bit";
pub const SERVICE: &str = "e95d0753-251d-470a-a062-fa1922dfa9a8";
pub const DATA: &str = "e95dca4b-251d-470a-a062-fa1922dfa9a8";
pub const PERIOD: &str = "e95dfb24-251d-470a-a062-fa1922dfa9a8";

/// Periods (ms) the V1 micro:bit's accelerometer accepts (microbit-dal
/// source/drivers/MMA8653.cpp); the device rounds other requests up. Later boards differ (V1.5
/// FXOS8700: 2.5 ... 1280 ms; V2 LSM303, codal-core LSM303Accelerometer.cpp: 0.617 ... 1000 ms),
/// but every board has the 20 ms the app asks for.
pub const PERIODS_MS: [u16; 8] = [1, 2, 5, 10, 20, 80, 160, 640];

pub fn decode(packet: &[u8], arrival_ms: f64) -> Result<Decoded, DecodeError> {
    if packet.len() != 6 {
        return Err(DecodeError::length(NAME, packet.len(), 6));
    }
    let acc = Bytes::new(NAME, packet).i16x3()?.map(|v| v as f32 / 1000.0);
    Ok(Decoded::arrival(vec![ImuSample { t_ms: arrival_ms, acc, gyro: None }]))
}

/// The period write for the fastest supported period not shorter than `period_ms`.
pub fn period_write(period_ms: u16) -> Vec<u8> {
    let period = PERIODS_MS.into_iter().find(|&p| p >= period_ms).unwrap_or(PERIODS_MS[PERIODS_MS.len() - 1]);
    period.to_le_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn milli_g_become_g() {
        // Built from the runtime's own definition, no published vector existing: microbit-dal
        // source/bluetooth/MicroBitAccelerometerService.cpp (and codal-microbit-v2's) notify
        // `getX()`, `getY()`, `getZ()` as three 16-bit little-endian values, in milli-g
        // (codal-core Accelerometer.cpp); the Bluetooth profile: "divided by 1000".
        let packet: Vec<u8> = [250i16, -1000, 2000].iter().flat_map(|v| v.to_le_bytes()).collect();
        let sample = decode(&packet, 7.0).unwrap().samples[0];
        assert_eq!(sample.acc, [0.25, -1.0, 2.0]);
        assert_eq!(sample.gyro, None);
    }

    #[test]
    fn wrong_lengths_are_errors() {
        assert!(decode(&[1, 2, 3, 4, 5], 0.0).is_err());
        assert!(decode(&[], 0.0).is_err());
    }

    #[test]
    fn periods_round_up_to_a_supported_one() {
        assert_eq!(period_write(20), vec![20, 0]);
        assert_eq!(period_write(30), vec![80, 0]);
        assert_eq!(period_write(5000), vec![0x80, 0x02]);
    }
}
