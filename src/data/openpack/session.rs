//! Assembling one session's device streams and labels into a frame table, as the toolkit does.
//!
//! `load_imu`: ATR devices are truncated to the shortest; at every index their timestamps must
//! differ by < 30 ms, else it is an error. `load_and_resample_annotation`: labels by flooring
//! each frame's time to the second. E4 streams (32 Hz, their own clock) are interpolated onto
//! the ATR clock; frames the E4 does not cover are trimmed from the ends, and said so.

use crate::data::channels::channel_name;
use crate::data::error::{DataError, DataResult};
use crate::data::frames::FrameTable;
use crate::data::resample::{self, ResampleError};
use crate::data::timeseries::TimeSeries;

use super::annotation::SecondLabels;
use super::devices::{Device, DeviceKind, STANDARD_GRAVITY, e4_acc_in_g_over_gravity};

/// The toolkit's threshold: timestamps of one index may differ by less than this.
pub const MAX_DEVICE_SKEW_MS: i64 = 30;

/// E4 gaps longer than this (about three samples) are counted as bridged.
const E4_MAX_GAP_MS: i64 = 100;

/// Rows known to be broken in the published dataset, dropped as the toolkit drops them:
/// (user, session, device, number of leading rows). See openpack-toolkit issue #87.
const KNOWN_BAD_LEADING_ROWS: &[(&str, &str, &str, usize)] = &[("U0101", "S0500", "atr01", 1)];

/// Everything read for one session, before alignment.
#[derive(Debug, Clone)]
pub struct SessionSources {
    pub user: String,
    pub session: String,
    /// Device streams in the order their channels should appear; ATR devices define the clock.
    pub streams: Vec<(Device, TimeSeries)>,
    pub labels: SecondLabels,
}

/// What happened to one device's stream during assembly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceReport {
    pub device: String,
    pub position: String,
    pub file: String,
    /// Samples in the file (after dropping known bad rows).
    pub samples: usize,
    pub first_ms: i64,
    pub last_ms: i64,
    /// Steps longer than 1.5 nominal periods: places where samples were lost.
    pub gaps: usize,
}

/// An aligned, labelled session and the story of how it was assembled.
#[derive(Debug, Clone)]
pub struct AssembledSession {
    pub user: String,
    pub session: String,
    pub frames: FrameTable,
    pub devices: Vec<DeviceReport>,
    /// Things a user should know: truncations, trims, dropped rows, bridged gaps.
    pub warnings: Vec<String>,
    /// The first frame of each packed box (see [`SecondLabels::box_start_frames`]).
    pub box_starts: Vec<usize>,
}

/// Aligns the streams and labels of a session into one frame table at the ATR rate.
pub fn assemble(mut sources: SessionSources) -> DataResult<AssembledSession> {
    let mut warnings = Vec::new();
    let mut first_lines = vec![2_u64; sources.streams.len()];
    drop_known_bad_rows(&mut sources, &mut first_lines, &mut warnings);
    convert_e4_units(&mut sources, &mut warnings);
    let devices = sources.streams.iter().map(|(d, s)| report(d, s)).collect();

    let atr: Vec<usize> =
        (0..sources.streams.len()).filter(|&i| sources.streams[i].0.kind == DeviceKind::Atr).collect();
    let Some(&reference) = atr.first() else {
        let file = sources.streams.first().map_or("session".to_string(), |(_, s)| s.file.clone());
        return Err(DataError::in_file(file, "at least one ATR device is needed: its clock is the session's clock"));
    };
    truncate_to_shortest(&mut sources, &atr, &mut warnings);
    check_skew(&sources, &atr, &first_lines)?;

    let mut clock = sources.streams[reference].1.unixtime_ms.clone();
    let (front, back) = e4_coverage(&sources, &clock)?;
    if front > 0 || back > 0 {
        warnings.push(format!(
            "trimmed {front} frame(s) at the start and {back} at the end where an E4 stream had no data"
        ));
    }
    clock = clock[front..clock.len() - back].to_vec();

    let mut frames = FrameTable { labels: sources.labels.resample(&clock), unixtime_ms: clock, ..Default::default() };
    let mut columns: Vec<Vec<f32>> = Vec::new();
    for (device, series) in &sources.streams {
        let values = match device.kind {
            DeviceKind::Atr => {
                series.values[front * series.channels.len()..(front + frames.len()) * series.channels.len()].to_vec()
            }
            DeviceKind::E4Acc => resample_e4(device, series, &frames.unixtime_ms, &mut warnings)?,
        };
        frames
            .channels
            .extend(series.channels.iter().map(|c| channel_name(&device.position, &device.kind.channel_name(c))));
        columns.push(values);
    }
    frames.values = interleave(&columns, &sources.streams, frames.len());
    let box_starts = sources.labels.box_start_frames(&frames.unixtime_ms);
    Ok(AssembledSession { user: sources.user, session: sources.session, frames, devices, warnings, box_starts })
}

fn report(device: &Device, series: &TimeSeries) -> DeviceReport {
    DeviceReport {
        device: device.id.clone(),
        position: device.position.clone(),
        file: series.file.clone(),
        samples: series.len(),
        first_ms: series.unixtime_ms.first().copied().unwrap_or(0),
        last_ms: series.unixtime_ms.last().copied().unwrap_or(0),
        gaps: series.gap_count(),
    }
}

/// Drops the leading rows the published dataset is known to have too many of, where they are
/// there: a device whose first kept row would still lie a sample ahead of the other ATR devices'
/// first rows. A copy without the defect (a fixed release, or `trainer synth` data that happens
/// to use the same user and session names) is read as it is; dropping a row there would shift
/// the device one sample against the others and fail the skew check.
fn drop_known_bad_rows(sources: &mut SessionSources, first_lines: &mut [u64], warnings: &mut Vec<String>) {
    for &(user, session, device_id, rows) in KNOWN_BAD_LEADING_ROWS {
        if sources.user != user || sources.session != session {
            continue;
        }
        let others_first: Vec<i64> = sources
            .streams
            .iter()
            .filter(|(d, s)| d.kind == DeviceKind::Atr && d.id != device_id && !s.unixtime_ms.is_empty())
            .map(|(_, s)| s.unixtime_ms[0])
            .collect();
        for (i, (device, series)) in sources.streams.iter_mut().enumerate() {
            if device.id != device_id || series.len() <= rows {
                continue;
            }
            if !has_extra_leading_rows(&series.unixtime_ms, rows, &others_first) {
                warnings.push(format!(
                    "{}: starts with the other ATR devices, so the {rows} leading row(s) openpack-toolkit drops \
                     for {user}/{session} are kept",
                    series.file
                ));
                continue;
            }
            series.drop_front(rows);
            first_lines[i] += rows as u64;
            warnings
                .push(format!("dropped {rows} known-bad leading row(s) of {} (as openpack-toolkit does)", series.file));
        }
    }
}

/// Whether dropping `rows` leading samples brings a device's start closer to the other ATR
/// devices' starts (the median of `others_first`). With no other ATR device to compare with,
/// the rows are dropped, as the toolkit drops them.
fn has_extra_leading_rows(unixtime_ms: &[i64], rows: usize, others_first: &[i64]) -> bool {
    let mut others = others_first.to_vec();
    others.sort_unstable();
    let Some(&reference) = others.get(others.len() / 2) else {
        return true;
    };
    (unixtime_ms[rows] - reference).abs() < (unixtime_ms[0] - reference).abs()
}

/// Brings E4 acceleration released in G / 9.80665 to G (see [`e4_acc_in_g_over_gravity`]).
fn convert_e4_units(sources: &mut SessionSources, warnings: &mut Vec<String>) {
    for (device, series) in sources.streams.iter_mut().filter(|(d, _)| d.kind == DeviceKind::E4Acc) {
        if let Some(median) = e4_acc_in_g_over_gravity(&series.values) {
            series.values.iter_mut().for_each(|v| *v *= STANDARD_GRAVITY as f32);
            warnings.push(format!(
                "{}: {} acceleration reads {median:.2} at its median, so it is in G / 9.80665 (as OpenPack \
                 released its E4 files), not G; multiplied by 9.80665",
                series.file, device.id
            ));
        }
    }
}

fn truncate_to_shortest(sources: &mut SessionSources, atr: &[usize], warnings: &mut Vec<String>) {
    let shortest = atr.iter().map(|&i| sources.streams[i].1.len()).min().unwrap_or(0);
    for &i in atr {
        let series = &mut sources.streams[i].1;
        if series.len() > shortest {
            warnings.push(format!(
                "{}: truncated from {} to {shortest} samples (the shortest device)",
                series.file,
                series.len()
            ));
            series.truncate(shortest);
        }
    }
}

fn check_skew(sources: &SessionSources, atr: &[usize], first_lines: &[u64]) -> DataResult<()> {
    let (reference_device, reference) = &sources.streams[atr[0]];
    for &i in &atr[1..] {
        let series = &sources.streams[i].1;
        for (k, (&t, &r)) in series.unixtime_ms.iter().zip(&reference.unixtime_ms).enumerate() {
            if (t - r).abs() >= MAX_DEVICE_SKEW_MS {
                return Err(DataError::at_field(
                    &series.file,
                    first_lines[i] + k as u64,
                    "unixtime",
                    format!(
                        "timestamp {t} differs by {} ms from {}'s {r} at the same sample index; \
                         devices must agree within {MAX_DEVICE_SKEW_MS} ms (a lost sample or a clock jump?)",
                        (t - r).abs(),
                        reference_device.id
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// How many clock frames at the front and back lie outside some E4 stream's time range.
fn e4_coverage(sources: &SessionSources, clock: &[i64]) -> DataResult<(usize, usize)> {
    let (mut start, mut end) = (clock.first().copied().unwrap_or(0), clock.last().copied().unwrap_or(0));
    for (device, series) in sources.streams.iter().filter(|(d, _)| d.kind == DeviceKind::E4Acc) {
        let (first, last) = (series.unixtime_ms[0], *series.unixtime_ms.last().unwrap_or(&series.unixtime_ms[0]));
        start = start.max(first);
        end = end.min(last);
        if start > end {
            return Err(DataError::in_file(
                &series.file,
                format!("{} does not overlap the ATR recording in time", device.id),
            ));
        }
    }
    let front = clock.iter().take_while(|&&t| t < start).count();
    let back = clock.iter().rev().take_while(|&&t| t > end).count();
    if front + back >= clock.len() {
        return Err(DataError::in_file(&sources.streams[0].1.file, "no frame is covered by every device"));
    }
    Ok((front, back))
}

fn resample_e4(
    device: &Device,
    series: &TimeSeries,
    clock: &[i64],
    warnings: &mut Vec<String>,
) -> DataResult<Vec<f32>> {
    let resampled = resample::linear(&series.unixtime_ms, &series.values, series.channels.len(), clock, E4_MAX_GAP_MS)
        .map_err(|e: ResampleError| {
            DataError::in_file(&series.file, format!("cannot resample {} onto the ATR clock: {e}", device.id))
        })?;
    if resampled.bridged_targets > 0 {
        warnings.push(format!(
            "{}: {} frame(s) interpolated across gaps longer than {E4_MAX_GAP_MS} ms",
            series.file, resampled.bridged_targets
        ));
    }
    Ok(resampled.values)
}

/// Joins per-device sample-major blocks into one frame-major table.
fn interleave(columns: &[Vec<f32>], streams: &[(Device, TimeSeries)], frames: usize) -> Vec<f32> {
    let widths: Vec<usize> = streams.iter().map(|(_, s)| s.channels.len()).collect();
    let mut values = Vec::with_capacity(frames * widths.iter().sum::<usize>());
    for i in 0..frames {
        for (block, &w) in columns.iter().zip(&widths) {
            values.extend_from_slice(&block[i * w..(i + 1) * w]);
        }
    }
    values
}
