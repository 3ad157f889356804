//! A recording as one download: a zip of either the generic recording CSVs with their dataset
//! spec (`trainer --data recordings:SPEC`), or the OpenPack layout (ATR files per position
//! and both annotation forms, for the replay's folder drop and OpenPack's own tools). The
//! OpenPack layout holds only what OpenPack can say: ATR sensors (no E4 was worn, so the
//! trainer, which reads whole OpenPack sessions, takes the CSV export) and OpenPack's
//! operations (free labels are written as Null, and the zip's README lists them).
//!
//! Files are stored, not compressed: the zip crate's stored mode keeps the browser bundle free
//! of a deflate implementation, and an hour of one wrist wearable is about 14 MB (docs/live-and-recording.md).

use std::io::Write;

use chrono::{DateTime, SecondsFormat};
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::write::{SimpleFileOptions, ZipWriter};

use super::recording::{ExportFile, Recording};
use crate::data::classes::{ClassId, ClassTable};
use crate::data::openpack::devices::{ATR_LAYOUT, DeviceKind, DeviceMap};
use crate::data::openpack::layout;
use crate::data::openpack::writer::{OpenPackFile, OpenPackWriter, OperationRow};

/// Why a recording cannot be written in OpenPack's layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    #[error("the recording is empty")]
    Empty,
    #[error(
        "OpenPack's ATR files need acc, gyro and orientation; the {position} device sent no {missing}: export the recording CSV instead"
    )]
    NotAtr { position: String, missing: String },
    #[error("OpenPack has no ATR sensor at {0}")]
    Position(String),
    #[error("writing the zip: {0}")]
    Zip(String),
    #[error("writing {file}: {message}")]
    Csv { file: String, message: String },
}

/// The text of an OpenPack file written by `write` through the core's OpenPack writer.
fn openpack_text(
    kind: OpenPackFile,
    write: impl FnOnce(&mut OpenPackWriter<Vec<u8>>) -> csv::Result<()>,
) -> Result<String, ExportError> {
    let failed = |e: csv::Error| ExportError::Csv { file: format!("{kind:?}"), message: e.to_string() };
    let mut writer = OpenPackWriter::new(Vec::new(), kind).map_err(failed)?;
    write(&mut writer).map_err(failed)?;
    let bytes = writer.finish().map_err(failed)?;
    // The writer writes UTF-8 text only.
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn zip(files: &[ExportFile]) -> Result<Vec<u8>, ExportError> {
    let zip_error = |e: &dyn std::fmt::Display| ExportError::Zip(e.to_string());
    let mut writer = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for file in files {
        writer.start_file(file.name.as_str(), options).map_err(|e| zip_error(&e))?;
        writer.write_all(file.text.as_bytes()).map_err(|e| zip_error(&e))?;
    }
    Ok(writer.finish().map_err(|e| zip_error(&e))?.into_inner())
}

/// Letters, digits, `-` and `_` only: safe as a file or folder name everywhere.
pub fn safe_name(text: &str) -> String {
    let name: String =
        text.trim().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if name.is_empty() { "recording".into() } else { name }
}

/// The recording CSVs and the spec, in a folder named after the recording.
pub fn recording_zip(recording: &Recording) -> Result<Vec<u8>, ExportError> {
    if recording.is_empty() {
        return Err(ExportError::Empty);
    }
    let (mut files, spec) = recording.export();
    files.push(spec);
    let folder = safe_name(&recording.meta.name);
    for file in &mut files {
        file.name = format!("{folder}/{}", file.name);
    }
    zip(&files)
}

/// The OpenPack user and session names of a recording: `U-<subject>` (the trainer finds users
/// by their leading `U`) and the recording's name.
pub fn openpack_names(recording: &Recording) -> (String, String) {
    let subject = safe_name(&recording.meta.subject);
    let user = if subject.starts_with('U') { subject } else { format!("U-{subject}") };
    (user, safe_name(&recording.meta.name))
}

/// The recording in OpenPack's layout, with a README saying what it is.
pub fn openpack_zip(recording: &Recording) -> Result<Vec<u8>, ExportError> {
    if recording.is_empty() {
        return Err(ExportError::Empty);
    }
    let (user, session) = openpack_names(recording);
    let map = DeviceMap::default();
    let mut files = Vec::new();
    for position in positions(recording) {
        let device = map
            .of_kind(DeviceKind::Atr)
            .find(|d| d.position == position)
            .ok_or_else(|| ExportError::Position(position.clone()))?;
        files.push(ExportFile {
            name: layout::device_path(&user, &session, device),
            text: atr_csv(recording, &position)?,
        });
    }
    let openpack = ClassTable::openpack_operations();
    let seconds = second_labels(recording, &openpack);
    files.push(ExportFile {
        name: layout::operations_1hz_path(&user, &session),
        text: operations_1hz_csv(&user, &session, &seconds)?,
    });
    files.push(ExportFile {
        name: layout::operations_path(&user, &session),
        text: operations_csv(recording, &openpack, &user, &session, &seconds)?,
    });
    files.push(ExportFile { name: "README.txt".into(), text: readme(recording, &openpack, &user, &session) });
    zip(&files)
}

fn positions(recording: &Recording) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for channel in &recording.meta.channels {
        let position = channel.split_once('/').map_or(channel.as_str(), |(p, _)| p);
        if !out.iter().any(|p| p == position) {
            out.push(position.to_string());
        }
    }
    out
}

/// One position's ATR file: unixtime, acc (G, 4 decimals), gyro (deg/s, 2), quaternion (4),
/// as OpenPack writes them; frames lost in a dropout are absent, as in the dataset.
fn atr_csv(recording: &Recording, position: &str) -> Result<String, ExportError> {
    let columns: Vec<usize> = ATR_LAYOUT.columns[1..]
        .iter()
        .map(|column| {
            let name = format!("{position}/{column}");
            recording.meta.channels.iter().position(|c| *c == name).ok_or_else(|| ExportError::NotAtr {
                position: position.replace('_', " "),
                missing: column.split('_').next().unwrap_or(column).to_string(),
            })
        })
        .collect::<Result<_, _>>()?;
    let column = |values: &[f32], i: usize| f64::from(values[columns[i]]);
    openpack_text(OpenPackFile::Atr, |w| {
        for (frame, values, _) in recording.rows() {
            let acc = [0, 1, 2].map(|i| column(values, i));
            let gyro = [3, 4, 5].map(|i| column(values, i));
            let quat = [6, 7, 8, 9].map(|i| column(values, i));
            w.atr_row(recording.unix_ms(frame), acc, gyro, quat)?;
        }
        Ok(())
    })
}

/// The label of every whole second from the first recorded frame's to the last's: the label of
/// the second's first recorded frame, Null for seconds lost in a dropout and for labels that
/// `openpack` (OpenPack's class table) does not have.
fn second_labels(recording: &Recording, openpack: &ClassTable) -> (i64, Vec<ClassId>) {
    let null = openpack.null_id;
    let known = |label: ClassId| openpack.canonical(label).unwrap_or(null);
    let mut rows = recording.rows().map(|(frame, _, label)| (recording.unix_ms(frame).div_euclid(1000), known(label)));
    let Some((first, label)) = rows.next() else { return (0, Vec::new()) };
    let mut labels = vec![label];
    for (second, label) in rows {
        let index = (second - first) as usize;
        if index >= labels.len() {
            labels.resize(index, null);
            labels.push(label);
        }
    }
    (first, labels)
}

fn operations_1hz_csv(user: &str, session: &str, (first, labels): &(i64, Vec<ClassId>)) -> Result<String, ExportError> {
    openpack_text(OpenPackFile::Operations1Hz, |w| {
        for (i, &id) in labels.iter().enumerate() {
            w.operation_1hz_row((first + i as i64) * 1000, user, session, 0, id)?;
        }
        Ok(())
    })
}

fn operations_csv(
    recording: &Recording,
    openpack: &ClassTable,
    user: &str,
    session: &str,
    (first, labels): &(i64, Vec<ClassId>),
) -> Result<String, ExportError> {
    openpack_text(OpenPackFile::Operations, |w| {
        let mut start = 0;
        for end in 1..=labels.len() {
            if end < labels.len() && labels[end] == labels[start] {
                continue;
            }
            let id = labels[start];
            let uuid = span_uuid(&recording.meta.id, start);
            let (from, to) = (iso(first + start as i64), iso(first + end as i64));
            let operation = openpack.name_of(id).unwrap_or("");
            w.operation_row(&OperationRow {
                uuid: &uuid,
                user,
                session,
                box_no: 0,
                id,
                operation,
                start: &from,
                end: &to,
            })?;
            start = end;
        }
        Ok(())
    })
}

fn iso(unix_s: i64) -> String {
    DateTime::from_timestamp(unix_s, 0).map_or_else(String::new, |t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// A stable UUID-shaped id per span, from the recording's id (exports are reproducible).
fn span_uuid(recording_id: &str, span_start: usize) -> String {
    let digest = Sha256::digest(format!("{recording_id}/{span_start}"));
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

fn readme(recording: &Recording, openpack: &ClassTable, user: &str, session: &str) -> String {
    format!(
        "A tsak live recording in OpenPack's layout (not OpenPack data).\n\n\
         Recording: {name}\nSubject: {subject}\nUser folder: {user}, session: {session}\n\
         Sensors: {sensors}\nFrames: {frames} at {rate:.2} Hz ({seconds:.1} s of motion; dropouts are left out)\n\n\
         Wearables were resampled from their own rates to {rate:.2} Hz (the live models' rate) and\n\
         mapped to the ATR axes on the\n\
         tablet; the orientation quaternions were estimated there from acc + gyro (no magnetometer:\n\
         heading is relative). There are no E4 files: no E4 was worn.\n\
         Labels: {labels}\n\n\
         Replay it: drop this folder on the tsak app. To train on it, export the recording as CSV\n\
         instead (trainer --data recordings:SPEC): the trainer reads OpenPack folders as whole\n\
         sessions, with all four ATRs and both E4s.\n",
        name = recording.meta.name,
        subject = recording.meta.subject,
        sensors = crate::data::channels::sensors(&recording.meta.channels).join(", "),
        frames = recording.len(),
        rate = recording.meta.rate_hz,
        seconds = recording.seconds(),
        labels = free_labels_note(recording, openpack),
    )
}

/// Says which of the recording's labels `openpack` has no class for (written as Null).
fn free_labels_note(recording: &Recording, openpack: &ClassTable) -> String {
    let used: std::collections::BTreeSet<ClassId> = recording.rows().map(|(_, _, label)| label).collect();
    let free: Vec<&str> = recording
        .meta
        .classes
        .classes
        .iter()
        .filter(|c| used.contains(&c.id) && openpack.canonical(c.id).is_none())
        .map(|c| c.name.as_str())
        .collect();
    if free.is_empty() {
        "OpenPack's operations only.".into()
    } else {
        format!(
            "OpenPack's operations; the free labels {} are written as Null ({}) here.",
            free.join(", "),
            openpack.null_id
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::{annotation, devices::DeviceMap};
    use crate::data::session_files::{SessionFile, load_session};

    const ATR: [&str; 10] =
        ["acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z", "quat_w", "quat_x", "quat_y", "quat_z"];

    fn recording(channels: Vec<String>) -> Recording {
        // Frame 0 at a whole second, so seconds are 30 frames.
        Recording::new("id-1", "shift 1", "anna", 1_700_000_000_000.0, channels, ClassTable::openpack_operations())
    }

    fn files(zip_bytes: Vec<u8>) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
        (0..archive.len())
            .map(|i| {
                let mut file = archive.by_index(i).unwrap();
                let mut text = String::new();
                std::io::Read::read_to_string(&mut file, &mut text).unwrap();
                (file.name().unwrap().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn an_openpack_export_reads_back_through_the_dataset_readers() {
        let channels = ATR.iter().map(|c| format!("right_wrist/{c}")).collect();
        let mut r = recording(channels);
        // 2 s of Picking, a 1 s dropout, 1 s of Null.
        for k in (0..60).chain(90..120) {
            let values: Vec<f32> = (0..10).map(|c| c as f32 + k as f32 / 1000.0).collect();
            r.push(k, &values, if k < 60 { 100 } else { 8100 }).unwrap();
        }
        let files = files(openpack_zip(&r).unwrap());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "U-anna/atr/atr01/shift-1.csv",
                "U-anna/annotation/openpack-operations-1hz/shift-1.csv",
                "U-anna/annotation/openpack-operations/shift-1.csv",
                "README.txt"
            ]
        );
        let map = DeviceMap::default();
        let series = map.get("atr01").unwrap().read(&files[0].0, files[0].1.as_bytes()).unwrap();
        assert_eq!(series.len(), 90);
        let classes = ClassTable::openpack_operations();
        let one_hz = annotation::read_operations_1hz(&files[1].0, files[1].1.as_bytes(), &classes).unwrap();
        assert_eq!(one_hz.labels, [100, 100, 8100, 8100]);
        assert_eq!(one_hz.first_second_ms, 1_700_000_000_000);
        let spans = annotation::read_operations(&files[2].0, files[2].1.as_bytes(), &classes).unwrap();
        assert_eq!(spans.labels, one_hz.labels, "both annotation forms agree");
        assert!(files[3].1.contains("not OpenPack data"));
        assert!(files[3].1.contains("OpenPack's operations only."));
    }

    #[test]
    fn an_openpack_export_replays_as_a_dropped_folder() {
        let channels = ATR.iter().map(|c| format!("right_wrist/{c}")).collect();
        let mut r = recording(channels);
        for k in 0..120 {
            r.push(k, &[0.1, 0.2, 0.9, 1.0, 2.0, 3.0, 1.0, 0.0, 0.0, 0.0], if k < 60 { 100 } else { 8100 }).unwrap();
        }
        // Unzipped and dropped on the app: every path starts with the folder's name.
        let dropped: Vec<SessionFile> = files(openpack_zip(&r).unwrap())
            .into_iter()
            .map(|(name, text)| SessionFile { path: format!("shift-1-openpack/{name}"), bytes: text.into_bytes() })
            .collect();
        let classes = ClassTable::openpack_operations();
        let session = load_session(&dropped, &DeviceMap::default(), &classes).unwrap();
        assert!(session.frames.len() >= 90, "{} frames", session.frames.len());
        assert!(session.frames.channels.contains(&"right_wrist/quat_w".to_string()));
        assert_eq!(session.frames.labels[0], 100);
        assert_eq!(*session.frames.labels.last().unwrap(), 8100);
    }

    #[test]
    fn free_labels_are_null_in_the_openpack_layout_and_named_in_its_readme() {
        let channels = ATR.iter().map(|c| format!("right_wrist/{c}")).collect();
        let mut r = recording(channels);
        let free = r.label("checking seals").unwrap();
        for k in 0..90 {
            r.push(k, &[0.0; 10], [100, free, 200][k as usize / 30]).unwrap();
        }
        let files = files(openpack_zip(&r).unwrap());
        let classes = ClassTable::openpack_operations();
        let one_hz = annotation::read_operations_1hz(&files[1].0, files[1].1.as_bytes(), &classes).unwrap();
        assert_eq!(one_hz.labels, [100, 8100, 200]);
        let spans = annotation::read_operations(&files[2].0, files[2].1.as_bytes(), &classes).unwrap();
        assert_eq!(spans.labels, one_hz.labels);
        assert!(files[3].1.contains("the free labels checking seals are written as Null"), "{}", files[3].1);
    }

    #[test]
    fn an_accelerometer_only_recording_is_refused_for_openpack_but_exports_as_csv() {
        let r = {
            let mut r = recording(["acc_x", "acc_y", "acc_z"].iter().map(|c| format!("left_wrist/{c}")).collect());
            r.push(0, &[0.0, 0.0, 1.0], 8100).unwrap();
            r
        };
        let error = openpack_zip(&r).unwrap_err();
        assert_eq!(error, ExportError::NotAtr { position: "left wrist".into(), missing: "gyro".into() });
        let files = files(recording_zip(&r).unwrap());
        assert_eq!(
            files.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["shift-1/shift-1.csv", "shift-1/shift-1.toml"]
        );
        assert_eq!(openpack_zip(&recording(Vec::new())), Err(ExportError::Empty));
    }
}

/// What an hour of recording costs to download; run with
/// `cargo test --release --lib export_sizes -- --ignored --nocapture`.
#[cfg(test)]
mod sizes {
    use super::*;
    use crate::data::classes::ClassTable;

    #[test]
    #[ignore = "a measurement (prints the sizes); seconds in release"]
    fn export_sizes_of_an_hour_of_one_gyroscope_wrist() {
        let channels = ATR_LAYOUT.columns[1..].iter().map(|c| format!("right_wrist/{c}")).collect();
        let mut r = Recording::new("id", "hour", "anna", 1.7e12, channels, ClassTable::openpack_operations());
        // On the live grid of the real-data models.
        r.meta.rate_hz = 100.0 / 3.0;
        let frames = (r.meta.rate_hz * 3600.0).round() as u64;
        // Values with full f32 digits, as real sensor data has.
        let mut x = 0.1234_f32;
        for k in 0..frames {
            let values: Vec<f32> = (0..10)
                .map(|c| {
                    x = (x * 1.7 + c as f32 * 0.31).sin();
                    1.3 * x
                })
                .collect();
            r.push(k, &values, if k % 900 < 450 { 100 } else { 8100 }).unwrap();
        }
        let (csv, openpack) = (recording_zip(&r).unwrap().len(), openpack_zip(&r).unwrap().len());
        println!("one hour, 10 channels at 33.3 Hz: recording CSV zip {csv} bytes, OpenPack zip {openpack} bytes");
        assert!(csv < 17_000_000 && openpack < 11_000_000, "{csv} / {openpack} bytes");
    }
}
