//! The recent past of a live session, for the same panels as replay: the timeline of the last
//! minute (the label the user picked while recording, and both models' answers) and p50/p95
//! latency. Bounded, so a shift-long session keeps flat memory.

use std::collections::VecDeque;

use crate::infer::metrics::percentile;
use crate::infer::prediction::{Which, WindowResult};

/// Latencies kept for the percentiles: the last few minutes at one window a second.
const LATENCIES_KEPT: usize = 300;
/// Windows left out of the latency figures: the first ones include compiling the models'
/// kernels. Fewer than replay's warm-up, because live windows come only one a second.
pub const LIVE_WARMUP_WINDOWS: usize = 3;

/// One classified live window.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEntry {
    pub end_frame: u64,
    pub result: WindowResult,
    /// Output index of the label picked while recording, if recording.
    pub truth: Option<usize>,
}

/// The last `span` frames of live results.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveHistory {
    span: u64,
    hop: u64,
    entries: VecDeque<LiveEntry>,
    latencies: [VecDeque<f64>; 2],
    seen: usize,
}

impl LiveHistory {
    /// Keeps `span` frames of windows `hop` frames apart.
    pub fn new(span: u64, hop: u64) -> Self {
        LiveHistory { span, hop: hop.max(1), entries: VecDeque::new(), latencies: Default::default(), seen: 0 }
    }

    pub fn push(&mut self, entry: LiveEntry) {
        self.seen += 1;
        if self.seen > LIVE_WARMUP_WINDOWS {
            let times = [entry.result.student.latency_ms, entry.result.teacher.as_ref().and_then(|t| t.latency_ms)];
            for (kept, time) in self.latencies.iter_mut().zip(times) {
                if let Some(time) = time {
                    kept.push_back(time);
                    if kept.len() > LATENCIES_KEPT {
                        kept.pop_front();
                    }
                }
            }
        }
        let end = entry.end_frame;
        self.entries.push_back(entry);
        while self.entries.front().is_some_and(|e| e.end_frame + self.span <= end) {
            self.entries.pop_front();
        }
    }

    /// Windows classified since the session began.
    pub fn windows(&self) -> usize {
        self.seen
    }

    /// p50 and p95 latency of one model after the warm-up windows.
    pub fn latency(&self, which: Which) -> Option<(f64, f64)> {
        let kept = match which {
            Which::Student => &self.latencies[0],
            Which::Teacher => &self.latencies[1],
        };
        let times: Vec<f64> = kept.iter().copied().collect();
        Some((percentile(&times, 50.0)?, percentile(&times, 95.0)?))
    }

    /// The timeline's rows over the last `span` frames (oldest first): truth, student, teacher.
    /// In the first `span` frames of a session the rows start at frame 0 and fill rightwards.
    /// Each window paints the `hop` frames it ends, the part no later window covers; frames of
    /// skipped windows (dropouts) stay empty.
    pub fn rows(&self) -> [Vec<Option<usize>>; 3] {
        let span = self.span as usize;
        let mut rows = [vec![None; span], vec![None; span], vec![None; span]];
        // The latest window ends the span (entries arrive in order; `max` keeps it safe if not).
        let Some(last) = self.entries.iter().map(|e| e.end_frame).max() else { return rows };
        let first = (last + 1).saturating_sub(self.span);
        for entry in &self.entries {
            let values =
                [entry.truth, Some(entry.result.student.class), entry.result.teacher.as_ref().map(|t| t.class)];
            let from = (entry.end_frame + 1).saturating_sub(self.hop).max(first);
            for frame in from..=entry.end_frame {
                let i = (frame - first) as usize;
                for (row, value) in rows.iter_mut().zip(values) {
                    row[i] = value;
                }
            }
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infer::prediction::ModelPrediction;

    fn entry(end_frame: u64, student: usize, teacher: Option<usize>, ms: f64) -> LiveEntry {
        let prediction = |class| ModelPrediction { class, probabilities: vec![1.0], latency_ms: Some(ms) };
        LiveEntry {
            end_frame,
            result: WindowResult { window: 0, student: prediction(student), teacher: teacher.map(prediction) },
            truth: Some(7),
        }
    }

    #[test]
    fn each_window_paints_the_frames_it_ends_and_dropouts_stay_empty() {
        let mut h = LiveHistory::new(6, 2);
        h.push(entry(9, 1, None, 1.0));
        h.push(entry(11, 2, Some(3), 1.0));
        h.push(entry(15, 4, Some(5), 1.0)); // the window ending at 13 was skipped
        let [truth, student, teacher] = h.rows();
        // Frames 10..=15.
        assert_eq!(student, [Some(2), Some(2), None, None, Some(4), Some(4)]);
        assert_eq!(teacher, [Some(3), Some(3), None, None, Some(5), Some(5)]);
        assert_eq!(truth, [Some(7), Some(7), None, None, Some(7), Some(7)]);
    }

    #[test]
    fn old_windows_are_dropped_and_latency_skips_the_warm_up() {
        let mut h = LiveHistory::new(60, 30);
        for i in 0..(LIVE_WARMUP_WINDOWS + 500) {
            h.push(entry(59 + 30 * i as u64, 0, None, if i < LIVE_WARMUP_WINDOWS { 1000.0 } else { i as f64 }));
        }
        assert_eq!(h.entries.len(), 2, "60 frames: two windows 30 apart");
        let (p50, p95) = h.latency(Which::Student).unwrap();
        assert!(
            p50 < 1000.0 && p50 > (LIVE_WARMUP_WINDOWS + 200) as f64,
            "warm-up left out, only the last 300 kept: {p50}"
        );
        assert!(p95 >= p50);
        assert_eq!(h.latency(Which::Teacher), None);
    }
}
