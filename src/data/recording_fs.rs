//! Loading a team's dataset from disk: the spec file and every recording it lists
//! (native only; the browser reads dropped files through `recording::read`).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use super::dataset_spec::{DatasetSpec, RecordingEntry};
use super::error::{DataError, DataResult};
use super::frames::FrameTable;
use super::recording;

/// A spec and its recordings, each with its subject.
#[derive(Debug, Clone)]
pub struct RecordingDataset {
    pub spec: DatasetSpec,
    pub recordings: Vec<(RecordingEntry, FrameTable)>,
}

/// Reads `spec_path` and the recordings it names (paths relative to the spec's folder).
pub fn load_dataset(spec_path: &Path) -> DataResult<RecordingDataset> {
    let name = spec_path.display().to_string();
    let text =
        std::fs::read_to_string(spec_path).map_err(|e| DataError::in_file(&name, format!("cannot read: {e}")))?;
    let spec = DatasetSpec::parse(&name, &text)?;
    if spec.recordings.is_empty() {
        return Err(DataError::in_file(&name, "the spec lists no [[recordings]]"));
    }
    let folder = spec_path.parent().unwrap_or(Path::new("."));
    let mut recordings = Vec::with_capacity(spec.recordings.len());
    for entry in &spec.recordings {
        let path = folder.join(&entry.file);
        let file = path.display().to_string();
        let reader = File::open(&path).map_err(|e| DataError::in_file(&file, format!("cannot open: {e}")))?;
        recordings.push((entry.clone(), recording::read(file, BufReader::new(reader), &spec)?));
    }
    Ok(RecordingDataset { spec, recordings })
}
