//! Calibrating the simulator against a real session (`trainer synth --calibrate-to openpack:DIR`).
//!
//! The physics simulator gets the kinematics of packing right in kind but not in detail: on the
//! real OpenPack sample its sensors point gravity along other axes, move 2-3x less and with far
//! less power above 3 Hz, and its operations last 2-4x longer (docs/real-data.md). Fitting every
//! motion script's joint angles to one worker by hand would not generalise either. Instead the
//! calibration measures, on the real data's *training part only* (never its test part), per
//! sensor and per operation: where gravity points in the sensor's frame, and how much motion
//! there is below and above 3 Hz; and per operation how long it lasts. It measures the same on a
//! reference simulation and derives per sensor and operation:
//!
//! - a rotation of the sensor's frame that carries the simulated mean gravity onto the real one
//!   (the mounting and the posture the scripts get wrong, as an equivalent re-strapping per
//!   operation, eased in over a third of a second so no step appears at operation boundaries);
//! - extra motion, as band-limited noise below and above 3 Hz, filling the variance the real
//!   wearer has and the simulated one lacks (none where the simulation already moves more);
//!
//! plus the real rate (ATR timestamps 30 ms apart), the E4 units as released (G / 9.80665) and
//! the ATR accelerometer's +-4 G range. See [`super::correction`] for how they are applied.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use tsak::data::classes::ClassId;
use tsak::data::frames::FrameTable;
use tsak::data::openpack::{DeviceKind, DeviceMap};

use super::kinematics::{Quat, Vec3};
use super::schedule::Timing;
use super::session::DEVICES;
use super::signal_stats::operation_seconds;
use crate::training::dataset::{self, DataSource, LabelledSession, SplitChoice, SplitData};

/// The band split: packing motion is mostly below it, impacts and tremor above.
pub const SPLIT_HZ: f64 = 3.0;
/// The real ATR accelerometers' range (G): the sample's readings stop there.
pub const ATR_ACC_RANGE_G: f64 = 4.0;

/// Extra motion as a noise standard deviation per axis, below and above [`SPLIT_HZ`].
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bands {
    pub low: f64,
    pub high: f64,
}

/// What one sensor gets during one operation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correction {
    /// Applied to the sensor's readings: its frame re-strapped so gravity points as in the real data.
    pub rotation: Quat,
    /// Extra accelerometer motion (G).
    pub acc: Bands,
    /// Extra gyroscope motion (deg/s); zero for an E4.
    pub gyro: Bands,
}

impl Correction {
    pub const NONE: Correction = Correction { rotation: Quat::IDENTITY, acc: Bands::ZERO, gyro: Bands::ZERO };
}

impl Bands {
    pub const ZERO: Bands = Bands { low: 0.0, high: 0.0 };
}

/// Everything the simulator changes to look like the real data it was calibrated against.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// ATR sample rate (Hz), from the real timestamps.
    pub atr_hz: f64,
    /// Whether E4 files are written as released (G / 9.80665) rather than as documented (G).
    pub e4_divided_by_gravity: bool,
    /// Mean seconds per run of each operation, Null excluded.
    pub durations: BTreeMap<ClassId, f64>,
    /// Mean seconds per run of Null (the gaps between operations).
    pub null_gap_s: f64,
    /// Per device, in [`DEVICES`] order: the correction per class (Null included). Empty for a
    /// device the real data lacks (its readings stay as simulated).
    pub corrections: Vec<BTreeMap<ClassId, Correction>>,
    /// Per device, in [`DEVICES`] order: whether the real data lacks it, so that the simulated
    /// worker does not wear it either (the OpenPack sample has no left-wrist E4).
    pub absent: Vec<bool>,
    /// Where the calibration came from, for the dataset's README.
    pub source: String,
}

impl Calibration {
    /// Rate, units, range and durations from the real data, no per-sensor corrections yet: what
    /// the reference simulation runs with.
    fn uncorrected(real: &SplitData, source: String) -> Result<Self> {
        let tables = training_tables(real);
        let mut durations = BTreeMap::new();
        let mut null_gap_s = 1.0;
        for ((name, seconds), class) in
            operation_seconds(&tables, &real.classes, real.sample_rate_hz).into_iter().zip(&real.classes.classes)
        {
            if class.id == real.classes.null_id {
                null_gap_s = seconds.unwrap_or(null_gap_s);
                continue;
            }
            let seconds = seconds.with_context(|| format!("the real training part has no '{name}' to time"))?;
            durations.insert(class.id, seconds);
        }
        Ok(Self {
            atr_hz: real.sample_rate_hz,
            e4_divided_by_gravity: true,
            durations,
            null_gap_s,
            corrections: vec![BTreeMap::new(); DEVICES.len()],
            absent: (0..DEVICES.len()).map(|d| !has_sensor(&tables, &device_sensors(d).0)).collect(),
            source,
        })
    }

    /// How long operations and gaps last in the calibrated schedule.
    pub fn timing(&self) -> Timing {
        Timing::calibrated(&self.durations, self.null_gap_s)
    }

    /// The correction of device `device` during class `class` (none where nothing was measured).
    pub fn correction(&self, device: usize, class: ClassId) -> Correction {
        self.corrections.get(device).and_then(|c| c.get(&class)).copied().unwrap_or(Correction::NONE)
    }
}

/// Where gravity points and how much the sensor moves, per class, for one three-axis sensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassMoments {
    /// Mean per axis (an accelerometer's gravity direction, in G).
    pub mean: [f64; 3],
    /// Variance per axis, averaged over the axes, of the part below [`SPLIT_HZ`].
    pub low_var: f64,
    /// The same for the part above it.
    pub high_var: f64,
}

/// [`ClassMoments`] per class of the sensor `sensor` (`right_wrist/acc`, ...) over `tables`;
/// empty if a table lacks it. The band split is a one-pole low-pass at [`SPLIT_HZ`], the same
/// filter [`super::correction`] shapes its noise with, so the two agree on what "above" means.
pub fn class_moments(tables: &[&FrameTable], sensor: &str, rate_hz: f64) -> BTreeMap<ClassId, ClassMoments> {
    #[derive(Default)]
    struct Sums {
        n: f64,
        x: [f64; 3],
        low: [f64; 3],
        low_sq: [f64; 3],
        high_sq: [f64; 3],
    }
    let alpha = one_pole_alpha(SPLIT_HZ, rate_hz);
    let mut sums: BTreeMap<ClassId, Sums> = BTreeMap::new();
    for table in tables {
        let Some(columns) = axis_columns(table, sensor) else { return BTreeMap::new() };
        let mut low = [0.0; 3];
        for i in 0..table.len() {
            let frame = table.frame(i);
            let s = sums.entry(table.labels[i]).or_default();
            s.n += 1.0;
            for a in 0..3 {
                let x = f64::from(frame[columns[a]]);
                low[a] = if i == 0 { x } else { low[a] + alpha * (x - low[a]) };
                s.x[a] += x;
                s.low[a] += low[a];
                s.low_sq[a] += low[a] * low[a];
                s.high_sq[a] += (x - low[a]).powi(2);
            }
        }
    }
    sums.into_iter()
        .map(|(class, s)| {
            let low_var = (0..3).map(|a| s.low_sq[a] / s.n - (s.low[a] / s.n).powi(2)).sum::<f64>() / 3.0;
            let high_var = (0..3).map(|a| s.high_sq[a] / s.n).sum::<f64>() / 3.0;
            (class, ClassMoments { mean: s.x.map(|v| v / s.n), low_var: low_var.max(0.0), high_var })
        })
        .collect()
}

/// The smoothing factor of a one-pole low-pass with corner `hz` at `rate_hz`.
pub fn one_pole_alpha(hz: f64, rate_hz: f64) -> f64 {
    1.0 - (-2.0 * std::f64::consts::PI * hz / rate_hz).exp()
}

/// Whether every table has `sensor`'s three axes.
fn has_sensor(tables: &[&FrameTable], sensor: &str) -> bool {
    !tables.is_empty() && tables.iter().all(|t| axis_columns(t, sensor).is_some())
}

fn axis_columns(table: &FrameTable, sensor: &str) -> Option<[usize; 3]> {
    let find = |axis: &str| table.channels.iter().position(|c| *c == format!("{sensor}_{axis}"));
    Some([find("x")?, find("y")?, find("z")?])
}

/// The sensors of device `d` of [`DEVICES`] as the loader names them: (acc, gyro).
fn device_sensors(d: usize) -> (String, Option<String>) {
    let spec = &DEVICES[d];
    match spec.kind {
        DeviceKind::Atr => (format!("{}/acc", spec.position), Some(format!("{}/gyro", spec.position))),
        _ => (format!("{}/e4_acc", spec.position), None),
    }
}

/// The rotation that carries direction `from` onto direction `to` (shortest arc).
pub fn rotation_between(from: [f64; 3], to: [f64; 3]) -> Quat {
    let (a, b) = (Vec3::new(from[0], from[1], from[2]), Vec3::new(to[0], to[1], to[2]));
    if a.norm() < 1e-9 || b.norm() < 1e-9 {
        return Quat::IDENTITY;
    }
    let (a, b) = (a.scale(1.0 / a.norm()), b.scale(1.0 / b.norm()));
    let axis = a.cross(b);
    let angle = a.dot(b).clamp(-1.0, 1.0).acos();
    if axis.norm() < 1e-9 {
        if angle < 1.0 {
            return Quat::IDENTITY;
        }
        // Opposite: any axis perpendicular to `a` will do.
        let helper = if a.x.abs() < 0.9 { Vec3::new(1.0, 0.0, 0.0) } else { Vec3::new(0.0, 1.0, 0.0) };
        let perpendicular = a.cross(helper);
        return Quat::from_axis_angle(perpendicular.scale(1.0 / perpendicular.norm()), angle);
    }
    Quat::from_axis_angle(axis.scale(1.0 / axis.norm()), angle)
}

/// The extra noise (std) that brings a band's variance from `simulated`, simulated with extra
/// noise `applied`, to `real`: noise variances add, and none is taken away where the simulation
/// already moves more.
fn extra(real: f64, simulated: f64, applied: f64) -> f64 {
    (applied * applied + real - simulated).max(0.0).sqrt()
}

fn bands(real: &ClassMoments, simulated: &ClassMoments, applied: Bands) -> Bands {
    Bands {
        low: extra(real.low_var, simulated.low_var, applied.low),
        high: extra(real.high_var, simulated.high_var, applied.high),
    }
}

/// The sessions calibration may look at: the training part (train and validation), never the
/// test part the split holds out.
fn training_tables(data: &SplitData) -> Vec<&FrameTable> {
    data.train.iter().chain(&data.val).map(|s: &LabelledSession| &s.frames).collect()
}

/// The per-device corrections from the real training part's moments and those of a reference
/// simulation (every session of it) run with the corrections `applied`: each is refined by what
/// still differs, so a second pass makes up for what the first could not reach (an operation
/// shorter than the easing starts from the one before it).
fn corrections(real: &SplitData, reference: &SplitData, applied: &Calibration) -> Vec<BTreeMap<ClassId, Correction>> {
    let real_tables = training_tables(real);
    let reference_tables: Vec<&FrameTable> = reference.test.iter().map(|s| &s.frames).collect();
    (0..DEVICES.len())
        .map(|d| {
            let (acc, gyro) = device_sensors(d);
            let real_acc = class_moments(&real_tables, &acc, real.sample_rate_hz);
            let sim_acc = class_moments(&reference_tables, &acc, reference.sample_rate_hz);
            let gyro_moments = gyro.as_ref().map(|g| {
                (
                    class_moments(&real_tables, g, real.sample_rate_hz),
                    class_moments(&reference_tables, g, reference.sample_rate_hz),
                )
            });
            real_acc
                .iter()
                .filter_map(|(class, r)| {
                    let s = sim_acc.get(class)?;
                    let before = applied.correction(d, *class);
                    let gyro = gyro_moments
                        .as_ref()
                        .and_then(|(real, sim)| Some(bands(real.get(class)?, sim.get(class)?, before.gyro)))
                        .unwrap_or(Bands::ZERO);
                    let rotation = (rotation_between(s.mean, r.mean) * before.rotation).normalized();
                    Some((*class, Correction { rotation, acc: bands(r, s, before.acc), gyro }))
                })
                .collect()
        })
        .collect()
}

/// Frames of reference simulation: two 30-minute sessions of one right-handed worker.
const REFERENCE_SESSIONS: usize = 2;
const REFERENCE_MINUTES: f64 = 30.0;
/// Reference simulations: the first measures the simulator as it is, the second as corrected.
const PASSES: usize = 2;

/// Calibrates against the training part of `real` under `split`: measures it, then [`PASSES`]
/// times runs a reference simulation (into `scratch`) with its rate, units and durations and
/// the corrections so far, and refines the corrections by what still differs.
pub fn calibrate(real_source: &DataSource, split: &SplitChoice, seed: u64, scratch: &Path) -> Result<Calibration> {
    let devices = DeviceMap::default();
    let real = dataset::load(real_source, split, &devices)
        .with_context(|| format!("cannot read the real data to calibrate against ({real_source})"))?;
    if real.train.is_empty() {
        bail!("{real_source} split {split} leaves no training part to calibrate against");
    }
    let mut calibration = Calibration::uncorrected(&real, format!("{real_source}, split {split}, training part"))?;
    for pass in 1..=PASSES {
        let reference = super::SynthConfig {
            users: 1,
            sessions: REFERENCE_SESSIONS,
            minutes: REFERENCE_MINUTES,
            seed,
            calibration: Some(calibration.clone()),
        };
        let folder = scratch.join(format!("pass-{pass}"));
        super::write_dataset(&reference, &folder).context("while simulating the calibration reference")?;
        let simulated = dataset::load(&DataSource::OpenPack(folder), &SplitChoice::All, &devices)?;
        calibration.corrections = corrections(&real, &simulated, &calibration);
    }
    Ok(calibration)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsak::data::frames::FrameTable;

    #[test]
    fn rotation_between_carries_one_direction_onto_the_other() {
        for (from, to) in [
            ([0.0, 0.0, -1.0], [0.73, 0.21, 0.36]),
            ([1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]),
            ([0.2, -0.9, 0.1], [0.2, -0.9, 0.1]),
        ] {
            let q = rotation_between(from, to);
            let moved = q.rotate(Vec3::new(from[0], from[1], from[2]));
            let target = Vec3::new(to[0], to[1], to[2]);
            let cos = moved.dot(target) / moved.norm() / target.norm();
            assert!(cos > 1.0 - 1e-9, "{from:?} -> {to:?}: cos {cos}");
        }
    }

    /// One accelerometer: gravity on y, a 1 Hz sine of amplitude 0.4 on x and a 10 Hz one of
    /// amplitude 0.2 on z, class 100 in the first half and 200 (gravity on x) in the second.
    fn two_class_table(rate: f64, frames: usize) -> FrameTable {
        use std::f64::consts::PI;
        let channels = ["p/acc_x", "p/acc_y", "p/acc_z"].map(String::from).to_vec();
        let values = (0..frames)
            .flat_map(|i| {
                let t = i as f64 / rate;
                let (gx, gy) = if i < frames / 2 { (0.0, -1.0) } else { (1.0, 0.0) };
                [gx + 0.4 * (2.0 * PI * t).sin(), gy, 0.2 * (2.0 * PI * 10.0 * t).sin()].map(|v| v as f32)
            })
            .collect();
        let labels = (0..frames).map(|i| if i < frames / 2 { 100 } else { 200 }).collect();
        FrameTable { channels, unixtime_ms: (0..frames as i64).collect(), values, labels }
    }

    #[test]
    fn moments_find_gravity_per_class_and_split_slow_from_fast_motion() {
        let table = two_class_table(100.0, 20_000);
        let moments = class_moments(&[&table], "p/acc", 100.0);
        let (first, second) = (&moments[&100], &moments[&200]);
        assert!((first.mean[1] + 1.0).abs() < 1e-6 && first.mean[0].abs() < 0.01, "{first:?}");
        assert!((second.mean[0] - 1.0).abs() < 0.01, "{second:?}");
        // The 1 Hz sine (variance 0.08 on one axis of three) is below the split; the 10 Hz one
        // (0.02) mostly above it. One-pole filters leak, so only roughly.
        assert!((first.low_var - 0.08 / 3.0).abs() < 0.006, "{first:?}");
        assert!((first.high_var - 0.02 / 3.0).abs() < 0.002, "{first:?}");
        assert!(class_moments(&[&table], "q/acc", 100.0).is_empty());
    }

    #[test]
    fn extra_noise_fills_only_missing_variance() {
        assert_eq!(extra(0.25, 0.09, 0.0), 0.4);
        assert_eq!(extra(0.04, 0.09, 0.0), 0.0);
        // With 0.3 applied the simulation reached 0.34 (0.25 + 0.09): 0.09 too much, so 0.0.
        assert!(extra(0.25, 0.34, 0.3).abs() < 1e-9);
    }
}
