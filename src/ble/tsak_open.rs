//! The tsak open profile: our own layout for DIY boards (nRF52840 and the like), documented
//! byte by byte in docs/tsak-open-profile.md so anyone can write firmware for it. Unlike the vendor profiles
//! it batches samples, numbers its packets and stamps them with the device's clock, so drops
//! and reordering are detected and sample spacing is exact.
//!
//! ```text
//! offset  size  field
//!  0      1     version, 1
//!  1      1     flags: bit 0 = gyroscope values follow each accelerometer sample
//!  2      2     packet sequence number, u16 LE, +1 per packet, wraps
//!  4      4     device time of the first sample, u32 LE, ms, wraps
//!  8      2     sample period, u16 LE, µs (10000 = 100 Hz)
//! 10      1     sample count n, 1..=40
//! 11      1     accelerometer full scale in g (2, 4, 8 or 16): g = raw × scale / 32768
//! 12      2     gyroscope full scale in deg/s, u16 LE (0 without gyroscope)
//! 14      n×6   acc x, y, z (i16 LE) per sample, or n×12: acc x, y, z, gyro x, y, z
//! ```

use super::error::{Bytes, DecodeError};
use super::sample::{ClockUnwrap, Decoded, ImuSample, spaced_times};

pub const NAME: &str = "tsak open profile";
pub const SERVICE: &str = "b5a1a000-3c1e-4d6b-9a57-7473616b6f70";
pub const DATA: &str = "b5a1a001-3c1e-4d6b-9a57-7473616b6f70";
/// Write a u16 LE sample period in µs to ask for a rate.
pub const CONTROL: &str = "b5a1a002-3c1e-4d6b-9a57-7473616b6f70";

pub const VERSION: u8 = 1;
pub const HEADER_LEN: usize = 14;
pub const MAX_SAMPLES: usize = 40;
const GYRO_FLAG: u8 = 1;

/// One packet's content, before encoding or after decoding (raw integer values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub sequence: u16,
    pub first_sample_ms: u32,
    pub period_us: u16,
    pub acc_full_scale_g: u8,
    /// 0 when the samples carry no gyroscope values.
    pub gyro_full_scale_dps: u16,
    /// Per sample: acc x, y, z and, with a gyroscope, gyro x, y, z.
    pub samples: Vec<[i16; 6]>,
}

impl Packet {
    fn has_gyro(&self) -> bool {
        self.gyro_full_scale_dps > 0
    }

    /// The bytes a device sends (used by the tests and the device simulator).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION, if self.has_gyro() { GYRO_FLAG } else { 0 }];
        out.extend(self.sequence.to_le_bytes());
        out.extend(self.first_sample_ms.to_le_bytes());
        out.extend(self.period_us.to_le_bytes());
        out.push(self.samples.len() as u8);
        out.push(self.acc_full_scale_g);
        out.extend(self.gyro_full_scale_dps.to_le_bytes());
        let values = if self.has_gyro() { 6 } else { 3 };
        for sample in &self.samples {
            out.extend(sample[..values].iter().flat_map(|v| v.to_le_bytes()));
        }
        out
    }

    /// Parses and validates one packet.
    pub fn parse(packet: &[u8]) -> Result<Packet, DecodeError> {
        let mut bytes = Bytes::new(NAME, packet);
        let version = bytes.u8()?;
        if version != VERSION {
            return Err(DecodeError::new(NAME, format!("version {version}; this app reads version {VERSION}")));
        }
        let flags = bytes.u8()?;
        let sequence = bytes.u16()?;
        let first_sample_ms = bytes.u32()?;
        let period_us = bytes.u16()?;
        let count = bytes.u8()? as usize;
        let acc_full_scale_g = bytes.u8()?;
        let gyro_full_scale_dps = bytes.u16()?;
        let fail = |message: String| Err(DecodeError::new(NAME, message));
        if flags & !GYRO_FLAG != 0 {
            return fail(format!("unknown flags {flags:#04x}"));
        }
        if !(1..=MAX_SAMPLES).contains(&count) {
            return fail(format!("{count} samples in a packet; 1 to {MAX_SAMPLES} expected"));
        }
        if period_us == 0 {
            return fail("a sample period of 0 µs".into());
        }
        if ![2, 4, 8, 16].contains(&acc_full_scale_g) {
            return fail(format!("accelerometer full scale {acc_full_scale_g} g; 2, 4, 8 or 16 expected"));
        }
        let has_gyro = flags & GYRO_FLAG != 0;
        if has_gyro != (gyro_full_scale_dps > 0) {
            return fail("the gyroscope flag and the gyroscope full scale disagree".into());
        }
        let values = if has_gyro { 6 } else { 3 };
        let expected = HEADER_LEN + count * values * 2;
        if packet.len() != expected {
            return Err(DecodeError::length(NAME, packet.len(), format!("{expected} ({count} samples)")));
        }
        let mut samples = Vec::with_capacity(count);
        for _ in 0..count {
            let mut sample = [0i16; 6];
            for value in sample.iter_mut().take(values) {
                *value = bytes.i16()?;
            }
            samples.push(sample);
        }
        Ok(Packet { sequence, first_sample_ms, period_us, acc_full_scale_g, gyro_full_scale_dps, samples })
    }
}

/// Decodes a stream of packets: counts the packets lost between two, refuses late ones, and
/// unwraps the device clock.
#[derive(Debug, Default)]
pub struct Decoder {
    last_sequence: Option<u16>,
    clock: ClockUnwrap,
}

impl Decoder {
    pub fn decode(&mut self, packet: &[u8]) -> Result<Decoded, DecodeError> {
        let packet = Packet::parse(packet)?;
        let dropped = match self.last_sequence {
            None => 0,
            Some(last) => {
                let step = packet.sequence.wrapping_sub(last);
                if step == 0 || step > u16::MAX / 2 {
                    return Err(DecodeError::new(
                        NAME,
                        format!(
                            "packet {} arrived after packet {last} (repeated or out of order): skipped",
                            packet.sequence
                        ),
                    ));
                }
                u32::from(step - 1)
            }
        };
        self.last_sequence = Some(packet.sequence);
        let first_ms = self.clock.unwrap(packet.first_sample_ms);
        let period_ms = packet.period_us as f64 / 1000.0;
        let acc_scale = packet.acc_full_scale_g as f32 / 32768.0;
        let gyro_scale = packet.gyro_full_scale_dps as f32 / 32768.0;
        let samples = packet
            .samples
            .iter()
            .zip(spaced_times(first_ms, period_ms, packet.samples.len()))
            .map(|(raw, t_ms)| ImuSample {
                t_ms,
                acc: [raw[0], raw[1], raw[2]].map(|v| v as f32 * acc_scale),
                gyro: packet.has_gyro().then(|| [raw[3], raw[4], raw[5]].map(|v| v as f32 * gyro_scale)),
            })
            .collect();
        Ok(Decoded::device(samples, dropped))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(sequence: u16, first_sample_ms: u32, gyro: bool) -> Packet {
        Packet {
            sequence,
            first_sample_ms,
            period_us: 10_000,
            acc_full_scale_g: 8,
            gyro_full_scale_dps: if gyro { 2000 } else { 0 },
            samples: vec![[4096, -4096, 0, 16384, 0, -16384], [0, 0, 4096, 0, 0, 0]],
        }
    }

    #[test]
    fn samples_are_scaled_and_spaced_on_the_device_clock() {
        let bytes = packet(7, 1000, true).encode();
        assert_eq!(bytes.len(), HEADER_LEN + 2 * 12);
        let decoded = Decoder::default().decode(&bytes).unwrap();
        assert_eq!(decoded.samples.len(), 2);
        assert_eq!(decoded.samples[0].acc, [1.0, -1.0, 0.0]);
        assert_eq!(decoded.samples[0].gyro, Some([1000.0, 0.0, -1000.0]));
        assert_eq!(decoded.samples[1].t_ms, 1010.0);
        assert_eq!(decoded.clock, crate::ble::sample::Clock::Device);
    }

    #[test]
    fn accelerometer_only_packets_are_shorter() {
        let bytes = packet(0, 0, false).encode();
        assert_eq!(bytes.len(), HEADER_LEN + 2 * 6);
        let decoded = Decoder::default().decode(&bytes).unwrap();
        assert_eq!(decoded.samples[1].acc, [0.0, 0.0, 1.0]);
        assert_eq!(decoded.samples[1].gyro, None);
    }

    #[test]
    fn lost_packets_are_counted_across_the_wrap_and_late_ones_refused() {
        let mut decoder = Decoder::default();
        decoder.decode(&packet(65_534, 0, false).encode()).unwrap();
        assert_eq!(decoder.decode(&packet(1, 60, false).encode()).unwrap().dropped_packets, 2);
        let late = decoder.decode(&packet(0, 40, false).encode()).unwrap_err();
        assert!(late.message.contains("out of order"), "{late}");
        assert!(decoder.decode(&packet(1, 60, false).encode()).is_err(), "a repeat is refused");
        assert_eq!(decoder.decode(&packet(2, 80, false).encode()).unwrap().dropped_packets, 0);
    }

    #[test]
    fn the_device_clock_is_unwrapped() {
        let mut decoder = Decoder::default();
        decoder.decode(&packet(0, u32::MAX - 5, false).encode()).unwrap();
        let decoded = decoder.decode(&packet(1, 15, false).encode()).unwrap();
        assert_eq!(decoded.samples[0].t_ms, 4_294_967_296.0 + 15.0);
    }

    #[test]
    fn malformed_headers_are_explained() {
        let good = packet(0, 0, true).encode();
        let with = |offset: usize, value: u8| {
            let mut bytes = good.clone();
            bytes[offset] = value;
            Packet::parse(&bytes).unwrap_err().message
        };
        assert!(with(0, 2).contains("version 2"));
        assert!(with(1, 0x80).contains("unknown flags"));
        assert!(with(10, 0).contains("0 samples"));
        assert!(with(11, 3).contains("full scale 3 g"));
        assert!(with(1, 0).contains("disagree"));
        assert!(Packet::parse(&good[..good.len() - 1]).unwrap_err().message.contains("expected"));
        assert!(Packet::parse(&good[..5]).unwrap_err().message.contains("truncated"));
    }
}
