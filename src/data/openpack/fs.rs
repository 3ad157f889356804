//! Reading a session's files from an OpenPack root folder (native only: the browser gets
//! bytes from dropped files instead and calls the same readers).

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use crate::data::classes::ClassTable;
use crate::data::error::{DataError, DataResult};

use super::annotation::{self, SecondLabels};
use super::devices::{Device, DeviceMap};
use super::layout;
use super::session::SessionSources;

fn open(path: &Path) -> DataResult<BufReader<File>> {
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| DataError::in_file(path.display().to_string(), format!("cannot open: {e}")))
}

/// The devices of `map` whose file exists for this session.
pub fn available_devices(root: &Path, user: &str, session: &str, map: &DeviceMap) -> Vec<Device> {
    map.devices.iter().filter(|d| root.join(layout::device_path(user, session, d)).is_file()).cloned().collect()
}

/// Reads the session's labels: the 1 Hz form when present (the toolkit's source), else the
/// ISO span form.
pub fn read_labels(root: &Path, user: &str, session: &str, classes: &ClassTable) -> DataResult<SecondLabels> {
    let one_hz = root.join(layout::operations_1hz_path(user, session));
    if one_hz.is_file() {
        return annotation::read_operations_1hz(one_hz.display().to_string(), open(&one_hz)?, classes);
    }
    let spans = root.join(layout::operations_path(user, session));
    if spans.is_file() {
        return annotation::read_operations(spans.display().to_string(), open(&spans)?, classes);
    }
    Err(DataError::in_file(
        one_hz.display().to_string(),
        format!("no annotation found (looked for this file and {})", spans.display()),
    ))
}

/// Reads the given devices' files and the labels of one session.
pub fn read_session(
    root: &Path,
    user: &str,
    session: &str,
    devices: &[Device],
    classes: &ClassTable,
) -> DataResult<SessionSources> {
    let mut streams = Vec::with_capacity(devices.len());
    for device in devices {
        let path = root.join(layout::device_path(user, session, device));
        let series = device.read(path.display().to_string(), open(&path)?)?;
        streams.push((device.clone(), series));
    }
    let labels = read_labels(root, user, session, classes)?;
    Ok(SessionSources { user: user.to_string(), session: session.to_string(), streams, labels })
}
