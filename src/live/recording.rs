//! A labelled live recording: the frames of every streaming position on the live grid, each
//! with the label the user had picked when it was taken. It exports as the generic recording
//! CSV with a dataset spec, which `trainer --data recordings:SPEC` trains on.
//!
//! Frames lost in a dropout are not invented: the recording keeps only frames every position
//! had, and a gap splits the export into parts (one CSV each, all listed in the spec), because
//! the trainer's windows run over consecutive rows and must not span a gap.
//!
//! The page persists a recording as it grows: its [`RecordingMeta`] and numbered [`Chunk`]s of
//! the frames added since the last save, from which [`Recording::restore`] rebuilds it after a
//! reload or a crash.

use crate::data::classes::{ClassId, ClassTable};
use crate::data::dataset_spec::{DatasetSpec, RecordingEntry};
use crate::data::frames::FrameTable;

/// The grid rate of recordings saved before the rate was recorded: the live grid was 30 Hz.
fn rate_before_it_was_saved() -> f64 {
    crate::data::frames::GRID_RATE_HZ
}

/// Why a frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordingError {
    #[error("frame {got} is not after frame {last}")]
    NotAfter { got: u64, last: u64 },
    #[error("{got} values for {expected} channels")]
    Width { got: usize, expected: usize },
    #[error("label {0} is not one of the recording's classes")]
    Label(ClassId),
    #[error("saved part {got} follows part {expected_before}: a part is missing or repeated")]
    ChunkOrder { got: u32, expected_before: u32 },
    #[error("saved part {seq}: {frames} frames but {labels} labels and {values} values")]
    ChunkShape { seq: u32, frames: usize, labels: usize, values: usize },
    #[error("a label needs a name")]
    EmptyLabel,
    #[error("frame {frame}: a value is not a finite number")]
    NotFinite { frame: u64 },
}

/// What identifies a recording and reads its frames: saved once, and again when a free label
/// adds a class.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordingMeta {
    /// Unique among the browser's recordings (the storage key).
    pub id: String,
    pub name: String,
    pub subject: String,
    /// Unix time (ms) of grid frame 0.
    pub origin_unix_ms: f64,
    pub channels: Vec<String>,
    pub classes: ClassTable,
    /// Frames per second of its grid: the live grid's when it was recorded (the live models').
    #[serde(default = "rate_before_it_was_saved")]
    pub rate_hz: f64,
}

/// What the list of saved recordings shows, saved with every chunk (in the same transaction),
/// so listing never reads the frames.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecordingSummary {
    pub meta: RecordingMeta,
    pub frames: usize,
    pub seconds: f64,
    /// Unix time (ms) of the last save.
    pub saved_unix_ms: f64,
    /// Stopped by the user; otherwise interrupted (a reload, a crash, a closed tab).
    pub stopped: bool,
}

/// Frames added since the previous save, numbered from 0.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Chunk {
    pub seq: u32,
    pub frames: Vec<u64>,
    pub values: Vec<f32>,
    pub labels: Vec<ClassId>,
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
    pub meta: RecordingMeta,
    frames: Vec<u64>,
    values: Vec<f32>,
    labels: Vec<ClassId>,
    /// Frames before this index are in saved chunks; `next_seq` numbers the next chunk.
    saved: usize,
    next_seq: u32,
}

impl Recording {
    pub fn new(
        id: &str,
        name: &str,
        subject: &str,
        origin_unix_ms: f64,
        channels: Vec<String>,
        classes: ClassTable,
    ) -> Self {
        Recording {
            meta: RecordingMeta {
                id: id.into(),
                name: name.into(),
                subject: subject.into(),
                origin_unix_ms,
                channels,
                classes,
                rate_hz: crate::data::frames::GRID_RATE_HZ,
            },
            frames: Vec::new(),
            values: Vec::new(),
            labels: Vec::new(),
            saved: 0,
            next_seq: 0,
        }
    }

    /// Rebuilds a saved recording from its meta and its chunks (in any order); a missing,
    /// repeated or malformed chunk is an error, not a silently shorter recording.
    pub fn restore(meta: RecordingMeta, mut chunks: Vec<Chunk>) -> Result<Recording, RecordingError> {
        let rate_hz = meta.rate_hz;
        let mut recording =
            Recording::new(&meta.id, &meta.name, &meta.subject, meta.origin_unix_ms, meta.channels, meta.classes);
        recording.meta.rate_hz = rate_hz;
        chunks.sort_by_key(|c| c.seq);
        for chunk in chunks {
            if chunk.seq != recording.next_seq {
                return Err(RecordingError::ChunkOrder { got: chunk.seq, expected_before: recording.next_seq });
            }
            let width = recording.meta.channels.len();
            if chunk.labels.len() != chunk.frames.len() || chunk.values.len() != chunk.frames.len() * width {
                return Err(RecordingError::ChunkShape {
                    seq: chunk.seq,
                    frames: chunk.frames.len(),
                    labels: chunk.labels.len(),
                    values: chunk.values.len(),
                });
            }
            for (i, (&frame, &label)) in chunk.frames.iter().zip(&chunk.labels).enumerate() {
                recording.push(frame, &chunk.values[i * width..(i + 1) * width], label)?;
            }
            recording.next_seq += 1;
        }
        recording.saved = recording.len();
        Ok(recording)
    }

    pub fn summary(&self, saved_unix_ms: f64, stopped: bool) -> RecordingSummary {
        RecordingSummary {
            meta: self.meta.clone(),
            frames: self.len(),
            seconds: self.seconds(),
            saved_unix_ms,
            stopped,
        }
    }

    /// The frames added since the last call, as the next chunk to save.
    pub fn take_chunk(&mut self) -> Option<Chunk> {
        if self.saved == self.len() {
            return None;
        }
        let width = self.meta.channels.len();
        let range = self.saved..self.len();
        let chunk = Chunk {
            seq: self.next_seq,
            frames: self.frames[range.clone()].to_vec(),
            values: self.values[range.start * width..range.end * width].to_vec(),
            labels: self.labels[range].to_vec(),
        };
        self.saved = self.len();
        self.next_seq += 1;
        Some(chunk)
    }

    /// The class a label picker's text names: one of the recording's classes (by name or id),
    /// or a new free label given the next id after the operations' (never Null's).
    pub fn label(&mut self, text: &str) -> Result<ClassId, RecordingError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(RecordingError::EmptyLabel);
        }
        if let Some(id) = self.meta.classes.resolve(text) {
            return Ok(id);
        }
        let taken = |id: ClassId| {
            self.meta.classes.classes.iter().any(|c| c.id == id)
                || self.meta.classes.null_id == id
                || self.meta.classes.null_aliases.contains(&id)
        };
        let highest = self.meta.classes.operations().map(|c| c.id).max().unwrap_or(0);
        let mut id = (highest / 100 + 1) * 100;
        while taken(id) {
            id += 100;
        }
        self.meta.classes.classes.push(crate::data::classes::ClassInfo { id, name: text.to_string() });
        Ok(id)
    }

    /// The last frame recorded, on the recording's own grid.
    pub fn last_frame(&self) -> Option<u64> {
        self.frames.last().copied()
    }

    /// Seconds of motion recorded (gaps not counted).
    pub fn seconds(&self) -> f64 {
        self.len() as f64 / self.meta.rate_hz
    }

    /// Recorded frames: (frame on the recording's grid, values, label).
    pub fn rows(&self) -> impl Iterator<Item = (u64, &[f32], ClassId)> {
        let width = self.meta.channels.len();
        self.frames.iter().zip(self.values.chunks_exact(width.max(1))).zip(&self.labels).map(|((&f, v), &l)| (f, v, l))
    }

    /// Unix time (ms) of a frame of the recording's grid.
    pub fn unix_ms(&self, frame: u64) -> i64 {
        (self.meta.origin_unix_ms + frame as f64 * 1000.0 / self.meta.rate_hz).round() as i64
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
        if values.len() != self.meta.channels.len() {
            return Err(RecordingError::Width { got: values.len(), expected: self.meta.channels.len() });
        }
        if self.meta.classes.index_of(label).is_none() {
            return Err(RecordingError::Label(label));
        }
        // A NaN would be saved as JSON null and make the whole recording unreadable.
        if !values.iter().all(|v| v.is_finite()) {
            return Err(RecordingError::NotFinite { frame });
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
        let width = self.meta.channels.len();
        FrameTable {
            channels: self.meta.channels.clone(),
            unixtime_ms: self.frames[range.clone()].iter().map(|&k| self.unix_ms(k)).collect(),
            values: self.values[range.start * width..range.end * width].to_vec(),
            labels: self.labels[range].to_vec(),
        }
    }

    /// The recording as CSV files (one per gap-free part) and the dataset spec listing them.
    /// The classes the recording's labels use, and its Null: what a model trained on it learns
    /// (the team's own operations, not every class the label picker offered). A recording with
    /// no operation labelled keeps them all, so its spec stays one the trainer reads.
    pub fn used_classes(&self) -> ClassTable {
        let used: std::collections::BTreeSet<ClassId> = self.labels.iter().copied().collect();
        let mut classes = self.meta.classes.clone();
        classes.classes.retain(|c| c.id == classes.null_id || used.contains(&c.id));
        if classes.operations().next().is_none() {
            return self.meta.classes.clone();
        }
        classes
    }

    pub fn export(&self) -> (Vec<ExportFile>, ExportFile) {
        let parts = self.parts();
        let stem = super::export::safe_name(&self.meta.name);
        let mut files = Vec::new();
        for (i, range) in parts.iter().enumerate() {
            let name = if parts.len() == 1 { format!("{stem}.csv") } else { format!("{stem}-part{}.csv", i + 1) };
            let mut text = Vec::new();
            crate::data::recording::write(&self.table(range.clone()), &mut text).expect("writing to memory");
            files.push(ExportFile { name, text: String::from_utf8(text).expect("CSV is UTF-8") });
        }
        let spec = DatasetSpec {
            name: self.meta.name.clone(),
            sample_rate_hz: self.meta.rate_hz,
            channels: self.meta.channels.clone(),
            classes: self.used_classes(),
            recordings: files
                .iter()
                .map(|f| RecordingEntry { file: f.name.clone(), subject: self.meta.subject.clone() })
                .collect(),
        };
        (files, ExportFile { name: format!("{stem}.toml"), text: spec.to_toml() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset_spec::DatasetSpec;

    fn recording() -> Recording {
        let channels = vec!["right_wrist/acc_x".to_string(), "right_wrist/acc_y".to_string()];
        Recording::new("r1", "line3-anna", "anna", 1_700_000_000_000.0, channels, ClassTable::openpack_operations())
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
        // Only the classes the labels use (Picking and Null), not all the picker offered.
        let ids: Vec<ClassId> = spec.classes.classes.iter().map(|c| c.id).collect();
        assert_eq!(ids, [100, 8100]);
        assert_eq!(spec.classes.null_id, 8100);
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
        assert_eq!(r.push(6, &[f32::NAN, 0.0], 8100), Err(RecordingError::NotFinite { frame: 6 }));
        assert_eq!(r.len(), 1);
    }

    #[test]
    fn chunks_taken_as_it_grows_restore_the_same_recording() {
        let mut r = recording();
        let mut chunks = Vec::new();
        for k in 0..10 {
            r.push(k, &[k as f32, 0.5], 8100).unwrap();
            if k % 4 == 3 {
                chunks.extend(r.take_chunk());
            }
        }
        chunks.extend(r.take_chunk());
        assert!(r.take_chunk().is_none(), "nothing new");
        assert_eq!(chunks.iter().map(|c| c.frames.len()).collect::<Vec<_>>(), [4, 4, 2]);
        chunks.reverse();
        let mut restored = Recording::restore(r.meta.clone(), chunks.clone()).unwrap();
        assert_eq!(restored.export(), r.export());
        // Resumed: the next chunk continues the numbering.
        restored.push(20, &[1.0, 1.0], 100).unwrap();
        assert_eq!(restored.take_chunk().unwrap().seq, 3);
        chunks.remove(1);
        assert!(matches!(Recording::restore(r.meta.clone(), chunks), Err(RecordingError::ChunkOrder { .. })));
    }

    #[test]
    fn a_malformed_chunk_is_refused() {
        let r = recording();
        let bad = Chunk { seq: 0, frames: vec![0, 1], values: vec![0.0; 3], labels: vec![8100, 8100] };
        assert_eq!(
            Recording::restore(r.meta.clone(), vec![bad]),
            Err(RecordingError::ChunkShape { seq: 0, frames: 2, labels: 2, values: 3 })
        );
    }

    #[test]
    fn free_labels_become_new_classes_and_known_names_resolve() {
        let mut r = recording();
        assert_eq!(r.label("picking").unwrap(), 100);
        assert_eq!(r.label(" Tape the box ").unwrap(), 1100);
        assert_eq!(r.label("tape the box").unwrap(), 1100, "found again by name");
        assert_eq!(r.label("Weigh").unwrap(), 1200);
        assert_eq!(r.label("5").unwrap(), 1300, "a number that is no class id is a free label");
        assert_eq!(r.label("5").unwrap(), 1300, "and found again by its name");
        assert_eq!(r.label("  "), Err(RecordingError::EmptyLabel));
        r.push(0, &[0.0, 0.0], 1200).unwrap();
        r.push(1, &[0.0, 0.0], 1100).unwrap();
        let (_, spec) = r.export();
        let spec = DatasetSpec::parse("s", &spec.text).unwrap();
        assert_eq!(spec.classes.name_of(1100), Some("Tape the box"));
        assert_eq!(spec.classes.name_of(1300), None, "a label no frame carries is not a class of the data");
    }
}
