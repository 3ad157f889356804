//! Who wears the sensors: per-subject tempo, movement amplitude, body size, handedness,
//! posture habits, and per-session device errors (strap rotation, bias, noise).
//!
//! Subjects differ so that a model has to generalise across people, as in OpenPack where the
//! test users are people the model never saw.

use rand::Rng;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, Normal, StandardNormal};

use super::body::{BodyStyle, JOINTS, Side};
use super::kinematics::{Quat, Vec3};
use super::seeds;

/// Share of left-handed subjects (about 1 in 5 in the general population).
pub const LEFT_HANDED_SHARE: f64 = 0.2;

/// Spread (rad) of a subject's habitual deviation from each scripted joint angle.
const POSTURE_HABIT: f64 = 0.08;

/// One synthetic worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    /// `U0101`, `U0102`, ...
    pub user: String,
    /// Whether the dominant-hand roles (peeling, writing, taping, scanning) go to the left arm.
    pub left_handed: bool,
    /// Duration scale of every operation and movement, 0.8 (fast) .. 1.25 (slow).
    pub tempo: f64,
    /// Scales rhythmic motion and motor noise, 0.8 .. 1.2.
    pub amplitude: f64,
    /// Scales the frequency of rhythmic motion (peeling, rubbing, writing), 0.85 .. 1.15.
    pub rhythm: f64,
    /// Scales arm segment lengths.
    pub size: f64,
    pub step_hz: f64,
    pub walk_speed: f64,
    /// Habitual deviations from the scripted poses (rad), for the dominant and the other arm.
    pub posture: [[f64; JOINTS]; 2],
    /// Habitual extra forward lean (rad).
    pub lean: f64,
    /// Accelerometer white noise (G) and gyro white noise (deg/s) of this subject's devices;
    /// loose straps on thin wrists are noisier.
    pub acc_noise: f64,
    pub gyro_noise: f64,
    /// How each device usually sits on this subject (a few degrees off nominal), by device index.
    pub mounts: Vec<Quat>,
}

impl Subject {
    /// The dominant side, for the skeleton.
    pub fn dominant(&self) -> Side {
        if self.left_handed { Side::Left } else { Side::Right }
    }

    /// The skeleton parameters for one session (tempo varies a little from day to day).
    pub fn body_style(&self, session_tempo: f64) -> BodyStyle {
        BodyStyle {
            size: self.size,
            tempo: self.tempo * session_tempo,
            amplitude: self.amplitude,
            rhythm: self.rhythm,
            step_hz: self.step_hz,
            walk_speed: self.walk_speed,
            dominant: self.dominant(),
        }
    }
}

/// The user folder name of the `index`-th user (0-based): U0101, U0102, ...
pub fn user_name(index: usize) -> String {
    format!("U{:04}", 101 + index)
}

/// Which users are left-handed: `round(users / 5)` of them, chosen by the seed. Stratified
/// rather than a coin flip per user, so a 4-user dataset is not left-handed-free by chance.
pub fn left_handed_users(seed: u64, users: usize) -> Vec<bool> {
    let count = (users as f64 * LEFT_HANDED_SHARE).round() as usize;
    let mut flags: Vec<bool> = (0..users).map(|i| i < count).collect();
    flags.shuffle(&mut seeds::rng(seed, &[seeds::HANDEDNESS]));
    flags
}

/// Draws subject `index`'s traits from its own stream of the seed.
pub fn draw_subject(seed: u64, index: usize, left_handed: bool, devices: usize) -> Subject {
    let mut rng = seeds::rng(seed, &[seeds::SUBJECT, index as u64]);
    let log_uniform = |rng: &mut rand_chacha::ChaCha8Rng, lo: f64, hi: f64| (rng.random_range(lo.ln()..hi.ln())).exp();
    let tempo = log_uniform(&mut rng, 0.8, 1.25);
    let amplitude = rng.random_range(0.8..1.2);
    let rhythm = rng.random_range(0.85..1.15);
    let size = rng.random_range(0.92..1.08);
    let step_hz = rng.random_range(1.75..2.05);
    let walk_speed = rng.random_range(0.9..1.3);
    let posture_spread = Normal::new(0.0, POSTURE_HABIT).expect("valid normal");
    let mut posture = [[0.0; JOINTS]; 2];
    for arm in &mut posture {
        for joint in arm.iter_mut() {
            *joint = posture_spread.sample(&mut rng);
        }
    }
    let lean = rng.random_range(-0.03..0.08);
    let acc_noise = rng.random_range(0.004..0.012);
    let gyro_noise = rng.random_range(0.25..0.8);
    let mounts = (0..devices).map(|_| small_rotation(&mut rng, 4.0)).collect();
    Subject {
        user: user_name(index),
        left_handed,
        tempo,
        amplitude,
        rhythm,
        size,
        step_hz,
        walk_speed,
        posture,
        lean,
        acc_noise,
        gyro_noise,
        mounts,
    }
}

/// A random rotation of about `degrees` per axis (std): how far a strap sits from nominal.
pub fn small_rotation<R: Rng>(rng: &mut R, degrees: f64) -> Quat {
    let sigma = degrees.to_radians();
    let mut axis = || -> f64 { sigma * rng.sample::<f64, _>(StandardNormal) };
    Quat::from_rotation_vector(Vec3::new(axis(), axis(), axis()))
}

/// The errors of one device in one session: a real IMU is never mounted, zeroed or scaled
/// perfectly, and its gyro bias wanders.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceErrors {
    /// Strap rotation for this session: the subject's habit plus today's re-mounting.
    pub mount: Quat,
    /// Accelerometer offset (G) and per-axis scale factor.
    pub acc_bias: Vec3,
    pub acc_scale: Vec3,
    pub acc_noise: f64,
    /// Gyro offset at power-on (deg/s), how fast it wanders, and white noise (deg/s).
    pub gyro_bias: Vec3,
    pub gyro_walk: f64,
    pub gyro_noise: f64,
}

impl DeviceErrors {
    /// Draws the errors of device `device` of `subject` for one session.
    pub fn draw<R: Rng>(rng: &mut R, subject: &Subject, device: usize) -> Self {
        let remount = small_rotation(rng, 1.5);
        let mut uniform3 = |range: f64| {
            Vec3::new(rng.random_range(-range..range), rng.random_range(-range..range), rng.random_range(-range..range))
        };
        let acc_bias = uniform3(0.02);
        let acc_scale = Vec3::new(1.0, 1.0, 1.0) + uniform3(0.01);
        let gyro_bias = uniform3(1.5);
        Self {
            mount: subject.mounts[device] * remount,
            acc_bias,
            acc_scale,
            acc_noise: subject.acc_noise * rng.random_range(0.8..1.25),
            gyro_bias,
            gyro_walk: rng.random_range(0.01..0.04),
            gyro_noise: subject.gyro_noise * rng.random_range(0.8..1.25),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_one_in_five_users_is_left_handed() {
        assert_eq!(left_handed_users(7, 4).iter().filter(|&&l| l).count(), 1);
        assert_eq!(left_handed_users(7, 10).iter().filter(|&&l| l).count(), 2);
        assert_eq!(left_handed_users(7, 2).iter().filter(|&&l| l).count(), 0);
        assert_eq!(left_handed_users(3, 10), left_handed_users(3, 10));
    }

    #[test]
    fn subjects_stay_in_their_ranges_and_are_reproducible() {
        for i in 0..20 {
            let s = draw_subject(11, i, false, 6);
            assert!((0.8..=1.25).contains(&s.tempo), "{}", s.tempo);
            assert!((0.8..1.2).contains(&s.amplitude));
            assert_eq!(s.mounts.len(), 6);
            for m in &s.mounts {
                assert!(m.angle_to(Quat::IDENTITY).to_degrees() < 25.0);
            }
            assert_eq!(s, draw_subject(11, i, false, 6));
        }
        assert_eq!(user_name(0), "U0101");
        assert_eq!(user_name(11), "U0112");
    }
}
