//! `trainer synth`: a synthetic dataset in the exact OpenPack layout, for tests and demos when
//! the real data is not at hand. It is NOT OpenPack data, and the root README says so.
//!
//! The generator simulates a worker's body (trunk and two 5-joint arms) going through packing
//! cycles, and derives every sensor's readings from that one motion: ATR IMUs on both wrists
//! and upper arms (acc, gyro, orientation quaternion at 30 Hz) and E4 accelerometers on both
//! wrists (32 Hz, own clock), plus both annotation forms.
//!
//! - [`schedule`]: the packing cycle (order, durations, Null gaps), which becomes the annotation.
//! - [`calibration`], [`correction`]: measuring a real dataset's training part and making the
//!   sensors look like it (axes and posture per operation, motion per band, rate, units, range).
//! - [`motions`]: per-operation motion scripts, which become the sensor data.
//! - [`body`]: the skeleton, its joint dynamics and forward kinematics.
//! - [`kinematics`]: quaternions, orientation integration, what an IMU measures.
//! - [`subjects`]: per-subject tempo, amplitude, handedness, device errors.
//! - [`session`]: clocks, dropped samples, streaming one session to its files.
//! - [`writer`]: the CSV layouts and the README.
//! - [`seeds`]: one independent random stream per subject, session and device.

pub mod body;
pub mod calibration;
pub mod compare;
pub mod correction;
pub mod kinematics;
pub mod motions;
pub mod schedule;
pub mod seeds;
pub mod session;
pub mod signal_stats;
pub mod subjects;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use rand::Rng;
use tsak::data::classes::ClassTable;

use self::calibration::Calibration;
use self::session::{DEVICES, SessionPlan, SessionSummary};
use self::subjects::Subject;
use crate::training::dataset::{DataSource, SplitChoice};

/// Command-line arguments of `trainer synth`.
#[derive(clap::Args, Debug, Clone)]
pub struct SynthArgs {
    /// Folder to write the dataset into (created if missing; existing files are overwritten).
    #[arg(long)]
    pub out: PathBuf,
    /// Number of users (U0101, U0102, ...). Six by default: a subject-wise split then trains on
    /// four people, which a one-wrist student needs to generalise to a new one.
    #[arg(long, default_value_t = 6)]
    pub users: usize,
    /// Sessions per user (S0100, S0200, ...).
    #[arg(long, default_value_t = 3)]
    pub sessions: usize,
    /// Annotated minutes per session: packing cycles repeat until then (the last one is cut off).
    #[arg(long, default_value_t = 10.0)]
    pub minutes: f64,
    /// Master seed: the same arguments always give byte-identical files.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// A real dataset (`openpack:DIR`) to print the written data's sensor statistics beside:
    /// gravity per axis, spread, peaks, power above 3 Hz, clipping, operation durations.
    #[arg(long)]
    pub compare: Option<DataSource>,
    /// A real dataset (`openpack:DIR`) to calibrate the simulator against: its rate, E4 units,
    /// accelerometer range and operation durations, and per sensor and operation the direction
    /// of gravity and the motion below and above 3 Hz. Only the training part of
    /// `--calibrate-split` is looked at, never its test part.
    #[arg(long)]
    pub calibrate_to: Option<DataSource>,
    /// The split whose training part `--calibrate-to` measures.
    #[arg(long, default_value = "time:0.7")]
    pub calibrate_split: SplitChoice,
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    pub users: usize,
    pub sessions: usize,
    pub minutes: f64,
    pub seed: u64,
    /// A real dataset's look (`None`: the documented formats and the scripts' own motion).
    pub calibration: Option<Calibration>,
}

impl SynthConfig {
    /// The configuration `args` ask for, calibrating first if they name a real dataset.
    pub fn from_args(a: &SynthArgs) -> Result<Self> {
        let calibration = match &a.calibrate_to {
            Some(real) => {
                let scratch = tempfile::tempdir().context("cannot create a scratch folder for calibration")?;
                Some(calibration::calibrate(real, &a.calibrate_split, a.seed, scratch.path())?)
            }
            None => None,
        };
        Ok(Self { users: a.users, sessions: a.sessions, minutes: a.minutes, seed: a.seed, calibration })
    }
}

impl SynthConfig {
    fn validate(&self) -> Result<()> {
        if !(1..=99).contains(&self.users) {
            bail!("--users must be 1..=99 (user folders are U0101..U0199), got {}", self.users);
        }
        if !(1..=99).contains(&self.sessions) {
            bail!("--sessions must be 1..=99 (session names are S0100..S9900), got {}", self.sessions);
        }
        if !(self.minutes.is_finite() && self.minutes > 0.0 && self.minutes <= 24.0 * 60.0) {
            bail!("--minutes must be a positive number of minutes up to a day, got {}", self.minutes);
        }
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthSummary {
    pub root: PathBuf,
    pub config: SynthConfig,
    /// Users whose dominant-hand roles are on the left arm.
    pub left_handed: Vec<String>,
    /// One entry per session, users in order, then sessions.
    pub sessions: Vec<SessionSummary>,
}

impl SynthSummary {
    /// A few lines for the terminal.
    pub fn describe(&self) -> String {
        let annotated: u32 = self.sessions.iter().map(|s| s.annotated_seconds).sum();
        let boxes: u32 = self.sessions.iter().map(|s| s.boxes).sum();
        let atr: usize = self.sessions.iter().map(|s| s.atr_samples).sum();
        let atr_dropped: usize = self.sessions.iter().map(|s| s.atr_dropped).sum();
        let e4: usize = self.sessions.iter().flat_map(|s| s.e4_samples).sum();
        let e4_dropped: usize = self.sessions.iter().flat_map(|s| s.e4_dropped).sum();
        let p99 = self.sessions.iter().flat_map(|s| s.linear_acc_p99).fold(0.0, f64::max);
        let left = if self.left_handed.is_empty() { "none".to_string() } else { self.left_handed.join(", ") };
        format!(
            "wrote SYNTHETIC OpenPack-layout data (not OpenPack) to {}\n\
             {} users x {} sessions, seed {}: {} boxes, {:.1} annotated minutes\n\
             ATR samples per device: {atr} ({atr_dropped} dropped); E4 samples, both wrists: {e4} ({e4_dropped} dropped)\n\
             left-handed users: {left}; worst per-session p99 of linear acceleration: {p99:.2} G",
            self.root.display(),
            self.config.users,
            self.config.sessions,
            self.config.seed,
            boxes,
            f64::from(annotated) / 60.0,
        )
    }
}

/// `trainer synth`: writes the dataset and prints a short summary.
pub fn run(args: &SynthArgs) -> Result<()> {
    let summary = write_dataset(&SynthConfig::from_args(args)?, &args.out)?;
    println!("{}", summary.describe());
    if let Some(real) = &args.compare {
        println!("\nreal ({real}) vs the synthetic data just written ({}):", args.out.display());
        print!("{}", compare::compare(real, &args.out)?);
    }
    Ok(())
}

/// The first annotated second of the first session: 2021-10-14T11:25:34+09:00.
const FIRST_SESSION_UNIX_S: i64 = 1_634_178_334;

/// Writes the whole dataset under `out`. The library entry point (tests call it directly).
pub fn write_dataset(cfg: &SynthConfig, out: &Path) -> Result<SynthSummary> {
    cfg.validate()?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create folder {}", out.display()))?;
    let classes = ClassTable::openpack_operations();
    // A calibration describes one worker's sensors as worn: its corrections assume the roles
    // of that worker's hands, so a calibrated dataset has no left-handed subjects.
    let handedness = match cfg.calibration {
        Some(_) => vec![false; cfg.users],
        None => subjects::left_handed_users(cfg.seed, cfg.users),
    };
    let subjects: Vec<Subject> =
        (0..cfg.users).map(|u| subjects::draw_subject(cfg.seed, u, handedness[u], DEVICES.len())).collect();
    writer::write_readme(out, &readme(cfg))?;

    let plans: Vec<SessionPlan<'_>> = (0..cfg.users)
        .flat_map(|u| (0..cfg.sessions).map(move |s| (u, s)))
        .map(|(u, s)| SessionPlan {
            seed: cfg.seed,
            user_index: u,
            session_index: s,
            session: session_name(s),
            subject: &subjects[u],
            classes: &classes,
            first_second: session_start(cfg, u, s),
            minutes: cfg.minutes,
            calibration: cfg.calibration.as_ref(),
        })
        .collect();
    let sessions = run_in_parallel(out, &plans)?;
    Ok(SynthSummary {
        root: out.to_path_buf(),
        config: cfg.clone(),
        left_handed: subjects.iter().filter(|s| s.left_handed).map(|s| s.user.clone()).collect(),
        sessions,
    })
}

/// `S0100`, `S0200`, ... for the `index`-th session (0-based).
pub fn session_name(index: usize) -> String {
    format!("S{:04}", 100 * (index + 1))
}

/// Unix time (s) of a session's first annotated second: one day per user, sessions an hour or
/// more apart (enough that they never overlap), each shifted by up to ten minutes.
fn session_start(cfg: &SynthConfig, user: usize, session: usize) -> i64 {
    let mut rng = seeds::rng(cfg.seed, &[seeds::START, user as u64]);
    let user_shift: i64 = rng.random_range(0..7200);
    let spacing_h = ((cfg.minutes + 20.0) / 60.0).ceil() as i64;
    let mut session_rng = seeds::rng(cfg.seed, &[seeds::START, user as u64, session as u64]);
    let session_shift: i64 = session_rng.random_range(0..600);
    FIRST_SESSION_UNIX_S + user as i64 * 86_400 + user_shift + session as i64 * spacing_h * 3600 + session_shift
}

/// Generates the sessions on all cores. Each session has its own seeds and files, so the
/// bytes do not depend on which thread ran it or when.
fn run_in_parallel(out: &Path, plans: &[SessionPlan<'_>]) -> Result<Vec<SessionSummary>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(plans.len()).max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<SessionSummary>>>> = Mutex::new((0..plans.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(plan) = plans.get(i) else { break };
                    let result = session::write_session(out, plan)
                        .with_context(|| format!("while generating {}/{}", plan.subject.user, plan.session));
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(result);
                    }
                }
            });
        }
    });
    let slots = results.into_inner().map_err(|_| anyhow::anyhow!("a generator thread panicked"))?;
    slots.into_iter().map(|r| r.unwrap_or_else(|| Err(anyhow::anyhow!("a session was not generated")))).collect()
}

/// How the data was calibrated, for the README (nothing for uncalibrated data, whose README
/// predates calibration and stays byte for byte as it was).
fn calibration_line(cfg: &SynthConfig) -> Option<String> {
    cfg.calibration.as_ref().map(|c| {
        format!(
            "Calibrated against {} (ATR at {:.2} Hz, E4 acc in G / 9.80665 as OpenPack released it, \
             acc clipped at +-4 G, per-sensor axes and motion per operation, operation durations).",
            c.source, c.atr_hz
        )
    })
}

/// The root README: what this is, how it was made, what it is not.
fn readme(cfg: &SynthConfig) -> String {
    let lines = [
        "SYNTHETIC DATA in the OpenPack file layout. This is NOT the OpenPack dataset.".to_string(),
        String::new(),
        format!(
            "Generated by `trainer synth` (tsak) with: users={} sessions={} minutes={} seed={}",
            cfg.users, cfg.sessions, cfg.minutes, cfg.seed
        ),
        "The same parameters reproduce these files byte for byte.".to_string(),
        String::new(),
        "What it is: a simulated worker (trunk and two 5-joint arms) doing packing cycles of the".to_string(),
        "10 OpenPack operations, with every sensor derived from that one motion:".to_string(),
        "- {user}/atr/atr01..atr04/{session}.csv: ATR IMUs on the right wrist, left wrist, right".to_string(),
        "  upper arm, left upper arm; 30 Hz; acc (G), gyro (deg/s), orientation quaternion.".to_string(),
        "- {user}/e4/e401|e402/acc/{session}.csv: E4 accelerometers on the right/left wrist;".to_string(),
        "  32 Hz, own axes, own clock, 1/64 G resolution.".to_string(),
        "- {user}/annotation/openpack-operations/{session}.csv and openpack-operations-1hz/: labels.".to_string(),
        String::new(),
        "Use it to exercise pipelines and tests. Numbers measured on it say nothing about".to_string(),
        "performance on real OpenPack data.".to_string(),
    ];
    let mut lines = lines.to_vec();
    if let Some(line) = calibration_line(cfg) {
        lines.insert(3, line);
    }
    lines.join("\n") + "\n"
}

#[cfg(test)]
mod tests;
