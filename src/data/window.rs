//! Cutting a frame table into fixed-length windows, each with a label and per-second labels.
//!
//! A model sees `length` frames and predicts one class; OpenPack is scored at 1-second
//! resolution, so each window also carries the label of every second it covers.

use serde::{Deserialize, Serialize};

use super::classes::ClassId;
use super::frames::FrameTable;

/// Window length and hop, in frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowConfig {
    pub length: usize,
    pub hop: usize,
}

/// One window over a frame table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Index of the first frame.
    pub start: usize,
    /// The majority label of its frames.
    pub label: ClassId,
    /// `(unixtime of the second in ms, majority label in that second)` for each second the
    /// window touches, in time order.
    pub seconds: Vec<(i64, ClassId)>,
}

/// The most frequent label; ties go to the label that occurs first (deterministic).
pub fn majority(labels: impl IntoIterator<Item = ClassId>) -> Option<ClassId> {
    let mut counts: Vec<(ClassId, usize)> = Vec::new();
    for label in labels {
        match counts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => counts.push((label, 1)),
        }
    }
    let best = counts.iter().map(|&(_, n)| n).max()?;
    counts.into_iter().find(|&(_, n)| n == best).map(|(l, _)| l)
}

/// All full windows of `frames`; a tail shorter than `length` is not windowed.
pub fn windows(frames: &FrameTable, config: WindowConfig) -> Vec<Window> {
    assert!(config.length > 0 && config.hop > 0, "window length and hop must be positive");
    if frames.len() < config.length {
        return Vec::new();
    }
    (0..=frames.len() - config.length)
        .step_by(config.hop)
        .map(|start| window_at(frames, start, config.length))
        .collect()
}

fn window_at(frames: &FrameTable, start: usize, length: usize) -> Window {
    let range = start..start + length;
    let label = majority(frames.labels[range.clone()].iter().copied()).expect("a window is never empty");
    let mut seconds: Vec<(i64, ClassId)> = Vec::new();
    let mut i = range.start;
    while i < range.end {
        let second = frames.unixtime_ms[i].div_euclid(1000) * 1000;
        let end =
            (i..range.end).find(|&j| frames.unixtime_ms[j].div_euclid(1000) * 1000 != second).unwrap_or(range.end);
        seconds.push((second, majority(frames.labels[i..end].iter().copied()).expect("non-empty")));
        i = end;
    }
    Window { start, label, seconds }
}

/// Copies a window's values channel-major (`[channels, length]`), the layout conv models eat.
pub fn channel_major(frames: &FrameTable, start: usize, length: usize) -> Vec<f32> {
    let channels = frames.channels.len();
    let mut out = vec![0.0; channels * length];
    for t in 0..length {
        for (c, &v) in frames.frame(start + t).iter().enumerate() {
            out[c * length + t] = v;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(times: &[i64], labels: &[ClassId]) -> FrameTable {
        FrameTable {
            channels: vec!["p/a".into(), "p/b".into()],
            unixtime_ms: times.to_vec(),
            values: (0..times.len() * 2).map(|v| v as f32).collect(),
            labels: labels.to_vec(),
        }
    }

    #[test]
    fn windows_have_majority_and_per_second_labels() {
        // Six frames, 400 ms apart: seconds 0 (t=0,400,800), 1 (1200,1600), 2 (2000).
        let frames = table(&[0, 400, 800, 1200, 1600, 2000], &[1, 1, 2, 2, 2, 3]);
        let w = windows(&frames, WindowConfig { length: 4, hop: 2 });
        assert_eq!(w.len(), 2);
        assert_eq!(w[0], Window { start: 0, label: 1, seconds: vec![(0, 1), (1000, 2)] });
        // Frames 2..6: labels 2,2,2,3 -> 2; seconds 0 (frame 2 only), 1, 2.
        assert_eq!(w[1], Window { start: 2, label: 2, seconds: vec![(0, 2), (1000, 2), (2000, 3)] });
    }

    #[test]
    fn short_tables_have_no_windows_and_ties_go_first() {
        assert!(windows(&table(&[0, 1], &[1, 1]), WindowConfig { length: 3, hop: 1 }).is_empty());
        assert_eq!(majority([5, 4, 4, 5]), Some(5));
    }

    #[test]
    fn channel_major_transposes() {
        let frames = table(&[0, 1, 2], &[0, 0, 0]);
        assert_eq!(channel_major(&frames, 1, 2), vec![2.0, 4.0, 3.0, 5.0]);
    }
}
