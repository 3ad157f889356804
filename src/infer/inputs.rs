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
    /// Inputs the session lacks, given the model as 0 (their training mean; see
    /// [`model_windows_without`]). Empty for [`model_windows`], which refuses such sessions.
    pub missing: Vec<String>,
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
/// windows the result. Fails when the session lacks a channel the model needs: the student,
/// whose few inputs are all it has.
pub fn model_windows(
    frames: &FrameTable,
    stats: &ChannelStats,
    config: WindowConfig,
) -> Result<ModelWindows, SelectionError> {
    Ok(cut(&model_frames(frames, stats)?, config, Vec::new()))
}

/// The frames a model reads, before windowing: `stats.channels` selected from `frames` and
/// normalised. The trainer keeps these and cuts windows from them as it needs them, so
/// overlapping windows do not multiply its memory.
pub fn model_frames(frames: &FrameTable, stats: &ChannelStats) -> Result<FrameTable, SelectionError> {
    let mut selected = frames.select(&ChannelSelection::new(stats.channels.clone()))?;
    stats.apply_table(&mut selected);
    Ok(selected)
}

/// Like [`model_windows`], but a session that lacks some of the model's inputs still runs: the
/// missing channels read 0 after normalisation, i.e. their training mean, and are listed in
/// [`ModelWindows::missing`]. This is for the teacher: real sessions lack devices (OpenPack's
/// sample has no left E4; several subjects have no E4 at all), and the teacher is trained with
/// whole sensor groups blanked to exactly this value, so it has learnt to do without any one.
/// Fails only when the session has none of the model's inputs.
pub fn model_windows_without(
    frames: &FrameTable,
    stats: &ChannelStats,
    config: WindowConfig,
) -> Result<ModelWindows, SelectionError> {
    let (selected, missing) = model_frames_without(frames, stats)?;
    Ok(cut(&selected, config, missing))
}

/// [`model_frames`] for a session that may lack some of the inputs: they read 0 (their training
/// mean) and are returned by name (see [`model_windows_without`]).
pub fn model_frames_without(
    frames: &FrameTable,
    stats: &ChannelStats,
) -> Result<(FrameTable, Vec<String>), SelectionError> {
    let missing: Vec<String> = stats.channels.iter().filter(|c| !frames.channels.contains(c)).cloned().collect();
    if missing.is_empty() {
        return Ok((model_frames(frames, stats)?, missing));
    }
    if missing.len() == stats.channels.len() {
        return Err(SelectionError::NoneOf(stats.channels.clone()));
    }
    let columns: Vec<Option<usize>> =
        stats.channels.iter().map(|name| frames.channels.iter().position(|c| c == name)).collect();
    let mut values = Vec::with_capacity(frames.len() * columns.len());
    for i in 0..frames.len() {
        let frame = frames.frame(i);
        for (c, column) in columns.iter().enumerate() {
            values.push(column.map_or(0.0, |k| (frame[k] - stats.mean[c]) / stats.std[c]));
        }
    }
    let selected = FrameTable {
        channels: stats.channels.clone(),
        unixtime_ms: frames.unixtime_ms.clone(),
        values,
        labels: frames.labels.clone(),
    };
    Ok((selected, missing))
}

/// Cuts an already selected and normalised table into channel-major windows. The buffers are
/// sized before they are filled: grown by doubling, the largest (the teacher's, megabytes) left
/// a trail of freed blocks that a long-running worker's wasm heap could not reuse.
fn cut(selected: &FrameTable, config: WindowConfig, missing: Vec<String>) -> ModelWindows {
    let windows = windows(selected, config);
    let channels = selected.channels.len();
    let mut values = Vec::with_capacity(windows.len() * channels * config.length);
    for window in &windows {
        values.extend(channel_major(selected, window.start, config.length));
    }
    ModelWindows {
        channels,
        length: config.length,
        starts: windows.iter().map(|w| w.start).collect(),
        labels: windows.iter().map(|w| w.label).collect(),
        values,
        missing,
    }
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
    fn without_a_sensor_its_channels_read_their_training_mean_and_are_named() {
        let stats = ChannelStats {
            channels: vec!["right_wrist/acc_x".into(), "left_wrist/e4_acc_x".into()],
            mean: vec![1.0, 5.0],
            std: vec![2.0, 7.0],
        };
        let w = model_windows_without(&frames(), &stats, WindowConfig { length: 4, hop: 3 }).unwrap();
        assert_eq!(w.missing, vec!["left_wrist/e4_acc_x".to_string()]);
        assert_eq!(w.channels, 2);
        // Window 1 starts at frame 3: acc_x is 9, 12, 15, 18 -> (v - 1) / 2; the E4 reads 0.
        assert_eq!(w.slice(1..2), &[4.0, 5.5, 7.0, 8.5, 0.0, 0.0, 0.0, 0.0]);
        let all = ChannelStats { channels: vec!["right_wrist/acc_x".into()], mean: vec![1.0], std: vec![2.0] };
        let full = model_windows_without(&frames(), &all, WindowConfig { length: 4, hop: 3 }).unwrap();
        assert_eq!(full, model_windows(&frames(), &all, WindowConfig { length: 4, hop: 3 }).unwrap());
        assert!(full.missing.is_empty());
    }

    #[test]
    fn a_session_with_none_of_the_inputs_is_refused() {
        let stats = ChannelStats { channels: vec!["waist/acc_x".into()], mean: vec![0.0], std: vec![1.0] };
        let error = model_windows_without(&frames(), &stats, WindowConfig { length: 4, hop: 3 }).unwrap_err();
        assert!(error.to_string().contains("waist/acc_x"), "{error}");
    }

    #[test]
    fn a_missing_channel_is_an_error() {
        let stats = ChannelStats { channels: vec!["right_wrist/gyro_x".into()], mean: vec![0.0], std: vec![1.0] };
        assert!(model_windows(&frames(), &stats, WindowConfig { length: 4, hop: 3 }).is_err());
    }
}
