//! What a model eats from a session: its channels selected, normalised with its training
//! statistics, and cut into channel-major windows. The trainer (training and `evaluate`) and
//! the app build model inputs only through here, so the browser sees the trainer's numbers.

use crate::data::channels::{ChannelSelection, SelectionError};
use crate::data::classes::ClassId;
use crate::data::frames::FrameTable;
use crate::data::normalize::ChannelStats;
use crate::data::window::{WindowConfig, channel_major, windows};

/// One session's windows for one model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelWindows {
    pub channels: usize,
    pub length: usize,
    /// First frame of each window.
    pub starts: Vec<usize>,
    /// Majority label of each window (what training targets).
    pub labels: Vec<ClassId>,
    /// `len() * channels * length` normalised values, window after window.
    pub values: Vec<f32>,
}

impl ModelWindows {
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The values of windows `range`, `[range.len(), channels, length]` flattened.
    pub fn slice(&self, range: std::ops::Range<usize>) -> &[f32] {
        let size = self.channels * self.length;
        &self.values[range.start * size..range.end * size]
    }
}

/// Selects `stats.channels` from `frames` (exactly those, in that order), normalises them and
/// windows the result. Fails when the session lacks a channel the model needs.
pub fn model_windows(
    frames: &FrameTable,
    stats: &ChannelStats,
    config: WindowConfig,
) -> Result<ModelWindows, SelectionError> {
    let mut selected = frames.select(&ChannelSelection::new(stats.channels.clone()))?;
    stats.apply_table(&mut selected);
    let mut out = ModelWindows { channels: stats.channels.len(), length: config.length, ..Default::default() };
    for window in windows(&selected, config) {
        out.values.extend(channel_major(&selected, window.start, config.length));
        out.starts.push(window.start);
        out.labels.push(window.label);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> FrameTable {
        FrameTable {
            channels: vec!["right_wrist/acc_x".into(), "left_wrist/acc_x".into(), "right_wrist/acc_y".into()],
            unixtime_ms: (0..10).map(|i| i * 33).collect(),
            values: (0..30).map(|v| v as f32).collect(),
            labels: vec![1, 1, 1, 1, 2, 2, 2, 2, 2, 2],
        }
    }

    #[test]
    fn windows_take_the_models_channels_in_its_order_normalised() {
        let stats = ChannelStats {
            channels: vec!["right_wrist/acc_y".into(), "right_wrist/acc_x".into()],
            mean: vec![2.0, 0.0],
            std: vec![3.0, 1.0],
        };
        let w = model_windows(&frames(), &stats, WindowConfig { length: 4, hop: 3 }).unwrap();
        assert_eq!(w.starts, vec![0, 3, 6]);
        assert_eq!(w.labels, vec![1, 2, 2]);
        assert_eq!((w.channels, w.length, w.len()), (2, 4, 3));
        // Window 0, channel 0 is acc_y (column 2: 2, 5, 8, 11) normalised by (v - 2) / 3.
        assert_eq!(&w.slice(0..1)[..4], &[0.0, 1.0, 2.0, 3.0]);
        // ... channel 1 is acc_x (column 0: 0, 3, 6, 9) unchanged.
        assert_eq!(&w.slice(0..1)[4..], &[0.0, 3.0, 6.0, 9.0]);
    }

    #[test]
    fn a_missing_channel_is_an_error() {
        let stats = ChannelStats { channels: vec!["right_wrist/gyro_x".into()], mean: vec![0.0], std: vec![1.0] };
        assert!(model_windows(&frames(), &stats, WindowConfig { length: 4, hop: 3 }).is_err());
    }
}
