//! WitMotion WT901BLE (BWT901BLECL5.0 module).
//!
//! Notifications carry 20-byte packets, several per notification at higher rates: `0x55 0x61`
//! then nine little-endian i16 values: acceleration x, y, z (× 16 g / 32768), angular rate
//! x, y, z (× 2000 deg/s / 32768) and roll, pitch, yaw (× 180° / 32768, not used). `0x55 0x71`
//! packets answer register reads and are skipped. No timestamp: samples are stamped on arrival,
//! spread over the notification at the configured rate. Each notification must hold whole
//! packets (at the default 23-byte MTU it holds exactly one); a packet cut across notifications
//! is reported, not silently resynchronised.

use super::error::{Bytes, DecodeError};
use super::sample::{Decoded, ImuSample, spaced_times};

pub const NAME: &str = "WitMotion WT901BLE";
pub const SERVICE: &str = "0000ffe5-0000-1000-8000-00805f9a34fb";
pub const NOTIFY: &str = "0000ffe4-0000-1000-8000-00805f9a34fb";
pub const WRITE: &str = "0000ffe9-0000-1000-8000-00805f9a34fb";

const PACKET: usize = 20;
const HEADER: u8 = 0x55;
const DATA: u8 = 0x61;
const REGISTER_REPLY: u8 = 0x71;

/// Output rates, ascending (Hz) and the codes of the rate register (0x03). 200 Hz is left out: WitMotion's
/// documents disagree on its code (0x0A or 0x0B), and the models need only 30 Hz.
pub const RATES: [(f64, u8); 5] = [(5.0, 0x05), (10.0, 0x06), (20.0, 0x07), (50.0, 0x08), (100.0, 0x09)];

/// Decodes one notification; `period_ms` spaces several samples ending at the arrival.
pub fn decode(notification: &[u8], arrival_ms: f64, period_ms: f64) -> Result<Decoded, DecodeError> {
    if notification.is_empty() || !notification.len().is_multiple_of(PACKET) {
        return Err(DecodeError::length(NAME, notification.len(), "a multiple of 20"));
    }
    let mut readings = Vec::new();
    for (i, packet) in notification.chunks(PACKET).enumerate() {
        match (packet[0], packet[1]) {
            (HEADER, DATA) => {
                let mut bytes = Bytes::new(NAME, &packet[2..]);
                let acc = bytes.i16x3()?.map(|v| v as f32 * 16.0 / 32768.0);
                let gyro = bytes.i16x3()?.map(|v| v as f32 * 2000.0 / 32768.0);
                readings.push((acc, gyro));
            }
            (HEADER, REGISTER_REPLY) => {}
            (a, b) => {
                return Err(DecodeError::new(
                    NAME,
                    format!("packet {} starts {a:#04x} {b:#04x}; expected 0x55 0x61 (data) or 0x55 0x71", i + 1),
                ));
            }
        }
    }
    let first = arrival_ms - period_ms * readings.len().saturating_sub(1) as f64;
    let samples = readings
        .into_iter()
        .zip(spaced_times(first, period_ms, usize::MAX))
        .map(|((acc, gyro), t_ms)| ImuSample { t_ms, acc, gyro: Some(gyro) })
        .collect();
    Ok(Decoded::arrival(samples))
}

/// The commands that set the output rate to the nearest supported one at or above `hz`:
/// unlock, write the rate register, save.
pub fn rate_commands(hz: f64) -> Vec<Vec<u8>> {
    let (_, code) = rate_entry(hz);
    vec![vec![0xff, 0xaa, 0x69, 0x88, 0xb5], vec![0xff, 0xaa, 0x03, code, 0x00], vec![0xff, 0xaa, 0x00, 0x00, 0x00]]
}

/// The rate [`rate_commands`] picks for `hz`.
pub fn chosen_rate(hz: f64) -> f64 {
    rate_entry(hz).0
}

/// The slowest supported rate at or above `hz` (the fastest if none is), with its code.
fn rate_entry(hz: f64) -> (f64, u8) {
    RATES.into_iter().find(|(rate, _)| *rate >= hz).unwrap_or(RATES[RATES.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(values: [i16; 9]) -> Vec<u8> {
        let mut out = vec![HEADER, DATA];
        out.extend(values.iter().flat_map(|v| v.to_le_bytes()));
        out
    }

    #[test]
    fn full_scale_values_become_g_and_degrees_per_second() {
        let decoded = decode(&packet([2048, -2048, 0, 16384, 0, -8192, 0, 0, 0]), 500.0, 20.0).unwrap();
        assert_eq!(decoded.samples.len(), 1);
        assert_eq!(decoded.samples[0].acc, [1.0, -1.0, 0.0]);
        assert_eq!(decoded.samples[0].gyro, Some([1000.0, 0.0, -500.0]));
        assert_eq!(decoded.samples[0].t_ms, 500.0);
    }

    #[test]
    fn several_packets_end_at_the_arrival_and_register_replies_are_skipped() {
        let mut notification = packet([0; 9]);
        let mut reply = vec![HEADER, REGISTER_REPLY];
        reply.extend([0u8; 18]);
        notification.extend(reply);
        notification.extend(packet([2048, 0, 0, 0, 0, 0, 0, 0, 0]));
        let decoded = decode(&notification, 1000.0, 10.0).unwrap();
        assert_eq!(decoded.samples.iter().map(|s| s.t_ms).collect::<Vec<_>>(), vec![990.0, 1000.0]);
        assert_eq!(decoded.samples[1].acc[0], 1.0);
    }

    #[test]
    fn wrong_lengths_and_headers_are_errors() {
        assert!(decode(&[0x55, 0x61, 0], 0.0, 10.0).is_err());
        let mut bad = packet([0; 9]);
        bad[1] = 0x62;
        assert!(decode(&bad, 0.0, 10.0).unwrap_err().message.contains("0x55 0x62"));
    }

    #[test]
    fn the_rate_is_rounded_up_to_a_supported_one() {
        assert_eq!(rate_commands(30.0)[1], vec![0xff, 0xaa, 0x03, 0x08, 0x00]);
        assert_eq!(chosen_rate(30.0), 50.0);
        assert_eq!(chosen_rate(1000.0), 100.0);
    }
}
