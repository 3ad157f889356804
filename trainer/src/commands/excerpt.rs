//! `trainer excerpt`: one part of a time split (`--split time:0.7 --part test`) of every
//! OpenPack session, written as the dataset releases it: the same files and columns, only the
//! rows inside the part's time. What "the sample cut to its last 30%" means for `evaluate`, and
//! the real demo the app serves (the part no training choice looked at).
//!
//! Rows are copied as they are (fields untouched), so the excerpt reads exactly like the
//! release; E4 rows keep a second either side so that resampling onto the ATR clock covers
//! the first and last frames. The ISO-span annotation is not copied: the 1 Hz one says the
//! same per second and is cut without re-deriving spans.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use tsak::data::openpack::layout::{device_path, operations_1hz_path};

use crate::commands::inspect::device_map;
use crate::training::dataset::{self, DataSource, SplitChoice};

/// E4 rows kept beyond the part on either side, in ms.
const E4_MARGIN_MS: i64 = 1000;

#[derive(clap::Args, Debug, Clone)]
pub struct ExcerptArgs {
    /// `openpack:DIR`: the sessions to cut.
    #[arg(long)]
    pub data: DataSource,
    /// A time split, e.g. `time:0.7` (as given to `pipeline`).
    #[arg(long)]
    pub split: SplitChoice,
    /// Which part to write.
    #[arg(long, value_enum, default_value_t = Part::Test)]
    pub part: Part,
    /// The OpenPack root to write (created).
    #[arg(long)]
    pub out: PathBuf,
    /// A TOML device map instead of the dataset docs' placement.
    #[arg(long)]
    pub device_map: Option<PathBuf>,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Train,
    Validation,
    Test,
}

pub fn run(args: &ExcerptArgs) -> Result<()> {
    let DataSource::OpenPack(root) = &args.data else {
        bail!("excerpt cuts OpenPack sessions: give --data openpack:DIR")
    };
    if !matches!(args.split, SplitChoice::Time { .. }) {
        bail!("excerpt cuts a time split: give --split time:F, e.g. time:0.7");
    }
    let devices = device_map(args.device_map.as_ref())?;
    let data = dataset::load(&args.data, &args.split, &devices)?;
    let parts = match args.part {
        Part::Train => &data.train,
        Part::Validation => &data.val,
        Part::Test => &data.test,
    };
    for part in parts {
        let (Some(&from), Some(&to)) = (part.frames.unixtime_ms.first(), part.frames.unixtime_ms.last()) else {
            bail!("{}: the part has no frames", part.name);
        };
        let (user, session) = user_session(&part.name)?;
        let mut written = 0;
        for device in &devices.devices {
            let path = device_path(user, session, device);
            if root.join(&path).exists() {
                let margin = if device.kind == tsak::data::openpack::DeviceKind::E4Acc { E4_MARGIN_MS } else { 0 };
                written += copy_rows(root, &args.out, &path, from - margin, to + margin)?;
            }
        }
        let labels = operations_1hz_path(user, session);
        written += copy_rows(root, &args.out, &labels, from.div_euclid(1000) * 1000, to)?;
        println!("{}: {from}..={to} ms, {} frames, {written} rows written", part.name, part.frames.len());
    }
    println!("written under {}", args.out.display());
    Ok(())
}

/// `U0209/S0500 [test]` -> (`U0209`, `S0500`).
fn user_session(part_name: &str) -> Result<(&str, &str)> {
    let name = part_name.split(' ').next().unwrap_or(part_name);
    name.split_once('/').with_context(|| format!("`{part_name}` is not a user/session name"))
}

/// Copies the header and the rows whose first field (a unixtime in ms) lies in `from..=to`
/// from `root/path` to `out/path`; returns the rows copied.
fn copy_rows(root: &Path, out: &Path, path: &str, from: i64, to: i64) -> Result<usize> {
    let source = root.join(path);
    let target = out.join(path);
    let mut reader = csv::Reader::from_path(&source).with_context(|| format!("cannot read {}", source.display()))?;
    std::fs::create_dir_all(target.parent().context("a file path has a folder")?)
        .with_context(|| format!("cannot create the folder of {}", target.display()))?;
    let mut writer = csv::Writer::from_path(&target).with_context(|| format!("cannot create {}", target.display()))?;
    writer.write_byte_record(reader.byte_headers()?)?;
    let mut copied = 0;
    for (row, record) in reader.byte_records().enumerate() {
        let record = record.with_context(|| format!("{}: row {}", source.display(), row + 2))?;
        let time: i64 = std::str::from_utf8(&record[0])
            .ok()
            .and_then(|t| t.trim().parse().ok())
            .with_context(|| format!("{}, line {}, first field: not a unixtime in ms", source.display(), row + 2))?;
        if (from..=to).contains(&time) {
            writer.write_byte_record(&record)?;
            copied += 1;
        }
    }
    writer.flush()?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_give_user_and_session() {
        assert_eq!(user_session("U0209/S0500 [test]").unwrap(), ("U0209", "S0500"));
        assert!(user_session("recording.csv [test]").is_err());
    }

    #[test]
    fn only_rows_inside_the_part_are_copied_verbatim() {
        let dir = std::env::temp_dir().join(format!("tsak-excerpt-{}", std::process::id()));
        let (root, out) = (dir.join("in"), dir.join("out"));
        std::fs::create_dir_all(root.join("U/atr/atr01")).unwrap();
        std::fs::write(root.join("U/atr/atr01/S.csv"), "unixtime,acc_x\n1000,0.1000\n1030,-0.25\n1060,3\n").unwrap();
        assert_eq!(copy_rows(&root, &out, "U/atr/atr01/S.csv", 1030, 1060).unwrap(), 2);
        let written = std::fs::read_to_string(out.join("U/atr/atr01/S.csv")).unwrap();
        assert_eq!(written, "unixtime,acc_x\n1030,-0.25\n1060,3\n");
        std::fs::write(root.join("U/atr/atr01/S.csv"), "unixtime,acc_x\nsoon,1\n").unwrap();
        let error = copy_rows(&root, &out, "U/atr/atr01/S.csv", 0, 1).unwrap_err().to_string();
        assert!(error.contains("line 2, first field"), "{error}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
