//! One session's window predictions scored the OpenPack way: the windows become a per-frame
//! timeline (nearest window centre), and timeline and truth are reduced to 1 Hz. The trainer
//! concatenates the seconds of its sessions; the app scores the part of a session replayed so
//! far. Both through here, so the F1 the browser shows is the trainer's.

use crate::data::classes::ClassId;

use super::metrics::per_second;
use super::timeline::frame_predictions;

/// The truth and the prediction of each second, aligned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seconds {
    pub truth: Vec<ClassId>,
    pub predicted: Vec<ClassId>,
}

impl Seconds {
    pub fn extend(&mut self, other: Seconds) {
        self.truth.extend(other.truth);
        self.predicted.extend(other.predicted);
    }
}

/// The seconds of the frames `unixtime_ms` / `labels` (a whole session, or its first frames
/// during a replay) predicted by windows starting at `starts` (`length` frames each).
pub fn session_seconds(
    unixtime_ms: &[i64],
    labels: &[ClassId],
    starts: &[usize],
    length: usize,
    predicted: &[ClassId],
) -> Seconds {
    if starts.is_empty() {
        return Seconds::default();
    }
    let timeline = frame_predictions(labels.len(), starts, length, predicted);
    let truth = per_second(unixtime_ms, labels);
    let guess = per_second(unixtime_ms, &timeline);
    Seconds {
        truth: truth.into_iter().map(|(_, c)| c).collect(),
        predicted: guess.into_iter().map(|(_, c)| c).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_follow_the_nearest_window() {
        // 4 seconds at 2 frames per second; two windows of 4 frames: [0, 4) says 1, [4, 8) says 2.
        let time: Vec<i64> = (0..8).map(|i| i * 500).collect();
        let truth = [1, 1, 1, 1, 2, 2, 3, 3];
        let s = session_seconds(&time, &truth, &[0, 4], 4, &[1, 2]);
        assert_eq!(s.truth, vec![1, 1, 2, 3]);
        assert_eq!(s.predicted, vec![1, 1, 2, 2]);
    }

    #[test]
    fn no_windows_no_seconds() {
        assert_eq!(session_seconds(&[0, 500], &[1, 1], &[], 4, &[]), Seconds::default());
    }
}
