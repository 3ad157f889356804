//! Streaming CSV rows with located errors.
//!
//! Every reader in `data` sits on this: it checks the header against what the format
//! expects, then hands out one row at a time (one reused buffer, so a 1 GB file streams in
//! bounded memory), and turns every bad cell into a [`DataError`] naming file, line and field.

use std::io::Read;

use super::error::{DataError, DataResult};

/// How a reader wants the header to look.
#[derive(Debug, Clone, Copy)]
pub enum HeaderRule<'a> {
    /// These columns, found by name as openpack-toolkit (pandas) finds them: in any order, other
    /// columns ignored (released files vary); a missing or repeated one is an error. Rows are
    /// read by the position in this list, whatever the file's order.
    Named(&'a [&'a str]),
    /// Whatever columns the file has; the caller validates them (the recording format).
    Any,
}

/// A CSV file being read row by row.
pub struct CsvRows<R: Read> {
    file: String,
    reader: csv::Reader<R>,
    header: Vec<String>,
    /// For each expected column, its position in the file (identity for [`HeaderRule::Any`]).
    columns: Vec<usize>,
    record: csv::StringRecord,
}

impl<R: Read> CsvRows<R> {
    /// Opens `reader` (named `file` in errors) and checks its header.
    pub fn open(file: impl Into<String>, reader: R, rule: HeaderRule<'_>) -> DataResult<Self> {
        let file = file.into();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(reader);
        let header_record = reader.headers().map_err(|e| csv_error(&file, e))?.clone();
        let header: Vec<String> = header_record.iter().map(|h| h.trim().to_string()).collect();
        if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
            let expected = match rule {
                HeaderRule::Named(cols) => format!("; expected a header line `{}`", cols.join(",")),
                HeaderRule::Any => String::new(),
            };
            return Err(DataError::in_file(&file, format!("the file is empty{expected}")));
        }
        let columns = match rule {
            HeaderRule::Named(expected) => find_columns(&file, &header, expected)?,
            HeaderRule::Any => (0..header.len()).collect(),
        };
        Ok(Self { file, reader, header, columns, record: csv::StringRecord::new() })
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The file's columns that are not among the expected ones (ignored).
    pub fn ignored_columns(&self) -> Vec<&str> {
        (0..self.header.len()).filter(|i| !self.columns.contains(i)).map(|i| self.header[i].as_str()).collect()
    }

    /// The next data row, or `None` at the end of the file.
    pub fn next_row(&mut self) -> DataResult<Option<Row<'_>>> {
        match self.reader.read_record(&mut self.record) {
            Ok(false) => Ok(None),
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                let (file, header, columns, record) = (&self.file, &self.header, &self.columns, &self.record);
                Ok(Some(Row { file, header, columns, record, line }))
            }
            Err(e) => Err(csv_error(&self.file, e)),
        }
    }
}

/// One data row; its accessors parse cells and locate any error.
pub struct Row<'a> {
    file: &'a str,
    header: &'a [String],
    columns: &'a [usize],
    record: &'a csv::StringRecord,
    line: u64,
}

impl Row<'_> {
    /// 1-based line number of this row in its file.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Column `col` of the expected layout, wherever the file has it.
    fn file_column(&self, col: usize) -> usize {
        self.columns.get(col).copied().unwrap_or(usize::MAX)
    }

    fn cell(&self, col: usize) -> &str {
        self.record.get(self.file_column(col)).unwrap_or("").trim()
    }

    fn field_name(&self, col: usize) -> &str {
        self.header.get(self.file_column(col)).map_or("?", String::as_str)
    }

    /// An error about column `col` of this row.
    pub fn error(&self, col: usize, message: impl Into<String>) -> DataError {
        DataError::at_field(self.file, self.line, self.field_name(col), message)
    }

    /// A cell as text, which must not be empty.
    pub fn text(&self, col: usize) -> DataResult<&str> {
        let cell = self.cell(col);
        if cell.is_empty() {
            return Err(self.error(col, "empty cell; expected a value"));
        }
        Ok(cell)
    }

    /// A cell as text, possibly empty.
    pub fn text_or_empty(&self, col: usize) -> &str {
        self.cell(col)
    }

    /// A finite decimal number (NaN and infinities are rejected: a model cannot use them).
    pub fn finite_f32(&self, col: usize) -> DataResult<f32> {
        let cell = self.text(col).map_err(|_| self.error(col, "empty cell; expected a number"))?;
        let value: f32 = cell.parse().map_err(|_| self.error(col, format!("`{cell}` is not a number")))?;
        if !value.is_finite() {
            return Err(self.error(col, format!("`{cell}` is not a finite number")));
        }
        Ok(value)
    }

    /// An integer (timestamps in ms, class ids, box numbers). `1634185534033.0` is accepted
    /// because pandas writes integer columns that way once a value was missing.
    pub fn integer(&self, col: usize) -> DataResult<i64> {
        let cell = self.text(col).map_err(|_| self.error(col, "empty cell; expected an integer"))?;
        let digits = cell.strip_suffix(".0").unwrap_or(cell);
        digits.parse().map_err(|_| self.error(col, format!("`{cell}` is not an integer")))
    }
}

/// Where the file has each expected column, by name; a missing or repeated expected column is
/// an error that names it (and, when columns are missing, the ones the file has instead).
fn find_columns(file: &str, found: &[String], expected: &[&str]) -> DataResult<Vec<usize>> {
    let missing: Vec<&str> = expected.iter().copied().filter(|e| !found.iter().any(|f| f == e)).collect();
    let duplicated: Vec<&str> =
        expected.iter().copied().filter(|e| found.iter().filter(|f| f == e).count() > 1).collect();
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("missing column(s) {}", missing.join(", ")));
        let other: Vec<&str> = found.iter().map(String::as_str).filter(|f| !expected.contains(f)).collect();
        if !other.is_empty() {
            problems.push(format!("it has {} instead", other.join(", ")));
        }
    }
    if !duplicated.is_empty() {
        problems.push(format!("duplicated column(s) {}", duplicated.join(", ")));
    }
    if !problems.is_empty() {
        let message = format!("bad header: {}; expected `{}`", problems.join("; "), expected.join(","));
        return Err(DataError::at_line(file, 1, message));
    }
    Ok(expected.iter().map(|e| found.iter().position(|f| f == e).expect("checked above")).collect())
}

fn csv_error(file: &str, error: csv::Error) -> DataError {
    let line = error.position().map(|p| p.line());
    let message = match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => format!(
            "this line has {len} field(s) but the header has {expected_len} \
             (a truncated or malformed line?)"
        ),
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8 text".to_string(),
        csv::ErrorKind::Io(e) => format!("could not read the file: {e}"),
        _ => format!("malformed CSV: {error}"),
    };
    match line {
        Some(line) => DataError::at_line(file, line, message),
        None => DataError::in_file(file, message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[&str] = &["unixtime", "acc_x"];

    fn open(text: &str) -> DataResult<CsvRows<&[u8]>> {
        CsvRows::open("t.csv", text.as_bytes(), HeaderRule::Named(COLS))
    }

    #[test]
    fn empty_file_says_what_header_was_expected() {
        let err = open("").err().unwrap();
        assert!(err.to_string().contains("t.csv: the file is empty; expected a header line `unixtime,acc_x`"), "{err}");
    }

    #[test]
    fn header_problems_are_named() {
        let missing = open("unixtime\n1\n").err().unwrap().to_string();
        assert!(missing.contains("line 1") && missing.contains("missing column(s) acc_x"), "{missing}");
        let renamed = open("unixtime,acc_q\n").err().unwrap().to_string();
        assert!(renamed.contains("missing column(s) acc_x; it has acc_q instead"), "{renamed}");
        let twice = open("unixtime,acc_x,acc_x\n").err().unwrap().to_string();
        assert!(twice.contains("duplicated column(s) acc_x"), "{twice}");
    }

    /// As openpack-toolkit reads them (pandas, by name): other columns ignored, any order.
    #[test]
    fn columns_are_found_by_name_in_any_order_and_others_ignored() {
        let mut rows = open("acc_q,acc_x,unixtime\n9,0.5,1000\nx,0.25,1033\n").unwrap();
        assert_eq!(rows.ignored_columns(), ["acc_q"]);
        let row = rows.next_row().unwrap().unwrap();
        assert_eq!((row.integer(0).unwrap(), row.finite_f32(1).unwrap()), (1000, 0.5));
        let row = rows.next_row().unwrap().unwrap();
        assert_eq!((row.integer(0).unwrap(), row.finite_f32(1).unwrap()), (1033, 0.25));
        let mut rows = open("acc_x,unixtime\nabc,1\n").unwrap();
        let error = rows.next_row().unwrap().unwrap().finite_f32(1).unwrap_err().to_string();
        assert_eq!(error, "t.csv, line 2, field `acc_x`: `abc` is not a number", "errors name the file's column");
    }

    #[test]
    fn cells_are_located() {
        let mut rows = open("unixtime,acc_x\n1,abc\n2,\n3,NaN\n4,inf\n").unwrap();
        let expectations = [
            "t.csv, line 2, field `acc_x`: `abc` is not a number",
            "t.csv, line 3, field `acc_x`: empty cell; expected a number",
            "t.csv, line 4, field `acc_x`: `NaN` is not a finite number",
            "t.csv, line 5, field `acc_x`: `inf` is not a finite number",
        ];
        for expected in expectations {
            let row = rows.next_row().unwrap().unwrap();
            assert_eq!(row.finite_f32(1).unwrap_err().to_string(), expected);
        }
    }

    #[test]
    fn truncated_last_line_is_an_error_with_its_line() {
        let mut rows = open("unixtime,acc_x\n1,0.5\n2").unwrap();
        assert!(rows.next_row().unwrap().is_some());
        let err = rows.next_row().err().unwrap().to_string();
        assert!(err.starts_with("t.csv, line 3:") && err.contains("1 field(s) but the header has 2"), "{err}");
    }

    #[test]
    fn integers_accept_pandas_float_form_only_when_integral() {
        let mut rows = open("unixtime,acc_x\n1634185534033.0,1\n12.5,1\n").unwrap();
        assert_eq!(rows.next_row().unwrap().unwrap().integer(0).unwrap(), 1634185534033);
        assert!(rows.next_row().unwrap().unwrap().integer(0).is_err());
    }
}
