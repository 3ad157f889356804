//! What every device profile decodes to: IMU samples in OpenPack's units (acceleration in g,
//! angular rate in deg/s) on the device's own axes, each with a time in milliseconds.

/// One IMU reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImuSample {
    /// Milliseconds on the clock named by [`Decoded::clock`].
    pub t_ms: f64,
    /// Acceleration in g, device axes.
    pub acc: [f32; 3],
    /// Angular rate in deg/s, device axes, for devices that send it.
    pub gyro: Option<[f32; 3]>,
}

/// Whose clock the sample times are on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The device stamped its samples: spacing is exact, the offset to the tablet's clock is
    /// estimated by the stream.
    Device,
    /// The device sends no time: samples are stamped with the notification's arrival, so
    /// Bluetooth's connection-interval jitter shows in their spacing.
    Arrival,
}

/// The samples of one notification, and what the packet says about losses.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub samples: Vec<ImuSample>,
    pub clock: Clock,
    /// Packets lost before this one, where the protocol numbers its packets.
    pub dropped_packets: u32,
}

impl Decoded {
    pub fn arrival(samples: Vec<ImuSample>) -> Self {
        Decoded { samples, clock: Clock::Arrival, dropped_packets: 0 }
    }

    pub fn device(samples: Vec<ImuSample>, dropped_packets: u32) -> Self {
        Decoded { samples, clock: Clock::Device, dropped_packets }
    }
}

/// Evenly spaced samples ending or starting at a time: `count` samples `period_ms` apart with
/// the first at `first_ms`.
pub fn spaced_times(first_ms: f64, period_ms: f64, count: usize) -> impl Iterator<Item = f64> {
    (0..count).map(move |i| first_ms + i as f64 * period_ms)
}

/// A device's u32 millisecond clock made continuous across its wrap (every 49.7 days, or at
/// any time after a device reset near the top of the range).
#[derive(Debug, Clone, Default)]
pub struct ClockUnwrap {
    last: Option<u32>,
    wraps: u64,
}

impl ClockUnwrap {
    /// The time in ms of a raw reading, counting the wraps seen so far.
    pub fn unwrap(&mut self, raw_ms: u32) -> f64 {
        if self.last.is_some_and(|last| raw_ms < last && last - raw_ms > u32::MAX / 2) {
            self.wraps += 1;
        }
        self.last = Some(raw_ms);
        (self.wraps << 32) as f64 + raw_ms as f64
    }
}
