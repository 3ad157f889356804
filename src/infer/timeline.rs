//! From per-window predictions to a per-frame timeline.
//!
//! Windows overlap (hop < length), so each frame is given the prediction of the window whose
//! centre is nearest to it: the window that saw the most context on both sides. Frames before
//! the first or after the last centre take the nearest window. The trainer's evaluation and the
//! app's replay timelines both use this, so their F1 values agree.

use crate::data::classes::ClassId;

/// Assigns each of `frames` frames the prediction of the window with the nearest centre.
/// `starts` must be increasing and match `predictions` one to one.
pub fn frame_predictions(frames: usize, starts: &[usize], length: usize, predictions: &[ClassId]) -> Vec<ClassId> {
    assert_eq!(starts.len(), predictions.len(), "one prediction per window");
    if starts.is_empty() {
        return Vec::new();
    }
    let centre = |i: usize| 2 * starts[i] + length; // doubled to stay in integers
    let mut out = Vec::with_capacity(frames);
    let mut w = 0;
    for frame in 0..frames {
        let doubled = 2 * frame + 1; // the frame's own centre, doubled
        while w + 1 < starts.len() && centre(w + 1).abs_diff(doubled) <= centre(w).abs_diff(doubled) {
            w += 1;
        }
        out.push(predictions[w]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_take_the_nearest_window_centre() {
        // Length 4, hop 2: windows at 0, 2, 4 have centres 2, 4, 6 (between frames 1|2, 3|4, 5|6).
        let got = frame_predictions(8, &[0, 2, 4], 4, &[10, 20, 30]);
        // Frame centres 0.5, 1.5, ... 7.5. Frame 2 (2.5) is 0.5 from centre 2 and 1.5 from 4 -> 10;
        // frame 3 (3.5) is nearer 4 -> 20; frame 5 (5.5) nearer 6 -> 30. Ties go to the later window.
        assert_eq!(got, vec![10, 10, 10, 20, 20, 30, 30, 30]);
    }

    #[test]
    fn no_windows_no_timeline() {
        assert!(frame_predictions(5, &[], 4, &[]).is_empty());
    }
}
