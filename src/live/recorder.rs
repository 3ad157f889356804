//! Recording while streaming: every grid frame that all of the recording's positions have is
//! appended to the recording with the label the user has picked at that moment.
//!
//! The live grid starts afresh on every page load while a recording keeps its own grid (frame 0
//! at its `origin_unix_ms`), so a recording resumed after a reload maps live frames onto its
//! grid through the two origins' difference; the time in between becomes a gap.

use super::frames::LiveFrames;
use super::recording::{Recording, RecordingError};
use crate::data::classes::ClassId;

/// Why recording cannot start or resume.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecorderError {
    #[error("connect a wearable and wait until it streams before recording")]
    NothingStreams,
    #[error("to resume \"{name}\", connect {missing}: the recording has {expected}")]
    Channels { name: String, missing: String, expected: String },
    #[error(
        "\"{name}\" was recorded at {recorded:.2} Hz for other models; live mode now runs at {live:.2} Hz: start a new recording"
    )]
    Rate { name: String, recorded: f64, live: f64 },
    #[error(transparent)]
    Recording(#[from] RecordingError),
}

/// A recording being fed from the live frames.
#[derive(Debug)]
pub struct Recorder {
    pub recording: Recording,
    positions: Vec<String>,
    /// Recording frame = live frame + offset.
    frame_offset: i64,
    /// The next live frame to look at.
    next_live: u64,
    pub label: ClassId,
}

impl Recorder {
    /// Starts recording every position that streams now (has frames: a connected device's
    /// channels are known only once its first samples came), from the next frame on.
    /// `live_origin_unix_ms` is the unix time of the live grid's frame 0.
    pub fn start(
        frames: &LiveFrames,
        live_origin_unix_ms: f64,
        new: impl FnOnce(Vec<String>) -> Recording,
        label: ClassId,
    ) -> Result<Recorder, RecorderError> {
        let positions: Vec<String> =
            frames.positions().into_iter().filter(|p| frames.earliest_frame(p).is_some()).collect();
        if positions.is_empty() {
            return Err(RecorderError::NothingStreams);
        }
        let channels = positions.iter().flat_map(|p| frames.position_channels(p).unwrap_or_default()).collect();
        let mut recording = new(channels);
        recording.meta.origin_unix_ms = live_origin_unix_ms;
        recording.meta.rate_hz = frames.rate_hz();
        let refs: Vec<&str> = positions.iter().map(String::as_str).collect();
        let next_live = frames.common_frame(&refs).map_or(0, |last| last + 1);
        recording.meta.classes.index_of(label).ok_or(RecordingError::Label(label))?;
        Ok(Recorder { recording, positions, frame_offset: 0, next_live, label })
    }

    /// Continues a saved recording; the positions it recorded must stream the same channels.
    pub fn resume(
        recording: Recording,
        frames: &LiveFrames,
        live_origin_unix_ms: f64,
        label: ClassId,
    ) -> Result<Recorder, RecorderError> {
        let mut positions: Vec<String> = Vec::new();
        for channel in &recording.meta.channels {
            let position = channel.split_once('/').map_or(channel.as_str(), |(p, _)| p).to_string();
            if !positions.contains(&position) {
                positions.push(position);
            }
        }
        let streaming: Vec<String> =
            positions.iter().flat_map(|p| frames.position_channels(p).unwrap_or_default()).collect();
        if streaming != recording.meta.channels {
            let missing: Vec<String> =
                recording.meta.channels.iter().filter(|c| !streaming.contains(c)).cloned().collect();
            return Err(RecorderError::Channels {
                name: recording.meta.name.clone(),
                missing: if missing.is_empty() {
                    "the same devices".into()
                } else {
                    crate::data::channels::sensors(&missing).join(", ")
                },
                expected: crate::data::channels::sensors(&recording.meta.channels).join(", "),
            });
        }
        if (recording.meta.rate_hz - frames.rate_hz()).abs() > 1e-9 {
            return Err(RecorderError::Rate {
                name: recording.meta.name.clone(),
                recorded: recording.meta.rate_hz,
                live: frames.rate_hz(),
            });
        }
        let frame_offset =
            ((live_origin_unix_ms - recording.meta.origin_unix_ms) * frames.rate_hz() / 1000.0).round() as i64;
        let refs: Vec<&str> = positions.iter().map(String::as_str).collect();
        let next_live = frames.common_frame(&refs).map_or(0, |last| last + 1);
        recording.meta.classes.index_of(label).ok_or(RecordingError::Label(label))?;
        Ok(Recorder { recording, positions, frame_offset, next_live, label })
    }

    /// Appends the frames completed since the last pull; returns how many.
    pub fn pull(&mut self, frames: &LiveFrames) -> usize {
        let refs: Vec<&str> = self.positions.iter().map(String::as_str).collect();
        let rows = frames.complete_rows(&refs, self.next_live);
        let mut added = 0;
        for (frame, values) in rows {
            self.next_live = frame + 1;
            let Ok(target) = u64::try_from(frame as i64 + self.frame_offset) else { continue };
            if self.recording.last_frame().is_some_and(|last| target <= last) {
                continue;
            }
            if self.recording.push(target, &values, self.label).is_ok() {
                added += 1;
            }
        }
        if let Some(last) = frames.common_frame(&refs) {
            self.next_live = self.next_live.max(last + 1);
        }
        added
    }

    /// The positions being recorded.
    pub fn positions(&self) -> &[String] {
        &self.positions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ble::axes::AxisMap;
    use crate::ble::sample::{Clock, Decoded, ImuSample};
    use crate::data::classes::ClassTable;

    /// Samples at 30 Hz for frames `from..to` (page clock, origin 0), acc x = frame.
    fn feed(live: &mut LiveFrames, position: &str, from: u64, to: u64) {
        let samples = (from..to)
            .map(|k| ImuSample { t_ms: k as f64 * 1000.0 / 30.0, acc: [k as f32, 0.0, 1.0], gyro: None })
            .collect();
        live.push(position, &Decoded { samples, clock: Clock::Arrival, dropped_packets: 0 }, 0.0);
    }

    fn new(channels: Vec<String>) -> Recording {
        Recording::new("r1", "shift", "anna", 0.0, channels, ClassTable::openpack_operations())
    }

    #[test]
    fn frames_after_the_start_are_recorded_with_the_label_picked_at_the_time() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        feed(&mut live, "right_wrist", 0, 10);
        let mut recorder = Recorder::start(&live, 5_000.0, new, 8100).unwrap();
        assert_eq!(recorder.recording.meta.channels, ["right_wrist/acc_x", "right_wrist/acc_y", "right_wrist/acc_z"]);
        feed(&mut live, "right_wrist", 10, 20);
        assert_eq!(recorder.pull(&live), 10, "frames 10..20, not the ones before Record");
        recorder.label = 100;
        feed(&mut live, "right_wrist", 20, 25);
        recorder.pull(&live);
        let rows: Vec<(u64, f32, u32)> = recorder.recording.rows().map(|(f, v, l)| (f, v[0], l)).collect();
        assert_eq!(rows.first(), Some(&(10, 10.0, 8100)));
        assert_eq!(rows.last(), Some(&(24, 24.0, 100)));
        assert_eq!(recorder.recording.meta.origin_unix_ms, 5_000.0);
    }

    #[test]
    fn a_dropout_is_left_out_not_filled_in() {
        let mut live = LiveFrames::new(0.0, 30.0, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        feed(&mut live, "right_wrist", 0, 2);
        let mut recorder = Recorder::start(&live, 0.0, new, 8100).unwrap();
        feed(&mut live, "right_wrist", 2, 10);
        feed(&mut live, "right_wrist", 30, 40);
        recorder.pull(&live);
        let frames: Vec<u64> = recorder.recording.rows().map(|(f, _, _)| f).collect();
        assert!(frames.iter().all(|f| !(10..30).contains(f)), "{frames:?}");
        assert_eq!(recorder.recording.export().0.len(), 2, "two parts around the gap");
    }

    #[test]
    fn a_resumed_recording_continues_on_its_own_grid_after_the_time_away() {
        let mut first = LiveFrames::new(0.0, 30.0, 300);
        first.connect("right_wrist", false, AxisMap::IDENTITY);
        feed(&mut first, "right_wrist", 0, 1);
        let mut recorder = Recorder::start(&first, 1_000_000.0, new, 8100).unwrap();
        feed(&mut first, "right_wrist", 1, 31);
        recorder.pull(&first);
        let saved = recorder.recording.clone();
        assert_eq!(saved.last_frame(), Some(30));
        // The page reloads 10 s later: a fresh grid, the same device.
        let mut second = LiveFrames::new(0.0, 30.0, 300);
        assert!(matches!(
            Recorder::resume(saved.clone(), &second, 1_010_000.0, 8100),
            Err(RecorderError::Channels { .. })
        ));
        second.connect("right_wrist", false, AxisMap::IDENTITY);
        let mut resumed = Recorder::resume(saved, &second, 1_010_000.0, 8100).unwrap();
        feed(&mut second, "right_wrist", 0, 11);
        resumed.pull(&second);
        let frames: Vec<u64> = resumed.recording.rows().map(|(f, _, _)| f).collect();
        assert_eq!(frames[30], 300, "after frames 1..=30, live frame 0 is 10 s after the recording's frame 0");
        assert_eq!(resumed.recording.export().0.len(), 2);
    }

    #[test]
    fn a_position_with_other_channels_cannot_resume_and_nothing_streaming_cannot_start() {
        let live = LiveFrames::new(0.0, 30.0, 300);
        assert_eq!(Recorder::start(&live, 0.0, new, 8100).unwrap_err(), RecorderError::NothingStreams);
        let mut other = LiveFrames::new(0.0, 30.0, 300);
        other.connect("right_wrist", true, AxisMap::IDENTITY);
        assert_eq!(
            Recorder::start(&other, 0.0, new, 8100).unwrap_err(),
            RecorderError::NothingStreams,
            "connected, but no sample yet: its channels are not known"
        );
        let saved = new(vec!["right_wrist/acc_x".into(), "right_wrist/acc_y".into(), "right_wrist/acc_z".into()]);
        let error = Recorder::resume(saved, &other, 0.0, 8100).unwrap_err();
        assert!(error.to_string().contains("the same devices"), "{error}");
    }

    #[test]
    fn a_recording_keeps_the_live_grids_rate_and_resumes_only_at_it() {
        let rate = 100.0 / 3.0;
        let mut live = LiveFrames::new(0.0, rate, 300);
        live.connect("right_wrist", false, AxisMap::IDENTITY);
        feed(&mut live, "right_wrist", 0, 2);
        let mut recorder = Recorder::start(&live, 0.0, new, 8100).unwrap();
        feed(&mut live, "right_wrist", 2, 40);
        recorder.pull(&live);
        let recording = recorder.recording;
        assert_eq!(recording.meta.rate_hz, rate);
        let (first, _, _) = recording.rows().next().unwrap();
        assert_eq!(recording.unix_ms(first + 1) - recording.unix_ms(first), 30, "33.3 Hz: 30 ms a frame");
        let spec = recording.export().1.text;
        assert!(spec.contains("sample_rate_hz = 33.33"), "{spec}");

        let mut slower = LiveFrames::new(0.0, 30.0, 300);
        slower.connect("right_wrist", false, AxisMap::IDENTITY);
        let error = Recorder::resume(recording, &slower, 0.0, 8100).unwrap_err();
        assert!(matches!(error, RecorderError::Rate { .. }), "{error}");
    }
}
