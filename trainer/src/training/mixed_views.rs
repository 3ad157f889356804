//! Mixed windows for function matching: the student learns the teacher's answer on mixes of two
//! training windows, inputs that no label describes.
//!
//! Why: on the real sample the teacher is nearly always right on its own training windows, so
//! its soft logits there say little more than the labels, and logit KD gained less than the
//! spread between seeds (docs/real-data.md). Beyer et al. (2022, "Knowledge distillation: A
//! good teacher is patient and consistent") show that KD pays when teacher and student see the
//! same strongly augmented input, mixup above all: the teacher then labels windows it was not
//! trained on. Running the teacher on every batch would multiply the student's training time
//! (two cores), so each training window gets a fixed number of mixed views up front, their
//! teacher logits cached like every other teacher output ([`super::features`]). Mixing is done
//! on normalised values; normalisation is affine, so a mix of normalised windows is the
//! normalised mix of the raw ones, for teacher and student inputs alike.
//!
//! Measured on the real sample (docs/real-data.md), it did not pay there either: one draw of
//! the mixes beat no KD on the development split by 7 points, another lost, and neither held
//! on the held-out part.

use burn::tensor::{Device, Tensor, TensorData};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use tsak::model::Teacher;

use crate::training::batches::epoch_rng;
use crate::training::dataset::WindowSet;
use crate::training::features::FeatureRows;

/// How many mixed views of each training window are cached.
pub const VIEWS: usize = 8;

/// For view `v` of window `i` (row `v * windows + i`): the partner window it is mixed with, the
/// share `lambda` of window `i` in the mix, and the teacher's combined-head logits on the mix.
#[derive(Debug, Clone, PartialEq)]
pub struct MixedViews {
    pub windows: usize,
    pub partners: Vec<usize>,
    pub lambdas: Vec<f32>,
    pub logits: FeatureRows,
}

/// One batch's mixing: per window of the batch, its partner, its share and its view's row.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchMix {
    pub partners: Vec<usize>,
    pub lambdas: Vec<f32>,
    pub rows: Vec<usize>,
}

impl MixedViews {
    /// Draws `views` partners and shares (uniform in [0, 1]) per window of `set`, seeded, and
    /// runs the teacher on every mix.
    pub fn new(teacher: &Teacher, set: &WindowSet, views: usize, seed: u64, device: &Device) -> Self {
        let mut mixes = Self::draw(set.len(), views, seed);
        let rows: Vec<usize> = (0..mixes.partners.len()).collect();
        for chunk in rows.chunks(256) {
            let windows: Vec<usize> = chunk.iter().map(|row| row % set.len()).collect();
            let partners: Vec<usize> = chunk.iter().map(|&row| mixes.partners[row]).collect();
            let lambdas: Vec<f32> = chunk.iter().map(|&row| mixes.lambdas[row]).collect();
            let inputs = mixed_inputs(set, &windows, &partners, &lambdas, device);
            mixes.logits.push(teacher.forward(inputs).combined_logits);
        }
        mixes
    }

    /// The partners and shares alone (no teacher yet): `views` rows per window.
    fn draw(windows: usize, views: usize, seed: u64) -> Self {
        let mut rng: ChaCha8Rng = epoch_rng(seed ^ 0x6D69_7865_6476_6965, 0);
        let rows = windows * views;
        let partners = (0..rows).map(|_| rng.random_range(0..windows.max(1))).collect();
        let lambdas = (0..rows).map(|_| rng.random::<f32>()).collect();
        Self { windows, partners, lambdas, logits: FeatureRows::default() }
    }

    pub fn views(&self) -> usize {
        self.partners.len().checked_div(self.windows).unwrap_or(0)
    }

    /// The views a batch uses: each window takes one of its views, chosen by a hash of the
    /// window and of the whole batch. Every epoch shuffles its batches anew, so each epoch sees
    /// other mixes; and the same epoch's batches are the same after `--resume`, so a resumed run
    /// sees the mixes an uninterrupted one would.
    pub fn for_batch(&self, indices: &[usize]) -> BatchMix {
        let views = self.views().max(1) as u64;
        let batch_key = indices.iter().fold(0_u64, |key, &i| splitmix(key ^ i as u64));
        let rows: Vec<usize> = indices
            .iter()
            .map(|&i| {
                let view = splitmix(batch_key ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)) % views;
                view as usize * self.windows + i
            })
            .collect();
        BatchMix {
            partners: rows.iter().map(|&row| self.partners[row]).collect(),
            lambdas: rows.iter().map(|&row| self.lambdas[row]).collect(),
            rows,
        }
    }
}

/// `lambda * window + (1 - lambda) * partner` for each pair, as a `[batch, channels, time]`
/// tensor on `device`.
pub fn mixed_inputs(
    set: &WindowSet,
    windows: &[usize],
    partners: &[usize],
    lambdas: &[f32],
    device: &Device,
) -> Tensor<3> {
    let size = set.channels * set.length;
    let mut values = Vec::with_capacity(windows.len() * size);
    let mut partner = Vec::with_capacity(size);
    for ((&i, &j), &lambda) in windows.iter().zip(partners).zip(lambdas) {
        let start = values.len();
        set.extend_with_window(i, &mut values);
        partner.clear();
        set.extend_with_window(j, &mut partner);
        for (v, p) in values[start..].iter_mut().zip(&partner) {
            *v = lambda * *v + (1.0 - lambda) * p;
        }
    }
    Tensor::from_data(TensorData::new(values, [windows.len(), set.channels, set.length]), device)
}

/// The soft targets of mixed windows, `lambda * onehot(y_i) + (1 - lambda) * onehot(y_j)`, as
/// a `[batch, classes]` tensor: mixup's labels, for students that learn without the teacher.
pub fn mixed_targets(
    targets: &[usize],
    windows: &[usize],
    mix: &BatchMix,
    classes: usize,
    device: &Device,
) -> Tensor<2> {
    let mut values = vec![0.0_f32; windows.len() * classes];
    for (row, ((&i, &j), &lambda)) in windows.iter().zip(&mix.partners).zip(&mix.lambdas).enumerate() {
        values[row * classes + targets[i]] += lambda;
        values[row * classes + targets[j]] += 1.0 - lambda;
    }
    Tensor::from_data(TensorData::new(values, [windows.len(), classes]), device)
}

/// SplitMix64's finaliser: a well-spread hash of a 64-bit value.
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three windows of 2 channels x 2 frames with the values 0..4, 10..14, 20..24.
    fn set() -> WindowSet {
        let inputs: Vec<f32> = (0..12).map(|v| (v / 4 * 10 + v % 4) as f32).collect();
        WindowSet::from_windows(2, 2, &inputs, vec![0, 1, 2], vec![(0, 0); 3])
    }

    #[test]
    fn a_mix_is_the_weighted_sum_of_both_windows() {
        let set = set();
        let values = mixed_inputs(&set, &[0, 2], &[1, 2], &[0.25, 0.5], &Device::flex())
            .into_data()
            .try_to_vec::<f32>()
            .unwrap();
        // 0.25 * [0, 1, 2, 3] + 0.75 * [10, 11, 12, 13]; a window mixed with itself is itself.
        assert_eq!(values, vec![7.5, 8.5, 9.5, 10.5, 20.0, 21.0, 22.0, 23.0]);
    }

    #[test]
    fn mixed_targets_share_the_probability_between_both_labels() {
        let mix = BatchMix { partners: vec![1, 0], lambdas: vec![0.25, 1.0], rows: vec![0, 1] };
        let t = mixed_targets(&[0, 2, 1], &[0, 1], &mix, 3, &Device::flex()).into_data().try_to_vec::<f32>().unwrap();
        // Window 0 (class 0) mixed with window 1 (class 2) at 0.25; window 1 with window 0 at 1.
        assert_eq!(t, vec![0.25, 0.0, 0.75, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn views_are_drawn_per_window_and_picked_afresh_for_each_batch() {
        let views = MixedViews::draw(50, 4, 3);
        assert_eq!(views.views(), 4);
        assert_eq!(views, MixedViews::draw(50, 4, 3), "seeded");
        assert!(views.lambdas.iter().all(|l| (0.0..=1.0).contains(l)));
        assert!(views.partners.iter().all(|&p| p < 50));
        let batch: Vec<usize> = (0..50).collect();
        let reshuffled: Vec<usize> = (0..50).rev().collect();
        let a = views.for_batch(&batch);
        assert_eq!(a, views.for_batch(&batch), "the same batch, the same views");
        for (k, &row) in a.rows.iter().enumerate() {
            assert_eq!(row % 50, k, "row {row} is a view of window {k}");
            assert_eq!(a.partners[k], views.partners[row]);
            assert_eq!(a.lambdas[k], views.lambdas[row]);
        }
        let b = views.for_batch(&reshuffled);
        let changed = (0..50).filter(|&i| a.rows[i] != b.rows[49 - i]).count();
        assert!(changed > 20, "another batch picks other views: {changed} of 50 changed");
        let used: std::collections::HashSet<usize> = a.rows.iter().map(|row| row / 50).collect();
        assert_eq!(used.len(), 4, "every view is used");
    }
}
