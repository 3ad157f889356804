//! Nordic Thingy:52, motion service, raw data characteristic.
//!
//! Each notification is one sample, 18 bytes, little-endian fixed point as the firmware sends
//! it: accelerometer x, y, z in Q6.10 g (/1024), gyroscope in Q11.5 deg/s (/32), compass in
//! Q12.4 µT (/16, not used here). No timestamp: samples are stamped on arrival.
//!
//! The raw data rate is the motion configuration's "motion processing unit frequency" (default
//! 10 Hz, 5..=200 Hz); [`config_with_rate`] rewrites it in the device's own configuration so
//! the other settings are kept.

use super::error::{Bytes, DecodeError};
use super::sample::{Decoded, ImuSample};

pub const NAME: &str = "Nordic Thingy:52";
pub const MOTION_SERVICE: &str = "ef680400-9b35-4933-9b10-52ffa9740042";
pub const CONFIG: &str = "ef680401-9b35-4933-9b10-52ffa9740042";
pub const RAW_DATA: &str = "ef680406-9b35-4933-9b10-52ffa9740042";

const RAW_LEN: usize = 18;
/// step counter interval, temperature compensation interval, magnetometer compensation
/// interval (u16 ms each), motion processing unit frequency (u16 Hz), wake on motion (u8).
const CONFIG_LEN: usize = 9;
const RATE_OFFSET: usize = 6;
pub const RATES_HZ: std::ops::RangeInclusive<u16> = 5..=200;

/// Decodes one raw-data notification.
pub fn decode(packet: &[u8], arrival_ms: f64) -> Result<Decoded, DecodeError> {
    if packet.len() != RAW_LEN {
        return Err(DecodeError::length(NAME, packet.len(), RAW_LEN));
    }
    let mut bytes = Bytes::new(NAME, packet);
    let acc = bytes.i16x3()?.map(|v| v as f32 / 1024.0);
    let gyro = bytes.i16x3()?.map(|v| v as f32 / 32.0);
    Ok(Decoded::arrival(vec![ImuSample { t_ms: arrival_ms, acc, gyro: Some(gyro) }]))
}

/// The device's motion configuration (as read from it) with the raw data rate set to `hz`.
pub fn config_with_rate(current: &[u8], hz: u16) -> Result<Vec<u8>, DecodeError> {
    if current.len() != CONFIG_LEN {
        return Err(DecodeError::length(NAME, current.len(), format!("{CONFIG_LEN} (motion configuration)")));
    }
    if !RATES_HZ.contains(&hz) {
        return Err(DecodeError::new(NAME, format!("a raw data rate of {hz} Hz; the device accepts 5 to 200 Hz")));
    }
    let mut config = current.to_vec();
    config[RATE_OFFSET..RATE_OFFSET + 2].copy_from_slice(&hz.to_le_bytes());
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(values: [i16; 9]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn a_real_devices_packet_at_rest_reads_one_g() {
        // A Thingy:52 lying still, reported in Nordic's own Thingy.js repository
        // (NordicPlayground/Nordic-Thingy52-Thingyjs issue #20): Thingy.js, dividing by 64,
        // showed {0.265625, 16.015625, -0.28125}, i.e. raw 17, 1025, -18: these six bytes. The
        // firmware's Q6.10 (Nordic-Thingy52-FW source/modules/m_motion.c, `p_raw[0] >> 6` of a
        // Q16.16 value; documentation/firmware_architecture.html, raw data "6Q10") makes that
        // 1 g on y. The issue gives no gyroscope or compass values: zeros here.
        let mut bytes = vec![0x11, 0x00, 0x01, 0x04, 0xee, 0xff];
        bytes.extend([0; 12]);
        let sample = decode(&bytes, 0.0).unwrap().samples[0];
        assert_eq!(sample.acc, [17.0 / 1024.0, 1025.0 / 1024.0, -18.0 / 1024.0]);
        assert_eq!(sample.gyro, Some([0.0, 0.0, 0.0]));
    }

    #[test]
    fn raw_data_is_scaled_to_g_and_degrees_per_second() {
        // Built from the firmware's definitions (m_motion.c: accelerometer Q16.16 >> 6, gyroscope
        // >> 11, i.e. Q6.10 and Q11.5; include/ble_services/ble_tms.h: accel, gyro, compass
        // xyz as packed int16, little-endian): 1 g on z, -0.5 g on x; 90 deg/s about y
        // (90 * 65536 >> 11 = 2880); the compass is ignored.
        let decoded = decode(&packet([-512, 0, 1024, 0, 2880, -32, 16, 16, 16]), 1234.5).unwrap();
        let sample = decoded.samples[0];
        assert_eq!(sample.acc, [-0.5, 0.0, 1.0]);
        assert_eq!(sample.gyro, Some([0.0, 90.0, -1.0]));
        assert_eq!(sample.t_ms, 1234.5);
    }

    #[test]
    fn a_short_or_long_packet_is_an_error() {
        assert!(decode(&[0; 17], 0.0).unwrap_err().to_string().contains("17-byte packet, expected 18"));
        assert!(decode(&[0; 20], 0.0).is_err());
    }

    #[test]
    fn the_rate_is_written_into_the_current_configuration() {
        // The firmware's defaults (Nordic-Thingy52-FW, include/modules/m_motion.h,
        // MOTION_DEFAULT_CONFIG): steps every 1000 ms, temperature and magnetometer
        // compensation every 500 ms, 10 Hz, wake on motion; u16 little-endian, then a u8.
        let current = [0xe8, 0x03, 0xf4, 0x01, 0xf4, 0x01, 10, 0, 1];
        assert_eq!(config_with_rate(&current, 50).unwrap(), vec![0xe8, 0x03, 0xf4, 0x01, 0xf4, 0x01, 50, 0, 1]);
        assert!(config_with_rate(&current, 400).is_err());
        assert!(config_with_rate(&current[..8], 50).is_err());
    }
}
