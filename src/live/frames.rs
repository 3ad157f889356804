//! The live frame store: one stream per body position (`right_wrist`, `left_upper_arm`, …),
//! each resampled onto the same grid (the live models' rate), so a window ending at frame `k` means the same
//! instants for every device. A window is only cut when every position it needs has all its
//! frames: a dropout is counted and skipped, never filled in.
//!
//! Device clocks become the page's clock with one offset per stream, taken from the first
//! notification (arrival minus the time of its last sample) and lowered whenever a sample would
//! otherwise lie in the future, so Bluetooth's delivery delay is not mistaken for motion. A
//! device clock that falls more than [`REANCHOR_MS`] behind (a device restarted, or its clock
//! stalled while disconnected) is anchored afresh, so the time that passed shows as a gap.

use std::collections::VecDeque;

use crate::ble::axes::AxisMap;
use crate::ble::frame_grid::FrameGrid;
use crate::ble::orientation::{DEFAULT_BETA, Madgwick};
use crate::ble::sample::{Clock, Decoded, ImuSample};
use crate::data::classes::ClassId;
use crate::data::frames::FrameTable;

/// No sample for this long is a gap, not something to interpolate across.
pub const MAX_GAP_MS: f64 = 200.0;
/// A device-clocked packet arriving this much later than its samples' mapped time re-anchors
/// the clock; Bluetooth's own delivery jitter stays well below it.
pub const REANCHOR_MS: f64 = 1000.0;

/// One connected position.
#[derive(Debug)]
struct PositionStream {
    position: String,
    gyro: bool,
    axes: AxisMap,
    grid: FrameGrid,
    /// Orientation estimated from acc + gyro (the ATR sensors' quaternion channels).
    orientation: Option<Madgwick>,
    /// Page-clock offset of a device-clocked stream.
    offset_ms: Option<f64>,
    /// Recent frames, oldest first: (frame index, values or `None` in a gap).
    frames: VecDeque<(u64, Option<Vec<f32>>)>,
    samples: u64,
    /// Samples refused for a non-finite value or a missing gyroscope reading.
    refused: u64,
    dropped_packets: u64,
}

impl PositionStream {
    /// The page-clock offset of a device-clocked stream, given one packet's `fresh` estimate
    /// (its arrival minus its last sample's device time).
    fn device_offset(&mut self, fresh: f64) -> f64 {
        let offset = match self.offset_ms {
            Some(o) if fresh - o > REANCHOR_MS => fresh,
            Some(o) => o.min(fresh),
            None => fresh,
        };
        self.offset_ms = Some(offset);
        offset
    }

    /// One sample's grid values in ATR axes: acc, then gyro and the estimated orientation
    /// for a gyroscope stream; `None` when a value is missing or not finite.
    fn values(&mut self, sample: &ImuSample) -> Option<Vec<f32>> {
        let sample = self.axes.map(*sample);
        let finite = |v: &[f32; 3]| v.iter().all(|x| x.is_finite());
        if !finite(&sample.acc) {
            return None;
        }
        let mut values = sample.acc.to_vec();
        if let Some(filter) = &mut self.orientation {
            let gyro = sample.gyro.filter(finite)?;
            values.extend(gyro);
            values.extend(filter.update(sample.t_ms, sample.acc, gyro));
        }
        Some(values)
    }
}

/// Counters of one stream, for the status panel.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamStats {
    pub position: String,
    pub samples: u64,
    pub dropped_packets: u64,
    pub gap_frames: u64,
    pub out_of_order: u64,
    /// Samples refused for a non-finite value or a missing gyroscope reading.
    pub refused: u64,
    /// The last frame on the grid, if any.
    pub last_frame: Option<u64>,
}

/// Why a window could not be cut.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WindowProblem {
    #[error("no device streams {0}")]
    Missing(String),
    #[error("{0} has not reached frame {1} yet")]
    NotYet(String, u64),
    #[error("{0} had a dropout inside the window")]
    Gap(String),
}

/// Every connected position's recent frames on the shared grid.
#[derive(Debug)]
pub struct LiveFrames {
    origin_ms: f64,
    /// Frames per second of the grid: the live models' rate (what they were trained at).
    rate_hz: f64,
    keep: usize,
    streams: Vec<PositionStream>,
}

impl LiveFrames {
    /// A store whose frame 0 is at `origin_ms` (page clock), `rate_hz` frames a second,
    /// keeping `keep` frames per stream.
    pub fn new(origin_ms: f64, rate_hz: f64, keep: usize) -> Self {
        LiveFrames { origin_ms, rate_hz, keep, streams: Vec::new() }
    }

    /// Frames per second of the grid.
    pub fn rate_hz(&self) -> f64 {
        self.rate_hz
    }

    /// The page-clock time (ms) of frame 0.
    pub fn origin_ms(&self) -> f64 {
        self.origin_ms
    }

    /// Starts (or restarts, after a reconnect) the stream of a position.
    pub fn connect(&mut self, position: &str, gyro: bool, axes: AxisMap) {
        self.disconnect(position);
        self.streams.push(PositionStream {
            position: position.to_string(),
            gyro,
            axes,
            grid: FrameGrid::new(self.origin_ms, self.rate_hz, MAX_GAP_MS),
            orientation: gyro.then(|| Madgwick::new(DEFAULT_BETA)),
            offset_ms: None,
            frames: VecDeque::new(),
            samples: 0,
            refused: 0,
            dropped_packets: 0,
        });
    }

    /// Changes how a position's device axes map onto the ATR axes, from its next sample on.
    /// The orientation estimate starts afresh: the old one is in the old axes, and the filter
    /// would take many seconds to turn it round.
    pub fn set_axes(&mut self, position: &str, axes: AxisMap) {
        if let Some(stream) = self.streams.iter_mut().find(|s| s.position == position && s.axes != axes) {
            stream.axes = axes;
            if stream.orientation.is_some() {
                stream.orientation = Some(Madgwick::new(DEFAULT_BETA));
            }
        }
    }

    /// The axis mapping a position's stream uses.
    pub fn axes(&self, position: &str) -> Option<AxisMap> {
        self.stream(position).map(|s| s.axes)
    }

    pub fn disconnect(&mut self, position: &str) {
        self.streams.retain(|s| s.position != position);
    }

    fn stream(&self, position: &str) -> Option<&PositionStream> {
        self.streams.iter().find(|s| s.position == position)
    }

    /// Adds one notification's samples, which arrived at `arrival_ms`, to a position's stream.
    /// A packet without samples (half of a split payload, an acc frame waiting for its gyro
    /// half) says nothing about the clock; a sample with a non-finite value is refused and
    /// counted, so it becomes a gap instead of NaN in the models and the recording.
    pub fn push(&mut self, position: &str, decoded: &Decoded, arrival_ms: f64) {
        let keep = self.keep;
        let Some(stream) = self.streams.iter_mut().find(|s| s.position == position) else { return };
        stream.dropped_packets += u64::from(decoded.dropped_packets);
        let Some(last) = decoded.samples.last() else { return };
        if stream.samples == 0 && stream.refused == 0 && last.gyro.is_none() {
            // A board of a gyroscope profile that sends none (the open profile's flag is off):
            // it streams acceleration only, and the teacher is told what it lacks.
            stream.gyro = false;
            stream.orientation = None;
        }
        let offset = match decoded.clock {
            Clock::Arrival => 0.0,
            Clock::Device => stream.device_offset(arrival_ms - last.t_ms),
        };
        for sample in &decoded.samples {
            let Some(values) = stream.values(sample) else {
                stream.refused += 1;
                continue;
            };
            stream.samples += 1;
            for frame in stream.grid.push(sample.t_ms + offset, values) {
                stream.frames.push_back((frame.index, frame.values));
            }
        }
        while stream.frames.len() > keep {
            stream.frames.pop_front();
        }
    }

    /// The channels the connected positions provide, `position/acc_x` style.
    pub fn channels(&self) -> Vec<String> {
        self.streams.iter().flat_map(stream_channels).collect()
    }

    /// The connected positions, in the order they connected.
    pub fn positions(&self) -> Vec<String> {
        self.streams.iter().map(|s| s.position.clone()).collect()
    }

    /// The channels one position provides.
    pub fn position_channels(&self, position: &str) -> Option<Vec<String>> {
        self.stream(position).map(stream_channels)
    }

    /// Frames from `from` on that every one of `positions` has (frames inside any position's
    /// dropout are left out), each with the positions' values side by side.
    pub fn complete_rows(&self, positions: &[&str], from: u64) -> Vec<(u64, Vec<f32>)> {
        let Some(last) = self.common_frame(positions) else { return Vec::new() };
        let streams: Option<Vec<&PositionStream>> = positions.iter().map(|p| self.stream(p)).collect();
        let Some(streams) = streams else { return Vec::new() };
        (from..=last)
            .filter_map(|k| {
                let mut row = Vec::new();
                for stream in &streams {
                    let first = stream.frames.front()?.0;
                    let (index, values) = stream.frames.get(usize::try_from(k.checked_sub(first)?).ok()?)?;
                    if *index != k {
                        return None;
                    }
                    row.extend_from_slice(values.as_ref()?);
                }
                Some((k, row))
            })
            .collect()
    }

    /// Of `wanted` channels, those no connected device provides.
    pub fn missing(&self, wanted: &[String]) -> Vec<String> {
        let have = self.channels();
        wanted.iter().filter(|c| !have.contains(c)).cloned().collect()
    }

    pub fn stats(&self) -> Vec<StreamStats> {
        self.streams
            .iter()
            .map(|s| StreamStats {
                position: s.position.clone(),
                samples: s.samples,
                dropped_packets: s.dropped_packets,
                gap_frames: s.grid.gap_frames,
                out_of_order: s.grid.out_of_order,
                refused: s.refused,
                last_frame: s.frames.back().map(|f| f.0),
            })
            .collect()
    }

    /// The oldest frame a position still holds.
    pub fn earliest_frame(&self, position: &str) -> Option<u64> {
        self.stream(position).and_then(|s| s.frames.front().map(|f| f.0))
    }

    /// The last frame every one of `positions` has reached.
    pub fn common_frame(&self, positions: &[&str]) -> Option<u64> {
        positions.iter().map(|p| self.stream(p).and_then(|s| s.frames.back().map(|f| f.0))).min().flatten()
    }

    /// Whether the window ending at `end` is due: `required` (the student's position) has
    /// reached it and so has every other stream, or `required` is `grace` frames past it, and a
    /// stream that far behind is left out rather than holding the student back. Devices
    /// deliver in packets, so the streams reach a frame up to a packet apart: a window cut as
    /// soon as the student's stream got there would leave the others out of every window.
    pub fn window_due(&self, required: &str, end: u64, grace: u64) -> bool {
        let reached = |s: &PositionStream| s.frames.back().is_some_and(|f| f.0 >= end);
        let Some(last) = self.stream(required).and_then(|s| s.frames.back()).map(|f| f.0) else { return false };
        last >= end && (last >= end + grace || self.streams.iter().all(reached))
    }

    /// The window ending at `end` of `required` (the student's position) and of every other
    /// connected position that has all of it. A position that joined late, lags behind or had
    /// a dropout inside the window is left out (the teacher then names what it lacks) instead
    /// of costing the student its window.
    pub fn window(&self, required: &str, end: u64, length: usize, label: ClassId) -> Result<FrameTable, WindowProblem> {
        self.table(&[required], end, length, label)?;
        let complete = |p: &&str| *p != required && self.table(&[p], end, length, label).is_ok();
        let others = self.streams.iter().map(|s| s.position.as_str()).filter(complete);
        let positions: Vec<&str> = std::iter::once(required).chain(others).collect();
        self.table(&positions, end, length, label)
    }

    /// Frames `end + 1 - length ..= end` of `positions` as a table (their channels side by side),
    /// labelled `label`, ready for the models' windowing and normalisation.
    pub fn table(
        &self,
        positions: &[&str],
        end: u64,
        length: usize,
        label: ClassId,
    ) -> Result<FrameTable, WindowProblem> {
        let start = (end + 1)
            .checked_sub(length as u64)
            .ok_or_else(|| WindowProblem::NotYet("the grid".into(), length as u64))?;
        let mut table = FrameTable {
            channels: Vec::new(),
            unixtime_ms: (start..=end)
                .map(|k| (self.origin_ms + k as f64 * 1000.0 / self.rate_hz).round() as i64)
                .collect(),
            values: vec![0.0; 0],
            labels: vec![label; length],
        };
        let mut columns: Vec<Vec<f32>> = Vec::new();
        for position in positions {
            let stream = self.stream(position).ok_or_else(|| WindowProblem::Missing(position.to_string()))?;
            let first = stream.frames.front().map(|f| f.0);
            let last = stream.frames.back().map(|f| f.0);
            if last.is_none_or(|l| l < end) {
                return Err(WindowProblem::NotYet(position.to_string(), end));
            }
            if first.is_none_or(|f| f > start) {
                return Err(WindowProblem::Gap(position.to_string()));
            }
            let offset = (start - first.expect("checked")) as usize;
            let frames: Vec<&Vec<f32>> = stream
                .frames
                .range(offset..offset + length)
                .map(|(_, v)| v.as_ref().ok_or_else(|| WindowProblem::Gap(position.to_string())))
                .collect::<Result<_, _>>()?;
            let width = frames[0].len();
            for c in 0..width {
                columns.push(frames.iter().map(|f| f[c]).collect());
            }
            table.channels.extend(stream_channels(stream));
        }
        table.values = (0..length).flat_map(|f| columns.iter().map(move |col| col[f])).collect();
        Ok(table)
    }
}

fn stream_channels(stream: &PositionStream) -> Vec<String> {
    let mut names = vec!["acc_x", "acc_y", "acc_z"];
    if stream.gyro {
        names.extend(["gyro_x", "gyro_y", "gyro_z", "quat_w", "quat_x", "quat_y", "quat_z"]);
    }
    names.into_iter().map(|n| format!("{}/{n}", stream.position)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ble::sample::ImuSample;

    /// `count` samples at `rate_hz` from device time `first_ms`, acc x = the sample's index.
    fn burst(first_index: usize, count: usize, rate_hz: f64, clock: Clock) -> Decoded {
        let samples = (first_index..first_index + count)
            .map(|i| ImuSample {
                t_ms: i as f64 * 1000.0 / rate_hz,
                acc: [i as f32, 0.0, 1.0],
                gyro: Some([0.0, 0.0, 5.0]),
            })
            .collect();
        Decoded { samples, clock, dropped_packets: 0 }
    }

    #[test]
    fn a_window_is_cut_from_a_device_clocked_stream() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        // 60 samples at 30 Hz arriving 10 ms after their device time (offset -> +10 ms).
        for k in 0..6 {
            let decoded = burst(k * 10, 10, 30.0, Clock::Device);
            let arrival = decoded.samples.last().unwrap().t_ms + 10.0;
            live.push("right_wrist", &decoded, arrival);
        }
        assert_eq!(live.channels(), vec!["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z"]);
        let end = live.common_frame(&["right_wrist"]).unwrap();
        let table = live.table(&["right_wrist"], end, 30, 8100).unwrap();
        assert_eq!(table.len(), 30);
        assert_eq!(table.channels.len(), 3);
        assert_eq!(table.labels, vec![8100; 30]);
        // On the page's clock sample k lands 10 ms after frame k, so frame k is 0.3 of the
        // way from sample k - 1 to sample k.
        let first_x = table.values[0];
        assert!((first_x - ((end - 29) as f32 - 0.3)).abs() < 1e-3, "{first_x} at end {end}");
        assert!(live.table(&["right_wrist"], end + 1, 30, 8100).is_err(), "not there yet");
    }

    #[test]
    fn the_teacher_needs_every_position_and_missing_ones_are_named() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", true, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 90, 30.0, Clock::Arrival), 0.0);
        let wanted: Vec<String> = ["right_wrist/gyro_z", "left_wrist/acc_x"].map(String::from).to_vec();
        assert_eq!(live.missing(&wanted), vec!["left_wrist/acc_x"]);
        assert_eq!(
            live.table(&["right_wrist", "left_wrist"], 60, 30, 0),
            Err(WindowProblem::Missing("left_wrist".into()))
        );
        live.connect("left_wrist", true, AxisMap::IDENTITY);
        live.push("left_wrist", &burst(0, 90, 30.0, Clock::Arrival), 0.0);
        let table = live.table(&["right_wrist", "left_wrist"], 60, 30, 0).unwrap();
        assert_eq!(table.channels.len(), 20, "acc, gyro and the estimated orientation of each");
        assert_eq!(&table.channels[6..8], ["right_wrist/quat_w", "right_wrist/quat_x"]);
        assert_eq!(&table.channels[10..12], ["left_wrist/acc_x", "left_wrist/acc_y"]);
        assert_eq!(table.values[5], 5.0, "gyro z of the right wrist");
        let quat = &table.values[6..10];
        assert!((quat.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-3, "a unit quaternion: {quat:?}");
    }

    #[test]
    fn a_window_leaves_out_positions_that_lack_part_of_it_but_never_the_required_one() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        live.connect("left_wrist", false, AxisMap::IDENTITY);
        live.connect("right_upper_arm", false, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 90, 30.0, Clock::Arrival), 0.0);
        live.push("left_wrist", &burst(40, 50, 30.0, Clock::Arrival), 0.0); // joined late
        live.push("right_upper_arm", &burst(0, 90, 30.0, Clock::Arrival), 0.0);
        let table = live.window("right_wrist", 59, 60, 0).unwrap();
        let positions: Vec<&str> = table.channels.iter().map(|c| c.split('/').next().unwrap()).collect();
        assert_eq!(positions, ["right_wrist"; 3].into_iter().chain(["right_upper_arm"; 3]).collect::<Vec<_>>());
        assert_eq!(live.window("right_wrist", 89, 30, 0).unwrap().channels.len(), 9, "all three from frame 60 on");
        assert_eq!(live.window("left_wrist", 59, 60, 0), Err(WindowProblem::Gap("left_wrist".into())));
    }

    #[test]
    fn a_dropout_inside_the_window_is_refused_and_counted() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 30, 30.0, Clock::Arrival), 0.0);
        live.push("right_wrist", &burst(45, 45, 30.0, Clock::Arrival), 0.0); // 0.5 s missing
        assert_eq!(live.table(&["right_wrist"], 60, 60, 0), Err(WindowProblem::Gap("right_wrist".into())));
        assert!(live.table(&["right_wrist"], 89, 30, 0).is_ok(), "after the gap");
        assert_eq!(live.stats()[0].gap_frames, 15, "frames 30..=44");
    }

    #[test]
    fn a_live_table_is_one_student_window_through_the_replay_code() {
        let manifest = crate::infer::embedded::EmbeddedModels::LIVE.manifest();
        // The live grid at the models' rate, fed by a 50 Hz wearable for 6 s.
        let mut live = LiveFrames::new(0.0, manifest.sample_rate_hz, 400);
        live.connect("right_wrist", true, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 300, 50.0, Clock::Arrival), 0.0);
        let length = manifest.window.length;
        let table = live.table(&["right_wrist"], 180, length, 0).unwrap();
        let step = table.unixtime_ms[1] - table.unixtime_ms[0];
        assert_eq!(step, (1000.0 / manifest.sample_rate_hz).round() as i64, "frames at the models' rate");
        let config = crate::data::window::WindowConfig { length, hop: length };
        let windows = crate::infer::inputs::model_windows(&table, &manifest.student.normalisation, config).unwrap();
        assert_eq!(windows.len(), 1);
        assert_eq!(windows.values.len(), manifest.student.normalisation.channels.len() * length);
    }

    #[test]
    fn a_device_clock_that_falls_behind_is_reanchored_and_the_lost_time_is_a_gap() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        // 1 s of samples, arriving as taken.
        let first = burst(0, 30, 30.0, Clock::Device);
        live.push("right_wrist", &first, first.samples.last().unwrap().t_ms);
        // The device restarts: its clock begins again at 0, while the page is 3 s on.
        let after = burst(0, 30, 30.0, Clock::Device);
        live.push("right_wrist", &after, 3000.0 + after.samples.last().unwrap().t_ms);
        let stats = &live.stats()[0];
        assert!(stats.gap_frames >= 55, "about two seconds of frames lost: {stats:?}");
        assert_eq!(stats.out_of_order, 0);
        assert_eq!(live.common_frame(&["right_wrist"]), Some(119), "frames reach the page's 4 s");
    }

    #[test]
    fn a_new_axis_mapping_applies_to_the_next_samples() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 3, 30.0, Clock::Arrival), 0.0);
        live.set_axes("right_wrist", "z,-x,y".parse().unwrap());
        live.push("right_wrist", &burst(3, 3, 30.0, Clock::Arrival), 0.0);
        let table = live.table(&["right_wrist"], 5, 6, 0).unwrap();
        assert_eq!(table.frame(2), &[2.0, 0.0, 1.0], "before: as the device sent it");
        assert_eq!(table.frame(4), &[1.0, -4.0, 0.0], "after: x from z, y from -x, z from y");
        assert_eq!(live.axes("right_wrist").unwrap().to_string(), "z,-x,y");
    }

    #[test]
    fn old_frames_are_forgotten_and_a_reconnect_starts_afresh() {
        let mut live = LiveFrames::new(0.0, 30.0, 40);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 100, 30.0, Clock::Arrival), 0.0);
        assert_eq!(live.table(&["right_wrist"], 40, 30, 0), Err(WindowProblem::Gap("right_wrist".into())));
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        assert_eq!(live.stats()[0].samples, 0);
    }

    #[test]
    fn packets_without_samples_leave_the_device_clock_alone() {
        // Polar sends an acc frame's packet empty while it waits for the gyro half, Movesense
        // the first half of a split payload: they must not re-anchor the clock.
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        for k in 0..9 {
            let decoded = burst(k * 10, 10, 30.0, Clock::Device);
            let arrival = decoded.samples.last().unwrap().t_ms + 20.0;
            live.push("right_wrist", &decoded, arrival);
            live.push("right_wrist", &Decoded::device(Vec::new(), 0), arrival + 15.0);
        }
        let stats = &live.stats()[0];
        assert_eq!((stats.gap_frames, stats.out_of_order, stats.samples), (0, 0, 90), "{stats:?}");
        assert_eq!(live.common_frame(&["right_wrist"]), Some(89), "one offset for the whole stream");
    }

    #[test]
    fn a_sample_with_a_non_finite_value_is_refused_and_counted() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", true, AxisMap::IDENTITY);
        let mut decoded = burst(0, 60, 30.0, Clock::Arrival);
        decoded.samples[20].acc[1] = f32::NAN;
        decoded.samples[40].gyro = Some([f32::INFINITY, 0.0, 0.0]);
        live.push("right_wrist", &decoded, 0.0);
        assert_eq!(live.stats()[0].refused, 2);
        let table = live.table(&["right_wrist"], 59, 60, 0).unwrap();
        assert!(table.values.iter().all(|v| v.is_finite()), "nothing non-finite reaches the models");
    }

    #[test]
    fn a_gyroscope_profile_board_that_sends_no_gyroscope_streams_acceleration_only() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", true, AxisMap::IDENTITY);
        let mut decoded = burst(0, 60, 30.0, Clock::Arrival);
        decoded.samples.iter_mut().for_each(|s| s.gyro = None);
        live.push("right_wrist", &decoded, 0.0);
        assert_eq!(
            live.position_channels("right_wrist").unwrap(),
            ["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z"]
        );
        assert_eq!(live.missing(&["right_wrist/gyro_x".to_string()]), ["right_wrist/gyro_x"]);
        assert!(live.table(&["right_wrist"], 59, 60, 0).is_ok());
    }

    #[test]
    fn a_new_axis_mapping_restarts_the_orientation_estimate() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", true, AxisMap::IDENTITY);
        // Lying flat and still for two seconds: the estimate is z up.
        let mut flat = burst(0, 60, 30.0, Clock::Arrival);
        flat.samples.iter_mut().for_each(|s| (s.acc, s.gyro) = ([0.0, 0.0, 1.0], Some([0.0; 3])));
        live.push("right_wrist", &flat, 0.0);
        live.set_axes("right_wrist", "z,y,-x".parse().unwrap());
        let mut turned = burst(60, 1, 30.0, Clock::Arrival);
        turned.samples[0].acc = [0.0, 0.0, 1.0];
        turned.samples[0].gyro = Some([0.0; 3]);
        live.push("right_wrist", &turned, 0.0);
        let table = live.table(&["right_wrist"], 60, 1, 0).unwrap();
        // The new axes put gravity on x: a fresh estimate levels onto it at once, the old one
        // would still say z up.
        let quat = &table.values[6..10];
        assert!(quat[0].abs() < 0.99, "the orientation was re-levelled: {quat:?}");
    }

    #[test]
    fn a_window_waits_a_little_for_streams_a_packet_behind() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        live.connect("left_wrist", false, AxisMap::IDENTITY);
        live.push("right_wrist", &burst(0, 64, 30.0, Clock::Arrival), 0.0);
        live.push("left_wrist", &burst(0, 60, 30.0, Clock::Arrival), 0.0);
        // The student's wrist reached frame 60, the other one only 59: wait for it.
        assert!(!live.window_due("right_wrist", 60, 15));
        live.push("left_wrist", &burst(60, 4, 30.0, Clock::Arrival), 0.0);
        assert!(live.window_due("right_wrist", 60, 15));
        assert_eq!(live.window("right_wrist", 60, 60, 0).unwrap().channels.len(), 6, "both wrists in it");
        // A stream that stays behind holds the student back for `grace` frames, no longer.
        live.push("right_wrist", &burst(64, 20, 30.0, Clock::Arrival), 0.0);
        assert!(!live.window_due("right_wrist", 70, 15));
        assert!(live.window_due("right_wrist", 68, 15));
        assert!(!live.window_due("right_wrist", 84, 15), "the student has not reached it");
    }
}
