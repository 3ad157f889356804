//! The packing schedule: which operations happen when, in cycles with realistic durations and
//! gaps, checked before anything moves. It becomes the annotation; [`super::motions`] turns it
//! into movement.

use std::collections::BTreeMap;

use anyhow::{Context, bail};
use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use tsak::data::classes::{ClassId, ClassTable};

pub const PICKING: ClassId = 100;
pub const RELOCATE_ITEM_LABEL: ClassId = 200;
pub const ASSEMBLE_BOX: ClassId = 300;
pub const INSERT_ITEMS: ClassId = 400;
pub const CLOSE_BOX: ClassId = 500;
pub const ATTACH_BOX_LABEL: ClassId = 600;
pub const SCAN_LABEL: ClassId = 700;
pub const ATTACH_SHIPPING_LABEL: ClassId = 800;
pub const PUT_ON_BACK_TABLE: ClassId = 900;
pub const FILL_OUT_ORDER: ClassId = 1000;

/// Typical duration range (s) of each operation at tempo 1, read as a ~90% interval of a
/// log-normal: (id, low, high).
const DURATIONS: [(ClassId, f64, f64); 10] = [
    (PICKING, 15.0, 40.0),
    (RELOCATE_ITEM_LABEL, 8.0, 20.0),
    (ASSEMBLE_BOX, 15.0, 30.0),
    (INSERT_ITEMS, 8.0, 20.0),
    (CLOSE_BOX, 10.0, 20.0),
    (ATTACH_BOX_LABEL, 4.0, 10.0),
    (SCAN_LABEL, 3.0, 8.0),
    (ATTACH_SHIPPING_LABEL, 5.0, 12.0),
    (PUT_ON_BACK_TABLE, 3.0, 8.0),
    (FILL_OUT_ORDER, 8.0, 20.0),
];

/// Chance of a Null gap (1-6 s) before an operation inside a cycle, and between cycles.
const GAP_INSIDE_CYCLE: f64 = 0.3;
const GAP_BETWEEN_CYCLES: f64 = 0.6;
/// Chance per cycle that Scan Label comes before Attach Box Label.
const SCAN_FIRST: f64 = 0.15;
/// Chance per cycle that one operation is done twice (a failed scan, a forgotten item).
const REPEAT: f64 = 0.15;

/// One contiguous annotated span, in whole seconds from the first annotated second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: ClassId,
    pub start_s: u32,
    pub end_s: u32,
    /// The packing cycle (box) it belongs to, from 1.
    pub box_no: u32,
}

impl Span {
    pub fn len_s(&self) -> u32 {
        self.end_s - self.start_s
    }
}

/// The operation order of one packing cycle, from the class table (its operations are listed
/// in the order a worker does them), checked against the durations this module knows.
pub fn cycle_order(classes: &ClassTable) -> anyhow::Result<Vec<ClassId>> {
    let order: Vec<ClassId> = classes.operations().map(|c| c.id).collect();
    let known: Vec<ClassId> = DURATIONS.iter().map(|d| d.0).collect();
    if order != known {
        bail!("the synthetic generator knows the OpenPack operations {known:?}, but the class table lists {order:?}");
    }
    Ok(order)
}

/// How long operations and the Null gaps between them take.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Per operation at tempo 1: (id, low, high) of a ~90% interval.
    pub durations: Vec<(ClassId, f64, f64)>,
    /// Shortest and longest Null gap (s), drawn uniformly.
    pub gap_s: (u32, u32),
}

impl Timing {
    /// The scripts' own durations and 1-6 s gaps.
    pub fn scripted() -> Self {
        Self { durations: DURATIONS.to_vec(), gap_s: (1, 6) }
    }

    /// Around a real dataset's mean seconds per run: each operation's median the real mean,
    /// its 90% interval a factor 1.6 either side (the real sample's runs of one operation
    /// spread about that much); gaps from 1 s up to what gives the real Null mean.
    pub fn calibrated(real_means: &BTreeMap<ClassId, f64>, null_mean_s: f64) -> Self {
        let durations = DURATIONS
            .iter()
            .map(|&(id, lo, hi)| match real_means.get(&id) {
                Some(&mean) => (id, mean / REAL_SPREAD, mean * REAL_SPREAD),
                None => (id, lo, hi),
            })
            .collect();
        let longest_gap = (2.0 * null_mean_s - 1.0).round().max(1.0) as u32;
        Self { durations, gap_s: (1, longest_gap) }
    }
}

/// The factor either side of a calibrated operation's mean duration that spans ~90% of runs.
const REAL_SPREAD: f64 = 1.6;

/// Draws an operation's duration in whole seconds for a subject of the given tempo.
fn draw_duration<R: Rng>(rng: &mut R, durations: &[(ClassId, f64, f64)], id: ClassId, tempo: f64) -> u32 {
    let (_, lo, hi) = durations.iter().copied().find(|d| d.0 == id).unwrap_or((id, 5.0, 10.0));
    // 1.645 sigmas either side of the median cover 90%.
    let sigma = (hi / lo).ln() / (2.0 * 1.645);
    let median = (lo * hi).sqrt();
    let raw = LogNormal::new(median.ln(), sigma).expect("valid log-normal").sample(rng);
    let seconds = (raw.clamp(0.6 * lo, 1.6 * hi) * tempo).round();
    seconds.max(2.0) as u32
}

/// One cycle's operations, with the cycle's variations applied.
fn cycle_operations<R: Rng>(rng: &mut R, order: &[ClassId]) -> Vec<ClassId> {
    let mut ops = order.to_vec();
    if rng.random_bool(SCAN_FIRST) {
        let box_label = ops.iter().position(|&id| id == ATTACH_BOX_LABEL);
        let scan = ops.iter().position(|&id| id == SCAN_LABEL);
        if let (Some(a), Some(b)) = (box_label, scan) {
            ops.swap(a, b);
        }
    }
    if rng.random_bool(REPEAT) {
        match rng.random_range(0..3) {
            // A forgotten item: back to the shelf after inserting, then insert it.
            0 => {
                if let Some(i) = ops.iter().position(|&id| id == INSERT_ITEMS) {
                    ops.splice(i + 1..i + 1, [PICKING, INSERT_ITEMS]);
                }
            }
            // The scanner did not beep.
            1 => {
                if let Some(i) = ops.iter().position(|&id| id == SCAN_LABEL) {
                    ops.insert(i + 1, SCAN_LABEL);
                }
            }
            // The label went on crooked and was redone.
            _ => {
                if let Some(i) = ops.iter().position(|&id| id == ATTACH_BOX_LABEL) {
                    ops.insert(i + 1, ATTACH_BOX_LABEL);
                }
            }
        }
    }
    ops
}

/// The annotated spans of a session: packing cycles, with Null gaps written as spans, until
/// `target_s` seconds are filled; the last cycle is cut off there, as a recording that stops
/// mid-box. Starts with an operation and ends with one (a trailing Null gap is dropped, so the
/// session may end a few seconds early).
pub fn plan_schedule<R: Rng>(
    rng: &mut R,
    order: &[ClassId],
    null_id: ClassId,
    tempo: f64,
    target_s: f64,
    timing: &Timing,
) -> Vec<Span> {
    let target = target_s.round().max(1.0) as u32;
    let mut spans: Vec<Span> = Vec::new();
    let mut t = 0_u32;
    let mut box_no = 0;
    while t < target {
        box_no += 1;
        for (k, id) in cycle_operations(rng, order).into_iter().enumerate() {
            let gap_chance = if k == 0 { GAP_BETWEEN_CYCLES } else { GAP_INSIDE_CYCLE };
            if !spans.is_empty() && rng.random_bool(gap_chance) {
                let gap = rng.random_range(timing.gap_s.0..=timing.gap_s.1);
                spans.push(Span { id: null_id, start_s: t, end_s: t + gap, box_no });
                t += gap;
            }
            let length = draw_duration(rng, &timing.durations, id, tempo);
            spans.push(Span { id, start_s: t, end_s: t + length, box_no });
            t += length;
        }
    }
    spans.retain(|s| s.start_s < target);
    if let Some(last) = spans.last_mut() {
        last.end_s = last.end_s.min(target);
    }
    while spans.len() > 1 && spans.last().is_some_and(|s| s.id == null_id) {
        spans.pop();
    }
    spans
}

/// Checks a schedule's shape: contiguous, sorted, starting at 0.
pub fn check_schedule(spans: &[Span]) -> anyhow::Result<()> {
    let mut t = 0;
    for span in spans {
        if span.start_s != t || span.end_s <= span.start_s {
            return Err(anyhow::anyhow!("span {span:?} does not follow on from second {t}"))
                .context("internal schedule error");
        }
        t = span.end_s;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::seeds;

    fn order() -> Vec<ClassId> {
        cycle_order(&ClassTable::openpack_operations()).unwrap()
    }

    #[test]
    fn the_cycle_follows_the_class_table() {
        assert_eq!(order(), vec![100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    }

    #[test]
    fn every_operation_appears_in_a_ten_minute_session() {
        for seed in 0..200 {
            let mut rng = seeds::rng(seed, &[seeds::SCHEDULE]);
            let spans = plan_schedule(&mut rng, &order(), 8100, 1.25, 600.0, &Timing::scripted());
            check_schedule(&spans).unwrap();
            for id in order() {
                assert!(spans.iter().any(|s| s.id == id), "seed {seed}: {id} missing");
            }
            let end = spans.last().unwrap().end_s;
            assert!((594..=600).contains(&end), "seed {seed}: {end} s");
            assert_ne!(spans[0].id, 8100);
            assert_ne!(spans.last().unwrap().id, 8100);
        }
    }

    #[test]
    fn durations_are_in_realistic_ranges() {
        let mut rng = seeds::rng(3, &[seeds::SCHEDULE]);
        let mut picking = Vec::new();
        for _ in 0..2000 {
            picking.push(draw_duration(&mut rng, &DURATIONS, PICKING, 1.0));
        }
        picking.sort();
        let (p05, p50, p95) = (picking[100], picking[1000], picking[1900]);
        assert!((13..=17).contains(&p05) && (22..=27).contains(&p50) && (37..=43).contains(&p95), "{p05} {p50} {p95}");
    }

    #[test]
    fn calibrated_timing_centres_on_the_real_means() {
        let means = BTreeMap::from([(PICKING, 7.0)]);
        let timing = Timing::calibrated(&means, 1.0);
        let (id, lo, hi) = timing.durations[0];
        assert_eq!(id, PICKING);
        assert!(((lo * hi).sqrt() - 7.0).abs() < 1e-9, "median {}", (lo * hi).sqrt());
        assert_eq!(timing.durations[1], DURATIONS[1], "an operation not measured keeps the script's");
        assert_eq!(timing.gap_s, (1, 1), "1 s Null runs: every gap 1 s");
        assert_eq!(Timing::calibrated(&means, 3.0).gap_s, (1, 5), "uniform 1..=5 has mean 3");
    }
}
