//! Training data: which sessions, split by subject, and the normalised windows models eat.
//!
//! Two sources: `openpack:DIR` (real or synthetic OpenPack layout) and `recordings:SPEC` (a
//! team's recordings described by a dataset spec). Both end as labelled frame tables per
//! session with a subject, so splitting and windowing do not care where data came from.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use tsak::data::channels::ChannelSelection;
use tsak::data::classes::ClassTable;
use tsak::data::dataset_spec::DatasetSpec;
use tsak::data::frames::FrameTable;
use tsak::data::normalize::ChannelStats;
use tsak::data::openpack::session::assemble;
use tsak::data::openpack::splits::toolkit_split;
use tsak::data::openpack::{DeviceMap, fs as openpack_fs};
use tsak::data::recording_fs::load_dataset;
use tsak::data::window::{WindowConfig, windows};
use tsak::infer::inputs::{model_frames, model_frames_without};

/// Where data comes from, as given to `--data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// `openpack:DIR`: a dataset root in the OpenPack layout.
    OpenPack(PathBuf),
    /// `recordings:SPEC`: a dataset spec TOML and the recordings it lists.
    Recordings(PathBuf),
}

impl FromStr for DataSource {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.split_once(':') {
            Some(("openpack", dir)) if !dir.is_empty() => Ok(Self::OpenPack(dir.into())),
            Some(("recordings", spec)) if !spec.is_empty() => Ok(Self::Recordings(spec.into())),
            _ => Err(format!("`{text}` is not `openpack:DIR` or `recordings:SPEC`")),
        }
    }
}

impl std::fmt::Display for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::OpenPack(root) => write!(f, "openpack:{}", root.display()),
            Self::Recordings(spec) => write!(f, "recordings:{}", spec.display()),
        }
    }
}

/// How sessions are split into train / validation / test, always by subject.
#[derive(Debug, Clone, PartialEq)]
pub enum SplitChoice {
    /// One of the toolkit's named splits (`debug`, `pilot-challenge`, `openpack-challenge-2022`).
    Named(String),
    /// Subjects sorted by name: the last one is the test subject, the one before it validation,
    /// the rest train. Works for any dataset with at least three subjects.
    LastSubjects,
    /// `subjects:VAL,.../TEST,...`: the named subjects validate and test, every other one trains.
    Subjects { val: Vec<String>, test: Vec<String> },
    /// `all`: every session is a test session (to evaluate exported models on new data).
    All,
    /// `time:F`: every session is split by time, for data from one subject (OpenPack's public
    /// sample). The first fraction `F` of each session's time trains and validates, the rest
    /// tests; both cuts fall between packed boxes. Validation is the last boxes of the first
    /// part ([`VALIDATION_SHARE`] of its time). Within one session, so never a cross-subject
    /// result.
    Time { train_share: f64 },
    /// `dev:SPLIT`: the development form of SPLIT, for tuning. SPLIT's final test part is dropped
    /// before anything is trained or scored; its validation part becomes the test part, and a
    /// new validation part comes from its training part (the last training subject, or for one
    /// subject the last boxes of each training part). Choices made on `dev:` results never saw
    /// the final part; SPLIT itself then reports it once.
    Development(Box<SplitChoice>),
}

/// The share of a time split's first part that validates (its last boxes).
pub const VALIDATION_SHARE: f64 = 0.2;

impl FromStr for SplitChoice {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(inner) = text.strip_prefix("dev:") {
            return match inner.parse::<SplitChoice>()? {
                Self::All => Err(format!("`{text}`: `all` has no validation part to test on")),
                Self::Development(_) => Err(format!("`{text}`: one `dev:` is enough")),
                split => Ok(Self::Development(Box::new(split))),
            };
        }
        if let Some(share) = text.strip_prefix("time:") {
            return match share.parse::<f64>() {
                Ok(train_share) if train_share > 0.0 && train_share < 1.0 => Ok(Self::Time { train_share }),
                _ => Err(format!("`{text}`: the share after `time:` must be a number between 0 and 1, e.g. time:0.7")),
            };
        }
        if let Some(lists) = text.strip_prefix("subjects:") {
            let list = |l: &str| l.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect();
            return match lists.split_once('/') {
                Some((val, test)) => {
                    let (val, test): (Vec<String>, Vec<String>) = (list(val), list(test));
                    if val.is_empty() || test.is_empty() {
                        return Err(format!("`{text}` names no validation or no test subject"));
                    }
                    if let Some(both) = val.iter().find(|s| test.contains(s)) {
                        return Err(format!("`{text}`: subject {both} cannot both validate and test"));
                    }
                    Ok(Self::Subjects { val, test })
                }
                None => Err(format!("`{text}` is not `subjects:VAL,.../TEST,...`")),
            };
        }
        Ok(match text {
            "last-subjects" => Self::LastSubjects,
            "all" => Self::All,
            name => Self::Named(name.to_string()),
        })
    }
}

impl std::fmt::Display for SplitChoice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Named(name) => write!(f, "{name}"),
            Self::LastSubjects => write!(f, "last-subjects"),
            Self::All => write!(f, "all"),
            Self::Subjects { val, test } => write!(f, "subjects:{}/{}", val.join(","), test.join(",")),
            Self::Time { train_share } => write!(f, "time:{train_share}"),
            Self::Development(split) => write!(f, "dev:{split}"),
        }
    }
}

/// One session's frames, with who performed it.
#[derive(Debug, Clone)]
pub struct LabelledSession {
    /// `U0101/S0100` or a recording's file name.
    pub name: String,
    pub subject: String,
    pub frames: FrameTable,
    /// The first frame of each packed box (OpenPack); empty when the data has no boxes.
    pub box_starts: Vec<usize>,
}

/// Sessions split by subject, with the class table that labels them.
#[derive(Debug, Clone)]
pub struct SplitData {
    pub classes: ClassTable,
    pub train: Vec<LabelledSession>,
    pub val: Vec<LabelledSession>,
    pub test: Vec<LabelledSession>,
    /// What the split was, for the run log and the manifest.
    pub description: String,
    /// Frames per second, read from the sessions' timestamps (OpenPack's ATR files: 33.3 Hz).
    pub sample_rate_hz: f64,
}

/// Loads every session of the source and splits it.
pub fn load(source: &DataSource, split: &SplitChoice, devices: &DeviceMap) -> Result<SplitData> {
    let (classes, sessions) = match source {
        DataSource::OpenPack(root) => (ClassTable::openpack_operations(), load_openpack(root, split, devices)?),
        DataSource::Recordings(spec) => load_recordings(spec)?,
    };
    let sample_rate_hz = common_rate(&sessions)?;
    Ok(SplitData { sample_rate_hz, ..split_sessions(classes, sessions, split)? })
}

/// A short name for the data, shown with the models trained on it: a recording spec's `name`;
/// for an OpenPack folder "OpenPack" and its subjects.
pub fn dataset_name(source: &DataSource, data: &SplitData) -> Result<String> {
    Ok(match source {
        DataSource::Recordings(spec) => {
            let text = std::fs::read_to_string(spec).with_context(|| format!("cannot read {}", spec.display()))?;
            DatasetSpec::parse(&spec.display().to_string(), &text)?.name
        }
        DataSource::OpenPack(_) => {
            let mut subjects: Vec<&str> =
                data.train.iter().chain(&data.val).chain(&data.test).map(|s| s.subject.as_str()).collect();
            subjects.sort_unstable();
            subjects.dedup();
            format!("OpenPack {}", subjects.join(", "))
        }
    })
}

/// The one frame rate of all sessions, from their timestamps. Models see windows of a fixed
/// number of frames, so sessions at different rates (more than 2% apart) cannot train together.
fn common_rate(sessions: &[LabelledSession]) -> Result<f64> {
    let mut rates = sessions.iter().filter_map(|s| s.frames.sample_rate_hz().map(|r| (r, &s.name)));
    let Some((rate, first)) = rates.next() else { bail!("no session has two frames to measure its rate from") };
    if let Some((other, name)) = rates.find(|(r, _)| (r - rate).abs() > 0.02 * rate) {
        bail!("session {name} runs at {other:.2} Hz but {first} at {rate:.2} Hz; resample them to one rate first");
    }
    Ok(rate)
}

/// `(user, session)` pairs found under an OpenPack root (those with an atr01 or e401 file).
pub fn discover_openpack(root: &Path, devices: &DeviceMap) -> Result<Vec<(String, String)>> {
    let mut found = Vec::new();
    let users = std::fs::read_dir(root).with_context(|| format!("cannot list {}", root.display()))?;
    let mut users: Vec<String> =
        users.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect();
    users.sort();
    for user in users.into_iter().filter(|u| u.starts_with('U')) {
        let Some(first) = devices.devices.first() else { bail!("the device map is empty") };
        let probe = root.join(tsak::data::openpack::layout::device_path(&user, "S0000", first));
        let Some(folder) = probe.parent() else { continue };
        let Ok(entries) = std::fs::read_dir(folder) else { continue };
        let mut sessions: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter_map(|name| name.strip_suffix(".csv").map(str::to_string))
            .collect();
        sessions.sort();
        found.extend(sessions.into_iter().map(|s| (user.clone(), s)));
    }
    if found.is_empty() {
        bail!("no sessions found under {} (expected {{user}}/atr/atr01/{{session}}.csv)", root.display());
    }
    Ok(found)
}

fn load_openpack(root: &Path, split: &SplitChoice, devices: &DeviceMap) -> Result<Vec<LabelledSession>> {
    let classes = ClassTable::openpack_operations();
    let split = match split {
        SplitChoice::Development(inner) => inner.as_ref(),
        split => split,
    };
    let wanted: Vec<(String, String)> = match split {
        SplitChoice::Named(name) => {
            let split = toolkit_split(name).with_context(|| format!("no toolkit split named `{name}`"))?;
            split.train.into_iter().chain(split.val).chain(split.test).collect()
        }
        SplitChoice::LastSubjects
        | SplitChoice::Subjects { .. }
        | SplitChoice::All
        | SplitChoice::Time { .. }
        | SplitChoice::Development(_) => discover_openpack(root, devices)?,
    };
    let mut sessions = Vec::with_capacity(wanted.len());
    for (user, session) in wanted {
        let name = format!("{user}/{session}");
        let present = openpack_fs::available_devices(root, &user, &session, devices);
        let absent: Vec<&str> =
            devices.devices.iter().filter(|d| !present.contains(d)).map(|d| d.id.as_str()).collect();
        if !absent.is_empty() {
            eprintln!("{name}: no {} file; reading the session without it", absent.join(", "));
        }
        let sources = openpack_fs::read_session(root, &user, &session, &present, &classes)?;
        let assembled = assemble(sources)?;
        for warning in &assembled.warnings {
            eprintln!("{name}: {warning}");
        }
        sessions.push(LabelledSession {
            name,
            subject: user,
            frames: assembled.frames,
            box_starts: assembled.box_starts,
        });
    }
    Ok(sessions)
}

fn load_recordings(spec: &Path) -> Result<(ClassTable, Vec<LabelledSession>)> {
    let dataset = load_dataset(spec)?;
    let sessions = dataset
        .recordings
        .into_iter()
        .map(|(entry, frames)| LabelledSession { name: entry.file, subject: entry.subject, frames, box_starts: vec![] })
        .collect();
    Ok((dataset.spec.classes, sessions))
}

/// The box boundary of `session` inside its first `upto` frames that lies nearest to `share`
/// of their time; for data without boxes, the nearest label change. `None` when there is none.
fn nearest_boundary(session: &LabelledSession, upto: usize, share: f64) -> Option<usize> {
    let time = &session.frames.unixtime_ms;
    let (&first, &last) = (time.first()?, time.get(upto.checked_sub(1)?)?);
    let target = first as f64 + (last - first) as f64 * share;
    let boundaries: Vec<usize> = if session.box_starts.is_empty() {
        let labels = &session.frames.labels;
        (1..upto).filter(|&i| labels[i] != labels[i - 1]).collect()
    } else {
        session.box_starts.clone()
    };
    boundaries
        .into_iter()
        .filter(|&b| b > 0 && b < upto)
        .min_by(|&a, &b| (time[a] as f64 - target).abs().total_cmp(&(time[b] as f64 - target).abs()))
}

/// Splits every session by time: train, validation (the last boxes of the first part), test.
fn split_by_time(classes: ClassTable, sessions: Vec<LabelledSession>, train_share: f64) -> Result<SplitData> {
    let mut data = SplitData {
        classes,
        train: Vec::new(),
        val: Vec::new(),
        test: Vec::new(),
        description: format!(
            "by time within each session: first {:.0}% of its time (whole boxes) trains, its last boxes \
             ({:.0}% of that) validate, the rest tests; within-session, not cross-subject",
            train_share * 100.0,
            VALIDATION_SHARE * 100.0
        ),
        sample_rate_hz: 0.0,
    };
    for session in sessions {
        let cuts = nearest_boundary(&session, session.frames.len(), train_share)
            .and_then(|test_from| Some((nearest_boundary(&session, test_from, 1.0 - VALIDATION_SHARE)?, test_from)));
        let Some((val_from, test_from)) = cuts else {
            bail!("session {} has too few boxes to split by time at {train_share}", session.name);
        };
        let part = |range: std::ops::Range<usize>, suffix: &str| session_part(&session, range, suffix);
        data.train.push(part(0..val_from, "train"));
        data.val.push(part(val_from..test_from, "validation"));
        data.test.push(part(test_from..session.frames.len(), "test"));
    }
    Ok(data)
}

/// The development form of a split (see [`SplitChoice::Development`]): its test part dropped,
/// its validation part testing, a validation part taken from its training part.
fn development(data: SplitData) -> Result<SplitData> {
    let SplitData { classes, train, val, test: _final_part, description, sample_rate_hz } = data;
    let mut subjects: Vec<&str> = train.iter().map(|s| s.subject.as_str()).collect();
    subjects.sort_unstable();
    subjects.dedup();
    let (train, new_val, how) = if subjects.len() >= 2 {
        let last = subjects[subjects.len() - 1].to_string();
        let (val, train): (Vec<_>, Vec<_>) = train.into_iter().partition(|s| s.subject == last);
        (train, val, format!("validation {last}"))
    } else {
        let mut parts = (Vec::new(), Vec::new());
        for session in train {
            let Some(cut) = nearest_boundary(&session, session.frames.len(), 1.0 - VALIDATION_SHARE) else {
                bail!("session {} has too few boxes for a development validation part", session.name);
            };
            parts.0.push(session_part(&session, 0..cut, "dev-train"));
            parts.1.push(session_part(&session, cut..session.frames.len(), "dev-validation"));
        }
        (
            parts.0,
            parts.1,
            format!("validation the last boxes ({:.0}%) of each training part", VALIDATION_SHARE * 100.0),
        )
    };
    if train.is_empty() || new_val.is_empty() {
        bail!("a development split needs training data left after taking a validation part");
    }
    Ok(SplitData {
        classes,
        train,
        val: new_val,
        test: val,
        description: format!(
            "DEVELOPMENT (tuning) form of [{description}]: its final test part is not used; its validation \
             part tests, {how}"
        ),
        sample_rate_hz,
    })
}

/// Frames `range` of `session` as a session of its own, named with `suffix`.
fn session_part(session: &LabelledSession, range: std::ops::Range<usize>, suffix: &str) -> LabelledSession {
    LabelledSession {
        name: format!("{} [{suffix}]", session.name),
        subject: session.subject.clone(),
        frames: session.frames.slice(range.clone()),
        box_starts: session.box_starts.iter().filter(|&&b| range.contains(&b)).map(|b| b - range.start).collect(),
    }
}

fn split_sessions(classes: ClassTable, sessions: Vec<LabelledSession>, split: &SplitChoice) -> Result<SplitData> {
    let (val_subjects, test_subjects, description): (Vec<String>, Vec<String>, String) = match split {
        SplitChoice::Named(name) => {
            let split = toolkit_split(name).with_context(|| format!("no toolkit split named `{name}`"))?;
            let names = |pairs: &[(String, String)]| pairs.iter().map(|(u, s)| format!("{u}/{s}")).collect::<Vec<_>>();
            let (val, test) = (names(&split.val), names(&split.test));
            let mut data = SplitData {
                classes,
                train: Vec::new(),
                val: Vec::new(),
                test: Vec::new(),
                description: format!("toolkit split `{name}`"),
                sample_rate_hz: 0.0,
            };
            for session in sessions {
                let bucket = if val.contains(&session.name) {
                    &mut data.val
                } else if test.contains(&session.name) {
                    &mut data.test
                } else {
                    &mut data.train
                };
                bucket.push(session);
            }
            return Ok(data);
        }
        SplitChoice::LastSubjects => {
            let mut subjects: Vec<String> = sessions.iter().map(|s| s.subject.clone()).collect();
            subjects.sort();
            subjects.dedup();
            if subjects.len() < 3 {
                bail!(
                    "a subject-wise split needs at least 3 subjects, found {}: {}",
                    subjects.len(),
                    subjects.join(", ")
                );
            }
            let test = subjects[subjects.len() - 1].clone();
            let val = subjects[subjects.len() - 2].clone();
            let description =
                format!("by subject: test {test}, validation {val}, train the other {}", subjects.len() - 2);
            (vec![val], vec![test], description)
        }
        SplitChoice::Time { train_share } => return split_by_time(classes, sessions, *train_share),
        SplitChoice::Development(inner) => return development(split_sessions(classes, sessions, inner)?),
        SplitChoice::All => {
            let description = "every session is a test session".to_string();
            return Ok(SplitData {
                classes,
                train: Vec::new(),
                val: Vec::new(),
                test: sessions,
                description,
                sample_rate_hz: 0.0,
            });
        }
        SplitChoice::Subjects { val, test } => {
            let known: Vec<&str> = sessions.iter().map(|s| s.subject.as_str()).collect();
            if let Some(missing) = val.iter().chain(test).find(|s| !known.contains(&s.as_str())) {
                bail!("the split names subject {missing}, which has no sessions in this dataset");
            }
            let description = format!("by subject: test {}, validation {}", test.join(", "), val.join(", "));
            (val.clone(), test.clone(), description)
        }
    };
    let mut data =
        SplitData { classes, train: Vec::new(), val: Vec::new(), test: Vec::new(), description, sample_rate_hz: 0.0 };
    for session in sessions {
        if test_subjects.contains(&session.subject) {
            data.test.push(session);
        } else if val_subjects.contains(&session.subject) {
            data.val.push(session);
        } else {
            data.train.push(session);
        }
    }
    Ok(data)
}

/// Normalised windows of selected channels, with class indices. The values are kept once per
/// session (its normalised frames) and each window is a view into them, copied out
/// channel-major only when a batch is built: with a 0.5 s hop a 4 s window overlaps seven
/// others, and stored window by window the teacher's inputs alone took eight times the
/// session's size (gigabytes at OpenPack's 50 hours).
#[derive(Debug, Clone)]
pub struct WindowSet {
    pub channels: usize,
    pub length: usize,
    /// Blocks of normalised frames, frame-major `[frames, channels]`: one per session.
    blocks: Vec<Vec<f32>>,
    /// `(block, first frame)` of each window.
    at: Vec<(usize, usize)>,
    /// Output index (position in the class table) of each window's majority label.
    pub targets: Vec<usize>,
    /// `(session index, first frame)` of each window, to score at 1 Hz later.
    pub origin: Vec<(usize, usize)>,
}

impl WindowSet {
    /// An empty set of windows of `channels` x `length`.
    pub fn new(channels: usize, length: usize) -> Self {
        WindowSet { channels, length, blocks: Vec::new(), at: Vec::new(), targets: Vec::new(), origin: Vec::new() }
    }

    /// Windows given one by one, channel-major (`[channels, length]` each), e.g. in tests.
    pub fn from_windows(
        channels: usize,
        length: usize,
        inputs: &[f32],
        targets: Vec<usize>,
        origin: Vec<(usize, usize)>,
    ) -> Self {
        let mut set = Self::new(channels, length);
        for window in inputs.chunks_exact(channels * length) {
            let mut frames = vec![0.0; window.len()];
            for c in 0..channels {
                for t in 0..length {
                    frames[t * channels + c] = window[c * length + t];
                }
            }
            set.at.push((set.blocks.len(), 0));
            set.blocks.push(frames);
        }
        assert_eq!(set.at.len(), targets.len(), "one target per window");
        assert_eq!(targets.len(), origin.len(), "one origin per window");
        WindowSet { targets, origin, ..set }
    }

    /// Adds session `session`'s normalised frames and its windows (first frame, target).
    pub fn push_session(
        &mut self,
        session: usize,
        frames: Vec<f32>,
        windows: impl IntoIterator<Item = (usize, usize)>,
    ) {
        let block = self.blocks.len();
        self.blocks.push(frames);
        for (start, target) in windows {
            self.at.push((block, start));
            self.targets.push(target);
            self.origin.push((session, start));
        }
    }

    /// The windows `indices` (in that order) as a set of their own, keeping only the sessions'
    /// frames they read: a fold's teacher trains on part of the training windows.
    pub fn subset(&self, indices: &[usize]) -> WindowSet {
        let mut set = Self::new(self.channels, self.length);
        let mut kept: Vec<Option<usize>> = vec![None; self.blocks.len()];
        for &i in indices {
            let (block, start) = self.at[i];
            let own = *kept[block].get_or_insert_with(|| {
                set.blocks.push(self.blocks[block].clone());
                set.blocks.len() - 1
            });
            set.at.push((own, start));
            set.targets.push(self.targets[i]);
            set.origin.push(self.origin[i]);
        }
        set
    }

    pub fn len(&self) -> usize {
        self.targets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Appends the values of window `i`, channel-major (`[channels, length]`), to `out`.
    pub fn extend_with_window(&self, i: usize, out: &mut Vec<f32>) {
        let (block, start) = self.at[i];
        let frames = &self.blocks[block][start * self.channels..(start + self.length) * self.channels];
        let first = out.len();
        out.resize(first + frames.len(), 0.0);
        let window = &mut out[first..];
        for (t, frame) in frames.chunks_exact(self.channels).enumerate() {
            for (c, &v) in frame.iter().enumerate() {
                window[c * self.length + t] = v;
            }
        }
    }

    /// The values of window `i`, `[channels, length]`.
    pub fn window(&self, i: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.channels * self.length);
        self.extend_with_window(i, &mut out);
        out
    }

    /// Bytes of window values held (each session's frames once).
    pub fn value_bytes(&self) -> usize {
        self.blocks.iter().map(|b| b.len() * std::mem::size_of::<f32>()).sum()
    }
}

/// What windowing does with a session that lacks some of a model's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingInputs {
    /// The teacher: run without them (they read their training mean; see `model_windows_without`).
    Fill,
    /// The student: its few inputs are all it has, so such a session is an error.
    Refuse,
}

/// Selects, normalises and windows sessions (through the app's own [`model_windows`]).
/// `stats` must come from the training sessions.
pub fn window_sessions(
    sessions: &[LabelledSession],
    stats: &ChannelStats,
    config: WindowConfig,
    classes: &ClassTable,
    missing: MissingInputs,
) -> Result<WindowSet> {
    let mut set = WindowSet::new(stats.channels.len(), config.length);
    for (index, session) in sessions.iter().enumerate() {
        let selected = match missing {
            MissingInputs::Fill => model_frames_without(&session.frames, stats).map(|(frames, _)| frames),
            MissingInputs::Refuse => model_frames(&session.frames, stats),
        }
        .with_context(|| format!("session {}", session.name))?;
        let mut cut = Vec::new();
        for window in windows(&selected, config) {
            let target = classes
                .index_of(window.label)
                .with_context(|| format!("class {} is not in the table", window.label))?;
            cut.push((window.start, target));
        }
        set.push_session(index, selected.values, cut);
    }
    Ok(set)
}

/// Normalisation statistics of the selected channels over the training sessions only. A
/// selector that no training session satisfies (a device never worn, like the sample's left
/// E4) is left out, and said so; each channel's statistics come from the sessions that have it.
pub fn fit_stats(train: &[LabelledSession], selection: &ChannelSelection) -> Result<ChannelStats> {
    let mut union: Vec<String> = Vec::new();
    for channel in train.iter().flat_map(|s| &s.frames.channels) {
        if !union.contains(channel) {
            union.push(channel.clone());
        }
    }
    let present = selection.present_in(&union);
    let left_out: Vec<&str> = selection.0.iter().filter(|s| !present.0.contains(s)).map(String::as_str).collect();
    if !left_out.is_empty() {
        eprintln!("inputs: no training session has {}; the model is built without them", left_out.join(", "));
    }
    let columns = present.resolve(&union).context("the training sessions lack the model's inputs")?;
    let names: Vec<String> = columns.into_iter().map(|c| union[c].clone()).collect();
    ChannelStats::fit_named(&names, train.iter().map(|s| &s.frames))
        .context("no training frames to compute normalisation statistics from")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(subject: &str, name: &str) -> LabelledSession {
        LabelledSession {
            name: name.into(),
            subject: subject.into(),
            frames: FrameTable::default(),
            box_starts: vec![],
        }
    }

    #[test]
    fn data_sources_parse() {
        assert_eq!("openpack:/data/op".parse(), Ok(DataSource::OpenPack("/data/op".into())));
        assert_eq!("recordings:spec.toml".parse(), Ok(DataSource::Recordings("spec.toml".into())));
        assert!("csv:x".parse::<DataSource>().is_err());
    }

    #[test]
    fn last_subjects_split_holds_out_whole_subjects() {
        let sessions =
            vec![session("U3", "a"), session("U1", "b"), session("U2", "c"), session("U3", "d"), session("U4", "e")];
        let data = split_sessions(ClassTable::openpack_operations(), sessions, &SplitChoice::LastSubjects).unwrap();
        let names = |v: &[LabelledSession]| v.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&data.test), ["e"]);
        assert_eq!(names(&data.val), ["a", "d"]);
        assert_eq!(names(&data.train), ["b", "c"]);
    }

    #[test]
    fn named_subjects_split_holds_them_out_and_refuses_unknown_ones() {
        let split: SplitChoice = "subjects:U1/U3,U4".parse().unwrap();
        assert_eq!(split.to_string(), "subjects:U1/U3,U4");
        let sessions = vec![session("U1", "a"), session("U2", "b"), session("U3", "c"), session("U4", "d")];
        let data = split_sessions(ClassTable::openpack_operations(), sessions.clone(), &split).unwrap();
        assert_eq!((data.train.len(), data.val.len(), data.test.len()), (1, 1, 2));
        let unknown: SplitChoice = "subjects:U1/U9".parse().unwrap();
        let error = split_sessions(ClassTable::openpack_operations(), sessions, &unknown).unwrap_err();
        assert!(error.to_string().contains("U9"), "{error}");
        assert!("subjects:U1/U1".parse::<SplitChoice>().is_err());
        assert!("subjects:U1".parse::<SplitChoice>().is_err());
    }

    #[test]
    fn windows_are_views_equal_to_the_apps_and_overlap_costs_no_memory() {
        // Two channels, 40 frames, two classes; the teacher-like stats name a third channel
        // the session lacks (it reads 0, as in the app).
        let frames = FrameTable {
            channels: vec!["p/acc_x".into(), "p/acc_y".into()],
            unixtime_ms: (0..40).map(|i| i * 100).collect(),
            values: (0..80).map(|v| (v as f32 * 0.7).sin()).collect(),
            labels: (0..40).map(|i| if i < 22 { 100 } else { 200 }).collect(),
        };
        let sessions = vec![
            LabelledSession { name: "a".into(), subject: "U1".into(), frames: frames.clone(), box_starts: vec![] },
            LabelledSession { name: "b".into(), subject: "U1".into(), frames, box_starts: vec![] },
        ];
        let stats = ChannelStats {
            channels: vec!["p/acc_y".into(), "p/acc_x".into(), "q/acc_x".into()],
            mean: vec![0.1, -0.2, 0.0],
            std: vec![0.5, 2.0, 1.0],
        };
        let config = WindowConfig { length: 8, hop: 2 };
        let classes = ClassTable::openpack_operations();
        let set = window_sessions(&sessions, &stats, config, &classes, MissingInputs::Fill).unwrap();
        let app = tsak::infer::inputs::model_windows_without(&sessions[0].frames, &stats, config).unwrap();
        assert_eq!(set.len(), 2 * app.len());
        for (w, &start) in app.starts.iter().enumerate() {
            for session in 0..2 {
                let i = session * app.len() + w;
                assert_eq!(set.origin[i], (session, start));
                assert_eq!(set.window(i), app.slice(w..w + 1), "window {i}");
                assert_eq!(set.targets[i], classes.index_of(app.labels[w]).unwrap());
            }
        }
        // Each session's frames are held once, whatever the overlap (17 windows of 8 frames).
        assert_eq!(set.value_bytes(), 2 * 40 * 3 * 4);
        assert!(set.value_bytes() < 2 * app.values.len() * 4 / 3);
        // The student's kind of inputs refuses a session that lacks one.
        assert!(window_sessions(&sessions, &stats, config, &classes, MissingInputs::Refuse).is_err());
    }

    #[test]
    fn a_subset_holds_the_chosen_windows_and_only_their_sessions() {
        let windows: Vec<f32> = (0..4 * 2 * 3).map(|v| v as f32).collect();
        let set = WindowSet::from_windows(2, 3, &windows, vec![0, 1, 2, 3], vec![(0, 0), (0, 5), (1, 0), (1, 5)]);
        let subset = set.subset(&[3, 1]);
        assert_eq!(subset.len(), 2);
        assert_eq!((subset.targets.clone(), subset.origin.clone()), (vec![3, 1], vec![(1, 5), (0, 5)]));
        assert_eq!((subset.window(0), subset.window(1)), (set.window(3), set.window(1)));
        assert_eq!(subset.value_bytes(), 2 * 2 * 3 * 4, "the two windows' blocks, not all four");
    }

    /// A session of 100 frames 100 ms apart (10 s), boxes starting at frames 0, 30, 55, 75, 90.
    fn boxed_session() -> LabelledSession {
        LabelledSession {
            name: "U1/S1".into(),
            subject: "U1".into(),
            frames: FrameTable {
                channels: vec!["a/x".into()],
                unixtime_ms: (0..100).map(|i| i * 100).collect(),
                values: (0..100).map(|v| v as f32).collect(),
                labels: vec![100; 100],
            },
            box_starts: vec![0, 30, 55, 75, 90],
        }
    }

    #[test]
    fn a_time_split_cuts_between_boxes_and_validates_on_the_last_boxes_of_the_first_part() {
        let split: SplitChoice = "time:0.7".parse().unwrap();
        assert_eq!(split.to_string(), "time:0.7");
        let data = split_sessions(ClassTable::openpack_operations(), vec![boxed_session()], &split).unwrap();
        // 70% of 9.9 s is 6.93 s: the nearest box start is frame 75 (7.5 s; frame 55 is 5.5 s),
        // so the test part is frames 75..100. The first part ends at 7.4 s; 80% of it is 5.92 s,
        // nearest to the box at frame 55: validation is 55..75, training 0..55.
        let sizes = |v: &[LabelledSession]| v.iter().map(|s| s.frames.len()).collect::<Vec<_>>();
        assert_eq!((sizes(&data.train), sizes(&data.val), sizes(&data.test)), (vec![55], vec![20], vec![25]));
        assert_eq!(data.test[0].frames.unixtime_ms[0], 7500);
        assert_eq!(data.val[0].box_starts, vec![0]);
        assert!(data.description.contains("not cross-subject"), "{}", data.description);
    }

    #[test]
    fn a_time_split_refuses_bad_shares_and_unsplittable_sessions() {
        assert!("time:1.5".parse::<SplitChoice>().is_err());
        assert!("time:x".parse::<SplitChoice>().is_err());
        let mut one_box = boxed_session();
        one_box.box_starts = vec![0];
        let split = SplitChoice::Time { train_share: 0.7 };
        let error = split_sessions(ClassTable::openpack_operations(), vec![one_box], &split).unwrap_err();
        assert!(error.to_string().contains("too few boxes"), "{error}");
    }

    #[test]
    fn a_development_split_never_holds_the_final_part() {
        // By subject: the final test subject is gone, the validation subject tests, the last
        // training subject validates.
        let sessions: Vec<LabelledSession> =
            ["U1", "U2", "U3", "U4"].iter().map(|u| session(u, &format!("{u}/S0100"))).collect();
        let split: SplitChoice = "dev:last-subjects".parse().unwrap();
        assert_eq!(split.to_string(), "dev:last-subjects");
        let data = split_sessions(ClassTable::openpack_operations(), sessions, &split).unwrap();
        let subjects = |v: &[LabelledSession]| v.iter().map(|s| s.subject.clone()).collect::<Vec<_>>();
        assert_eq!(
            (subjects(&data.train), subjects(&data.val), subjects(&data.test)),
            (vec!["U1".to_string()], vec!["U2".to_string()], vec!["U3".to_string()])
        );
        assert!(data.description.starts_with("DEVELOPMENT"), "{}", data.description);
        // By time: the final part (frames 75..) is nowhere; the old validation (55..75) tests.
        let data =
            split_sessions(ClassTable::openpack_operations(), vec![boxed_session()], &"dev:time:0.7".parse().unwrap())
                .unwrap();
        let first = |v: &[LabelledSession]| v.iter().map(|s| s.frames.unixtime_ms[0]).collect::<Vec<_>>();
        let last = |v: &[LabelledSession]| v.iter().map(|s| *s.frames.unixtime_ms.last().unwrap()).collect::<Vec<_>>();
        assert_eq!(first(&data.test), vec![5500]);
        assert!([&data.train, &data.val, &data.test].iter().all(|part| last(part).iter().all(|&t| t < 7500)));
        assert!(!data.val.is_empty() && !data.train.is_empty());
        assert!("dev:all".parse::<SplitChoice>().is_err() && "dev:dev:time:0.7".parse::<SplitChoice>().is_err());
    }

    #[test]
    fn named_split_uses_the_toolkit_pairs() {
        let sessions =
            vec![session("U0102", "U0102/S0100"), session("U0102", "U0102/S0400"), session("U0102", "U0102/S0500")];
        let data =
            split_sessions(ClassTable::openpack_operations(), sessions, &SplitChoice::Named("debug".into())).unwrap();
        assert_eq!(data.val[0].name, "U0102/S0400");
        assert_eq!(data.test[0].name, "U0102/S0500");
        assert_eq!(data.train.len(), 1);
    }
}
