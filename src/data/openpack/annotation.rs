//! Operation annotations, in both published forms, reduced to one label per second.
//!
//! `openpack-operations-1hz` is what the toolkit resamples from; `openpack-operations`
//! (ISO start/end per span) is turned into the same per-second table, each span covering
//! the whole seconds `[start, end)`. Seconds inside the annotated range that no span covers
//! are Null.

use std::io::Read;

use chrono::DateTime;

use crate::data::classes::{ClassId, ClassTable};
use crate::data::csv_rows::{CsvRows, HeaderRule, Row};
use crate::data::error::{DataError, DataResult};

pub const OPERATIONS_1HZ_COLUMNS: &[&str] = &["unixtime", "user", "session", "box", "id"];
pub const OPERATIONS_COLUMNS: &[&str] =
    &["uuid", "user", "session", "box", "id", "operation", "start", "end", "actions"];

/// One label per whole second over the annotated range of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondLabels {
    /// Unixtime (ms) of the first annotated second; a multiple of 1000.
    pub first_second_ms: i64,
    /// Canonical class id of each second, starting at `first_second_ms`.
    pub labels: Vec<ClassId>,
    /// The class used outside the annotated range.
    pub null_id: ClassId,
    /// Unixtime (ms) of the first annotated second of each packed box, in order: a session
    /// split by time is cut between boxes, never inside one.
    pub box_starts_ms: Vec<i64>,
}

impl SecondLabels {
    /// Unixtime (ms) of the last annotated second.
    pub fn last_second_ms(&self) -> i64 {
        self.first_second_ms + (self.labels.len() as i64 - 1) * 1000
    }

    /// The toolkit's rule (`load_and_resample_annotation`): floor the sample's time to the
    /// second; before the first or after the last annotated second it is Null, else it takes
    /// that second's label.
    pub fn label_at(&self, unixtime_ms: i64) -> ClassId {
        let second = unixtime_ms.div_euclid(1000) * 1000;
        if second < self.first_second_ms || second > self.last_second_ms() {
            return self.null_id;
        }
        self.labels[((second - self.first_second_ms) / 1000) as usize]
    }

    /// For each box start, the index of the first of `unixtime_ms` (sorted) at or after it.
    pub fn box_start_frames(&self, unixtime_ms: &[i64]) -> Vec<usize> {
        let mut frames: Vec<usize> =
            self.box_starts_ms.iter().map(|&t| unixtime_ms.partition_point(|&u| u < t)).collect();
        frames.dedup();
        frames
    }

    /// Labels for a sequence of sample times.
    pub fn resample(&self, unixtime_ms: &[i64]) -> Vec<ClassId> {
        unixtime_ms.iter().map(|&t| self.label_at(t)).collect()
    }
}

/// Reads a class id cell and maps it through the class table.
fn class_id(row: &Row<'_>, col: usize, classes: &ClassTable) -> DataResult<ClassId> {
    let raw = row.integer(col)?;
    u32::try_from(raw)
        .ok()
        .and_then(|id| classes.canonical(id))
        .ok_or_else(|| row.error(col, format!("unknown class id {raw}; expected one of {}", classes.describe_ids())))
}

/// Reads `openpack-operations-1hz/{session}.csv`: one row per second, in order, no gaps.
pub fn read_operations_1hz<R: Read>(
    file: impl Into<String>,
    reader: R,
    classes: &ClassTable,
) -> DataResult<SecondLabels> {
    let mut rows = CsvRows::open(file, reader, HeaderRule::Named(OPERATIONS_1HZ_COLUMNS))?;
    let mut first: Option<i64> = None;
    let mut labels = Vec::new();
    let (mut box_starts_ms, mut current_box) = (Vec::new(), None);
    let mut previous_line = 0;
    while let Some(row) = rows.next_row()? {
        let unixtime = row.integer(0)?;
        let packed_box = row.integer(3)?;
        if current_box != Some(packed_box) {
            box_starts_ms.push(unixtime);
            current_box = Some(packed_box);
        }
        if unixtime % 1000 != 0 {
            return Err(row.error(0, format!("{unixtime} is not a whole second in ms")));
        }
        let id = class_id(&row, 4, classes)?;
        let start = *first.get_or_insert(unixtime);
        let expected = start + labels.len() as i64 * 1000;
        if unixtime != expected {
            let why = if unixtime < expected {
                format!("duplicate or unsorted second {unixtime} (after line {previous_line})")
            } else {
                format!(
                    "seconds {expected}..{unixtime} are missing (after line {previous_line}); expected one row per second"
                )
            };
            return Err(row.error(0, why));
        }
        labels.push(id);
        previous_line = row.line();
    }
    let file = rows.file().to_string();
    let first_second_ms = first.ok_or_else(|| DataError::in_file(&file, "the annotation has a header but no rows"))?;
    Ok(SecondLabels { first_second_ms, labels, null_id: classes.null_id, box_starts_ms })
}

/// One annotated span of the ISO form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationSpan {
    pub line: u64,
    pub id: ClassId,
    /// The packed box the operation belongs to.
    pub packed_box: i64,
    /// Whole seconds, ms: `[start_ms, end_ms)`.
    pub start_ms: i64,
    pub end_ms: i64,
}

/// Parses `2021-10-14T11:25:34+09:00` (also with a space instead of `T`, and with fractional
/// seconds), floored to the whole second, as unixtime in ms.
fn iso_second(row: &Row<'_>, col: usize) -> DataResult<i64> {
    let text = row.text(col)?;
    let normalised = text.replacen(' ', "T", 1);
    let parsed = DateTime::parse_from_rfc3339(&normalised)
        .map_err(|_| row.error(col, format!("`{text}` is not an ISO-8601 time like 2021-10-14T11:25:34+09:00")))?;
    Ok(parsed.timestamp() * 1000)
}

/// Reads `openpack-operations/{session}.csv`: spans sorted by start and not overlapping.
pub fn read_operations_spans<R: Read>(
    file: impl Into<String>,
    reader: R,
    classes: &ClassTable,
) -> DataResult<Vec<OperationSpan>> {
    let mut rows = CsvRows::open(file, reader, HeaderRule::Named(OPERATIONS_COLUMNS))?;
    let mut spans: Vec<OperationSpan> = Vec::new();
    while let Some(row) = rows.next_row()? {
        let span = OperationSpan {
            line: row.line(),
            id: class_id(&row, 4, classes)?,
            packed_box: row.integer(3)?,
            start_ms: iso_second(&row, 6)?,
            end_ms: iso_second(&row, 7)?,
        };
        if span.end_ms <= span.start_ms {
            return Err(row.error(7, "the span ends before or when it starts"));
        }
        if let Some(previous) = spans.last() {
            if span.start_ms < previous.start_ms {
                return Err(row.error(
                    6,
                    format!("spans must be sorted by start; this one starts before line {}'s", previous.line),
                ));
            }
            if span.start_ms < previous.end_ms {
                return Err(row.error(6, format!("this span overlaps the span on line {}", previous.line)));
            }
        }
        spans.push(span);
    }
    if spans.is_empty() {
        return Err(DataError::in_file(rows.file(), "the annotation has a header but no rows"));
    }
    Ok(spans)
}

/// The per-second table of a list of spans: seconds no span covers are Null.
pub fn spans_to_seconds(spans: &[OperationSpan], null_id: ClassId) -> SecondLabels {
    let first = spans.first().map_or(0, |s| s.start_ms);
    let end = spans.last().map_or(first, |s| s.end_ms);
    let mut labels = vec![null_id; ((end - first) / 1000) as usize];
    for span in spans {
        let from = ((span.start_ms - first) / 1000) as usize;
        let to = ((span.end_ms - first) / 1000) as usize;
        labels[from..to].fill(span.id);
    }
    let mut box_starts_ms: Vec<i64> = Vec::new();
    for (i, span) in spans.iter().enumerate() {
        if i == 0 || spans[i - 1].packed_box != span.packed_box {
            box_starts_ms.push(span.start_ms);
        }
    }
    SecondLabels { first_second_ms: first, labels, null_id, box_starts_ms }
}

/// Reads the ISO form straight into per-second labels.
pub fn read_operations<R: Read>(file: impl Into<String>, reader: R, classes: &ClassTable) -> DataResult<SecondLabels> {
    Ok(spans_to_seconds(&read_operations_spans(file, reader, classes)?, classes.null_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> ClassTable {
        ClassTable::openpack_operations()
    }

    #[test]
    fn toolkit_rule_floors_to_the_second_and_nulls_outside() {
        let text =
            "unixtime,user,session,box,id\n1000,U0101,S0100,1,100\n2000,U0101,S0100,1,8200\n3000,U0101,S0100,1,200\n";
        let labels = read_operations_1hz("a.csv", text.as_bytes(), &table()).unwrap();
        // Worked by hand: 999 -> second 0 < first (1000) -> Null; 1000..1999 -> 100;
        // 2500 -> second 2000 -> 8200 folded into Null 8100; 3999 -> 200; 4000 -> after last -> Null.
        let got = labels.resample(&[999, 1000, 1999, 2500, 3000, 3999, 4000]);
        assert_eq!(got, vec![8100, 100, 100, 8100, 200, 200, 8100]);
        assert_eq!(labels.box_starts_ms, vec![1000]);
    }

    #[test]
    fn boxes_start_where_the_box_column_changes_in_both_forms() {
        let text = "unixtime,user,session,box,id\n1000,U,S,1,100\n2000,U,S,1,200\n3000,U,S,2,100\n4000,U,S,2,300\n";
        let labels = read_operations_1hz("a.csv", text.as_bytes(), &table()).unwrap();
        assert_eq!(labels.box_starts_ms, vec![1000, 3000]);
        // Frames at 33 ms steps from 900: box 1 starts at frame 4 (1032), box 2 at frame 64 (3012).
        let clock: Vec<i64> = (0..100).map(|k| 900 + 33 * k).collect();
        assert_eq!(labels.box_start_frames(&clock), vec![4, 64]);
        let spans = format!(
            "{HEADER}a,U,S,1,100,P,2021-10-14T11:25:34+09:00,2021-10-14T11:25:36+09:00,\n\
             b,U,S,1,200,R,2021-10-14T11:25:36+09:00,2021-10-14T11:25:38+09:00,\n\
             c,U,S,2,100,P,2021-10-14T11:25:40+09:00,2021-10-14T11:25:41+09:00,\n"
        );
        let labels = read_operations("o.csv", spans.as_bytes(), &table()).unwrap();
        assert_eq!(labels.box_starts_ms, vec![1_634_178_334_000, 1_634_178_340_000]);
    }

    #[test]
    fn one_hz_errors_are_located() {
        let cases = [
            ("unixtime,user,session,box,id\n1000,U,S,1,150\n", "a.csv, line 2, field `id`: unknown class id 150"),
            (
                "unixtime,user,session,box,id\n1000,U,S,1,100\n1000,U,S,1,100\n",
                "a.csv, line 3, field `unixtime`: duplicate or unsorted second 1000",
            ),
            (
                "unixtime,user,session,box,id\n1000,U,S,1,100\n4000,U,S,1,100\n",
                "a.csv, line 3, field `unixtime`: seconds 2000..4000 are missing",
            ),
            (
                "unixtime,user,session,box,id\n1500,U,S,1,100\n",
                "a.csv, line 2, field `unixtime`: 1500 is not a whole second",
            ),
            ("unixtime,user,session,box,id\n", "a.csv: the annotation has a header but no rows"),
        ];
        for (text, expected) in cases {
            let err = read_operations_1hz("a.csv", text.as_bytes(), &table()).unwrap_err().to_string();
            assert!(err.starts_with(expected), "{err} !~ {expected}");
        }
    }

    const HEADER: &str = "uuid,user,session,box,id,operation,start,end,actions\n";

    #[test]
    fn iso_spans_become_half_open_seconds_with_null_gaps() {
        let text = format!(
            "{HEADER}a,U0101,S0100,1,100,Picking,2021-10-14T11:25:34+09:00,2021-10-14T11:25:36+09:00,\n\
             b,U0101,S0100,1,200,Relocate Item Label,2021-10-14 11:25:37.500+09:00,2021-10-14T11:25:38+09:00,x;y\n"
        );
        let labels = read_operations("o.csv", text.as_bytes(), &table()).unwrap();
        // 11:25:34+09:00 = 02:25:34Z on 2021-10-14 = 1634178334 s.
        assert_eq!(labels.first_second_ms, 1_634_178_334_000);
        // 34,35 -> Picking; 36 uncovered -> Null; 37 (floored from 37.5) -> Relocate; 38 is the exclusive end.
        assert_eq!(labels.labels, vec![100, 100, 8100, 200]);
    }

    #[test]
    fn overlapping_and_inverted_spans_are_rejected() {
        let overlap = format!(
            "{HEADER}a,U,S,1,100,P,2021-10-14T11:25:34+09:00,2021-10-14T11:25:40+09:00,\n\
             b,U,S,1,200,R,2021-10-14T11:25:39+09:00,2021-10-14T11:25:45+09:00,\n"
        );
        let err = read_operations("o.csv", overlap.as_bytes(), &table()).unwrap_err().to_string();
        assert_eq!(err, "o.csv, line 3, field `start`: this span overlaps the span on line 2");
        let inverted = format!("{HEADER}a,U,S,1,100,P,2021-10-14T11:25:40+09:00,2021-10-14T11:25:34+09:00,\n");
        let err = read_operations("o.csv", inverted.as_bytes(), &table()).unwrap_err().to_string();
        assert!(err.contains("line 2, field `end`"), "{err}");
        let bad_time = format!("{HEADER}a,U,S,1,100,P,yesterday,2021-10-14T11:25:34+09:00,\n");
        let err = read_operations("o.csv", bad_time.as_bytes(), &table()).unwrap_err().to_string();
        assert!(err.contains("field `start`: `yesterday` is not an ISO-8601 time"), "{err}");
    }
}
