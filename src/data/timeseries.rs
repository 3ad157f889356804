//! Timestamped sensor streams: a time column in ms, then numeric channels.
//!
//! ATR IMU files and E4 accelerometer files are both this shape; so is each device of a
//! BLE recording. [`TimeSeriesRows`] streams them (bounded memory); [`TimeSeries`] holds one.

use std::io::Read;

use super::csv_rows::{CsvRows, HeaderRule};
use super::error::{DataError, DataResult};

/// The column layout of one kind of sensor file.
#[derive(Debug, Clone, Copy)]
pub struct SensorLayout {
    /// The full expected header: the time column first, then the channels.
    pub columns: &'static [&'static str],
}

impl SensorLayout {
    pub fn time_column(&self) -> &'static str {
        self.columns[0]
    }

    pub fn channels(&self) -> &'static [&'static str] {
        &self.columns[1..]
    }
}

/// One sample as it streams by.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample<'a> {
    pub line: u64,
    pub unixtime_ms: i64,
    pub values: &'a [f32],
}

/// Streams the samples of a sensor file, checking that time strictly increases.
pub struct TimeSeriesRows<R: Read> {
    rows: CsvRows<R>,
    values: Vec<f32>,
    last: Option<(i64, u64)>,
}

impl<R: Read> TimeSeriesRows<R> {
    pub fn open(file: impl Into<String>, reader: R, layout: SensorLayout) -> DataResult<Self> {
        let rows = CsvRows::open(file, reader, HeaderRule::Named(layout.columns))?;
        Ok(Self { rows, values: vec![0.0; layout.channels().len()], last: None })
    }

    pub fn file(&self) -> &str {
        self.rows.file()
    }

    /// The next sample, or `None` at the end of the file.
    pub fn next_sample(&mut self) -> DataResult<Option<Sample<'_>>> {
        let Some(row) = self.rows.next_row()? else { return Ok(None) };
        let line = row.line();
        let unixtime_ms = row.integer(0)?;
        if let Some((previous, previous_line)) = self.last {
            if unixtime_ms == previous {
                return Err(row.error(0, format!("duplicate timestamp {unixtime_ms} (also on line {previous_line})")));
            }
            if unixtime_ms < previous {
                return Err(row.error(
                    0,
                    format!("timestamps must increase: {unixtime_ms} comes after {previous} (line {previous_line})"),
                ));
            }
        }
        for (i, value) in self.values.iter_mut().enumerate() {
            *value = row.finite_f32(i + 1)?;
        }
        self.last = Some((unixtime_ms, line));
        Ok(Some(Sample { line, unixtime_ms, values: &self.values }))
    }
}

/// A whole sensor stream in memory, channels interleaved per sample.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeries {
    /// The file it came from, for error messages further down the line.
    pub file: String,
    pub channels: Vec<String>,
    pub unixtime_ms: Vec<i64>,
    /// `unixtime_ms.len() * channels.len()` values, sample-major.
    pub values: Vec<f32>,
}

impl TimeSeries {
    /// Reads a whole sensor file; an empty body (header only) is an error.
    pub fn read<R>(file: impl Into<String>, reader: R, layout: SensorLayout) -> DataResult<Self>
    where
        R: Read,
    {
        let mut rows = TimeSeriesRows::open(file, reader, layout)?;
        let mut series = TimeSeries {
            file: rows.file().to_string(),
            channels: layout.channels().iter().map(|c| c.to_string()).collect(),
            unixtime_ms: Vec::new(),
            values: Vec::new(),
        };
        while let Some(sample) = rows.next_sample()? {
            series.unixtime_ms.push(sample.unixtime_ms);
            series.values.extend_from_slice(sample.values);
        }
        if series.unixtime_ms.is_empty() {
            return Err(DataError::in_file(&series.file, "the file has a header but no samples"));
        }
        Ok(series)
    }

    pub fn len(&self) -> usize {
        self.unixtime_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.unixtime_ms.is_empty()
    }

    /// The values of sample `i`.
    pub fn sample(&self, i: usize) -> &[f32] {
        let n = self.channels.len();
        &self.values[i * n..(i + 1) * n]
    }

    /// Keeps only the first `len` samples (aligning devices truncates to the shortest).
    pub fn truncate(&mut self, len: usize) {
        self.unixtime_ms.truncate(len);
        self.values.truncate(len * self.channels.len());
    }

    /// Drops the first `n` samples (for known bad rows in published data).
    pub fn drop_front(&mut self, n: usize) {
        let n = n.min(self.len());
        self.unixtime_ms.drain(..n);
        self.values.drain(..n * self.channels.len());
    }

    /// The median time step in ms: the nominal sample period.
    pub fn median_period_ms(&self) -> Option<i64> {
        let mut deltas: Vec<i64> = self.unixtime_ms.windows(2).map(|w| w[1] - w[0]).collect();
        if deltas.is_empty() {
            return None;
        }
        let mid = deltas.len() / 2;
        Some(*deltas.select_nth_unstable(mid).1)
    }

    /// Number of steps longer than 1.5 nominal periods, i.e. places where samples were lost.
    pub fn gap_count(&self) -> usize {
        let Some(period) = self.median_period_ms() else { return 0 };
        self.unixtime_ms.windows(2).filter(|w| (w[1] - w[0]) * 2 > period * 3).count()
    }
}
