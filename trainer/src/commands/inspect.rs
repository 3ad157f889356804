//! `trainer inspect`: what is in one OpenPack session, and its aligned frame table.

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use tsak::data::classes::ClassTable;
use tsak::data::openpack::session::{AssembledSession, assemble};
use tsak::data::openpack::{DeviceMap, fs};

#[derive(clap::Args, Debug, Clone)]
pub struct InspectArgs {
    /// Root folder of an OpenPack-layout dataset (real or synthetic).
    #[arg(long)]
    pub root: PathBuf,
    /// User folder, e.g. U0101.
    #[arg(long)]
    pub user: String,
    /// Session, e.g. S0100.
    #[arg(long)]
    pub session: String,
    /// Write the aligned, labelled frames (`unixtime`, channels, `operation`) to this CSV.
    #[arg(long)]
    pub frames_csv: Option<PathBuf>,
    /// A TOML device map (`[[devices]] id, kind, position`) instead of the dataset docs' placement.
    #[arg(long)]
    pub device_map: Option<PathBuf>,
}

pub fn run(args: &InspectArgs) -> Result<()> {
    let session = load(args)?;
    print!("{}", summary(&session, &ClassTable::openpack_operations()));
    if let Some(path) = &args.frames_csv {
        let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        session.frames.write_csv(BufWriter::new(file)).with_context(|| format!("cannot write {}", path.display()))?;
        println!("frames written to {}", path.display());
    }
    Ok(())
}

/// Reads a device map file, or the default placement.
pub fn device_map(path: Option<&PathBuf>) -> Result<DeviceMap> {
    let Some(path) = path else { return Ok(DeviceMap::default()) };
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("{} is not a valid device map", path.display()))
}

/// Reads and assembles the session with every device of the map that has a file.
pub fn load(args: &InspectArgs) -> Result<AssembledSession> {
    let map = device_map(args.device_map.as_ref())?;
    let devices = fs::available_devices(&args.root, &args.user, &args.session, &map);
    if devices.is_empty() {
        bail!(
            "no device files for {}/{} under {} (expected e.g. {})",
            args.user,
            args.session,
            args.root.display(),
            args.root
                .join(tsak::data::openpack::layout::device_path(&args.user, &args.session, &map.devices[0]))
                .display()
        );
    }
    let absent: Vec<&str> = map.devices.iter().filter(|d| !devices.contains(d)).map(|d| d.id.as_str()).collect();
    if !absent.is_empty() {
        eprintln!("{}/{}: no {} file; reading the session without it", args.user, args.session, absent.join(", "));
    }
    let classes = ClassTable::openpack_operations();
    let sources = fs::read_session(&args.root, &args.user, &args.session, &devices, &classes)?;
    Ok(assemble(sources)?)
}

/// The human-readable summary `inspect` prints.
pub fn summary(session: &AssembledSession, classes: &ClassTable) -> String {
    let frames = &session.frames;
    let mut out = String::new();
    let _ = writeln!(out, "session {}/{}", session.user, session.session);
    let _ = writeln!(out, "devices:");
    for d in &session.devices {
        let seconds = (d.last_ms - d.first_ms) as f64 / 1000.0;
        let rate = if seconds > 0.0 { (d.samples - 1) as f64 / seconds } else { 0.0 };
        let _ = writeln!(
            out,
            "  {:<6} {:<16} {:>7} samples  {:>8.1} s  {:>5.1} Hz  {} gap(s)  {}",
            d.device, d.position, d.samples, seconds, rate, d.gaps, d.file
        );
    }
    let _ = writeln!(
        out,
        "aligned: {} frames, {:.1} s, {:.2} Hz (from the timestamps), {} channels",
        frames.len(),
        frames.duration_s(),
        frames.sample_rate_hz().unwrap_or(0.0),
        frames.channels.len()
    );
    let _ = writeln!(out, "labels (frames, share):");
    let mut histogram = frames.label_histogram();
    histogram.sort_by_key(|&(id, _)| classes.index_of(id).unwrap_or(usize::MAX));
    for (id, count) in histogram {
        let name = classes.name_of(id).unwrap_or("?");
        let _ = writeln!(
            out,
            "  {id:>5} {name:<22} {count:>7}  {:>5.1}%",
            100.0 * count as f64 / frames.len().max(1) as f64
        );
    }
    if session.warnings.is_empty() {
        let _ = writeln!(out, "warnings: none");
    } else {
        let _ = writeln!(out, "warnings:");
        for w in &session.warnings {
            let _ = writeln!(out, "  - {w}");
        }
    }
    out
}
