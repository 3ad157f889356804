//! The generic recording format for a team's own data: `timestamp_ms`, then one column per
//! channel named `{position}/{channel}`, then `label` (a class id or name). The web app's
//! recorder writes it; the trainer reads it next to OpenPack. Channel columns may come in
//! any order (their names say what they are); the table keeps the spec's order.

use std::io::{Read, Write};

use super::classes::ClassTable;
use super::csv_rows::{CsvRows, HeaderRule};
use super::dataset_spec::DatasetSpec;
use super::error::{DataError, DataResult};
use super::frames::FrameTable;

pub const TIME_COLUMN: &str = "timestamp_ms";
pub const LABEL_COLUMN: &str = "label";
/// Rows further apart than this (or than 2.5 sample periods, if longer) are a gap in the
/// recording. Windows run over consecutive rows, so a gap inside a file would make windows of
/// motion that never happened together: such a file is refused with where to split it.
pub const MAX_GAP_MS: i64 = 200;

/// Reads one recording CSV, checked against the spec's channels and classes.
pub fn read<R: Read>(file: impl Into<String>, reader: R, spec: &DatasetSpec) -> DataResult<FrameTable> {
    let mut rows = CsvRows::open(file, reader, HeaderRule::Any)?;
    let order = column_order(rows.file(), rows.header(), &spec.channels)?;
    let label_col = rows.header().len() - 1;
    let mut frames = FrameTable { channels: spec.channels.clone(), ..Default::default() };
    let mut last: Option<(i64, u64)> = None;
    let mut frame = vec![0.0_f32; spec.channels.len()];
    let period_ms = 1000.0 / spec.sample_rate_hz;
    let max_gap_ms = MAX_GAP_MS.max((2.5 * period_ms).ceil() as i64);
    while let Some(row) = rows.next_row()? {
        let t = row.integer(0)?;
        if let Some((previous, line)) = last {
            if t == previous {
                return Err(row.error(0, format!("duplicate timestamp {t} (also on line {line})")));
            }
            if t < previous {
                return Err(row.error(0, format!("timestamps must increase: {t} comes after {previous} (line {line})")));
            }
            if t - previous > max_gap_ms {
                return Err(row.error(
                    0,
                    format!(
                        "a gap of {} ms after line {line} (rows come every {period_ms:.0} ms at {} Hz): windows would \
                         span it; split the file there into two recordings listed in the spec",
                        t - previous,
                        spec.sample_rate_hz
                    ),
                ));
            }
        }
        for (slot, &col) in frame.iter_mut().zip(&order) {
            *slot = row.finite_f32(col)?;
        }
        let text = row.text(label_col).map_err(|_| row.error(label_col, "empty cell; expected a class id or name"))?;
        let label = spec.classes.resolve(text).ok_or_else(|| {
            row.error(
                label_col,
                format!("`{text}` is not a class of this dataset; expected one of {}", describe(&spec.classes)),
            )
        })?;
        frames.unixtime_ms.push(t);
        frames.values.extend_from_slice(&frame);
        frames.labels.push(label);
        last = Some((t, row.line()));
    }
    if frames.is_empty() {
        return Err(DataError::in_file(rows.file(), "the recording has a header but no samples"));
    }
    Ok(frames)
}

/// For each spec channel, the CSV column that holds it; explains any mismatch.
fn column_order(file: &str, header: &[String], channels: &[String]) -> DataResult<Vec<usize>> {
    let header_error = |message: String| DataError::at_line(file, 1, message);
    if header.first().map(String::as_str) != Some(TIME_COLUMN) {
        return Err(header_error(format!("the first column must be `{TIME_COLUMN}`")));
    }
    if header.last().map(String::as_str) != Some(LABEL_COLUMN) || header.len() < 2 {
        return Err(header_error(format!("the last column must be `{LABEL_COLUMN}`")));
    }
    let middle = &header[1..header.len() - 1];
    for (i, name) in middle.iter().enumerate() {
        if middle[..i].contains(name) {
            return Err(header_error(format!("column `{name}` appears twice")));
        }
        if !channels.contains(name) {
            return Err(header_error(format!(
                "column `{name}` is not a channel of the dataset spec ({})",
                channels.join(", ")
            )));
        }
    }
    channels
        .iter()
        .map(|c| {
            middle
                .iter()
                .position(|h| h == c)
                .map(|p| p + 1)
                .ok_or_else(|| header_error(format!("missing column `{c}` required by the dataset spec")))
        })
        .collect()
}

fn describe(classes: &ClassTable) -> String {
    classes.classes.iter().map(|c| format!("{} ({})", c.id, c.name)).collect::<Vec<_>>().join(", ")
}

/// Writes frames in the recording format, labels as class ids.
pub fn write<W: Write>(frames: &FrameTable, out: W) -> csv::Result<()> {
    frames.write_csv_with_columns(out, TIME_COLUMN, LABEL_COLUMN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::dataset_spec::DatasetSpec;

    fn spec() -> DatasetSpec {
        let text = r#"
name = "t"
sample_rate_hz = 30
channels = ["right_wrist/acc_x", "right_wrist/acc_y"]
null_class = "0"
[[classes]]
id = 0
name = "Null"
[[classes]]
id = 7
name = "Tape box"
"#;
        DatasetSpec::parse("spec.toml", text).unwrap()
    }

    #[test]
    fn reads_reordered_columns_and_labels_by_name_or_id() {
        let text = "timestamp_ms,right_wrist/acc_y,right_wrist/acc_x,label\n0,2,1,Tape box\n33,4,3,0\n";
        let frames = read("r.csv", text.as_bytes(), &spec()).unwrap();
        assert_eq!(frames.values, vec![1.0, 2.0, 3.0, 4.0]);
        assert_eq!(frames.labels, vec![7, 0]);
    }

    #[test]
    fn round_trips_through_write() {
        let text = "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,label\n0,1.5,-2,7\n33,0.25,4,0\n";
        let frames = read("r.csv", text.as_bytes(), &spec()).unwrap();
        let mut out = Vec::new();
        write(&frames, &mut out).unwrap();
        assert_eq!(read("again.csv", out.as_slice(), &spec()).unwrap(), frames);
    }

    #[test]
    fn errors_are_located() {
        let cases = [
            (
                "right_wrist/acc_x,timestamp_ms,right_wrist/acc_y,label\n",
                "r.csv, line 1: the first column must be `timestamp_ms`",
            ),
            ("timestamp_ms,right_wrist/acc_x,label\n", "r.csv, line 1: missing column `right_wrist/acc_y`"),
            (
                "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,left_wrist/acc_x,label\n",
                "r.csv, line 1: column `left_wrist/acc_x` is not a channel",
            ),
            (
                "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,label\n0,1,2,Dance\n",
                "r.csv, line 2, field `label`: `Dance` is not a class",
            ),
            (
                "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,label\n5,1,2,0\n4,1,2,0\n",
                "r.csv, line 3, field `timestamp_ms`: timestamps must increase",
            ),
            (
                "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,label\n0,1,2,0\n33,1,2,0\n2033,1,2,0\n",
                "r.csv, line 4, field `timestamp_ms`: a gap of 2000 ms after line 3 (rows come every 33 ms at 30 Hz)",
            ),
            (
                "timestamp_ms,right_wrist/acc_x,right_wrist/acc_y,label\n5,1,,0\n",
                "r.csv, line 2, field `right_wrist/acc_y`: empty cell",
            ),
        ];
        for (text, expected) in cases {
            let err = read("r.csv", text.as_bytes(), &spec()).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{err} !~ {expected}");
        }
    }
}
