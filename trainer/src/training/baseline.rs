//! The classical baseline every deep model is reported against: k nearest neighbours on
//! per-window summary features, fed exactly the windows the model sees (same split, channels,
//! normalisation, windows) and scored the same way (1 Hz macro-F1, Null excluded).
//!
//! Features per channel: mean, standard deviation, minimum, maximum and mean absolute
//! first difference (a cheap intensity and smoothness measure), each standardised on the
//! training windows. `k` is chosen on the validation windows from [`K_CHOICES`].
//!
//! Hand-written rather than taken from linfa or smartcore: brute-force kNN is twenty lines,
//! exact, deterministic and dependency-free, and the window counts here (thousands) need no
//! index structure.

use serde::{Deserialize, Serialize};
use tsak::infer::metrics::Scores;

use crate::training::dataset::WindowSet;

/// The neighbour counts validation chooses from.
pub const K_CHOICES: [usize; 5] = [1, 3, 5, 9, 15];

/// Summary features per channel (see the module docs).
const FEATURES_PER_CHANNEL: usize = 5;

/// What a baseline scored, for reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BaselineResult {
    /// E.g. `kNN (k=5) on summary features of the student's inputs`.
    pub name: String,
    pub k: usize,
    pub val_macro_f1: f64,
    pub test: Scores,
}

/// Summary features of every window of `set`, `[windows, channels * 5]` row-major.
pub fn summary_features(set: &WindowSet) -> Vec<f32> {
    let mut out = Vec::with_capacity(set.len() * set.channels * FEATURES_PER_CHANNEL);
    for w in 0..set.len() {
        let window = set.window(w);
        for channel in window.chunks_exact(set.length) {
            let n = channel.len() as f32;
            let mean = channel.iter().sum::<f32>() / n;
            let std = (channel.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n).sqrt();
            let min = channel.iter().copied().fold(f32::INFINITY, f32::min);
            let max = channel.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let diff = channel.windows(2).map(|p| (p[1] - p[0]).abs()).sum::<f32>() / (n - 1.0).max(1.0);
            out.extend([mean, std, min, max, diff]);
        }
    }
    out
}

/// A fitted kNN classifier: standardised training features and their classes.
pub struct Knn {
    width: usize,
    mean: Vec<f32>,
    std: Vec<f32>,
    features: Vec<f32>,
    targets: Vec<usize>,
    classes: usize,
}

impl Knn {
    /// Fits on the training windows (features are standardised with their statistics).
    pub fn fit(train: &WindowSet, classes: usize) -> Self {
        let width = train.channels * FEATURES_PER_CHANNEL;
        let mut features = summary_features(train);
        let rows = train.len().max(1) as f32;
        let mut mean = vec![0.0_f32; width];
        let mut std = vec![0.0_f32; width];
        for row in features.chunks_exact(width) {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v / rows);
        }
        for row in features.chunks_exact(width) {
            std.iter_mut().zip(row).zip(&mean).for_each(|((s, v), m)| *s += (v - m).powi(2) / rows);
        }
        std.iter_mut().for_each(|s| *s = s.sqrt().max(1e-6));
        standardise(&mut features, &mean, &std);
        Self { width, mean, std, features, targets: train.targets.clone(), classes }
    }

    /// For each window of `set`, its training neighbours' classes, nearest first (up to `k_max`).
    pub fn neighbours(&self, set: &WindowSet, k_max: usize) -> Vec<Vec<usize>> {
        let mut queries = summary_features(set);
        standardise(&mut queries, &self.mean, &self.std);
        queries
            .chunks_exact(self.width)
            .map(|query| {
                let mut distances: Vec<(f32, usize)> = self
                    .features
                    .chunks_exact(self.width)
                    .zip(&self.targets)
                    .map(|(row, &target)| (row.iter().zip(query).map(|(a, b)| (a - b).powi(2)).sum(), target))
                    .collect();
                let k = k_max.min(distances.len());
                if k > 0 && k < distances.len() {
                    distances.select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
                }
                distances.truncate(k);
                distances.sort_by(|a, b| a.0.total_cmp(&b.0));
                distances.into_iter().map(|(_, target)| target).collect()
            })
            .collect()
    }

    /// The majority class of the `k` nearest neighbours; a tie goes to the class whose
    /// nearest member is closest.
    pub fn vote(&self, neighbours: &[Vec<usize>], k: usize) -> Vec<usize> {
        neighbours
            .iter()
            .map(|nearest| {
                let mut counts = vec![0_usize; self.classes];
                nearest.iter().take(k).for_each(|&c| counts[c] += 1);
                let best = counts.iter().copied().max().unwrap_or(0);
                nearest.iter().copied().find(|&c| counts[c] == best).unwrap_or(0)
            })
            .collect()
    }
}

fn standardise(features: &mut [f32], mean: &[f32], std: &[f32]) {
    for row in features.chunks_exact_mut(mean.len()) {
        for ((v, m), s) in row.iter_mut().zip(mean).zip(std) {
            *v = (*v - m) / s;
        }
    }
}

/// Fits on `train`, chooses `k` by `val_score` (macro-F1 of the validation predictions), and
/// predicts `test` with it. Returns `(k, validation macro-F1, test predictions)`.
pub fn knn_baseline(
    train: &WindowSet,
    val: &WindowSet,
    test: &WindowSet,
    classes: usize,
    val_score: impl Fn(&[usize]) -> f64,
) -> (usize, f64, Vec<usize>) {
    let knn = Knn::fit(train, classes);
    let k_max = *K_CHOICES.iter().max().expect("k choices");
    let val_neighbours = knn.neighbours(val, k_max);
    let (k, val_f1) = K_CHOICES
        .iter()
        .map(|&k| (k, val_score(&knn.vote(&val_neighbours, k))))
        .fold((1, f64::NEG_INFINITY), |best, next| if next.1 > best.1 { next } else { best });
    let predicted = knn.vote(&knn.neighbours(test, k), k);
    (k, val_f1, predicted)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Windows of one channel, 4 frames each, given as rows.
    fn set(rows: &[[f32; 4]], targets: &[usize]) -> WindowSet {
        let inputs: Vec<f32> = rows.iter().flatten().copied().collect();
        WindowSet::from_windows(1, 4, &inputs, targets.to_vec(), (0..rows.len()).map(|i| (0, i * 4)).collect())
    }

    #[test]
    fn features_are_mean_std_min_max_and_mean_absolute_difference() {
        let f = summary_features(&set(&[[1.0, 3.0, 1.0, 3.0]], &[0]));
        assert_eq!(f, vec![2.0, 1.0, 1.0, 3.0, 2.0]);
    }

    #[test]
    fn neighbours_are_found_by_standardised_distance_and_voted() {
        // Class 0 is flat, class 1 oscillates.
        let train = set(
            &[[0.0; 4], [0.1; 4], [0.0, 2.0, 0.0, 2.0], [0.1, 2.1, 0.1, 2.1], [0.2, 1.9, 0.2, 1.9]],
            &[0, 0, 1, 1, 1],
        );
        let knn = Knn::fit(&train, 2);
        let query = set(&[[0.05; 4], [0.0, 1.8, 0.0, 1.8]], &[0, 1]);
        let neighbours = knn.neighbours(&query, 3);
        assert_eq!(knn.vote(&neighbours, 1), vec![0, 1]);
        // With k = 5 every window sees all five and class 1 wins the vote.
        assert_eq!(knn.vote(&knn.neighbours(&query, 5), 5), vec![1, 1]);
    }

    #[test]
    fn validation_chooses_k() {
        let train = set(&[[0.0; 4], [0.0, 2.0, 0.0, 2.0], [0.1, 2.1, 0.1, 2.1], [0.2, 1.9, 0.2, 1.9]], &[0, 1, 1, 1]);
        let val = set(&[[0.01; 4]], &[0]);
        // Scoring = accuracy on the single validation window: only k = 1 gets it right.
        let (k, f1, predicted) = knn_baseline(&train, &val, &val, 2, |p| if p == [0] { 1.0 } else { 0.0 });
        assert_eq!((k, f1, predicted), (1, 1.0, vec![0]));
    }
}
