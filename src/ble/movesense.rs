//! Movesense sensors through the GATT sensor-data service (`gatt_sensordata_app` firmware).
//!
//! The client writes `[1 (subscribe), reference, path…]` (the path in UTF-8, no terminator, e.g.
//! `/Meas/IMU6/52`; the reference must not be 0) and receives notifications `[2 (data),
//! reference, payload]`. The IMU6 payload is a u32 LE timestamp in ms of the first sample, then
//! n accelerometer samples (3 × f32 LE, m/s²), then n gyroscope samples (3 × f32 LE, deg/s):
//! blocks, not interleaved. The firmware sends at most 150 payload bytes per notification; the
//! rest follows as `[3 (data, part 2), reference, …]`. Command results start with 1 and are
//! skipped (a successful subscription gets none).

use super::error::{Bytes, DecodeError};
use super::sample::{ClockUnwrap, Decoded, ImuSample, spaced_times};

pub const NAME: &str = "Movesense";
pub const SERVICE: &str = "34802252-7185-4d5d-b431-630e7050e8f0";
pub const WRITE: &str = "34800001-7185-4d5d-b431-630e7050e8f0";
pub const NOTIFY: &str = "34800002-7185-4d5d-b431-630e7050e8f0";

pub const RATE_HZ: u32 = 52;
const SUBSCRIBE: u8 = 1;
const RESPONSE: u8 = 1;
const DATA: u8 = 2;
const DATA_PART2: u8 = 3;
/// The most payload bytes one notification carries; a full one is continued by a part 2.
const PART_PAYLOAD: usize = 150;
/// The reference our subscription is tagged with.
pub const REFERENCE: u8 = 99;
const STANDARD_GRAVITY: f32 = 9.806_65;

/// The subscription to accelerometer and gyroscope at [`RATE_HZ`].
pub fn subscribe_imu6() -> Vec<u8> {
    let mut out = vec![SUBSCRIBE, REFERENCE];
    out.extend(format!("/Meas/IMU6/{RATE_HZ}").bytes());
    out
}

/// Decodes notifications of the IMU6 subscription.
#[derive(Debug, Default)]
pub struct Decoder {
    clock: ClockUnwrap,
    /// The first part of a payload split over two notifications.
    pending: Option<Vec<u8>>,
}

impl Decoder {
    pub fn decode(&mut self, packet: &[u8]) -> Result<Decoded, DecodeError> {
        let mut bytes = Bytes::new(NAME, packet);
        let kind = bytes.u8()?;
        let reference = bytes.u8()?;
        if kind == RESPONSE {
            return Ok(Decoded::device(Vec::new(), 0));
        }
        if kind != DATA && kind != DATA_PART2 {
            return Err(DecodeError::new(NAME, format!("message type {kind}; expected 1 (result), 2 or 3 (data)")));
        }
        if reference != REFERENCE {
            return Err(DecodeError::new(NAME, format!("data for subscription {reference}, not ours ({REFERENCE})")));
        }
        let part = &packet[2..];
        let payload = match (kind, self.pending.take()) {
            (DATA, _) if part.len() == PART_PAYLOAD => {
                self.pending = Some(part.to_vec());
                return Ok(Decoded::device(Vec::new(), 0));
            }
            (DATA, _) => part.to_vec(),
            (_, Some(first)) => [first, part.to_vec()].concat(),
            (_, None) => return Err(DecodeError::new(NAME, "a second part of data without its first part")),
        };
        self.samples(&payload)
    }

    /// The samples of one whole IMU6 payload.
    fn samples(&mut self, payload: &[u8]) -> Result<Decoded, DecodeError> {
        let mut bytes = Bytes::new(NAME, payload);
        let timestamp = bytes.u32()?;
        let body = bytes.remaining();
        if body == 0 || !body.is_multiple_of(24) {
            return Err(DecodeError::length(NAME, payload.len(), "a payload of 4 + a multiple of 24 (IMU6 samples)"));
        }
        let count = body / 24;
        let mut acc = Vec::with_capacity(count);
        for _ in 0..count {
            acc.push([bytes.f32()?, bytes.f32()?, bytes.f32()?].map(|v| v / STANDARD_GRAVITY));
        }
        let mut gyro = Vec::with_capacity(count);
        for _ in 0..count {
            gyro.push([bytes.f32()?, bytes.f32()?, bytes.f32()?]);
        }
        let first_ms = self.clock.unwrap(timestamp);
        let samples = acc
            .into_iter()
            .zip(gyro)
            .zip(spaced_times(first_ms, 1000.0 / RATE_HZ as f64, count))
            .map(|((acc, gyro), t_ms)| ImuSample { t_ms, acc, gyro: Some(gyro) })
            .collect();
        Ok(Decoded::device(samples, 0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(timestamp: u32, acc: &[[f32; 3]], gyro: &[[f32; 3]]) -> Vec<u8> {
        let mut out = vec![DATA, REFERENCE];
        out.extend(timestamp.to_le_bytes());
        for v in acc.iter().chain(gyro).flatten() {
            out.extend(v.to_le_bytes());
        }
        out
    }

    #[test]
    fn the_subscription_names_the_imu6_path() {
        assert_eq!(subscribe_imu6(), b"\x01\x63/Meas/IMU6/52".to_vec());
    }

    #[test]
    fn a_packet_as_the_vendors_sample_writes_it_decodes() {
        // Written out byte by byte from Movesense's gatt_sensordata_app sample
        // (GATTSensorDataClient.cpp: `[2, reference, SBEM payload]`; its python_client reads a
        // u32 LE timestamp, then the accelerometer block, then the gyroscope block, f32 LE): no
        // literal vector is published. t = 1000 ms, acc (0, 0, 9.80665) m/s², gyro (1, 2, 3).
        let packet = [
            0x02, 0x63, 0xe8, 0x03, 0x00, 0x00, // data, reference 99, 1000 ms
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xe8, 0x1c, 0x41, // acc
            0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x40, 0x40, // gyro
        ];
        let sample = Decoder::default().decode(&packet).unwrap().samples[0];
        assert_eq!(sample.acc, [0.0, 0.0, 1.0]);
        assert_eq!(sample.gyro, Some([1.0, 2.0, 3.0]));
    }

    #[test]
    fn accelerations_in_metres_per_second_squared_become_g() {
        let packet = data(1000, &[[0.0, 0.0, 9.806_65], [9.806_65, 0.0, 0.0]], &[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
        let decoded = Decoder::default().decode(&packet).unwrap();
        assert_eq!(decoded.samples.len(), 2);
        assert_eq!(decoded.samples[0].acc, [0.0, 0.0, 1.0]);
        assert_eq!(decoded.samples[1].acc, [1.0, 0.0, 0.0]);
        assert_eq!(decoded.samples[1].gyro, Some([4.0, 5.0, 6.0]));
        assert_eq!(decoded.samples[0].t_ms, 1000.0);
        assert!((decoded.samples[1].t_ms - (1000.0 + 1000.0 / 52.0)).abs() < 1e-9);
    }

    #[test]
    fn a_payload_split_over_two_notifications_is_joined() {
        // Eight samples: 4 + 8 x 24 = 196 payload bytes, sent as 150 + 46.
        let acc: Vec<[f32; 3]> = (0..8).map(|i| [0.0, 0.0, 9.806_65 * i as f32]).collect();
        let whole = data(500, &acc, &[[0.5; 3]; 8]);
        let mut first = whole[..2 + PART_PAYLOAD].to_vec();
        first[0] = DATA;
        let mut second = vec![DATA_PART2, REFERENCE];
        second.extend(&whole[2 + PART_PAYLOAD..]);
        let mut decoder = Decoder::default();
        assert!(decoder.decode(&first).unwrap().samples.is_empty(), "waits for part 2");
        let decoded = decoder.decode(&second).unwrap();
        assert_eq!(decoded.samples.len(), 8);
        assert_eq!(decoded.samples[7].acc, [0.0, 0.0, 7.0]);
        assert_eq!(decoded.samples[7].gyro, Some([0.5; 3]));
        assert!(decoder.decode(&second).unwrap_err().message.contains("without its first part"));
    }

    #[test]
    fn replies_are_skipped_and_foreign_or_broken_data_refused() {
        let mut decoder = Decoder::default();
        assert!(decoder.decode(&[RESPONSE, REFERENCE, 200, 0]).unwrap().samples.is_empty());
        let mut foreign = data(0, &[[0.0; 3]], &[[0.0; 3]]);
        foreign[1] = 7;
        assert!(decoder.decode(&foreign).unwrap_err().message.contains("subscription 7"));
        let good = data(0, &[[0.0; 3]], &[[0.0; 3]]);
        assert!(decoder.decode(&good[..good.len() - 4]).is_err());
        assert!(decoder.decode(&[5, REFERENCE]).unwrap_err().message.contains("message type 5"));
        assert!(decoder.decode(&[DATA]).is_err());
    }
}
