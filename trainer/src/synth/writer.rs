//! Files in the exact OpenPack layout: ATR and E4 sensor CSVs, both annotation forms, and the
//! README that says the data is synthetic. Rows go through the core's OpenPack writer (the
//! one the live recordings' export uses, with the readers' own headers) into buffered files;
//! every I/O error names its path.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use rand::Rng;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::layout;
use tsak::data::openpack::writer::{OpenPackFile, OpenPackWriter, OperationRow};

use super::kinematics::{Quat, Vec3};
use super::schedule::Span;

/// OpenPack was recorded in Japan: annotation times carry +09:00.
const JST_SECONDS: i32 = 9 * 3600;

/// One OpenPack file being written, with its path for error messages.
pub struct CsvFile {
    path: PathBuf,
    out: OpenPackWriter<BufWriter<File>>,
}

impl CsvFile {
    /// Creates the file (and its folders) and writes the header line of `kind`.
    pub fn create(path: &Path, kind: OpenPackFile) -> Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
        }
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let out = OpenPackWriter::new(BufWriter::new(file), kind)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self { path: path.to_path_buf(), out })
    }

    fn wrote(&self, result: csv::Result<()>) -> Result<()> {
        result.with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// One ATR row: acc in G (4 decimals), gyro in deg/s (2 decimals), quaternion (4 decimals).
    pub fn atr_row(&mut self, unixtime_ms: i64, acc: Vec3, gyro_dps: Vec3, quat: Quat) -> Result<()> {
        let result = self.out.atr_row(unixtime_ms, acc.to_array(), gyro_dps.to_array(), quat.to_array());
        self.wrote(result)
    }

    /// One E4 accelerometer row: time in ms, acc in G (4 decimals), as documented.
    pub fn e4_row(&mut self, time_ms: i64, acc: Vec3) -> Result<()> {
        let result = self.out.e4_row(time_ms, acc.to_array());
        self.wrote(result)
    }

    /// One E4 row as OpenPack released them: G / 9.80665 at full precision.
    pub fn e4_row_as_released(&mut self, time_ms: i64, acc_g: Vec3) -> Result<()> {
        let result = self.out.e4_row_as_released(time_ms, acc_g.to_array());
        self.wrote(result)
    }

    /// Flushes and closes the file; a failing flush is an error, not a silent truncation.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        let out = self.out.finish().with_context(|| format!("cannot write {}", path.display()))?;
        out.into_inner()
            .map(drop)
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", path.display()))
    }
}

/// `2021-10-14T11:25:34+09:00` for a whole-second unix time.
pub fn iso_jst(unix_s: i64) -> Result<String> {
    let offset = FixedOffset::east_opt(JST_SECONDS).context("+09:00 is a valid offset")?;
    let utc = DateTime::from_timestamp_millis(unix_s * 1000)
        .with_context(|| format!("unix time {unix_s} s is out of range"))?;
    Ok(utc.with_timezone(&offset).format("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

/// A random-looking but seeded version-4 UUID, formatted 8-4-4-4-12.
pub fn pseudo_uuid<R: Rng>(rng: &mut R) -> String {
    let mut b: [u8; 16] = rng.random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Everything the annotation files of one session need.
pub struct Annotation<'a> {
    pub user: &'a str,
    pub session: &'a str,
    /// Unix time (s) of the first annotated second.
    pub first_second: i64,
    pub spans: &'a [Span],
    pub classes: &'a ClassTable,
}

/// Writes `annotation/openpack-operations/{session}.csv`: one row per span, Null gaps included.
pub fn write_operations<R: Rng>(root: &Path, a: &Annotation<'_>, uuid_rng: &mut R) -> Result<()> {
    let path = root.join(layout::operations_path(a.user, a.session));
    let mut csv = CsvFile::create(&path, OpenPackFile::Operations)?;
    for span in a.spans {
        let name =
            a.classes.name_of(span.id).with_context(|| format!("class {} is not in the class table", span.id))?;
        let start = iso_jst(a.first_second + i64::from(span.start_s))?;
        let end = iso_jst(a.first_second + i64::from(span.end_s))?;
        let uuid = pseudo_uuid(uuid_rng);
        let row = OperationRow {
            uuid: &uuid,
            user: a.user,
            session: a.session,
            box_no: span.box_no,
            id: span.id,
            operation: name,
            start: &start,
            end: &end,
        };
        let result = csv.out.operation_row(&row);
        csv.wrote(result)?;
    }
    csv.finish()
}

/// Writes `annotation/openpack-operations-1hz/{session}.csv`: one row per annotated second.
pub fn write_operations_1hz(root: &Path, a: &Annotation<'_>) -> Result<()> {
    let path = root.join(layout::operations_1hz_path(a.user, a.session));
    let mut csv = CsvFile::create(&path, OpenPackFile::Operations1Hz)?;
    for span in a.spans {
        for second in span.start_s..span.end_s {
            let unixtime_ms = (a.first_second + i64::from(second)) * 1000;
            let result = csv.out.operation_1hz_row(unixtime_ms, a.user, a.session, span.box_no, span.id);
            csv.wrote(result)?;
        }
    }
    csv.finish()
}

/// Writes the root README that says what this is (and is not).
pub fn write_readme(root: &Path, text: &str) -> Result<()> {
    let path = root.join("README.txt");
    fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn iso_times_are_in_japan_time_at_whole_seconds() {
        assert_eq!(iso_jst(1_634_178_334).unwrap(), "2021-10-14T11:25:34+09:00");
    }

    #[test]
    fn uuids_look_like_uuids_and_are_seeded() {
        let mut a = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut b = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let u = pseudo_uuid(&mut a);
        assert_eq!(u, pseudo_uuid(&mut b));
        let parts: Vec<usize> = u.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12]);
        assert_eq!(&u[14..15], "4");
    }
}
