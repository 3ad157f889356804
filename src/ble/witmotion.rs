//! WitMotion WT901BLE (BWT901BLECL5.0 module).
//!
//! Notifications carry 20-byte packets, several per notification at higher rates: `0x55 0x61`
//! then nine little-endian i16 values: acceleration x, y, z (× 16 g / 32768), angular rate
//! x, y, z (× 2000 deg/s / 32768) and roll, pitch, yaw (× 180° / 32768, not used). `0x55 0x71`
//! packets answer register reads and are skipped. No timestamp: samples are stamped on arrival,
//! spread over the notification at the configured rate. A packet cut across notifications is
//! joined (as WitMotion's SDKs do); bytes that start no packet are reported, not skipped over.

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

/// Output rates, ascending (Hz) and the codes of the rate register (0x03), as WitMotion's SDK
/// writes them (WITMOTION/WitBluetooth_BWT901BLE5_0: the iOS example's `FF AA 03 06 00` for
/// 10 Hz and `FF AA 03 08 00` for 50 Hz; the Unity example's 0x0B for 200 Hz).
pub const RATES: [(f64, u8); 6] = [(5.0, 0x05), (10.0, 0x06), (20.0, 0x07), (50.0, 0x08), (100.0, 0x09), (200.0, 0x0b)];

/// Decodes a WitMotion stream. A notification holds whole 20-byte packets as a rule, but a
/// packet may also continue in the next one (WitMotion's own SDKs keep the bytes across
/// notifications), so the start of a packet is kept until the rest arrives.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoder {
    /// Spaces the samples of one notification, the last at its arrival.
    period_ms: f64,
    /// The start of a packet whose rest has not arrived yet.
    pending: Vec<u8>,
}

impl Decoder {
    pub fn new(period_ms: f64) -> Self {
        Self { period_ms, pending: Vec::new() }
    }

    /// Decodes one notification that arrived at `arrival_ms`. A packet that does not start
    /// 0x55 0x61 or 0x55 0x71 is an error, and the bytes kept so far are dropped with it (the
    /// stream starts afresh at the next notification).
    pub fn decode(&mut self, notification: &[u8], arrival_ms: f64) -> Result<Decoded, DecodeError> {
        self.pending.extend_from_slice(notification);
        let mut readings = Vec::new();
        let mut at = 0;
        while self.pending.len() - at >= 2 {
            let (a, b) = (self.pending[at], self.pending[at + 1]);
            if a != HEADER || (b != DATA && b != REGISTER_REPLY) {
                self.pending.clear();
                return Err(DecodeError::new(
                    NAME,
                    format!("a packet starts {a:#04x} {b:#04x}; expected 0x55 0x61 (data) or 0x55 0x71"),
                ));
            }
            if self.pending.len() - at < PACKET {
                break;
            }
            if b == DATA {
                let mut bytes = Bytes::new(NAME, &self.pending[at + 2..at + PACKET]);
                let acc = bytes.i16x3()?.map(|v| v as f32 * 16.0 / 32768.0);
                let gyro = bytes.i16x3()?.map(|v| v as f32 * 2000.0 / 32768.0);
                readings.push((acc, gyro));
            }
            at += PACKET;
        }
        self.pending.drain(..at);
        let first = arrival_ms - self.period_ms * readings.len().saturating_sub(1) as f64;
        let samples = readings
            .into_iter()
            .zip(spaced_times(first, self.period_ms, usize::MAX))
            .map(|((acc, gyro), t_ms)| ImuSample { t_ms, acc, gyro: Some(gyro) })
            .collect();
        Ok(Decoded::arrival(samples))
    }
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
    fn the_manuals_register_reply_is_skipped() {
        // WitMotion's manual: a magnetic field register reply, x 360, y 105, z 122, verbatim.
        let reply = [0x55, 0x71, 0x3a, 0x00, 0x68, 0x01, 0x69, 0x00, 0x7a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert!(Decoder::new(100.0).decode(&reply, 0.0).unwrap().samples.is_empty());
    }

    #[test]
    fn full_scale_values_become_g_and_degrees_per_second() {
        // Built from WitMotion's SDK (WITMOTION/WitBluetooth_BWT901BLE5_0,
        // Python/BWT901BLE5.0_python_sdk/device_model.py, and DeviceModel.java in its Android
        // SDK): after 0x55 0x61, acc x, y, z as int16 little-endian / 32768 * 16 g, gyro / 32768
        // * 2000 deg/s, then the angles: no literal 0x61 packet is published.
        let decoded = Decoder::new(20.0).decode(&packet([2048, -2048, 0, 16384, 0, -8192, 0, 0, 0]), 500.0).unwrap();
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
        let decoded = Decoder::new(10.0).decode(&notification, 1000.0).unwrap();
        assert_eq!(decoded.samples.iter().map(|s| s.t_ms).collect::<Vec<_>>(), vec![990.0, 1000.0]);
        assert_eq!(decoded.samples[1].acc[0], 1.0);
    }

    #[test]
    fn a_packet_split_over_two_notifications_is_joined() {
        let whole = packet([2048, 0, 0, 0, 0, 0, 0, 0, 0]);
        let mut decoder = Decoder::new(10.0);
        assert!(decoder.decode(&whole[..12], 100.0).unwrap().samples.is_empty());
        let mut rest = whole[12..].to_vec();
        rest.extend(packet([0, 2048, 0, 0, 0, 0, 0, 0, 0]));
        let decoded = decoder.decode(&rest, 200.0).unwrap();
        assert_eq!(decoded.samples.len(), 2);
        assert_eq!((decoded.samples[0].acc[0], decoded.samples[1].acc[1]), (1.0, 1.0));
        assert_eq!(decoded.samples[1].t_ms, 200.0);
    }

    #[test]
    fn wrong_headers_are_errors_and_the_stream_starts_afresh() {
        let mut decoder = Decoder::new(10.0);
        let mut bad = packet([0; 9]);
        bad[1] = 0x62;
        assert!(decoder.decode(&bad, 0.0).unwrap_err().message.contains("0x55 0x62"));
        assert_eq!(decoder.decode(&packet([0; 9]), 10.0).unwrap().samples.len(), 1);
        assert!(decoder.decode(&[0x12, 0x34, 0x55], 20.0).is_err());
        assert_eq!(decoder.decode(&packet([0; 9]), 30.0).unwrap().samples.len(), 1);
    }

    #[test]
    fn the_rate_is_rounded_up_to_a_supported_one() {
        assert_eq!(rate_commands(30.0)[1], vec![0xff, 0xaa, 0x03, 0x08, 0x00]);
        assert_eq!(chosen_rate(30.0), 50.0);
        assert_eq!(chosen_rate(1000.0), 200.0);
        assert_eq!(rate_commands(150.0)[1], vec![0xff, 0xaa, 0x03, 0x0b, 0x00]);
    }
}
