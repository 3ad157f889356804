//! The preprocessed single-file form `imu-with-operation-label`: 30 Hz frames with
//! `unixtime, operation`, then `atr01/acc_x ... atr04/quat_z`. Handy for replay in the browser.

use std::io::Read;

use crate::data::channels::channel_name;
use crate::data::classes::ClassTable;
use crate::data::csv_rows::{CsvRows, HeaderRule};
use crate::data::error::{DataError, DataResult};
use crate::data::frames::FrameTable;

use super::devices::{ATR_LAYOUT, DeviceKind, DeviceMap};

const ATR_DEVICES: [&str; 4] = ["atr01", "atr02", "atr03", "atr04"];

/// The exact header of the form.
pub fn columns() -> Vec<String> {
    let mut columns = vec!["unixtime".to_string(), "operation".to_string()];
    for device in ATR_DEVICES {
        columns.extend(ATR_LAYOUT.channels().iter().map(|c| format!("{device}/{c}")));
    }
    columns
}

/// Reads the file into frames whose channels are named by body position through `map`.
pub fn read<R: Read>(
    file: impl Into<String>,
    reader: R,
    map: &DeviceMap,
    classes: &ClassTable,
) -> DataResult<FrameTable> {
    let file = file.into();
    let expected = columns();
    let expected_refs: Vec<&str> = expected.iter().map(String::as_str).collect();
    let mut rows = CsvRows::open(&file, reader, HeaderRule::Named(&expected_refs))?;
    let mut frames = FrameTable { channels: positional_channels(&file, map)?, ..Default::default() };
    let mut last: Option<(i64, u64)> = None;
    while let Some(row) = rows.next_row()? {
        let unixtime = row.integer(0)?;
        if let Some((previous, line)) = last
            && unixtime <= previous
        {
            return Err(row.error(0, format!("timestamps must increase: {unixtime} after {previous} (line {line})")));
        }
        let raw = row.integer(1)?;
        let label = u32::try_from(raw).ok().and_then(|id| classes.canonical(id)).ok_or_else(|| {
            row.error(1, format!("unknown class id {raw}; expected one of {}", classes.describe_ids()))
        })?;
        for col in 2..expected.len() {
            frames.values.push(row.finite_f32(col)?);
        }
        frames.unixtime_ms.push(unixtime);
        frames.labels.push(label);
        last = Some((unixtime, row.line()));
    }
    if frames.is_empty() {
        return Err(DataError::in_file(file, "the file has a header but no frames"));
    }
    Ok(frames)
}

fn positional_channels(file: &str, map: &DeviceMap) -> DataResult<Vec<String>> {
    let mut channels = Vec::new();
    for id in ATR_DEVICES {
        let device = map
            .get(id)
            .filter(|d| d.kind == DeviceKind::Atr)
            .ok_or_else(|| DataError::in_file(file, format!("the device map places no ATR device `{id}`")))?;
        channels.extend(ATR_LAYOUT.channels().iter().map(|c| channel_name(&device.position, c)));
    }
    Ok(channels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(unixtime: i64, op: u32) -> String {
        let values: Vec<String> = (0..40).map(|i| format!("{}", i as f32 / 10.0)).collect();
        format!("{unixtime},{op},{}\n", values.join(","))
    }

    #[test]
    fn reads_frames_with_positional_channel_names() {
        let text = format!("{}\n{}{}", columns().join(","), row(1000, 100), row(1033, 8200));
        let frames = read("p.csv", text.as_bytes(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        assert_eq!(frames.len(), 2);
        assert_eq!(frames.channels[0], "right_wrist/acc_x");
        assert_eq!(frames.channels[39], "left_upper_arm/quat_z");
        assert_eq!(frames.labels, vec![100, 8100]);
        assert_eq!(frames.frame(1)[3], 0.3);
    }

    #[test]
    fn unknown_operation_is_located() {
        let text = format!("{}\n{}", columns().join(","), row(1000, 42));
        let err =
            read("p.csv", text.as_bytes(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap_err();
        assert!(err.to_string().starts_with("p.csv, line 2, field `operation`: unknown class id 42"), "{err}");
    }
}
