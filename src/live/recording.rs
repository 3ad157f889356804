//! A labelled live recording: the frames of every streaming position on the live grid, each
//! with the label the user had picked when it was taken. It exports as the generic recording
//! CSV with a dataset spec, which `trainer --data recordings:SPEC` trains on.
//!
//! Frames lost in a dropout are not invented: the recording keeps only frames every position
//! had, and a gap splits the export into parts (one CSV each, all listed in the spec), because
//! the trainer's windows run over consecutive rows and must not span a gap.

use crate::data::classes::{ClassId, ClassTable};
use crate::data::dataset_spec::{DatasetSpec, RecordingEntry};
use crate::data::frames::FrameTable;

/// Frames per second of the live grid (and of the exported recording).
const RATE_HZ: f64 = crate::live::frames::FRAME_RATE_HZ;

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    #[error("frame {got} is not after frame {last}")]
    NotAfter { got: u64, last: u64 },
    #[error("{got} values for {expected} channels")]
    Width { got: usize, expected: usize },
    #[error("label {0} is not one of the recording's classes")]
    Label(ClassId),
}

/// One exported file: its name and CSV text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub text: String,
}

/// A recording in progress or finished.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    pub name: String,
    pub subject: String,
    /// Unix time (ms) of grid frame 0.
    pub origin_unix_ms: f64,
    pub channels: Vec<String>,
    pub classes: ClassTable,
    frames: Vec<u64>,
    values: Vec<f32>,
    labels: Vec<ClassId>,
}

impl Recording {
    pub fn new(name: &str, subject: &str, origin_unix_ms: f64, channels: Vec<String>, classes: ClassTable) -> Self {
        Recording {
            name: name.into(),
            subject: subject.into(),
            origin_unix_ms,
            channels,
            classes,
            frames: Vec::new(),
            values: Vec::new(),
            labels: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Adds grid frame `frame` (values in the recording's channel order) labelled `label`.
    pub fn push(&mut self, frame: u64, values: &[f32], label: ClassId) -> Result<(), RecordingError> {
        if let Some(&last) = self.frames.last().filter(|&&last| frame <= last) {
            return Err(RecordingError::NotAfter { got: frame, last });
        }
        if values.len() != self.channels.len() {
            return Err(RecordingError::Width { got: values.len(), expected: self.channels.len() });
        }
        if self.classes.index_of(label).is_none() {
            return Err(RecordingError::Label(label));
        }
        self.frames.push(frame);
        self.values.extend_from_slice(values);
        self.labels.push(label);
        Ok(())
    }

    /// Runs of consecutive frames, as index ranges into the recording.
    fn parts(&self) -> Vec<std::ops::Range<usize>> {
        let mut parts = Vec::new();
        let mut start = 0;
        for i in 1..=self.frames.len() {
            if i == self.frames.len() || self.frames[i] != self.frames[i - 1] + 1 {
                parts.push(start..i);
                start = i;
            }
        }
        parts.retain(|r| !r.is_empty());
        parts
    }

    fn table(&self, range: std::ops::Range<usize>) -> FrameTable {
        let width = self.channels.len();
        FrameTable {
            channels: self.channels.clone(),
            unixtime_ms: self.frames[range.clone()]
                .iter()
                .map(|&k| (self.origin_unix_ms + k as f64 * 1000.0 / RATE_HZ).round() as i64)
                .collect(),
            values: self.values[range.start * width..range.end * width].to_vec(),
            labels: self.labels[range].to_vec(),
        }
    }

    /// The recording as CSV files (one per gap-free part) and the dataset spec listing them.
    pub fn export(&self) -> (Vec<ExportFile>, ExportFile) {
        let parts = self.parts();
        let mut files = Vec::new();
        for (i, range) in parts.iter().enumerate() {
            let name = if parts.len() == 1 {
                format!("{}.csv", self.name)
            } else {
                format!("{}-part{}.csv", self.name, i + 1)
            };
            let mut text = Vec::new();
            crate::data::recording::write(&self.table(range.clone()), &mut text).expect("writing to memory");
            files.push(ExportFile { name, text: String::from_utf8(text).expect("CSV is UTF-8") });
        }
        let spec = DatasetSpec {
            name: self.name.clone(),
            sample_rate_hz: RATE_HZ,
            channels: self.channels.clone(),
            classes: self.classes.clone(),
            recordings: files
                .iter()
                .map(|f| RecordingEntry { file: f.name.clone(), subject: self.subject.clone() })
                .collect(),
        };
        (files, ExportFile { name: format!("{}.toml", self.name), text: spec.to_toml() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset_spec::DatasetSpec;

    fn recording() -> Recording {
        let channels = vec!["right_wrist/acc_x".to_string(), "right_wrist/acc_y".to_string()];
        Recording::new("line3-anna", "anna", 1_700_000_000_000.0, channels, ClassTable::openpack_operations())
    }

    #[test]
    fn an_export_reads_back_through_the_trainers_readers() {
        let mut r = recording();
        for k in 10..16 {
            r.push(k, &[k as f32, -1.0], if k < 13 { 8100 } else { 100 }).unwrap();
        }
        let (files, spec) = r.export();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "line3-anna.csv");
        let spec = DatasetSpec::parse(&spec.name, &spec.text).unwrap();
        assert_eq!(spec.recordings[0].subject, "anna");
        assert_eq!(spec.sample_rate_hz, 30.0);
        let frames = crate::data::recording::read(&files[0].name, files[0].text.as_bytes(), &spec).unwrap();
        assert_eq!(frames.len(), 6);
        assert_eq!(frames.labels, vec![8100, 8100, 8100, 100, 100, 100]);
        assert!((33..=34).contains(&(frames.unixtime_ms[1] - frames.unixtime_ms[0])), "30 Hz, rounded to ms");
        assert_eq!(frames.frame(5), &[15.0, -1.0]);
    }

    #[test]
    fn a_gap_splits_the_export_into_parts_listed_in_the_spec() {
        let mut r = recording();
        for k in [0, 1, 2, 7, 8] {
            r.push(k, &[0.0, 0.0], 8100).unwrap();
        }
        let (files, spec) = r.export();
        assert_eq!(
            files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
            ["line3-anna-part1.csv", "line3-anna-part2.csv"]
        );
        assert_eq!(files[1].text.lines().count(), 3, "header and frames 7, 8");
        assert_eq!(DatasetSpec::parse("s", &spec.text).unwrap().recordings.len(), 2);
    }

    #[test]
    fn frames_out_of_order_wrong_widths_and_unknown_labels_are_refused() {
        let mut r = recording();
        r.push(5, &[0.0, 0.0], 8100).unwrap();
        assert_eq!(r.push(5, &[0.0, 0.0], 8100), Err(RecordingError::NotAfter { got: 5, last: 5 }));
        assert_eq!(r.push(6, &[0.0], 8100), Err(RecordingError::Width { got: 1, expected: 2 }));
        assert_eq!(r.push(6, &[0.0, 0.0], 4242), Err(RecordingError::Label(4242)));
        assert_eq!(r.len(), 1);
    }
}
