//! Applying a [`Calibration`] while a session is simulated: each sensor's ideal readings are
//! turned into its calibrated frame and get the extra motion the real wearer has, following the
//! operation under way. Targets change at operation boundaries; the applied rotation and noise
//! levels ease towards them over [`EASE_S`], as a real posture change does, so no step appears.

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use tsak::data::classes::ClassId;

use super::calibration::{Bands, Calibration, Correction, SPLIT_HZ, one_pole_alpha};
use super::kinematics::{Quat, Vec3};
use super::schedule::Span;

/// Time constant (s) of the easing between two operations' corrections.
const EASE_S: f64 = 0.3;
/// Corner (Hz) of the slow extra motion: packing posture and reach changes, well below the split.
const SLOW_NOISE_HZ: f64 = 1.0;

/// The operation annotated at a simulation instant.
pub struct ClassClock<'a> {
    pub spans: &'a [Span],
    /// Simulation time (s) of the first annotated second.
    pub annotation_start_s: f64,
    pub null_id: ClassId,
}

impl ClassClock<'_> {
    pub fn class_at(&self, t_sim: f64) -> ClassId {
        let second = t_sim - self.annotation_start_s;
        if second < 0.0 {
            return self.null_id;
        }
        let second = second.floor() as u32;
        let i = self.spans.partition_point(|s| s.end_s <= second);
        self.spans.get(i).filter(|s| s.start_s <= second).map_or(self.null_id, |s| s.id)
    }
}

/// A sensor's ideal reading at one instant: specific force (G), angular velocity (rad/s) and
/// orientation (sensor to world).
#[derive(Debug, Clone, Copy)]
pub struct Ideal {
    pub specific_force: Vec3,
    pub angular_velocity: Vec3,
    pub orientation: Quat,
}

/// Unit-variance noise per axis in two bands: below [`SLOW_NOISE_HZ`] and above [`SPLIT_HZ`].
#[derive(Debug, Clone, Default)]
struct BandNoise {
    slow: [f64; 3],
    fast_low_pass: [f64; 3],
}

impl BandNoise {
    /// The next sample at `rate_hz`, scaled by `bands`.
    fn next(&mut self, rng: &mut ChaCha8Rng, bands: Bands, rate_hz: f64) -> Vec3 {
        let slow_alpha = one_pole_alpha(SLOW_NOISE_HZ, rate_hz);
        let fast_alpha = one_pole_alpha(SPLIT_HZ, rate_hz);
        // Stationary variances of a one-pole low-pass of unit white noise, and of the residual
        // white noise minus that low-pass: a/(2-a) and 2(1-a)^2/(2-a).
        let slow_gain = ((2.0 - slow_alpha) / slow_alpha).sqrt();
        let fast_gain = ((2.0 - fast_alpha) / (2.0 * (1.0 - fast_alpha).powi(2))).sqrt();
        let out: [f64; 3] = std::array::from_fn(|a| {
            let white: f64 = rng.sample(StandardNormal);
            self.slow[a] += slow_alpha * (white - self.slow[a]);
            let white: f64 = rng.sample(StandardNormal);
            let residual = (1.0 - fast_alpha) * (white - self.fast_low_pass[a]);
            self.fast_low_pass[a] += fast_alpha * (white - self.fast_low_pass[a]);
            bands.low * slow_gain * self.slow[a] + bands.high * fast_gain * residual
        });
        Vec3::new(out[0], out[1], out[2])
    }
}

/// One device's calibration state over a session.
pub struct Corrector {
    device: usize,
    rate_hz: f64,
    applied: Correction,
    acc_noise: BandNoise,
    gyro_noise: BandNoise,
    rng: ChaCha8Rng,
    started: bool,
}

impl Corrector {
    /// Device `device` (index into the session's devices) sampled at `rate_hz`.
    pub fn new(device: usize, rate_hz: f64, rng: ChaCha8Rng) -> Self {
        Self {
            device,
            rate_hz,
            applied: Correction::NONE,
            acc_noise: BandNoise::default(),
            gyro_noise: BandNoise::default(),
            rng,
            started: false,
        }
    }

    /// The calibrated reading during class `class`.
    pub fn apply(&mut self, calibration: &Calibration, class: ClassId, ideal: Ideal) -> Ideal {
        let target = calibration.correction(self.device, class);
        if self.started {
            let k = 1.0 - (-1.0 / (self.rate_hz * EASE_S)).exp();
            self.applied = ease(self.applied, target, k);
        } else {
            self.applied = target;
            self.started = true;
        }
        let rotation = self.applied.rotation;
        let acc_extra = self.acc_noise.next(&mut self.rng, self.applied.acc, self.rate_hz);
        let gyro_extra = self.gyro_noise.next(&mut self.rng, self.applied.gyro, self.rate_hz);
        Ideal {
            specific_force: rotation.rotate(ideal.specific_force) + acc_extra,
            angular_velocity: rotation.rotate(ideal.angular_velocity) + gyro_extra.scale(std::f64::consts::PI / 180.0),
            orientation: ideal.orientation * rotation.conj(),
        }
    }
}

/// A step of `k` (0..1) from `from` towards `to`: rotations by normalised linear interpolation
/// on the nearer hemisphere, noise levels linearly.
fn ease(from: Correction, to: Correction, k: f64) -> Correction {
    let (a, mut b) = (from.rotation, to.rotation);
    if a.dot(b) < 0.0 {
        b = -b;
    }
    let mix = |x: f64, y: f64| x + k * (y - x);
    let rotation = Quat { w: mix(a.w, b.w), x: mix(a.x, b.x), y: mix(a.y, b.y), z: mix(a.z, b.z) }.normalized();
    let bands = |p: Bands, q: Bands| Bands { low: mix(p.low, q.low), high: mix(p.high, q.high) };
    Correction { rotation, acc: bands(from.acc, to.acc), gyro: bands(from.gyro, to.gyro) }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::synth::calibration::rotation_between;
    use crate::synth::seeds;

    fn calibration_with(correction: Correction) -> Calibration {
        let mut per_class = BTreeMap::new();
        per_class.insert(100, correction);
        Calibration {
            atr_hz: 100.0 / 3.0,
            e4_divided_by_gravity: true,
            durations: BTreeMap::new(),
            null_gap_s: 1.0,
            corrections: vec![per_class],
            absent: vec![false],
            source: "test".into(),
        }
    }

    fn at_rest() -> Ideal {
        Ideal { specific_force: Vec3::new(0.0, 0.0, 1.0), angular_velocity: Vec3::ZERO, orientation: Quat::IDENTITY }
    }

    #[test]
    fn the_class_clock_follows_the_spans_and_is_null_outside_them() {
        let spans =
            [Span { id: 100, start_s: 0, end_s: 3, box_no: 1 }, Span { id: 200, start_s: 3, end_s: 5, box_no: 1 }];
        let clock = ClassClock { spans: &spans, annotation_start_s: 2.0, null_id: 8100 };
        let at = |t| clock.class_at(t);
        assert_eq!([at(1.9), at(2.0), at(4.99), at(5.0), at(6.9), at(7.0)], [8100, 100, 100, 200, 200, 8100]);
    }

    #[test]
    fn gravity_turns_to_the_calibrated_direction_and_orientation_agrees() {
        let rotation = rotation_between([0.0, 0.0, 1.0], [0.73, 0.21, 0.36]);
        let calibration = calibration_with(Correction { rotation, ..Correction::NONE });
        let mut corrector = Corrector::new(0, calibration.atr_hz, seeds::rng(1, &[0]));
        let out = corrector.apply(&calibration, 100, at_rest());
        let g = out.specific_force.scale(1.0 / out.specific_force.norm());
        let want = Vec3::new(0.73, 0.21, 0.36);
        assert!(g.dot(want) / want.norm() > 1.0 - 1e-9);
        // The reported orientation explains the new reading: world up seen from the new frame.
        let up = out.orientation.rotate_inverse(Vec3::new(0.0, 0.0, 1.0));
        assert!(up.dot(g) > 1.0 - 1e-9, "{up:?} vs {g:?}");
    }

    #[test]
    fn a_new_operation_eases_in_instead_of_stepping() {
        let rotation = rotation_between([0.0, 0.0, 1.0], [1.0, 0.0, 0.0]);
        let calibration = calibration_with(Correction { rotation, ..Correction::NONE });
        let mut corrector = Corrector::new(0, calibration.atr_hz, seeds::rng(1, &[0]));
        corrector.apply(&calibration, 8100, at_rest());
        let after_one = corrector.apply(&calibration, 100, at_rest()).specific_force;
        assert!(after_one.x > 0.0 && after_one.x < 0.2, "{after_one:?}");
        let mut last = after_one;
        for _ in 0..100 {
            last = corrector.apply(&calibration, 100, at_rest()).specific_force;
        }
        assert!(last.x > 0.999, "after 3 s: {last:?}");
    }

    #[test]
    fn extra_motion_has_the_calibrated_variance_in_its_band() {
        let acc = Bands { low: 0.3, high: 0.2 };
        let calibration = calibration_with(Correction { acc, ..Correction::NONE });
        let mut corrector = Corrector::new(0, calibration.atr_hz, seeds::rng(2, &[0]));
        let xs: Vec<f64> =
            (0..200_000).map(|_| corrector.apply(&calibration, 100, at_rest()).specific_force.x).collect();
        let var = xs.iter().map(|x| x * x).sum::<f64>() / xs.len() as f64;
        assert!((var - (0.09 + 0.04)).abs() < 0.01, "variance {var}");
    }
}
