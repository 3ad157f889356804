//! Turning the files a user picked or dropped into one labelled session, with the same readers
//! the trainer uses. Three forms are understood:
//!
//! - the files of one OpenPack session: ATR and E4 CSVs (told apart by the device id in their
//!   path or name, e.g. `U0101/atr/atr01/S0100.csv` from a folder pick, or `atr01.csv`) and an
//!   annotation (either form, told apart by its header);
//! - one `imu-with-operation-label` CSV (header `unixtime,operation,atr01/acc_x,...`);
//! - one recording in the generic format (header `timestamp_ms,...,label`), read on tsak's 30 Hz grid with
//!   the models' classes.

use crate::data::classes::ClassTable;
use crate::data::dataset_spec::DatasetSpec;
use crate::data::error::{DataError, DataResult};
use crate::data::frames::FrameTable;
use crate::data::openpack::annotation::{read_operations, read_operations_1hz};
use crate::data::openpack::session::{SessionSources, assemble};
use crate::data::openpack::{DeviceMap, imu_with_label};

/// One file as the browser hands it over: its path (relative path for a folder pick, else its
/// name) and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A session ready to replay.
#[derive(Debug, Clone)]
pub struct LoadedSession {
    /// What to call it, e.g. `U0101/S0100` or a file name.
    pub name: String,
    pub frames: FrameTable,
    /// What the user should know about the data (truncations, gaps, ...).
    pub warnings: Vec<String>,
    /// The credit and licence its data asks to be shown with it (a demo of real data).
    pub attribution: Option<String>,
}

/// What a file is, from its header and path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileKind {
    Device(String),
    Annotation1Hz,
    AnnotationSpans,
    ImuWithLabel,
    Recording,
}

fn first_line(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == b'\n').unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).trim().trim_start_matches('\u{feff}').to_string()
}

/// The device id (`atr01`..`e402`) a path names, looking at the file name first, then its folders.
fn device_in_path(path: &str, map: &DeviceMap) -> Option<String> {
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(['/', '\\']).collect();
    parts.iter().rev().find_map(|part| map.devices.iter().find(|d| part.contains(d.id.as_str())).map(|d| d.id.clone()))
}

fn classify(file: &SessionFile, map: &DeviceMap) -> DataResult<FileKind> {
    let header = first_line(&file.bytes);
    let starts = |prefix: &str| header.starts_with(prefix);
    Ok(if starts("unixtime,user,session,box,id") {
        FileKind::Annotation1Hz
    } else if starts("uuid,user,session,box,id,operation") {
        FileKind::AnnotationSpans
    } else if starts("unixtime,operation,") {
        FileKind::ImuWithLabel
    } else if starts("timestamp_ms,") {
        FileKind::Recording
    } else if starts("unixtime,acc_x") || starts("time,acc_x") {
        let device = device_in_path(&file.path, map).ok_or_else(|| {
            DataError::in_file(
                &file.path,
                "a sensor file, but its path does not say which device (atr01..atr04, e401, e402): \
                 pick the session's folder, or name the files like atr01.csv",
            )
        })?;
        FileKind::Device(device)
    } else {
        return Err(DataError::in_file(
            &file.path,
            format!("not a file this app reads (header `{}`)", header.chars().take(60).collect::<String>()),
        ));
    })
}

/// Reads the picked files as one session; errors name the file (and line and field).
///
/// A whole folder (files with relative paths, from a folder pick or drop) may hold more than
/// one session and files this app does not read (videos, keypoints, logs): the first session's
/// files are read, and the session's warnings say what was left out.
pub fn load_session(files: &[SessionFile], map: &DeviceMap, classes: &ClassTable) -> DataResult<LoadedSession> {
    if files.is_empty() {
        return Err(DataError::in_file("(no file)", "no files were chosen"));
    }
    let from_folder = files.len() > 1 && files.iter().all(|f| f.path.contains(['/', '\\']));
    let (files, kinds, notes) = if from_folder {
        folder_session(files, map)?
    } else {
        let kinds = files.iter().map(|f| classify(f, map)).collect::<DataResult<Vec<_>>>()?;
        (files.iter().collect(), kinds, Vec::new())
    };
    let mut session = files_session(&files, &kinds, map, classes)?;
    session.warnings.splice(0..0, notes);
    Ok(session)
}

/// The files of one session from what was picked (already classified).
fn files_session(
    files: &[&SessionFile],
    kinds: &[FileKind],
    map: &DeviceMap,
    classes: &ClassTable,
) -> DataResult<LoadedSession> {
    if let Some(single) = kinds.iter().position(|k| matches!(k, FileKind::ImuWithLabel | FileKind::Recording)) {
        if files.len() > 1 {
            return Err(DataError::in_file(&files[single].path, "this file is a whole session: choose it alone"));
        }
        let file = files[0];
        let frames = if kinds[0] == FileKind::ImuWithLabel {
            imu_with_label::read(&file.path, file.bytes.as_slice(), map, classes)?
        } else {
            crate::data::recording::read(&file.path, file.bytes.as_slice(), &recording_spec(file, classes)?)?
        };
        return Ok(LoadedSession { name: file_name(&file.path), frames, warnings: Vec::new(), attribution: None });
    }
    openpack_session(files, kinds, map, classes)
}

/// The session (file stem, `S0100`) a file of a folder belongs to.
fn session_of(path: &str) -> String {
    file_name(path).rsplit_once('.').map_or_else(|| file_name(path), |(stem, _)| stem.to_string())
}

/// From a folder: the files of its first session that this app reads, and notes on the rest.
/// Sensor files and annotations win over an `imu-with-operation-label` file of the same session.
fn folder_session<'a>(
    files: &'a [SessionFile],
    map: &DeviceMap,
) -> DataResult<(Vec<&'a SessionFile>, Vec<FileKind>, Vec<String>)> {
    let mut readable = Vec::new();
    let mut ignored = 0;
    for file in files {
        match classify(file, map) {
            Ok(kind) => readable.push((file, kind)),
            Err(_) => ignored += 1,
        }
    }
    let mut sessions: Vec<String> = readable.iter().map(|(f, _)| session_of(&f.path)).collect();
    sessions.sort();
    sessions.dedup();
    let Some(chosen) = sessions.first().cloned() else {
        return Err(DataError::in_file(
            &files[0].path,
            "nothing in this folder is a session file this app reads (ATR/E4 CSVs with an annotation, \
             an imu-with-operation-label CSV, or a recording CSV)",
        ));
    };
    readable.retain(|(f, _)| session_of(&f.path) == chosen);
    let whole = |k: &FileKind| matches!(k, FileKind::ImuWithLabel | FileKind::Recording);
    if readable.iter().any(|(_, k)| !whole(k)) {
        readable.retain(|(_, k)| !whole(k));
    } else {
        readable.truncate(1);
    }
    let mut notes = Vec::new();
    if sessions.len() > 1 {
        notes.push(format!(
            "The folder holds {} sessions ({}); this is {chosen}. Pick another session's files to replay it.",
            sessions.len(),
            sessions.join(", ")
        ));
    }
    if ignored > 0 {
        notes.push(format!("{ignored} file(s) in the folder are not session files this app reads and were skipped."));
    }
    let (files, kinds) = readable.into_iter().unzip();
    Ok((files, kinds, notes))
}

fn openpack_session(
    files: &[&SessionFile],
    kinds: &[FileKind],
    map: &DeviceMap,
    classes: &ClassTable,
) -> DataResult<LoadedSession> {
    let mut labels = None;
    let mut streams = Vec::new();
    for device in &map.devices {
        let mut found = files.iter().zip(kinds).filter(|(_, k)| **k == FileKind::Device(device.id.clone()));
        if let Some((file, _)) = found.next() {
            if let Some((twin, _)) = found.next() {
                return Err(DataError::in_file(&twin.path, format!("a second file for {}", device.id)));
            }
            streams.push((device.clone(), device.read(&file.path, file.bytes.as_slice())?));
        }
    }
    for (file, kind) in files.iter().zip(kinds) {
        let read = match kind {
            FileKind::Annotation1Hz => read_operations_1hz(&file.path, file.bytes.as_slice(), classes)?,
            FileKind::AnnotationSpans => read_operations(&file.path, file.bytes.as_slice(), classes)?,
            _ => continue,
        };
        // The 1 Hz form wins, as in the toolkit.
        if labels.is_none() || *kind == FileKind::Annotation1Hz {
            labels = Some(read);
        }
    }
    let labels = labels.ok_or_else(|| {
        DataError::in_file(&files[0].path, "no annotation among the chosen files (openpack-operations CSV)")
    })?;
    if streams.is_empty() {
        return Err(DataError::in_file(&files[0].path, "no sensor file among the chosen files"));
    }
    let session = assemble(SessionSources { user: String::new(), session: String::new(), streams, labels })?;
    Ok(LoadedSession {
        name: session_name(&files[0].path),
        frames: session.frames,
        warnings: session.warnings,
        attribution: None,
    })
}

/// A recording read on its own: its header gives the channels, the models give the classes.
fn recording_spec(file: &SessionFile, classes: &ClassTable) -> DataResult<DatasetSpec> {
    let header = first_line(&file.bytes);
    let columns: Vec<&str> = header.split(',').map(str::trim).collect();
    let channels: Vec<String> = columns.iter().skip(1).filter(|c| **c != "label").map(|c| c.to_string()).collect();
    Ok(DatasetSpec {
        name: file_name(&file.path),
        sample_rate_hz: crate::data::frames::GRID_RATE_HZ,
        channels,
        classes: classes.clone(),
        recordings: Vec::new(),
    })
}

fn file_name(path: &str) -> String {
    path.rsplit(['/', '\\']).next().unwrap_or(path).to_string()
}

/// `U0101/S0100` from an OpenPack path, else the file name without extension.
fn session_name(path: &str) -> String {
    let parts: Vec<&str> = path.split(['/', '\\']).collect();
    let user = parts.iter().find(|p| p.len() == 5 && p.starts_with('U'));
    let session = file_name(path).trim_end_matches(".csv").to_string();
    match user {
        Some(user) => format!("{user}/{session}"),
        None => session,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ATR: &str = "unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z\n";

    fn atr_rows(start: i64, n: usize) -> String {
        let mut text = ATR.to_string();
        for i in 0..n {
            text += &format!("{},0.1,0.2,0.9,1,2,3,1,0,0,0\n", start + i as i64 * 33);
        }
        text
    }

    fn file(path: &str, text: &str) -> SessionFile {
        SessionFile { path: path.into(), bytes: text.as_bytes().to_vec() }
    }

    fn one_hz(start: i64, seconds: usize) -> String {
        let mut text = "unixtime,user,session,box,id\n".to_string();
        for s in 0..seconds {
            text += &format!("{},U0101,S0100,1,{}\n", start + s as i64 * 1000, if s < 2 { 8100 } else { 100 });
        }
        text
    }

    #[test]
    fn a_folder_pick_of_atr_files_and_an_annotation_is_one_session() {
        let files = vec![
            file("U0101/atr/atr01/S0100.csv", &atr_rows(1_000_000, 150)),
            file("U0101/atr/atr02/S0100.csv", &atr_rows(1_000_000, 150)),
            file("U0101/annotation/openpack-operations-1hz/S0100.csv", &one_hz(1_000_000, 6)),
        ];
        let classes = ClassTable::openpack_operations();
        let session = load_session(&files, &DeviceMap::default(), &classes).unwrap();
        assert_eq!(session.name, "U0101/S0100");
        assert_eq!(session.frames.len(), 150);
        assert!(session.frames.channels.contains(&"left_wrist/acc_x".to_string()));
        assert_eq!(session.frames.labels[0], 8100);
        assert_eq!(*session.frames.labels.last().unwrap(), 100);
    }

    #[test]
    fn a_folder_with_several_sessions_replays_the_first_and_says_so() {
        let files = vec![
            file("U0101/atr/atr01/S0200.csv", &atr_rows(2_000_000, 60)),
            file("U0101/atr/atr01/S0100.csv", &atr_rows(1_000_000, 150)),
            file("U0101/annotation/openpack-operations-1hz/S0100.csv", &one_hz(1_000_000, 6)),
            file("U0101/annotation/openpack-operations-1hz/S0200.csv", &one_hz(2_000_000, 2)),
            file("U0101/kinect/2d-kpt/S0100.json", "{}"),
        ];
        let session = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        assert_eq!(session.name, "U0101/S0100");
        assert_eq!(session.frames.len(), 150);
        assert!(session.warnings[0].contains("2 sessions (S0100, S0200)"), "{:?}", session.warnings);
        assert!(session.warnings[1].starts_with("1 file(s)"), "{:?}", session.warnings);
    }

    #[test]
    fn a_folder_without_session_files_is_an_error_naming_it() {
        let files = vec![file("U0101/kinect/a.json", "{}"), file("U0101/kinect/b.json", "{}")];
        let error = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap_err();
        assert_eq!(error.location.file, "U0101/kinect/a.json");
        assert!(error.message.contains("nothing in this folder"), "{error}");
    }

    #[test]
    fn a_sensor_file_whose_device_is_unknown_is_named() {
        let files = vec![file("S0100.csv", &atr_rows(0, 3))];
        let error = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap_err();
        assert_eq!(error.location.file, "S0100.csv");
        assert!(error.message.contains("which device"), "{error}");
    }

    #[test]
    fn a_bad_value_is_reported_with_file_line_and_field() {
        let mut text = atr_rows(0, 3);
        text = text.replacen("0.2,0.9,1,2,3", "0.2,oops,1,2,3", 1);
        let files = vec![file("atr01.csv", &text), file("labels.csv", &one_hz(0, 2))];
        let error = load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap_err();
        assert_eq!(error.location.file, "atr01.csv");
        assert_eq!(error.location.line, Some(2));
        assert_eq!(error.location.field.as_deref(), Some("acc_z"));
    }

    #[test]
    fn a_recording_reads_with_the_models_classes() {
        let text = "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,right_wrist/acc_z,label\n0,0,0,1,Null\n33,0,0,1,Picking\n";
        let session =
            load_session(&[file("mine.csv", text)], &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        assert_eq!(session.frames.channels.len(), 3);
        assert_eq!(session.frames.labels, vec![8100, 100]);
    }

    #[test]
    fn unknown_files_and_empty_picks_are_errors() {
        let classes = ClassTable::openpack_operations();
        assert!(load_session(&[], &DeviceMap::default(), &classes).is_err());
        let error = load_session(&[file("notes.txt", "hello\n")], &DeviceMap::default(), &classes).unwrap_err();
        assert!(error.message.contains("not a file this app reads"), "{error}");
    }
}
