//! The statistics that tell a simulator from real wearables, per sensor: where gravity points
//! (mounting and axes), how hard the wearer moves (spread, peaks, clipping), at what frequencies
//! (share of acceleration power above 3 Hz), and how long each operation lasts. `trainer synth
//! --compare` prints them for the synthetic data it wrote beside a real session's.
//!
//! The spectrum is Welch's method on 256-frame Hann-windowed segments with a plain DFT, written
//! here rather than pulling an FFT crate in: only one band split per channel is needed, and
//! 256-point DFTs over a session take well under a second.

use std::f64::consts::PI;

use tsak::data::classes::ClassTable;
use tsak::data::frames::FrameTable;

/// Frames per spectrum segment (7.7 s at 33.3 Hz, 8.5 s at 30 Hz).
const SEGMENT: usize = 256;
/// The band split of the spectrum: wrist motion in packing work is mostly below it.
pub const HIGH_BAND_HZ: f64 = 3.0;
/// ATR accelerometers clip at +-4 G; a reading this close counts as clipped.
pub const CLIP_G: f32 = 3.95;

/// One sensor's figures over a set of sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorStats {
    /// `right_wrist/acc`, `left_wrist/gyro`, `right_wrist/e4_acc`, ...
    pub sensor: String,
    /// Per-axis mean (gravity's direction for an accelerometer, in G).
    pub mean: [f64; 3],
    /// Per-axis standard deviation, averaged over the axes.
    pub std: f64,
    /// 99th percentile of the vector magnitude.
    pub magnitude_p99: f64,
    /// Share of the (mean-removed) power above [`HIGH_BAND_HZ`].
    pub high_band_share: f64,
    /// Share of frames with an axis at or beyond [`CLIP_G`] (accelerometers only).
    pub clipped: Option<f64>,
}

/// Figures for every three-axis acc, gyro or E4 acc sensor present in all `tables`.
pub fn sensor_stats(tables: &[&FrameTable], rate_hz: f64) -> Vec<SensorStats> {
    let Some(first) = tables.first() else { return Vec::new() };
    let mut out = Vec::new();
    for x in first.channels.iter().filter(|c| c.ends_with("acc_x") || c.ends_with("gyro_x")) {
        let sensor = x.trim_end_matches("_x").to_string();
        let axes: Vec<String> = ["x", "y", "z"].iter().map(|a| format!("{sensor}_{a}")).collect();
        let Some(series) = axis_series(tables, &axes) else { continue };
        let is_acc = sensor.ends_with("acc");
        out.push(SensorStats {
            mean: std::array::from_fn(|a| mean(series.iter().map(|s| s[a].as_slice()))),
            std: (0..3).map(|a| std_dev(series.iter().map(|s| s[a].as_slice()))).sum::<f64>() / 3.0,
            magnitude_p99: percentile(magnitudes(&series), 0.99),
            high_band_share: high_band_share(&series, rate_hz),
            clipped: is_acc.then(|| clipped_share(&series)),
            sensor,
        });
    }
    out
}

/// Each table's three axes of one sensor; `None` if some table lacks an axis.
fn axis_series(tables: &[&FrameTable], axes: &[String]) -> Option<Vec<[Vec<f32>; 3]>> {
    tables
        .iter()
        .map(|t| {
            let columns: Vec<usize> =
                axes.iter().map(|a| t.channels.iter().position(|c| c == a)).collect::<Option<_>>()?;
            Some(std::array::from_fn(|a| (0..t.len()).map(|i| t.frame(i)[columns[a]]).collect()))
        })
        .collect()
}

fn mean<'a>(parts: impl Iterator<Item = &'a [f32]>) -> f64 {
    let (sum, n) = parts.fold((0.0, 0usize), |(s, n), p| (s + p.iter().map(|&v| v as f64).sum::<f64>(), n + p.len()));
    sum / n.max(1) as f64
}

fn std_dev<'a>(parts: impl Iterator<Item = &'a [f32]> + Clone) -> f64 {
    let m = mean(parts.clone());
    let (sum, n) = parts
        .fold((0.0, 0usize), |(s, n), p| (s + p.iter().map(|&v| (v as f64 - m).powi(2)).sum::<f64>(), n + p.len()));
    (sum / n.max(1) as f64).sqrt()
}

fn magnitudes(series: &[[Vec<f32>; 3]]) -> Vec<f64> {
    series
        .iter()
        .flat_map(|[x, y, z]| (0..x.len()).map(|i| ((x[i] * x[i] + y[i] * y[i] + z[i] * z[i]) as f64).sqrt()))
        .collect()
}

/// The `q` quantile (nearest rank); 0 for no values.
fn percentile(mut values: Vec<f64>, q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let k = ((values.len() - 1) as f64 * q).round() as usize;
    *values.select_nth_unstable_by(k, f64::total_cmp).1
}

fn clipped_share(series: &[[Vec<f32>; 3]]) -> f64 {
    let (clipped, n) = series.iter().fold((0usize, 0usize), |(c, n), [x, y, z]| {
        let hits = (0..x.len()).filter(|&i| [x[i], y[i], z[i]].iter().any(|v| v.abs() >= CLIP_G)).count();
        (c + hits, n + x.len())
    });
    clipped as f64 / n.max(1) as f64
}

/// Welch: power per DFT bin summed over mean-removed, Hann-windowed segments of every axis.
fn high_band_share(series: &[[Vec<f32>; 3]], rate_hz: f64) -> f64 {
    let hann: Vec<f64> = (0..SEGMENT).map(|i| 0.5 - 0.5 * (2.0 * PI * i as f64 / SEGMENT as f64).cos()).collect();
    let mut power = vec![0.0; SEGMENT / 2 + 1];
    for axes in series {
        for axis in axes {
            for segment in axis.chunks_exact(SEGMENT) {
                let m = segment.iter().map(|&v| v as f64).sum::<f64>() / SEGMENT as f64;
                let windowed: Vec<f64> = segment.iter().zip(&hann).map(|(&v, w)| (v as f64 - m) * w).collect();
                for (k, p) in power.iter_mut().enumerate() {
                    *p += dft_power(&windowed, k);
                }
            }
        }
    }
    let total: f64 = power.iter().skip(1).sum();
    let bin_hz = rate_hz / SEGMENT as f64;
    let high: f64 =
        power.iter().enumerate().skip(1).filter(|(k, _)| *k as f64 * bin_hz > HIGH_BAND_HZ).map(|(_, p)| p).sum();
    if total > 0.0 { high / total } else { 0.0 }
}

fn dft_power(x: &[f64], k: usize) -> f64 {
    let step = 2.0 * PI * k as f64 / x.len() as f64;
    let (re, im) = x.iter().enumerate().fold((0.0, 0.0), |(re, im), (n, &v)| {
        let angle = step * n as f64;
        (re + v * angle.cos(), im - v * angle.sin())
    });
    re * re + im * im
}

/// Mean duration in seconds of each class's uninterrupted runs of frames, in table order;
/// `None` for a class that never occurs.
pub fn operation_seconds(tables: &[&FrameTable], classes: &ClassTable, rate_hz: f64) -> Vec<(String, Option<f64>)> {
    classes
        .classes
        .iter()
        .map(|class| {
            let (frames, runs) = tables.iter().fold((0usize, 0usize), |(f, r), t| {
                let mine = |i: usize| t.labels[i] == class.id;
                let starts = (0..t.len()).filter(|&i| mine(i) && (i == 0 || !mine(i - 1))).count();
                (f + (0..t.len()).filter(|&i| mine(i)).count(), r + starts)
            });
            (class.name.clone(), (runs > 0).then(|| frames as f64 / runs as f64 / rate_hz))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table of one accelerometer: x a sine of `hz`, y gravity, z a constant.
    fn sensor(hz: f64, amplitude: f32, rate: f64, frames: usize) -> FrameTable {
        let channels = ["p/acc_x", "p/acc_y", "p/acc_z"].map(String::from).to_vec();
        let values = (0..frames)
            .flat_map(|i| {
                let t = i as f64 / rate;
                [amplitude * (2.0 * PI * hz * t).sin() as f32, -1.0, 0.25]
            })
            .collect();
        let unixtime_ms = (0..frames).map(|i| (i as f64 * 1000.0 / rate) as i64).collect();
        FrameTable { channels, unixtime_ms, values, labels: vec![0; frames] }
    }

    #[test]
    fn gravity_spread_peaks_and_band_are_measured() {
        let slow = sensor(1.0, 0.5, 30.0, 2048);
        let stats = &sensor_stats(&[&slow], 30.0)[0];
        assert_eq!(stats.sensor, "p/acc");
        assert!(
            stats.mean[0].abs() < 0.01 && (stats.mean[1] + 1.0).abs() < 1e-6 && (stats.mean[2] - 0.25).abs() < 1e-6
        );
        // A sine of amplitude 0.5 has std 0.354 on x, 0 on y and z.
        assert!((stats.std - 0.3536 / 3.0).abs() < 0.002, "{}", stats.std);
        assert!(stats.high_band_share < 0.01, "{}", stats.high_band_share);
        assert_eq!(stats.clipped, Some(0.0));
        let fast = sensor(6.0, 5.0, 30.0, 2048);
        let stats = &sensor_stats(&[&fast], 30.0)[0];
        assert!(stats.high_band_share > 0.99, "{}", stats.high_band_share);
        // 6 Hz at 30 Hz: five samples a period, x = 5 sin(k 72 deg) is 0, +-2.94 or +-4.76, so
        // |v| peaks at sqrt(4.76^2 + 1 + 0.25^2) = 4.87 and 2 of 5 frames read beyond 3.95 G.
        assert!((stats.magnitude_p99 - 4.866).abs() < 0.001, "{}", stats.magnitude_p99);
        assert!((stats.clipped.unwrap() - 0.4).abs() < 0.001, "{:?}", stats.clipped);
    }

    #[test]
    fn a_sensor_some_table_lacks_is_left_out() {
        let full = sensor(1.0, 0.5, 30.0, 300);
        let mut other = full.clone();
        other.channels[2] = "p/acc_w".into();
        assert!(sensor_stats(&[&full, &other], 30.0).is_empty());
    }

    #[test]
    fn operation_durations_are_the_mean_run_length() {
        let mut table = sensor(1.0, 0.5, 10.0, 100);
        // Class 100: runs of 20 and 40 frames -> 3 s at 10 Hz; class 200 never occurs.
        table.labels = (0..100).map(|i| if i < 20 || (50..90).contains(&i) { 100 } else { 8100 }).collect();
        let classes = ClassTable::openpack_operations();
        let seconds = operation_seconds(&[&table], &classes, 10.0);
        let picking = seconds.iter().find(|(name, _)| name == "Picking").unwrap();
        assert_eq!(picking.1, Some(3.0));
        assert!(seconds.iter().any(|(name, s)| name == "Relocate Item Label" && s.is_none()));
    }
}
