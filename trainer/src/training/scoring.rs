//! Scoring window predictions the way OpenPack does: window predictions become a per-frame
//! timeline, both timeline and truth are reduced to 1 Hz, and the seconds of every session are
//! scored together (macro-F1 over operations, Null excluded).

use tsak::data::classes::{ClassId, ClassTable};
use tsak::infer::metrics::{Scores, score};
use tsak::infer::seconds::{Seconds, session_seconds};

use crate::training::dataset::{LabelledSession, WindowSet};

/// What a stage validates on: the validation sessions, their windows, and the class table.
pub struct Validation<'a> {
    pub classes: &'a ClassTable,
    pub sessions: &'a [LabelledSession],
    pub windows: &'a WindowSet,
}

impl Validation<'_> {
    /// Macro-F1 at 1 Hz of one predicted class index per validation window.
    pub fn macro_f1(&self, predicted: &[usize]) -> f64 {
        score_windows(self.sessions, self.windows, predicted, self.classes).macro_f1
    }
}

/// Per-second truth and prediction of every session, concatenated, from one predicted class
/// index per window of `set` (the app's own [`session_seconds`] per session).
pub fn seconds_table(
    sessions: &[LabelledSession],
    set: &WindowSet,
    predicted: &[usize],
    classes: &ClassTable,
) -> Seconds {
    assert_eq!(predicted.len(), set.len(), "one prediction per window");
    let mut table = Seconds::default();
    for (index, session) in sessions.iter().enumerate() {
        let mine: Vec<usize> = (0..set.len()).filter(|&w| set.origin[w].0 == index).collect();
        let starts: Vec<usize> = mine.iter().map(|&w| set.origin[w].1).collect();
        let ids: Vec<ClassId> = mine.iter().map(|&w| classes.classes[predicted[w]].id).collect();
        let frames = &session.frames;
        table.extend(session_seconds(&frames.unixtime_ms, &frames.labels, &starts, set.length, &ids));
    }
    table
}

/// OpenPack scores of one prediction per window.
pub fn score_windows(
    sessions: &[LabelledSession],
    set: &WindowSet,
    predicted: &[usize],
    classes: &ClassTable,
) -> Scores {
    let table = seconds_table(sessions, set, predicted, classes);
    score(classes, &table.truth, &table.predicted)
}

/// The predicted class index of each row of a `[rows, classes]` logits tensor (argmax on the
/// host: top-k and argmax kernels are not reliable on every backend).
pub fn predicted_classes(logits: burn::tensor::Tensor<2>) -> Vec<usize> {
    let classes = logits.dims()[1];
    tsak::infer::engine::argmax_rows(&logits.into_data().try_to_vec::<f32>().expect("logits are f32"), classes)
}

#[cfg(test)]
mod tests {
    use tsak::data::frames::FrameTable;

    use super::*;

    #[test]
    fn perfect_window_predictions_score_one_on_the_operations_present() {
        let classes = ClassTable::openpack_operations();
        // 4 seconds at 2 frames per second: Picking, Picking, Relocate, Relocate.
        let frames = FrameTable {
            channels: vec!["p/a".into()],
            unixtime_ms: vec![0, 500, 1000, 1500, 2000, 2500, 3000, 3500],
            values: vec![0.0; 8],
            labels: vec![100, 100, 100, 100, 200, 200, 200, 200],
        };
        let sessions = vec![LabelledSession { name: "s".into(), subject: "u".into(), frames, box_starts: vec![] }];
        let set = WindowSet::from_windows(1, 2, &[0.0; 8], vec![0, 0, 1, 1], vec![(0, 0), (0, 2), (0, 4), (0, 6)]);
        let scores = score_windows(&sessions, &set, &[0, 0, 1, 1], &classes);
        let f1 = |id| scores.per_class.iter().find(|c| c.id == id).unwrap().f1;
        assert_eq!((f1(100), f1(200), scores.accuracy), (1.0, 1.0, 1.0));
        // Eight operations never occur: macro-F1 averages over all ten, as OpenPack does.
        assert!((scores.macro_f1 - 0.2).abs() < 1e-12);
    }
}
