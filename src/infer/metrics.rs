//! Scores as OpenPack computes them (openpack-toolkit `codalab.operation_segmentation`):
//! predictions are reduced to 1 Hz by taking the last prediction of each second, seconds whose
//! ground truth is Null are dropped, and precision/recall/F1 are computed per operation
//! (sklearn's `precision_recall_fscore_support` with `zero_division=0`) and macro-averaged over
//! all operations, including ones absent from the data (they score 0, as in the toolkit).

use serde::{Deserialize, Serialize};

use crate::data::classes::{ClassId, ClassTable};

/// `(second in ms, class)` pairs, one per second: the toolkit's `resample_prediction_1Hz`
/// keeps the class of the last sample of each second.
pub fn per_second(unixtime_ms: &[i64], classes: &[ClassId]) -> Vec<(i64, ClassId)> {
    let mut out: Vec<(i64, ClassId)> = Vec::new();
    for (&t, &class) in unixtime_ms.iter().zip(classes) {
        let second = t.div_euclid(1000) * 1000;
        match out.last_mut() {
            Some((s, c)) if *s == second => *c = class,
            _ => out.push((second, class)),
        }
    }
    out
}

/// Counts of (true class, predicted class) over the rows and columns of a class table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    /// Row/column class ids, in the table's output order (Null included).
    pub classes: Vec<ClassId>,
    /// `counts[true_index][predicted_index]`.
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    pub fn new(table: &ClassTable) -> Self {
        let n = table.len();
        Self { classes: table.classes.iter().map(|c| c.id).collect(), counts: vec![vec![0; n]; n] }
    }

    /// Adds one (truth, prediction) pair; ids outside the table are ignored.
    pub fn add(&mut self, truth: ClassId, predicted: ClassId) {
        let index = |id| self.classes.iter().position(|&c| c == id);
        if let (Some(t), Some(p)) = (index(truth), index(predicted)) {
            self.counts[t][p] += 1;
        }
    }

    /// A matrix from aligned truth and prediction sequences.
    pub fn from_pairs(table: &ClassTable, truth: &[ClassId], predicted: &[ClassId]) -> Self {
        let mut matrix = Self::new(table);
        for (&t, &p) in truth.iter().zip(predicted) {
            matrix.add(t, p);
        }
        matrix
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }
}

/// Precision, recall and F1 of one operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassScore {
    pub id: ClassId,
    pub name: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Seconds whose truth is this class.
    pub support: u64,
}

/// The OpenPack scores of a prediction, plus the matrix they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Macro-F1 over the operations (Null excluded), the OpenPack Challenge metric.
    pub macro_f1: f64,
    /// Share of scored seconds (truth not Null) predicted right.
    pub accuracy: f64,
    pub per_class: Vec<ClassScore>,
    /// All seconds, Null rows included, for display.
    pub confusion: ConfusionMatrix,
}

/// Scores 1 Hz truth against 1 Hz predictions (same seconds, same order).
pub fn score(table: &ClassTable, truth: &[ClassId], predicted: &[ClassId]) -> Scores {
    assert_eq!(truth.len(), predicted.len(), "truth and prediction must cover the same seconds");
    let confusion = ConfusionMatrix::from_pairs(table, truth, predicted);
    let null = table.null_id;
    let scored: Vec<(ClassId, ClassId)> =
        truth.iter().zip(predicted).filter(|(t, _)| **t != null).map(|(&t, &p)| (t, p)).collect();
    let per_class: Vec<ClassScore> = table
        .operations()
        .map(|class| {
            let tp = scored.iter().filter(|&&(t, p)| t == class.id && p == class.id).count() as f64;
            let predicted_as = scored.iter().filter(|&&(_, p)| p == class.id).count() as f64;
            let support = scored.iter().filter(|&&(t, _)| t == class.id).count() as u64;
            let precision = if predicted_as > 0.0 { tp / predicted_as } else { 0.0 };
            let recall = if support > 0 { tp / support as f64 } else { 0.0 };
            let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
            ClassScore { id: class.id, name: class.name.clone(), precision, recall, f1, support }
        })
        .collect();
    let macro_f1 =
        if per_class.is_empty() { 0.0 } else { per_class.iter().map(|c| c.f1).sum::<f64>() / per_class.len() as f64 };
    let correct = scored.iter().filter(|(t, p)| t == p).count();
    let accuracy = if scored.is_empty() { 0.0 } else { correct as f64 / scored.len() as f64 };
    Scores { macro_f1, accuracy, per_class, confusion }
}

/// The `p`-th percentile (0..=100) of some measurements, by the nearest-rank method.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_second_keeps_the_last_prediction_of_each_second() {
        let t = [900, 1000, 1500, 1999, 2000, 3100];
        let c = [1, 2, 3, 4, 5, 6];
        assert_eq!(per_second(&t, &c), vec![(0, 1), (1000, 4), (2000, 5), (3000, 6)]);
    }

    #[test]
    fn scores_match_a_hand_computation() {
        let table = ClassTable::openpack_operations();
        // Seconds: truth / prediction.
        let truth = [100, 100, 100, 200, 200, 8100, 8100, 300];
        let predicted = [100, 100, 200, 200, 8100, 100, 8100, 300];
        let s = score(&table, &truth, &predicted);
        // Null-truth seconds (5, 6) are dropped. Remaining pairs:
        // (100,100) (100,100) (100,200) (200,200) (200,8100) (300,300).
        // 100: tp 2, predicted 2, support 3 -> P 1, R 2/3, F1 0.8.
        // 200: tp 1, predicted 2, support 2 -> P 0.5, R 0.5, F1 0.5.
        // 300: tp 1, predicted 1, support 1 -> F1 1. The other 7 operations score 0.
        let f1 = |id| s.per_class.iter().find(|c| c.id == id).unwrap().f1;
        assert!((f1(100) - 0.8).abs() < 1e-12);
        assert!((f1(200) - 0.5).abs() < 1e-12);
        assert_eq!(f1(300), 1.0);
        assert!((s.macro_f1 - 2.3 / 10.0).abs() < 1e-12);
        // Accuracy over the 6 scored seconds: 4 right.
        assert!((s.accuracy - 4.0 / 6.0).abs() < 1e-12);
        // The matrix keeps every second, Null rows included.
        assert_eq!(s.confusion.total(), 8);
        let null = table.index_of(8100).unwrap();
        let picking = table.index_of(100).unwrap();
        assert_eq!(s.confusion.counts[null][picking], 1);
    }

    #[test]
    fn percentiles_use_nearest_rank() {
        let v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(percentile(&v, 50.0), Some(3.0));
        assert_eq!(percentile(&v, 95.0), Some(5.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
