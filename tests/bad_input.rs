//! Every kind of bad input the issue lists, through the real readers: each gives an error that
//! names the file, the line and the field, and nothing panics.
#![cfg(not(target_arch = "wasm32"))]

use tsak::data::classes::ClassTable;
use tsak::data::openpack::annotation::{read_operations, read_operations_1hz};
use tsak::data::openpack::devices::{ATR_LAYOUT, E4_ACC_LAYOUT};
use tsak::data::timeseries::TimeSeries;

const ATR_HEADER: &str = "unixtime,acc_x,acc_y,acc_z,gyro_x,gyro_y,gyro_z,quat_w,quat_x,quat_y,quat_z";

fn atr(body: &str) -> String {
    TimeSeries::read("atr01/S0100.csv", format!("{ATR_HEADER}\n{body}").as_bytes(), ATR_LAYOUT).unwrap_err().to_string()
}

fn row(t: i64) -> String {
    format!("{t},0.1,0.2,0.9,1,2,3,1,0,0,0\n")
}

#[test]
fn atr_cells() {
    let cases = [
        (row(1000).replace("0.2", ""), "atr01/S0100.csv, line 2, field `acc_y`: empty cell; expected a number"),
        (row(1000).replace("0.2", "NaN"), "atr01/S0100.csv, line 2, field `acc_y`: `NaN` is not a finite number"),
        (row(1000).replace("0.9", "-inf"), "atr01/S0100.csv, line 2, field `acc_z`: `-inf` is not a finite number"),
        (row(1000).replace("0.2", "0.2g"), "atr01/S0100.csv, line 2, field `acc_y`: `0.2g` is not a number"),
        (row(1000).replacen("1000", "soon", 1), "atr01/S0100.csv, line 2, field `unixtime`: `soon` is not an integer"),
        (
            format!("{}{}", row(1000), row(1000)),
            "atr01/S0100.csv, line 3, field `unixtime`: duplicate timestamp 1000 (also on line 2)",
        ),
        (
            format!("{}{}", row(1033), row(1000)),
            "atr01/S0100.csv, line 3, field `unixtime`: timestamps must increase: 1000 comes after 1033 (line 2)",
        ),
        (
            format!("{}1033,0.1,0.2", row(1000)),
            "atr01/S0100.csv, line 3: this line has 3 field(s) but the header has 11",
        ),
        (
            format!("{}1033,0.1,0.2,0.9,1,2,3,1,0,0,0,7\n", row(1000)),
            "atr01/S0100.csv, line 3: this line has 12 field(s) but the header has 11",
        ),
    ];
    for (body, expected) in cases {
        let err = atr(&body);
        assert!(err.starts_with(expected), "\n got: {err}\nwant: {expected}");
    }
}

#[test]
fn headers_and_empty_files() {
    let read =
        |text: &str| TimeSeries::read("e401/acc/S0100.csv", text.as_bytes(), E4_ACC_LAYOUT).unwrap_err().to_string();
    assert_eq!(read(""), "e401/acc/S0100.csv: the file is empty; expected a header line `time,acc_x,acc_y,acc_z`");
    assert_eq!(read("time,acc_x,acc_y,acc_z\n"), "e401/acc/S0100.csv: the file has a header but no samples");
    assert!(read("time,acc_x,acc_z\n").contains("line 1: bad header: missing column(s) acc_y"));
    assert!(read("unixtime,acc_x,acc_y,acc_z\n").contains("missing column(s) time; it has unixtime instead"));
    assert!(read("time,acc_x,acc_y,acc_z,acc_x\n").contains("duplicated column(s) acc_x"));
    // Extra columns and another order are read as openpack-toolkit reads them: by name.
    let reordered = "acc_y,time,acc_z,battery,acc_x\n0.2,1000,0.9,87,0.1\n0.2,1031,0.9,87,0.1\n";
    let series = TimeSeries::read("e401/acc/S0100.csv", reordered.as_bytes(), E4_ACC_LAYOUT).unwrap();
    assert_eq!(series.unixtime_ms, vec![1000, 1031]);
    assert_eq!(&series.values[..3], &[0.1, 0.2, 0.9]);
}

#[test]
fn annotations() {
    let classes = ClassTable::openpack_operations();
    let one_hz = read_operations_1hz("1hz.csv", "unixtime,user,session,box,id\n1000,U,S,1,4242\n".as_bytes(), &classes)
        .unwrap_err()
        .to_string();
    assert!(
        one_hz.starts_with("1hz.csv, line 2, field `id`: unknown class id 4242; expected one of 100, 200"),
        "{one_hz}"
    );
    let spans = "uuid,user,session,box,id,operation,start,end,actions\n\
                 a,U,S,1,100,P,2021-10-14T11:25:34+09:00,2021-10-14T11:25:40+09:00,\n\
                 b,U,S,1,200,R,2021-10-14T11:25:35+09:00,2021-10-14T11:25:45+09:00,\n";
    let err = read_operations("ops.csv", spans.as_bytes(), &classes).unwrap_err().to_string();
    assert_eq!(err, "ops.csv, line 3, field `start`: this span overlaps the span on line 2");
}

#[test]
fn invalid_utf8_is_located() {
    let mut bytes = format!("{ATR_HEADER}\n{}", row(1000)).into_bytes();
    bytes.extend_from_slice(b"1033,\xff\xfe,0.2,0.9,1,2,3,1,0,0,0\n");
    let err = TimeSeries::read("atr01/S0100.csv", bytes.as_slice(), ATR_LAYOUT).unwrap_err().to_string();
    assert!(err.starts_with("atr01/S0100.csv, line 3"), "{err}");
}
