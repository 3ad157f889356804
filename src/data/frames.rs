//! The aligned, labelled frame table: what every reader produces and every model consumes.

use std::io::Write;

use super::channels::{ChannelSelection, SelectionError};
use super::classes::ClassId;

/// Frames at one common rate: a timestamp, one value per channel, and a label per frame.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct FrameTable {
    /// `position/channel` names, in column order.
    pub channels: Vec<String>,
    pub unixtime_ms: Vec<i64>,
    /// `len() * channels.len()` values, frame-major.
    pub values: Vec<f32>,
    /// One class id per frame.
    pub labels: Vec<ClassId>,
}

impl FrameTable {
    pub fn len(&self) -> usize {
        self.unixtime_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.unixtime_ms.is_empty()
    }

    pub fn frame(&self, i: usize) -> &[f32] {
        let n = self.channels.len();
        &self.values[i * n..(i + 1) * n]
    }

    /// A new table with only the selected channels, in selection order.
    pub fn select(&self, selection: &ChannelSelection) -> Result<FrameTable, SelectionError> {
        let columns = selection.resolve(&self.channels)?;
        let mut values = Vec::with_capacity(self.len() * columns.len());
        for i in 0..self.len() {
            let frame = self.frame(i);
            values.extend(columns.iter().map(|&c| frame[c]));
        }
        Ok(FrameTable {
            channels: columns.iter().map(|&c| self.channels[c].clone()).collect(),
            unixtime_ms: self.unixtime_ms.clone(),
            values,
            labels: self.labels.clone(),
        })
    }

    /// Writes `unixtime`, the channels, then `operation` (the class id), one row per frame:
    /// the frame table `trainer inspect --frames-csv` exports.
    pub fn write_csv<W: Write>(&self, out: W) -> csv::Result<()> {
        self.write_csv_with_columns(out, "unixtime", "operation")
    }

    /// Writes a time column, the channels, then a label column (class ids), one row per frame.
    pub fn write_csv_with_columns<W: Write>(&self, out: W, time_column: &str, label_column: &str) -> csv::Result<()> {
        let mut writer = csv::Writer::from_writer(out);
        let mut header = vec![time_column.to_string()];
        header.extend(self.channels.iter().cloned());
        header.push(label_column.into());
        writer.write_record(&header)?;
        let mut record = Vec::with_capacity(header.len());
        for i in 0..self.len() {
            record.clear();
            record.push(self.unixtime_ms[i].to_string());
            record.extend(self.frame(i).iter().map(|v| v.to_string()));
            record.push(self.labels[i].to_string());
            writer.write_record(&record)?;
        }
        writer.flush()?;
        Ok(())
    }
}

impl FrameTable {
    /// How many frames carry each label, in order of first appearance.
    pub fn label_histogram(&self) -> Vec<(ClassId, usize)> {
        let mut counts: Vec<(ClassId, usize)> = Vec::new();
        for &label in &self.labels {
            match counts.iter_mut().find(|(l, _)| *l == label) {
                Some((_, n)) => *n += 1,
                None => counts.push((label, 1)),
            }
        }
        counts
    }

    /// The frame rate, read from the timestamps, not from a data sheet: real ATR files step
    /// 30 ms (33.3 Hz) where OpenPack's documentation says 30 Hz. The mean of the steps near the
    /// median: a lost sample (a double step) does not move it, and ms timestamps of a 30 Hz
    /// clock (33, 33, 34 ms) still give 30 Hz, which the median alone would not. `None` for
    /// fewer than two frames.
    pub fn sample_rate_hz(&self) -> Option<f64> {
        rate_from_timestamps(&self.unixtime_ms)
    }

    /// The frames `range` as a table of their own (a time split of one session).
    pub fn slice(&self, range: std::ops::Range<usize>) -> FrameTable {
        let n = self.channels.len();
        FrameTable {
            channels: self.channels.clone(),
            unixtime_ms: self.unixtime_ms[range.clone()].to_vec(),
            values: self.values[range.start * n..range.end * n].to_vec(),
            labels: self.labels[range].to_vec(),
        }
    }

    /// Duration from the first to the last frame, in seconds.
    pub fn duration_s(&self) -> f64 {
        match (self.unixtime_ms.first(), self.unixtime_ms.last()) {
            (Some(first), Some(last)) => (last - first) as f64 / 1000.0,
            _ => 0.0,
        }
    }
}

/// tsak's own frame grid, in frames per second: live mode cuts windows on it, recordings are
/// written on it, and the simulator writes it (OpenPack's documented ATR rate). Sessions read
/// from files keep the rate their timestamps show (OpenPack's released ATR files: 33.3 Hz).
pub const GRID_RATE_HZ: f64 = 30.0;

/// The rate of a clock in ms (see [`FrameTable::sample_rate_hz`]); also for the replay page,
/// which has the session's timestamps but not its table.
pub fn rate_from_timestamps(unixtime_ms: &[i64]) -> Option<f64> {
    let steps: Vec<i64> = unixtime_ms.windows(2).map(|w| w[1] - w[0]).collect();
    let mut sorted = steps.clone();
    let middle = sorted.len().checked_sub(1)? / 2;
    let (_, &mut median, _) = sorted.select_nth_unstable(middle);
    let typical: Vec<i64> = steps.into_iter().filter(|&s| 2 * s >= median && 2 * s <= 3 * median).collect();
    let mean = typical.iter().sum::<i64>() as f64 / typical.len().max(1) as f64;
    (median > 0).then(|| 1000.0 / mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(times: &[i64]) -> FrameTable {
        FrameTable {
            channels: vec!["a/x".into(), "a/y".into()],
            unixtime_ms: times.to_vec(),
            values: (0..times.len() * 2).map(|v| v as f32).collect(),
            labels: (0..times.len() as u32).collect(),
        }
    }

    #[test]
    fn the_rate_is_the_typical_step_so_a_gap_does_not_move_it() {
        assert_eq!(table(&[0, 30, 60, 90, 400, 430]).sample_rate_hz().map(|r| (r * 10.0).round()), Some(333.0));
        assert_eq!(table(&[0, 20, 40]).sample_rate_hz(), Some(50.0));
        // A 30 Hz clock in whole ms: steps of 33, 33 and 34 ms.
        let thirty: Vec<i64> = (0..91).map(|k| (k as f64 * 1000.0 / 30.0).round() as i64).collect();
        assert!((table(&thirty).sample_rate_hz().unwrap() - 30.0).abs() < 1e-9);
        assert_eq!(table(&[5]).sample_rate_hz(), None);
    }

    #[test]
    fn a_slice_keeps_its_frames_values_and_labels() {
        let part = table(&[0, 30, 60, 90]).slice(1..3);
        assert_eq!(part.unixtime_ms, vec![30, 60]);
        assert_eq!(part.values, vec![2.0, 3.0, 4.0, 5.0]);
        assert_eq!(part.labels, vec![1, 2]);
    }
}
