//! Writing OpenPack's CSV files: ATR and E4 sensor rows and both annotation forms, with the
//! readers' own column layouts as headers, so whatever this writes the readers take. One writer
//! for everything tsak writes in OpenPack's layout: the simulator's datasets and the live
//! recordings' OpenPack export.
//!
//! Numbers are written as OpenPack's files have them: ATR acc and quaternion with 4 decimals,
//! gyro with 2, E4 acc with 4 (as documented, in G) or at full precision in G / 9.80665 (as
//! released). Fixed decimals are formatted through integers (never a `-0.0000`, and no float
//! formatting cost on the simulator's hundreds of thousands of rows).

use std::io::Write;

use super::annotation::{OPERATIONS_1HZ_COLUMNS, OPERATIONS_COLUMNS};
use super::devices::{ATR_LAYOUT, E4_ACC_LAYOUT, STANDARD_GRAVITY};

/// Which OpenPack file a writer writes: its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenPackFile {
    Atr,
    E4Acc,
    Operations,
    Operations1Hz,
}

impl OpenPackFile {
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Self::Atr => ATR_LAYOUT.columns,
            Self::E4Acc => E4_ACC_LAYOUT.columns,
            Self::Operations => OPERATIONS_COLUMNS,
            Self::Operations1Hz => OPERATIONS_1HZ_COLUMNS,
        }
    }
}

/// One operation span of `annotation/openpack-operations/{session}.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationRow<'a> {
    pub uuid: &'a str,
    pub user: &'a str,
    pub session: &'a str,
    pub box_no: u32,
    pub id: u32,
    pub operation: &'a str,
    /// ISO 8601 times, as the annotation has them.
    pub start: &'a str,
    pub end: &'a str,
}

/// A CSV writer for one OpenPack file (`csv::Writer`: names with commas or quotes are quoted,
/// not altered).
pub struct OpenPackWriter<W: Write> {
    csv: csv::Writer<W>,
    field: Vec<u8>,
}

impl<W: Write> OpenPackWriter<W> {
    /// Starts `file` on `out` with its header.
    pub fn new(out: W, file: OpenPackFile) -> csv::Result<Self> {
        let mut csv = csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(out);
        csv.write_record(file.columns())?;
        Ok(Self { csv, field: Vec::with_capacity(32) })
    }

    fn integer(&mut self, v: i64) -> csv::Result<()> {
        self.field.clear();
        let _ = write!(self.field, "{v}");
        self.csv.write_field(&self.field)
    }

    fn fixed(&mut self, v: f64, decimals: u32) -> csv::Result<()> {
        self.field.clear();
        push_fixed(&mut self.field, v, decimals);
        self.csv.write_field(&self.field)
    }

    fn shortest(&mut self, v: f64) -> csv::Result<()> {
        self.field.clear();
        let _ = write!(self.field, "{v}");
        self.csv.write_field(&self.field)
    }

    fn end(&mut self) -> csv::Result<()> {
        self.csv.write_record(None::<&[u8]>)
    }

    /// One ATR row: acc (G), gyro (deg/s), orientation quaternion (w, x, y, z).
    pub fn atr_row(&mut self, unixtime_ms: i64, acc: [f64; 3], gyro_dps: [f64; 3], quat: [f64; 4]) -> csv::Result<()> {
        self.integer(unixtime_ms)?;
        for v in acc {
            self.fixed(v, 4)?;
        }
        for v in gyro_dps {
            self.fixed(v, 2)?;
        }
        for v in quat {
            self.fixed(v, 4)?;
        }
        self.end()
    }

    /// One E4 accelerometer row in G, as OpenPack documents it.
    pub fn e4_row(&mut self, time_ms: i64, acc_g: [f64; 3]) -> csv::Result<()> {
        self.integer(time_ms)?;
        for v in acc_g {
            self.fixed(v, 4)?;
        }
        self.end()
    }

    /// One E4 accelerometer row as OpenPack released them: G / 9.80665, at full precision (the
    /// released files print the shortest round-tripping decimal, as here).
    pub fn e4_row_as_released(&mut self, time_ms: i64, acc_g: [f64; 3]) -> csv::Result<()> {
        self.integer(time_ms)?;
        for v in acc_g {
            self.shortest(v / STANDARD_GRAVITY)?;
        }
        self.end()
    }

    /// One span of the operations annotation (no actions).
    pub fn operation_row(&mut self, row: &OperationRow<'_>) -> csv::Result<()> {
        let (box_no, id) = (row.box_no.to_string(), row.id.to_string());
        let fields = [row.uuid, row.user, row.session, &box_no, &id, row.operation, row.start, row.end, ""];
        self.csv.write_record(fields)
    }

    /// One second of the 1 Hz annotation.
    pub fn operation_1hz_row(
        &mut self,
        unixtime_ms: i64,
        user: &str,
        session: &str,
        box_no: u32,
        id: u32,
    ) -> csv::Result<()> {
        self.integer(unixtime_ms)?;
        self.csv.write_field(user)?;
        self.csv.write_field(session)?;
        self.integer(i64::from(box_no))?;
        self.integer(i64::from(id))?;
        self.end()
    }

    /// Flushes and hands back the output (a failing flush is an error, not a silent truncation).
    pub fn finish(self) -> csv::Result<W> {
        self.csv.into_inner().map_err(|e| csv::Error::from(e.into_error()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::annotation::read_operations_spans;
    use crate::data::timeseries::TimeSeries;

    fn text(writer: OpenPackWriter<Vec<u8>>) -> String {
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    #[test]
    fn fixed_decimals_round_and_never_print_negative_zero() {
        let cases = [(0.98765, 4, "0.9877"), (-0.00001, 4, "0.0000"), (-1.23456, 2, "-1.23"), (12.0, 2, "12.00")];
        for (v, d, expected) in cases {
            let mut buf = Vec::new();
            push_fixed(&mut buf, v, d);
            assert_eq!(String::from_utf8(buf).unwrap(), expected);
        }
    }

    #[test]
    fn atr_rows_are_what_the_atr_reader_reads() {
        let mut w = OpenPackWriter::new(Vec::new(), OpenPackFile::Atr).unwrap();
        w.atr_row(1_648_531_521_000, [0.3795, 0.9069, -0.10971], [0.671, -1.76, 0.0], [0.5312, -0.6406, -0.2343, 0.5])
            .unwrap();
        let text = text(w);
        assert_eq!(
            text,
            "unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z\n\
             1648531521000,0.3795,0.9069,-0.1097,0.67,-1.76,0.00,0.5312,-0.6406,-0.2343,0.5000\n"
        );
        let series = TimeSeries::read("atr01.csv", text.as_bytes(), ATR_LAYOUT).unwrap();
        assert_eq!(series.unixtime_ms, vec![1_648_531_521_000]);
    }

    #[test]
    fn e4_rows_as_released_are_g_over_standard_gravity() {
        let mut w = OpenPackWriter::new(Vec::new(), OpenPackFile::E4Acc).unwrap();
        w.e4_row_as_released(10, [1.0, -0.5, 0.0]).unwrap();
        w.e4_row(20, [1.0, -0.5, 0.0]).unwrap();
        let text = text(w);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "time,acc_x,acc_y,acc_z");
        let released: Vec<f64> = lines[1].split(',').skip(1).map(|v| v.parse().unwrap()).collect();
        assert_eq!(released, vec![1.0 / STANDARD_GRAVITY, -0.5 / STANDARD_GRAVITY, 0.0]);
        assert_eq!(lines[2], "20,1.0000,-0.5000,0.0000");
    }

    #[test]
    fn an_operation_name_with_a_comma_is_quoted_and_read_back_whole() {
        let mut w = OpenPackWriter::new(Vec::new(), OpenPackFile::Operations).unwrap();
        let row = OperationRow {
            uuid: "u-1",
            user: "U0101",
            session: "S0100",
            box_no: 1,
            id: 100,
            operation: "Picking, fast",
            start: "2021-10-14T11:25:34+09:00",
            end: "2021-10-14T11:25:40+09:00",
        };
        w.operation_row(&row).unwrap();
        let text = text(w);
        assert!(
            text.ends_with(
                "u-1,U0101,S0100,1,100,\"Picking, fast\",2021-10-14T11:25:34+09:00,2021-10-14T11:25:40+09:00,\n"
            ),
            "{text}"
        );
        // The comma stays inside its field: the columns after it still read as they should.
        let spans = read_operations_spans("ops.csv", text.as_bytes(), &ClassTable::openpack_operations()).unwrap();
        assert_eq!((spans.len(), spans[0].id, spans[0].packed_box), (1, 100, 1));
        assert_eq!(spans[0].end_ms - spans[0].start_ms, 6000);
    }

    #[test]
    fn seconds_of_the_1hz_annotation_are_written_in_its_columns() {
        let mut w = OpenPackWriter::new(Vec::new(), OpenPackFile::Operations1Hz).unwrap();
        w.operation_1hz_row(1_634_178_334_000, "U0101", "S0100", 2, 300).unwrap();
        assert_eq!(text(w), "unixtime,user,session,box,id\n1634178334000,U0101,S0100,2,300\n");
    }
}
