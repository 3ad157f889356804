//! Files in the exact OpenPack layout: ATR and E4 sensor CSVs, both annotation forms, and the
//! README that says the data is synthetic.
//!
//! Rows are formatted by hand into a reused line buffer (fixed decimals through integer
//! arithmetic, so there is never a `-0.0000` and no float formatting cost) and go through
//! buffered writers; every I/O error names its path.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, FixedOffset};
use rand::Rng;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::layout;

use super::kinematics::{Quat, Vec3};
use super::schedule::Span;

pub const ATR_HEADER: &str = "unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z";
pub const E4_HEADER: &str = "time,acc_x,acc_y,acc_z";
pub const OPERATIONS_HEADER: &str = "uuid,user,session,box,id,operation,start,end,actions";
pub const OPERATIONS_1HZ_HEADER: &str = "unixtime,user,session,box,id";

/// OpenPack was recorded in Japan: annotation times carry +09:00.
const JST_SECONDS: i32 = 9 * 3600;

/// A CSV file being written: the path (for error messages), a buffered writer and a line buffer.
pub struct CsvFile {
    path: PathBuf,
    out: BufWriter<File>,
    line: Vec<u8>,
}

impl CsvFile {
    /// Creates the file (and its folders) and writes the header line.
    pub fn create(path: &Path, header: &str) -> Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create folder {}", dir.display()))?;
        }
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut csv = Self {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, file),
            line: Vec::with_capacity(128),
        };
        csv.line.extend_from_slice(header.as_bytes());
        csv.end_line()?;
        Ok(csv)
    }

    fn end_line(&mut self) -> Result<()> {
        self.line.push(b'\n');
        self.out.write_all(&self.line).with_context(|| format!("cannot write {}", self.path.display()))?;
        self.line.clear();
        Ok(())
    }

    fn integer(&mut self, v: i64) {
        // Writing into a Vec cannot fail.
        let _ = write!(self.line, "{v}");
    }

    fn text(&mut self, s: &str) {
        self.line.extend_from_slice(s.as_bytes());
    }

    fn comma(&mut self) {
        self.line.push(b',');
    }

    fn fixed(&mut self, v: f64, decimals: u32) {
        push_fixed(&mut self.line, v, decimals);
    }

    /// One ATR row: acc in G (4 decimals), gyro in deg/s (2 decimals), quaternion (4 decimals).
    pub fn atr_row(&mut self, unixtime_ms: i64, acc: Vec3, gyro_dps: Vec3, quat: Quat) -> Result<()> {
        self.integer(unixtime_ms);
        for v in acc.to_array() {
            self.comma();
            self.fixed(v, 4);
        }
        for v in gyro_dps.to_array() {
            self.comma();
            self.fixed(v, 2);
        }
        for v in quat.to_array() {
            self.comma();
            self.fixed(v, 4);
        }
        self.end_line()
    }

    /// One E4 accelerometer row: time in ms, acc in G (4 decimals).
    pub fn e4_row(&mut self, time_ms: i64, acc: Vec3) -> Result<()> {
        self.integer(time_ms);
        for v in acc.to_array() {
            self.comma();
            self.fixed(v, 4);
        }
        self.end_line()
    }

    /// Flushes and closes the file; a failing flush is an error, not a silent truncation.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().with_context(|| format!("cannot write {}", self.path.display()))
    }
}

/// Appends `v` with exactly `decimals` decimals, rounded half away from zero.
pub fn push_fixed(buf: &mut Vec<u8>, v: f64, decimals: u32) {
    let scale = 10_i64.pow(decimals);
    let n = (v * scale as f64).round() as i64;
    if n < 0 {
        buf.push(b'-');
    }
    let n = n.unsigned_abs();
    let scale = scale as u64;
    let _ = write!(buf, "{}.{:0width$}", n / scale, n % scale, width = decimals as usize);
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
    let mut csv = CsvFile::create(&path, OPERATIONS_HEADER)?;
    for span in a.spans {
        let name =
            a.classes.name_of(span.id).with_context(|| format!("class {} is not in the class table", span.id))?;
        let start = iso_jst(a.first_second + i64::from(span.start_s))?;
        let end = iso_jst(a.first_second + i64::from(span.end_s))?;
        let uuid = pseudo_uuid(uuid_rng);
        let fields =
            [uuid.as_str(), a.user, a.session, &span.box_no.to_string(), &span.id.to_string(), name, &start, &end, ""];
        csv.text(&fields.join(","));
        csv.end_line()?;
    }
    csv.finish()
}

/// Writes `annotation/openpack-operations-1hz/{session}.csv`: one row per annotated second.
pub fn write_operations_1hz(root: &Path, a: &Annotation<'_>) -> Result<()> {
    let path = root.join(layout::operations_1hz_path(a.user, a.session));
    let mut csv = CsvFile::create(&path, OPERATIONS_1HZ_HEADER)?;
    for span in a.spans {
        for second in span.start_s..span.end_s {
            csv.integer((a.first_second + i64::from(second)) * 1000);
            csv.comma();
            csv.text(a.user);
            csv.comma();
            csv.text(a.session);
            csv.comma();
            csv.integer(i64::from(span.box_no));
            csv.comma();
            csv.integer(i64::from(span.id));
            csv.end_line()?;
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
    fn fixed_decimals_round_and_never_print_negative_zero() {
        let cases = [
            (0.98765, 4, "0.9877"),
            (-0.00001, 4, "0.0000"),
            (-1.23456, 2, "-1.23"),
            (12.0, 2, "12.00"),
            (-0.5, 4, "-0.5000"),
        ];
        for (v, d, expected) in cases {
            let mut buf = Vec::new();
            push_fixed(&mut buf, v, d);
            assert_eq!(String::from_utf8(buf).unwrap(), expected);
        }
    }

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
