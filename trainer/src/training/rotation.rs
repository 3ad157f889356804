//! Random rotation of a device's 3-axis sensors, a training-time augmentation.
//!
//! Why: a wrist strap never sits the same way twice. The same operation then shows gravity
//! and motion on other axes, and a model trained on one session's strap position learns that
//! position instead of the motion. Rotating each device by a small random angle imitates it.
//! Windows arrive normalised per channel, so the rotation is done in the sensor's own units
//! (undo the normalisation, rotate, redo it); a device's accelerometer and gyroscope turn
//! together, as they do when the strap turns.

use rand::Rng;
use serde::{Deserialize, Serialize};
use tsak::data::normalize::ChannelStats;

/// Which channels form 3-axis vectors of which device, and how far to turn them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SensorRotation {
    /// The largest rotation angle, in degrees (drawn uniformly in ±this, about a random axis).
    pub max_degrees: f32,
    /// Per device (in order of first appearance), the (x, y, z) channel indices of its vectors.
    pub devices: Vec<Vec<[usize; 3]>>,
    /// The normalisation the windows carry, to rotate in sensor units.
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl SensorRotation {
    /// Finds every `position/modality_x|y|z` triple of acceleration or angular rate in `stats`
    /// (orientation quaternions do not rotate as vectors and are left alone). `None` when
    /// there is none, or when `max_degrees` is not positive (rotation off).
    pub fn for_stats(stats: &ChannelStats, max_degrees: f32) -> Option<Self> {
        if max_degrees <= 0.0 {
            return None;
        }
        let mut devices: Vec<(&str, Vec<[usize; 3]>)> = Vec::new();
        let index = |name: String| stats.channels.iter().position(|c| *c == name);
        for name in &stats.channels {
            let Some(key) = name.strip_suffix("_x") else { continue };
            let Some((position, modality)) = key.split_once('/') else { continue };
            if !modality.contains("acc") && !modality.contains("gyro") {
                continue;
            }
            let (Some(x), Some(y), Some(z)) =
                (index(format!("{key}_x")), index(format!("{key}_y")), index(format!("{key}_z")))
            else {
                continue;
            };
            match devices.iter_mut().find(|(p, _)| *p == position) {
                Some((_, triples)) => triples.push([x, y, z]),
                None => devices.push((position, vec![[x, y, z]])),
            }
        }
        (!devices.is_empty()).then(|| Self {
            max_degrees,
            devices: devices.into_iter().map(|(_, triples)| triples).collect(),
            mean: stats.mean.clone(),
            std: stats.std.clone(),
        })
    }

    /// Rotates each device's vectors in one channel-major window `[channels, length]`, one
    /// random rotation per device for the whole window.
    pub fn apply(&self, window: &mut [f32], length: usize, rng: &mut impl Rng) {
        for triples in &self.devices {
            let matrix = random_rotation(self.max_degrees.to_radians(), rng);
            for &axes in triples {
                self.rotate(window, length, axes, &matrix);
            }
        }
    }

    fn rotate(&self, window: &mut [f32], length: usize, axes: [usize; 3], m: &[[f32; 3]; 3]) {
        for t in 0..length {
            let raw = axes.map(|c| window[c * length + t] * self.std[c] + self.mean[c]);
            for (row, &c) in axes.iter().enumerate() {
                let turned = m[row][0] * raw[0] + m[row][1] * raw[1] + m[row][2] * raw[2];
                window[c * length + t] = (turned - self.mean[c]) / self.std[c];
            }
        }
    }
}

/// A rotation by an angle drawn uniformly in ±`max_radians` about an axis drawn uniformly on
/// the sphere (Rodrigues' formula).
fn random_rotation(max_radians: f32, rng: &mut impl Rng) -> [[f32; 3]; 3] {
    let angle = rng.random_range(-1.0..=1.0_f32) * max_radians;
    let z: f32 = rng.random_range(-1.0..=1.0);
    let phi: f32 = rng.random_range(0.0..std::f32::consts::TAU);
    let r = (1.0 - z * z).max(0.0).sqrt();
    let (x, y) = (r * phi.cos(), r * phi.sin());
    let (s, c) = angle.sin_cos();
    let k = 1.0 - c;
    [
        [c + x * x * k, x * y * k - z * s, x * z * k + y * s],
        [y * x * k + z * s, c + y * y * k, y * z * k - x * s],
        [z * x * k - y * s, z * y * k + x * s, c + z * z * k],
    ]
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn stats() -> ChannelStats {
        let channels =
            ["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z", "right_wrist/quat_w", "left_wrist/acc_x"];
        ChannelStats {
            channels: channels.map(String::from).to_vec(),
            mean: vec![0.5, -0.2, 0.1, 0.0, 0.3],
            std: vec![0.4, 0.3, 0.6, 1.0, 0.2],
        }
    }

    #[test]
    fn finds_only_complete_vector_triples() {
        let rotation = SensorRotation::for_stats(&stats(), 20.0).unwrap();
        assert_eq!(rotation.devices, vec![vec![[0, 1, 2]]], "quaternions and a lone axis are left alone");
        let quaternions = ChannelStats { channels: vec!["a/quat_x".into()], mean: vec![0.0], std: vec![1.0] };
        assert!(SensorRotation::for_stats(&quaternions, 20.0).is_none());
        assert!(SensorRotation::for_stats(&stats(), 0.0).is_none(), "0 degrees: off");
    }

    #[test]
    fn keeps_the_length_of_each_vector_and_turns_it_at_most_the_largest_angle() {
        let stats = stats();
        let rotation = SensorRotation::for_stats(&stats, 20.0).unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let raw = [[0.9_f32, 0.1, -0.4], [0.0, 1.0, 0.0], [0.3, -0.3, 0.9]];
        let normalise = |v: [f32; 3]| [0, 1, 2].map(|c| (v[c] - stats.mean[c]) / stats.std[c]);
        let mut largest = 0.0_f32;
        for _ in 0..200 {
            let mut window = vec![0.0_f32; 5 * 3];
            for (t, v) in raw.iter().enumerate() {
                for (c, value) in normalise(*v).iter().enumerate() {
                    window[c * 3 + t] = *value;
                }
            }
            window[3 * 3] = 7.0;
            rotation.apply(&mut window, 3, &mut rng);
            assert_eq!(window[3 * 3], 7.0, "the quaternion channel is untouched");
            for (t, v) in raw.iter().enumerate() {
                let turned = [0, 1, 2].map(|c| window[c * 3 + t] * stats.std[c] + stats.mean[c]);
                let norm = |a: [f32; 3]| a.iter().map(|x| x * x).sum::<f32>().sqrt();
                assert!((norm(turned) - norm(*v)).abs() < 1e-4, "a rotation keeps lengths");
                let cos = turned.iter().zip(v).map(|(a, b)| a * b).sum::<f32>() / (norm(turned) * norm(*v));
                largest = largest.max(cos.clamp(-1.0, 1.0).acos().to_degrees());
            }
        }
        assert!(largest <= 20.01, "turned by {largest} degrees");
        assert!(largest > 10.0, "the angles spread up to the largest: {largest}");
    }
}
