//! `trainer synth --compare openpack:DIR`: the synthetic data just written beside a real
//! dataset, statistic by statistic and sensor by sensor (see [`crate::synth::signal_stats`]), both read
//! by the same loader the trainer uses. What calibrating the simulator is measured against.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use tsak::data::frames::FrameTable;
use tsak::data::openpack::DeviceMap;

use crate::synth::signal_stats::{CLIP_G, HIGH_BAND_HZ, SensorStats, operation_seconds, sensor_stats};
use crate::training::dataset::{self, DataSource, SplitChoice, SplitData};

/// The side-by-side table for `real` and the synthetic dataset under `synthetic_root`.
pub fn compare(real: &DataSource, synthetic_root: &Path) -> Result<String> {
    let devices = DeviceMap::default();
    let real = dataset::load(real, &SplitChoice::All, &devices)?;
    let synthetic = dataset::load(&DataSource::OpenPack(synthetic_root.to_path_buf()), &SplitChoice::All, &devices)?;
    Ok(table(&real, &synthetic))
}

fn frame_tables(data: &SplitData) -> Vec<&FrameTable> {
    data.test.iter().map(|s| &s.frames).collect()
}

fn table(real: &SplitData, synthetic: &SplitData) -> String {
    let (real_tables, synthetic_tables) = (frame_tables(real), frame_tables(synthetic));
    let real_stats = sensor_stats(&real_tables, real.sample_rate_hz);
    let synthetic_stats = sensor_stats(&synthetic_tables, synthetic.sample_rate_hz);
    let mut out = String::new();
    let _ = writeln!(out, "{:<42} {:>22} {:>22}", "statistic", "real", "synthetic");
    let row = |out: &mut String, name: &str, r: String, s: String| {
        let _ = writeln!(out, "{name:<42} {r:>22} {s:>22}");
    };
    row(&mut out, "frame rate (Hz)", format!("{:.2}", real.sample_rate_hz), format!("{:.2}", synthetic.sample_rate_hz));
    let minutes = |t: &[&FrameTable], rate: f64| t.iter().map(|f| f.len()).sum::<usize>() as f64 / rate / 60.0;
    row(
        &mut out,
        "minutes",
        format!("{:.1}", minutes(&real_tables, real.sample_rate_hz)),
        format!("{:.1}", minutes(&synthetic_tables, synthetic.sample_rate_hz)),
    );
    for r in &real_stats {
        let s = synthetic_stats.iter().find(|s| s.sensor == r.sensor);
        let unit = if r.sensor.ends_with("gyro") { "deg/s" } else { "G" };
        let both = |f: &dyn Fn(&SensorStats) -> String| (f(r), s.map_or_else(|| "(absent)".to_string(), f));
        let rows: [(String, (String, String)); 4] = [
            (
                format!("{} mean x y z ({unit})", r.sensor),
                both(&|x| format!("{:+.2} {:+.2} {:+.2}", x.mean[0], x.mean[1], x.mean[2])),
            ),
            (format!("{} std ({unit})", r.sensor), both(&|x| format!("{:.3}", x.std))),
            (format!("{} |v| p99 ({unit})", r.sensor), both(&|x| format!("{:.2}", x.magnitude_p99))),
            (
                format!("{} power > {HIGH_BAND_HZ} Hz", r.sensor),
                both(&|x| format!("{:.0}%", 100.0 * x.high_band_share)),
            ),
        ];
        for (name, (a, b)) in rows {
            row(&mut out, &name, a, b);
        }
        if r.clipped.is_some() {
            let (a, b) = both(&|x| x.clipped.map_or_else(String::new, |c| format!("{:.2}%", 100.0 * c)));
            row(&mut out, &format!("{} |axis| >= {CLIP_G} G", r.sensor), a, b);
        }
    }
    let real_ops = operation_seconds(&real_tables, &real.classes, real.sample_rate_hz);
    let synthetic_ops = operation_seconds(&synthetic_tables, &synthetic.classes, synthetic.sample_rate_hz);
    for ((name, r), (_, s)) in real_ops.iter().zip(&synthetic_ops) {
        let seconds = |v: &Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
        row(&mut out, &format!("{name} (mean s per run)"), seconds(r), seconds(s));
    }
    out
}
