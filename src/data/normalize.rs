//! Per-channel normalisation statistics, computed on training data only and stored with
//! each model so that the app normalises exactly as training did.

use serde::{Deserialize, Serialize};

use super::frames::FrameTable;

/// Below this a channel is treated as constant (its std would blow values up).
const MIN_STD: f32 = 1e-6;

/// Mean and standard deviation of each channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelStats {
    pub channels: Vec<String>,
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl ChannelStats {
    /// Statistics over all frames of the given (training) tables, which must share channels.
    /// Welford's algorithm in f64: stable over millions of frames.
    pub fn fit<'a>(tables: impl IntoIterator<Item = &'a FrameTable>) -> Option<Self> {
        let mut tables = tables.into_iter().peekable();
        let channels = tables.peek()?.channels.clone();
        let same =
            tables.inspect(|t| assert_eq!(t.channels, channels, "normalisation needs tables with the same channels"));
        Self::fit_named(&channels, same)
    }

    /// Statistics of the named channels, each over the frames of the tables that have it:
    /// real sessions lack devices, and a channel's statistics should not be pulled towards 0 by
    /// the sessions without it. `None` when some channel is in no table.
    pub fn fit_named<'a>(channels: &[String], tables: impl IntoIterator<Item = &'a FrameTable>) -> Option<Self> {
        let n = channels.len();
        let (mut count, mut mean, mut m2) = (vec![0_u64; n], vec![0.0_f64; n], vec![0.0_f64; n]);
        for table in tables {
            let columns: Vec<Option<usize>> =
                channels.iter().map(|name| table.channels.iter().position(|c| c == name)).collect();
            for i in 0..table.len() {
                let frame = table.frame(i);
                for (c, column) in columns.iter().enumerate() {
                    let Some(k) = *column else { continue };
                    count[c] += 1;
                    let delta = frame[k] as f64 - mean[c];
                    mean[c] += delta / count[c] as f64;
                    m2[c] += delta * (frame[k] as f64 - mean[c]);
                }
            }
        }
        if count.contains(&0) {
            return None;
        }
        let std = m2.iter().zip(&count).map(|(&m, &k)| ((m / k as f64).sqrt() as f32).max(MIN_STD)).collect();
        Some(Self { channels: channels.to_vec(), mean: mean.into_iter().map(|m| m as f32).collect(), std })
    }

    /// Normalises one frame in place.
    pub fn apply(&self, frame: &mut [f32]) {
        for ((v, m), s) in frame.iter_mut().zip(&self.mean).zip(&self.std) {
            *v = (*v - m) / s;
        }
    }

    /// Normalises every frame of a table in place.
    pub fn apply_table(&self, table: &mut FrameTable) {
        let n = table.channels.len();
        for frame in table.values.chunks_exact_mut(n) {
            self.apply(frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_and_apply_standardise() {
        let table = FrameTable {
            channels: vec!["p/a".into(), "p/flat".into()],
            unixtime_ms: vec![0, 1, 2, 3],
            values: vec![1.0, 5.0, 2.0, 5.0, 3.0, 5.0, 4.0, 5.0],
            labels: vec![0; 4],
        };
        let stats = ChannelStats::fit([&table]).unwrap();
        assert_eq!(stats.mean, vec![2.5, 5.0]);
        assert!((stats.std[0] - 1.118034).abs() < 1e-6);
        assert_eq!(stats.std[1], MIN_STD);
        let mut frame = [4.0, 5.0];
        stats.apply(&mut frame);
        assert!((frame[0] - 1.3416408).abs() < 1e-5 && frame[1] == 0.0);
    }

    #[test]
    fn each_channel_is_fitted_on_the_tables_that_have_it() {
        let both = FrameTable {
            channels: vec!["p/a".into(), "q/b".into()],
            unixtime_ms: vec![0, 1],
            values: vec![1.0, 10.0, 3.0, 30.0],
            labels: vec![0; 2],
        };
        let a_only = FrameTable {
            channels: vec!["p/a".into()],
            unixtime_ms: vec![0, 1],
            values: vec![5.0, 7.0],
            labels: vec![0; 2],
        };
        let names = vec!["q/b".to_string(), "p/a".to_string()];
        let stats = ChannelStats::fit_named(&names, [&both, &a_only]).unwrap();
        assert_eq!(stats.channels, names);
        assert_eq!(stats.mean, vec![20.0, 4.0]);
        assert_eq!(stats.std[0], 10.0);
        assert!(ChannelStats::fit_named(&["r/c".to_string()], [&both]).is_none());
    }
}
