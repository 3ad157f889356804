//! Polar Measurement Data (PMD) service: Verity Sense (accelerometer and gyroscope), H10.
//!
//! Start a stream by writing `[0x02 (start), type, (setting type, 1, value)…]` to the control
//! point (sample rate, resolution, range as u16 LE; channels as u8). The control point answers
//! by indication `[0xF0, opcode, type, status, more, settings…]`; a successful start may carry
//! the stream's scale factor (setting 5, f32 LE). Data notifications then read:
//!
//! ```text
//! 0      measurement type (2 = accelerometer, 5 = gyroscope)
//! 1..9   timestamp of the frame's last sample, u64 LE, ns since 2000-01-01
//! 9      frame type: bits 0-6 the type, bit 7 set for delta-compressed frames
//! 10..   samples
//! ```
//!
//! Uncompressed accelerometer frames hold x, y, z per sample as i8 (type 0), i16 (type 1) or
//! i24 (type 2), in mG. Delta-compressed frames (Verity Sense) hold one reference sample (x, y, z
//! as signed 16-bit integers), then blocks of `[delta width in bits, sample count, packed
//! deltas]`: `count × 3` signed deltas of `width` bits, least significant bit first, each added
//! to the previous sample. Compressed values are scaled by the stream's factor: accelerometer
//! type 1 to mG, type 0 to G (× 1000 for mG); gyroscope type 0 to deg/s. Sample times follow
//! Polar's SDK: spread evenly from the previous frame's timestamp to this one's.
//!
//! One notification holds one measurement type, so accelerometer and gyroscope frames arrive
//! separately; the decoder pairs them by sample time and emits a sample once both halves are in.

use std::collections::VecDeque;

use super::error::{Bytes, DecodeError};
use super::sample::{Decoded, ImuSample};

pub const NAME: &str = "Polar PMD";
pub const SERVICE: &str = "fb005c80-02e7-f387-1cad-8acd2d8df0c8";
pub const CONTROL: &str = "fb005c81-02e7-f387-1cad-8acd2d8df0c8";
pub const DATA: &str = "fb005c82-02e7-f387-1cad-8acd2d8df0c8";

pub const RATE_HZ: u16 = 52;
const RESOLUTION_BITS: u16 = 16;
const ACC_RANGE_G: u16 = 8;
const GYRO_RANGE_DPS: u16 = 2000;

const START: u8 = 0x02;
const SETTING_RATE: u8 = 0x00;
const SETTING_RESOLUTION: u8 = 0x01;
const SETTING_RANGE: u8 = 0x02;
const SETTING_CHANNELS: u8 = 0x04;
const SETTING_FACTOR: u8 = 0x05;
const RESPONSE: u8 = 0xf0;

/// The streams this app starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measurement {
    Acc = 2,
    Gyro = 5,
}

/// The start command for a stream at [`RATE_HZ`], 16-bit resolution and the widest range.
pub fn start(measurement: Measurement) -> Vec<u8> {
    let range = match measurement {
        Measurement::Acc => ACC_RANGE_G,
        Measurement::Gyro => GYRO_RANGE_DPS,
    };
    let mut out = vec![START, measurement as u8];
    for (id, value) in [(SETTING_RATE, RATE_HZ), (SETTING_RESOLUTION, RESOLUTION_BITS), (SETTING_RANGE, range)] {
        out.extend([id, 1]);
        out.extend(value.to_le_bytes());
    }
    out.extend([SETTING_CHANNELS, 1, 3]);
    out
}

/// Why the control point refused a command (PMD response status codes).
fn status_text(status: u8) -> &'static str {
    match status {
        1 => "invalid op code",
        2 => "invalid measurement type",
        3 => "not supported",
        4 => "invalid length",
        5 => "invalid parameter",
        6 => "already in that state",
        7 => "invalid resolution",
        8 => "invalid sample rate",
        9 => "invalid range",
        10 => "invalid MTU (the connection's packets are too small)",
        11 => "invalid number of channels",
        12 => "invalid state",
        13 => "the device is in its charger",
        14 => "disk full",
        _ => "unknown status",
    }
}

/// One frame's samples as raw x, y, z values, oldest first.
fn frame_values(frame_type: u8, compressed: bool, body: &[u8]) -> Result<Vec<[i32; 3]>, DecodeError> {
    if compressed {
        return delta_frames(body, RESOLUTION_BITS as usize);
    }
    let width = match frame_type {
        0 => 1,
        1 => 2,
        2 => 3,
        other => return Err(DecodeError::new(NAME, format!("uncompressed frame type {other}; 0, 1 or 2 expected"))),
    };
    if body.is_empty() || !body.len().is_multiple_of(3 * width) {
        return Err(DecodeError::length(NAME, body.len() + 10, format!("10 + a multiple of {}", 3 * width)));
    }
    Ok(body.chunks(3 * width).map(|s| [0, 1, 2].map(|c| signed_le(&s[c * width..(c + 1) * width]))).collect())
}

/// The scale from a frame's raw values to the app's units (g, or deg/s).
fn scale(measurement: Measurement, frame_type: u8, compressed: bool, factor: f32) -> Result<f32, DecodeError> {
    Ok(match (measurement, compressed, frame_type) {
        (Measurement::Acc, false, _) => 0.001,
        (Measurement::Acc, true, 0) => factor,
        (Measurement::Acc, true, 1) => factor * 0.001,
        (Measurement::Gyro, true, 0) => factor,
        (m, c, t) => {
            return Err(DecodeError::new(
                NAME,
                format!("{m:?} frame type {t}{} is not one this app reads", if c { " (compressed)" } else { "" }),
            ));
        }
    })
}

/// A little-endian two's-complement integer of 1 to 4 bytes.
fn signed_le(bytes: &[u8]) -> i32 {
    let mut value: u32 = 0;
    for (i, b) in bytes.iter().enumerate() {
        value |= (*b as u32) << (8 * i);
    }
    sign_extend(value, 8 * bytes.len() as u32)
}

fn sign_extend(value: u32, bits: u32) -> i32 {
    if bits >= 32 {
        return value as i32;
    }
    let shift = 32 - bits;
    ((value << shift) as i32) >> shift
}

/// Decodes a delta-compressed body: the reference sample, then delta blocks.
fn delta_frames(body: &[u8], resolution: usize) -> Result<Vec<[i32; 3]>, DecodeError> {
    let mut bytes = Bytes::new(NAME, body);
    let width = resolution.div_ceil(8);
    let mut current = [0i32; 3];
    for value in &mut current {
        *value = signed_le(bytes.take(width)?);
    }
    let mut samples = vec![current];
    while bytes.remaining() > 0 {
        let delta_bits = bytes.u8()? as usize;
        let count = bytes.u8()? as usize;
        // Width 0 never occurs in practice (Polar's SDK would emit nothing for it): refused.
        if delta_bits == 0 || delta_bits > 32 {
            return Err(DecodeError::new(NAME, format!("a delta width of {delta_bits} bits")));
        }
        let packed = bytes.take((count * 3 * delta_bits).div_ceil(8))?;
        let mut bit = 0;
        for _ in 0..count {
            for value in &mut current {
                let mut raw: u32 = 0;
                for k in 0..delta_bits {
                    let set = packed[(bit + k) / 8] >> ((bit + k) % 8) & 1;
                    raw |= (set as u32) << k;
                }
                bit += delta_bits;
                *value = value.wrapping_add(sign_extend(raw, delta_bits as u32));
            }
            samples.push(current);
        }
    }
    Ok(samples)
}

/// Pairs accelerometer and gyroscope frames into IMU samples.
#[derive(Debug)]
pub struct Decoder {
    /// Accelerometer samples (time, g) waiting for their gyroscope half, and vice versa.
    acc: VecDeque<(f64, [f32; 3])>,
    gyro: VecDeque<(f64, [f32; 3])>,
    /// The factors the control point reported at start; 1 until then, as in Polar's SDK
    /// (polar-ble-sdk BlePMDClient.kt `getFactor`: "No factor found", 1.0; GyrData.kt applies a
    /// factor only when it is not 1; the iOS client likewise), which reads the gyroscope's
    /// counts as deg/s then. A device's start response always carries its factor (Polar's
    /// online measurement documentation calls it mandatory).
    acc_factor: f32,
    gyro_factor: f32,
    /// The previous frame's timestamp per stream, to spread samples between frames.
    acc_last_ns: Option<u64>,
    gyro_last_ns: Option<u64>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder {
            acc: VecDeque::new(),
            gyro: VecDeque::new(),
            acc_factor: 1.0,
            gyro_factor: 1.0,
            acc_last_ns: None,
            gyro_last_ns: None,
        }
    }
}

/// Halves further apart than this are not the same sample.
const PAIRING_TOLERANCE_MS: f64 = 0.5 * 1000.0 / RATE_HZ as f64;
/// Unpaired halves kept at most (a stream that stopped must not grow memory).
const MAX_WAITING: usize = 4 * RATE_HZ as usize;

impl Decoder {
    /// Reads a control point indication: a start's factor, or the reason it was refused.
    pub fn control(&mut self, packet: &[u8]) -> Result<(), DecodeError> {
        let mut bytes = Bytes::new(NAME, packet);
        if bytes.u8()? != RESPONSE {
            return Ok(()); // a device-initiated event, e.g. a measurement stopped
        }
        let opcode = bytes.u8()?;
        let measurement = bytes.u8()?;
        let status = bytes.u8()?;
        if status != 0 {
            return Err(DecodeError::new(
                NAME,
                format!("the device refused command {opcode} for measurement {measurement}: {}", status_text(status)),
            ));
        }
        if opcode != START || bytes.remaining() == 0 {
            return Ok(());
        }
        bytes.u8()?; // "more" flag: a start's settings fit one indication
        while bytes.remaining() > 0 {
            let (setting, count) = (bytes.u8()?, bytes.u8()? as usize);
            let size = match setting {
                SETTING_RATE | SETTING_RESOLUTION | SETTING_RANGE => 2,
                3 | SETTING_FACTOR => 4,
                SETTING_CHANNELS => 1,
                6 => 16,
                other => return Err(DecodeError::new(NAME, format!("unknown setting {other} in a start response"))),
            };
            let value = bytes.take(size * count)?;
            if setting == SETTING_FACTOR && count >= 1 {
                let factor = f32::from_le_bytes(value[..4].try_into().expect("4 bytes"));
                match measurement {
                    2 => self.acc_factor = factor,
                    5 => self.gyro_factor = factor,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    pub fn decode(&mut self, packet: &[u8]) -> Result<Decoded, DecodeError> {
        let mut bytes = Bytes::new(NAME, packet);
        let measurement = match bytes.u8()? & 0x3f {
            2 => Measurement::Acc,
            5 => Measurement::Gyro,
            other => {
                return Err(DecodeError::new(NAME, format!("measurement type {other}; 2 (acc) or 5 (gyro) expected")));
            }
        };
        let last_ns = bytes.u64()?;
        let frame = bytes.u8()?;
        let (frame_type, compressed) = (frame & 0x7f, frame & 0x80 != 0);
        let (factor, previous) = match measurement {
            Measurement::Acc => (self.acc_factor, self.acc_last_ns),
            Measurement::Gyro => (self.gyro_factor, self.gyro_last_ns),
        };
        let scale = scale(measurement, frame_type, compressed, factor)?;
        let values = frame_values(frame_type, compressed, &packet[10..])?;
        let times = sample_times(previous, last_ns, values.len())?;
        let scaled = times.into_iter().zip(values).map(|(t, v)| (t, v.map(|x| x as f32 * scale)));
        match measurement {
            Measurement::Acc => {
                self.acc.extend(scaled);
                self.acc_last_ns = Some(last_ns);
            }
            Measurement::Gyro => {
                self.gyro.extend(scaled);
                self.gyro_last_ns = Some(last_ns);
            }
        }
        Ok(Decoded::device(self.pair(), 0))
    }

    /// Emits the samples whose two halves are both in; drops halves that can no longer pair.
    fn pair(&mut self) -> Vec<ImuSample> {
        let mut out = Vec::new();
        while let (Some(&(ta, acc)), Some(&(tg, gyro))) = (self.acc.front(), self.gyro.front()) {
            if (ta - tg).abs() <= PAIRING_TOLERANCE_MS {
                out.push(ImuSample { t_ms: ta, acc, gyro: Some(gyro) });
                self.acc.pop_front();
                self.gyro.pop_front();
            } else if ta < tg {
                self.acc.pop_front();
            } else {
                self.gyro.pop_front();
            }
        }
        for queue in [&mut self.acc, &mut self.gyro] {
            while queue.len() > MAX_WAITING {
                queue.pop_front();
            }
        }
        out
    }
}

/// Times (ms) of a frame's `count` samples: evenly from the previous frame's timestamp to this
/// one's (the last sample's), or back from it at the nominal rate for a stream's first frame.
fn sample_times(previous_ns: Option<u64>, last_ns: u64, count: usize) -> Result<Vec<f64>, DecodeError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let step_ns = match previous_ns {
        Some(previous) if last_ns <= previous => {
            return Err(DecodeError::new(NAME, "a frame whose timestamp is not after the previous frame's"));
        }
        Some(previous) => (last_ns - previous) as f64 / count as f64,
        None => 1e9 / RATE_HZ as f64,
    };
    Ok((0..count).map(|i| (last_ns as f64 - step_ns * (count - 1 - i) as f64) / 1e6).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(measurement: u8, last_ns: u64, frame_type: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![measurement];
        out.extend(last_ns.to_le_bytes());
        out.push(frame_type);
        out.extend(body);
        out
    }

    fn i16_samples(samples: &[[i16; 3]]) -> Vec<u8> {
        samples.iter().flatten().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn start_commands_carry_rate_resolution_range_and_channels() {
        // As Polar documents the Verity Sense accelerometer start (52 Hz, 16 bit, 8 G, 3 channels).
        assert_eq!(start(Measurement::Acc), vec![2, 2, 0, 1, 52, 0, 1, 1, 16, 0, 2, 1, 8, 0, 4, 1, 3]);
        assert_eq!(start(Measurement::Gyro)[1], 5);
        assert_eq!(start(Measurement::Gyro)[12..14], 2000u16.to_le_bytes());
    }

    /// The compressed frames of Polar's SDK tests: accelerometer type 1 (mG) and gyroscope
    /// type 0 (× the factor from the start response).
    const ACC_81: [u8; 11] = [0xf1, 0xff, 0x14, 0x00, 0xf0, 0x03, 0x06, 0x01, 0x7b, 0x0f, 0x08];
    const GYRO_80: [u8; 10] = [0xea, 0xff, 0x08, 0x00, 0x0d, 0x00, 0x03, 0x01, 0xdf, 0x00];

    #[test]
    fn polar_sdk_vectors_decode_to_its_values() {
        assert_eq!(delta_frames(&ACC_81, 16).unwrap(), vec![[-15, 20, 1008], [-20, 17, 1008]]);
        assert_eq!(delta_frames(&GYRO_80, 16).unwrap(), vec![[-22, 8, 13], [-23, 11, 16]]);
    }

    #[test]
    fn frames_pair_into_samples_with_the_factor_and_sdk_timing() {
        let mut decoder = Decoder::default();
        // Start response for the gyroscope: success, factor 0.5.
        let mut response = vec![RESPONSE, START, 5, 0, 0, SETTING_FACTOR, 1];
        response.extend(0.5f32.to_le_bytes());
        decoder.control(&response).unwrap();
        let t = 1_000_000_000u64; // 1 s after the epoch: the second sample's time
        assert!(decoder.decode(&frame(2, t, 0x81, &ACC_81)).unwrap().samples.is_empty(), "waits for the gyroscope");
        let decoded = decoder.decode(&frame(5, t, 0x80, &GYRO_80)).unwrap();
        assert_eq!(decoded.samples.len(), 2);
        let expected = [-0.015, 0.02, 1.008];
        assert!(
            decoded.samples[0].acc.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-6),
            "{:?}",
            decoded.samples[0]
        );
        assert_eq!(decoded.samples[0].gyro, Some([-11.0, 4.0, 6.5]));
        assert_eq!(decoded.samples[1].t_ms, 1000.0);
        assert!((decoded.samples[0].t_ms - (1000.0 - 1000.0 / 52.0)).abs() < 1e-9);
        // The next frames' samples are spread from the previous timestamp: 2 samples over 40 ms.
        decoder.decode(&frame(2, t + 40_000_000, 0x81, &ACC_81)).unwrap();
        let next = decoder.decode(&frame(5, t + 40_000_000, 0x80, &GYRO_80)).unwrap();
        assert_eq!(next.samples.iter().map(|s| s.t_ms).collect::<Vec<_>>(), vec![1020.0, 1040.0]);
    }

    #[test]
    fn uncompressed_accelerometer_frames_are_milli_g() {
        let values = frame_values(1, false, &i16_samples(&[[1000, 0, -500]])).unwrap();
        assert_eq!(values, vec![[1000, 0, -500]]);
        assert_eq!(scale(Measurement::Acc, 1, false, 1.0).unwrap(), 0.001);
        assert!(scale(Measurement::Gyro, 1, false, 1.0).is_err(), "the SDK reads gyroscope frames compressed only");
    }

    #[test]
    fn a_refused_start_names_the_reason() {
        let error = Decoder::default().control(&[RESPONSE, START, 5, 10, 0]).unwrap_err();
        assert!(error.message.contains("invalid MTU"), "{error}");
        assert!(Decoder::default().control(&[0x01, 2]).is_ok(), "device events are not errors");
    }

    #[test]
    fn delta_frames_add_packed_signed_deltas_to_the_reference() {
        // Reference (100, -200, 300); one block of 2 samples with 4-bit deltas:
        // (+1, -1, +7) then (-8, 0, +2), packed least significant bit first.
        let mut body = i16_samples(&[[100, -200, 300]]);
        let deltas: [i32; 6] = [1, -1, 7, -8, 0, 2];
        let mut bits: u32 = 0;
        for (i, d) in deltas.iter().enumerate() {
            bits |= ((*d as u32) & 0xf) << (4 * i);
        }
        body.extend([4, 2]);
        body.extend(&bits.to_le_bytes()[..3]);
        let values = delta_frames(&body, 16).unwrap();
        assert_eq!(values, vec![[100, -200, 300], [101, -201, 307], [93, -201, 309]]);
    }

    #[test]
    fn short_frames_and_unknown_types_are_errors() {
        let mut decoder = Decoder::default();
        assert!(decoder.decode(&[2, 0, 0]).is_err());
        assert!(decoder.decode(&frame(2, 0, 1, &[1, 2, 3])).is_err());
        assert!(decoder.decode(&frame(9, 0, 1, &i16_samples(&[[0, 0, 0]]))).unwrap_err().message.contains("type 9"));
        assert!(decoder.decode(&frame(2, 0, 7, &[0; 6])).unwrap_err().message.contains("frame type 7"));
        decoder.decode(&frame(2, 5, 1, &i16_samples(&[[0, 0, 0]]))).unwrap();
        assert!(decoder.decode(&frame(2, 5, 1, &i16_samples(&[[0, 0, 0]]))).unwrap_err().message.contains("not after"));
        let mut truncated = i16_samples(&[[0, 0, 0]]);
        truncated.extend([8, 10, 1]); // promises 30 bytes of deltas, has 1
        assert!(decoder.decode(&frame(2, 9, 0x81, &truncated)).unwrap_err().message.contains("truncated"));
    }

    #[test]
    fn a_lone_stream_does_not_grow_without_bound() {
        let mut decoder = Decoder::default();
        for k in 0..100u64 {
            decoder.decode(&frame(2, (k + 1) * 1_000_000_000, 1, &i16_samples(&[[0, 0, 1000]; 10]))).unwrap();
        }
        assert!(decoder.acc.len() <= MAX_WAITING);
    }
}
