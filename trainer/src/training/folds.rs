//! Contiguous folds of the training windows, for out-of-fold teacher targets.
//!
//! A teacher labels its own training windows almost perfectly, so its soft targets there are
//! nearly one-hot and logit KD adds little to the labels (docs/real-data.md). A teacher that
//! has not seen a window answers it the way it answers new data, confusions included. Each fold
//! is a stretch of time held out from one fold teacher, which then labels it.
//!
//! Overlapping windows share frames: a training window that overlaps a held-out one would let
//! its teacher see part of it. Such windows are purged from that teacher's training windows
//! (the purge of purged cross-validation), so the held-out stretch is truly unseen.

use std::collections::BTreeMap;

use anyhow::{Result, ensure};
use serde::{Deserialize, Serialize};
use tsak::infer::engine::argmax_rows;

use crate::training::features::FeatureRows;

/// One fold: the windows its teacher labels, and the windows it learns from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    /// Indices of the held-out windows: one stretch of time.
    pub held_out: Vec<usize>,
    /// Indices of the other windows, less those that share a frame with a held-out one.
    pub train: Vec<usize>,
}

/// What the fold teachers said about the windows they did not see, row `i` for training
/// window `i`: kept in the run folder, so that more students need no new fold teachers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutOfFoldLogits {
    /// Combined-head logits, `[windows, classes]`.
    pub combined: FeatureRows,
    /// Semantic-classifier logits, `[windows, classes]`.
    pub semantic: FeatureRows,
    pub folds: Vec<FoldNote>,
}

/// One fold teacher's windows and how often it was right on those it labelled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldNote {
    pub trained_on: usize,
    pub held_out: usize,
    pub combined_accuracy: f64,
    pub semantic_accuracy: f64,
}

impl OutOfFoldLogits {
    /// Room for `windows` rows of `classes` logits, filled fold by fold.
    pub fn new(windows: usize, classes: usize) -> Self {
        let rows = FeatureRows::zeros(windows, classes);
        Self { combined: rows.clone(), semantic: rows, folds: Vec::new() }
    }

    /// Stores a fold teacher's logits on its held-out windows (rows in `fold.held_out`'s order;
    /// `targets` their classes).
    pub fn fill(&mut self, fold: &Fold, (combined, semantic): (&FeatureRows, &FeatureRows), targets: &[usize]) {
        for (row, &i) in fold.held_out.iter().enumerate() {
            self.combined.set_row(i, combined.row(row));
            self.semantic.set_row(i, semantic.row(row));
        }
        self.folds.push(FoldNote {
            trained_on: fold.train.len(),
            held_out: fold.held_out.len(),
            combined_accuracy: accuracy(combined, targets),
            semantic_accuracy: accuracy(semantic, targets),
        });
    }

    pub fn windows(&self) -> usize {
        self.combined.len()
    }
}

/// Share of rows whose largest logit is the target's (0 for no rows).
pub fn accuracy(logits: &FeatureRows, targets: &[usize]) -> f64 {
    if logits.is_empty() {
        return 0.0;
    }
    let predicted = argmax_rows(&logits.values, logits.dim);
    let right = predicted.iter().zip(targets).filter(|(p, t)| p == t).count();
    right as f64 / targets.len().max(1) as f64
}

/// Splits windows into `k` folds of consecutive windows in time. `origin` is each window's
/// `(session, first frame)` and `length` its frames. Every window is held out exactly once.
pub fn contiguous_folds(origin: &[(usize, usize)], length: usize, k: usize) -> Result<Vec<Fold>> {
    ensure!(k >= 2, "out-of-fold targets need at least 2 folds, got {k}");
    ensure!(origin.len() >= k, "{} training windows cannot make {k} folds", origin.len());
    let mut in_time: Vec<usize> = (0..origin.len()).collect();
    in_time.sort_by_key(|&i| origin[i]);
    let n = in_time.len();
    let folds = (0..k)
        .map(|f| {
            let mut held_out = in_time[f * n / k..(f + 1) * n / k].to_vec();
            held_out.sort_unstable();
            let covered = covered_frames(&held_out, origin, length);
            let shares_a_frame = |i: usize| {
                let (session, start) = origin[i];
                covered.get(&session).is_some_and(|&(first, end)| start < end && start + length > first)
            };
            let train = (0..n).filter(|&i| !shares_a_frame(i)).collect();
            Fold { held_out, train }
        })
        .collect();
    Ok(folds)
}

/// Per session, the frames `[first, end)` the windows `indices` cover (they are consecutive in
/// time, so one range per session).
fn covered_frames(indices: &[usize], origin: &[(usize, usize)], length: usize) -> BTreeMap<usize, (usize, usize)> {
    let mut covered: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for &i in indices {
        let (session, start) = origin[i];
        let range = covered.entry(session).or_insert((start, start + length));
        range.0 = range.0.min(start);
        range.1 = range.1.max(start + length);
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two sessions of windows 8 frames long every 2 frames: 20 and 12 windows.
    fn origin() -> Vec<(usize, usize)> {
        let session = |s: usize, windows: usize| (0..windows).map(move |w| (s, 2 * w));
        session(0, 20).chain(session(1, 12)).collect()
    }

    #[test]
    fn every_window_is_held_out_once_in_stretches_of_time() {
        let origin = origin();
        let folds = contiguous_folds(&origin, 8, 4).unwrap();
        let mut held: Vec<usize> = folds.iter().flat_map(|f| f.held_out.clone()).collect();
        held.sort_unstable();
        assert_eq!(held, (0..origin.len()).collect::<Vec<_>>());
        for fold in &folds {
            assert_eq!(fold.held_out.len(), 8);
            assert!(fold.held_out.windows(2).all(|w| w[1] == w[0] + 1), "consecutive: {:?}", fold.held_out);
        }
    }

    #[test]
    fn no_training_window_shares_a_frame_with_its_folds_held_out_ones() {
        let origin = origin();
        for fold in contiguous_folds(&origin, 8, 4).unwrap() {
            for &i in &fold.train {
                assert!(!fold.held_out.contains(&i));
                for &j in &fold.held_out {
                    let ((si, a), (sj, b)) = (origin[i], origin[j]);
                    assert!(si != sj || a.abs_diff(b) >= 8, "window {i} overlaps held-out {j}");
                }
            }
            // Only the windows within a window's length of the stretch are purged: at most
            // three on each side of it (starts 2, 4 and 6 frames away).
            let purged = origin.len() - fold.held_out.len() - fold.train.len();
            assert!(purged <= 6, "purged {purged}");
        }
        // The first fold holds out the start of session 0: its only purge is after it.
        let first = &contiguous_folds(&origin, 8, 4).unwrap()[0];
        assert_eq!(first.train.first(), Some(&11));
    }

    #[test]
    fn folds_follow_time_not_the_order_windows_come_in() {
        let origin = origin();
        let mut shuffled = origin.clone();
        shuffled.reverse();
        let folds = contiguous_folds(&shuffled, 8, 4).unwrap();
        let starts = |indices: &[usize]| indices.iter().map(|&i| shuffled[i]).min();
        assert_eq!(starts(&folds[0].held_out), Some((0, 0)));
        assert_eq!(starts(&folds[3].held_out), Some((1, 8)));
    }

    #[test]
    fn fold_logits_land_on_the_windows_they_describe() {
        let origin: Vec<(usize, usize)> = (0..6).map(|w| (0, 10 * w)).collect();
        let folds = contiguous_folds(&origin, 8, 2).unwrap();
        let mut logits = OutOfFoldLogits::new(6, 2);
        for fold in &folds {
            // Each held-out window says "class 1" with its own index as the margin.
            let values = fold.held_out.iter().flat_map(|&i| [0.0, i as f32 + 1.0]).collect();
            let rows = FeatureRows { dim: 2, values };
            logits.fill(fold, (&rows, &rows), &[1, 1, 0]);
        }
        for i in 0..6 {
            assert_eq!(logits.combined.row(i), [0.0, i as f32 + 1.0]);
        }
        assert_eq!(logits.windows(), 6);
        let note = &logits.folds[0];
        assert_eq!((note.trained_on, note.held_out), (3, 3));
        assert!((note.combined_accuracy - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn too_few_windows_or_folds_are_refused() {
        assert!(contiguous_folds(&origin()[..3], 8, 4).is_err());
        assert!(contiguous_folds(&origin(), 8, 1).is_err());
    }
}
