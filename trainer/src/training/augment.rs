//! Training-time augmentation of the teacher's windows.
//!
//! Why: the teacher sees 46 channels from 4-5 training subjects and learns each subject's
//! sensor habits (strap rotation, movement amplitude, which device it trusts) instead of the
//! operation; on subjects it never saw its validation score swings and its test score falls
//! behind a one-wrist student. The augmentations imitate what differs between people and days
//! on the shop floor: a device's gain (amplitude, loose straps), sensor noise, and a device
//! that is missing or dropping out. Applied to normalised values, so "missing" is 0 (the
//! training mean).

use rand::Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use crate::training::rotation::SensorRotation;

/// How strongly to perturb, and which channels belong to one device sensor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Augment {
    /// Group index of each channel (channels of one `position/modality` share a group).
    pub groups: Vec<usize>,
    /// Standard deviation of a group's gain around 1.
    pub gain_sd: f32,
    /// Standard deviation of additive white noise (in units of the channel's spread).
    pub noise_sd: f32,
    /// Probability that a group is blanked out for a whole window.
    pub drop_probability: f64,
    /// Random rotation of each device's 3-axis sensors, applied before gain and noise.
    pub rotation: Option<SensorRotation>,
}

impl Augment {
    /// The default strength for channels named `position/modality_axis`.
    pub fn for_channels(names: &[String]) -> Self {
        let mut keys: Vec<&str> = Vec::new();
        let groups = names
            .iter()
            .map(|name| {
                let key = name.rsplit_once('_').map_or(name.as_str(), |(key, _)| key);
                keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                    keys.push(key);
                    keys.len() - 1
                })
            })
            .collect();
        Self { groups, gain_sd: 0.1, noise_sd: 0.05, drop_probability: 0.1, rotation: None }
    }

    fn group_count(&self) -> usize {
        self.groups.iter().max().map_or(0, |g| g + 1)
    }

    /// Perturbs one channel-major window `[channels, length]` in place. Never blanks every
    /// group: a window with no signal teaches nothing.
    pub fn apply(&self, window: &mut [f32], length: usize, rng: &mut impl Rng) {
        if let Some(rotation) = &self.rotation {
            rotation.apply(window, length, rng);
        }
        let count = self.group_count();
        let gain = Normal::new(1.0, self.gain_sd).expect("a valid gain spread");
        let noise = Normal::new(0.0, self.noise_sd).expect("a valid noise spread");
        let gains: Vec<f32> = (0..count).map(|_| gain.sample(rng)).collect();
        let mut dropped: Vec<bool> = (0..count).map(|_| rng.random_bool(self.drop_probability)).collect();
        if dropped.iter().all(|d| *d) {
            dropped[rng.random_range(0..count)] = false;
        }
        for (channel, values) in window.chunks_mut(length).enumerate() {
            let group = self.groups[channel];
            for v in values {
                *v = if dropped[group] { 0.0 } else { *v * gains[group] + noise.sample(rng) };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn names() -> Vec<String> {
        ["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/quat_w", "left_wrist/e4_acc_x"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn channels_of_one_sensor_share_a_group() {
        assert_eq!(Augment::for_channels(&names()).groups, vec![0, 0, 1, 2]);
    }

    #[test]
    fn a_sensor_is_dropped_or_scaled_as_a_whole() {
        let augment = Augment { gain_sd: 0.2, noise_sd: 0.0, drop_probability: 0.3, ..Augment::for_channels(&names()) };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let (mut dropped, mut total) = (0, 0);
        for _ in 0..500 {
            let mut window = vec![1.0_f32; 4 * 5];
            augment.apply(&mut window, 5, &mut rng);
            // acc_x and acc_y (group 0) always get the same gain, and every channel is constant.
            assert!(window[..10].iter().all(|v| *v == window[0]));
            assert!(window.chunks(5).all(|c| c.iter().all(|v| *v == c[0])));
            assert!(window.iter().any(|v| *v != 0.0), "never every sensor at once");
            dropped += window.chunks(5).filter(|c| c[0] == 0.0).count();
            total += 4;
        }
        let share = dropped as f64 / total as f64;
        assert!((0.2..0.4).contains(&share), "{share}");
    }

    #[test]
    fn noise_has_the_asked_spread() {
        let augment = Augment { gain_sd: 0.0, noise_sd: 0.5, drop_probability: 0.0, ..Augment::for_channels(&names()) };
        let mut window = vec![0.0_f32; 4 * 2000];
        augment.apply(&mut window, 2000, &mut ChaCha8Rng::seed_from_u64(2));
        let sd = (window.iter().map(|v| v * v).sum::<f32>() / window.len() as f32).sqrt();
        assert!((sd - 0.5).abs() < 0.02, "{sd}");
    }
}
