//! One recording session: clocks, the motion simulation, the IMU error models, dropped samples,
//! and streaming every device's rows to its file as the simulation runs.
//!
//! The body is simulated at 240 Hz, a multiple of the documented ATR rate of 30 Hz, so those ATR
//! samples fall exactly on simulation steps; a calibrated session's 33.3 Hz ATR samples and the
//! E4's (32 Hz, its own clock) take the nearest step (< 2.1 ms off, under the ATR's jitter).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal, StandardNormal};
use tsak::data::classes::{ClassId, ClassTable};
use tsak::data::openpack::devices::e4_acc_reading;
use tsak::data::openpack::layout;
use tsak::data::openpack::writer::OpenPackFile;
use tsak::data::openpack::{Device, DeviceKind};

use super::body::{Placement, Segment, Side, SitePose, Skeleton};
use super::calibration::{ATR_ACC_RANGE_G, Calibration};
use super::correction::{ClassClock, Corrector, Ideal};
use super::kinematics::{self, OrientationIntegrator, Quat, Vec3};
use super::motions::{self, Phase};
use super::schedule;
use super::seeds;
use super::subjects::{DeviceErrors, Subject};
use super::writer::{self, Annotation, CsvFile};

/// Simulation rate, and the ATR rate OpenPack documents (an uncalibrated session's).
pub const SIM_HZ: f64 = 240.0;
const ATR_HZ: f64 = 30.0;
const E4_HZ: f64 = 32.0;
/// Simulated time before the first ATR sample, so the first samples have history (s).
const WARM_UP_S: f64 = 1.0;
/// ATR timestamp jitter: std and hard bound (ms). The toolkit rejects devices >= 30 ms apart.
const ATR_JITTER_SD_MS: f64 = 1.5;
const ATR_JITTER_MAX_MS: f64 = 5.0;
/// Chance that a sample is lost (all four ATRs share a hub; each E4 loses its own).
const DROP_CHANCE: f64 = 0.0005;
/// The E4's axes relative to the ATR convention: its x runs up the forearm toward the elbow,
/// its y across the wrist; z is shared.
const E4_AXES_DEGREES: f64 = -90.0;
/// Gyro bias wander: mean reversion time (s), so the drift stays bounded over hours.
const GYRO_BIAS_TAU_S: f64 = 600.0;

/// One device: folder id, body position (as the core's `DeviceMap` names it), and where on the
/// arm it is strapped.
pub struct DeviceSpec {
    pub id: &'static str,
    pub kind: DeviceKind,
    pub position: &'static str,
    pub side: Side,
    pub segment: Segment,
    /// Fraction of the segment length from its proximal joint.
    pub along: f64,
    /// Distance from the bone axis (m).
    pub depth: f64,
}

/// The six devices, in file-index order (device errors and seeds are indexed by it).
pub const DEVICES: [DeviceSpec; 6] = [
    DeviceSpec::new("atr01", DeviceKind::Atr, "right_wrist", Side::Right, Segment::Forearm),
    DeviceSpec::new("atr02", DeviceKind::Atr, "left_wrist", Side::Left, Segment::Forearm),
    DeviceSpec::new("atr03", DeviceKind::Atr, "right_upper_arm", Side::Right, Segment::UpperArm),
    DeviceSpec::new("atr04", DeviceKind::Atr, "left_upper_arm", Side::Left, Segment::UpperArm),
    DeviceSpec::new("e401", DeviceKind::E4Acc, "right_wrist", Side::Right, Segment::Forearm),
    DeviceSpec::new("e402", DeviceKind::E4Acc, "left_wrist", Side::Left, Segment::Forearm),
];

impl DeviceSpec {
    /// ATR wrist units sit just behind the wrist joint, the E4 a few cm further up the forearm
    /// (both on one wrist); upper-arm units sit mid-arm, on the outer side.
    const fn new(id: &'static str, kind: DeviceKind, position: &'static str, side: Side, segment: Segment) -> Self {
        let (along, depth) = match (kind, segment) {
            (DeviceKind::Atr, Segment::Forearm) => (0.92, 0.035),
            (DeviceKind::E4Acc, Segment::Forearm) => (0.84, 0.035),
            (_, Segment::UpperArm) => (0.55, 0.045),
        };
        Self { id, kind, position, side, segment, along, depth }
    }

    fn device(&self) -> Device {
        Device { id: self.id.to_string(), kind: self.kind, position: self.position.to_string() }
    }

    /// Where it sits, with its own axes and this session's mounting error.
    fn placement(&self, mount: Quat) -> Placement {
        let axes = match self.kind {
            DeviceKind::Atr => Quat::IDENTITY,
            DeviceKind::E4Acc => Quat::rot_z(E4_AXES_DEGREES.to_radians()),
        };
        Placement { side: self.side, segment: self.segment, along: self.along, depth: self.depth, axes: axes * mount }
    }
}

/// What to generate for one session.
pub struct SessionPlan<'a> {
    pub seed: u64,
    pub user_index: usize,
    pub session_index: usize,
    pub session: String,
    pub subject: &'a Subject,
    pub classes: &'a ClassTable,
    /// Unix time (s) of the first annotated second.
    pub first_second: i64,
    pub minutes: f64,
    /// What to look like: a real dataset the simulator was calibrated against, or `None` for
    /// the documented formats and the scripts' own motion.
    pub calibration: Option<&'a Calibration>,
}

/// What was written for one session.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSummary {
    pub user: String,
    pub session: String,
    pub boxes: u32,
    pub annotated_seconds: u32,
    /// Annotated seconds per class id (Null included).
    pub seconds_per_class: BTreeMap<ClassId, u32>,
    pub atr_samples: usize,
    pub atr_dropped: usize,
    pub e4_samples: [usize; 2],
    pub e4_dropped: [usize; 2],
    /// 99th percentile of |linear acceleration| (G) at each ATR site, for plausibility checks.
    pub linear_acc_p99: [f64; 4],
}

/// The clocks of a session: when each device starts, how long it records, how it drifts.
struct Clocks {
    atr_hz: f64,
    atr_start_ms: i64,
    atr_samples: usize,
    e4_start_ms: [f64; 2],
    e4_samples: [usize; 2],
    e4_ppm: [f64; 2],
    /// Simulation time (s) of the first annotated second.
    annotation_start_s: f64,
}

impl Clocks {
    fn draw(rng: &mut ChaCha8Rng, first_second: i64, annotated_s: u32, atr_hz: f64) -> Self {
        // The sensors run a few seconds before and after the annotated part, from a
        // sub-second point of the clock.
        let lead_ms: i64 = rng.random_range(2000..6000);
        let tail_ms: i64 = rng.random_range(3000..7000);
        let atr_start_ms = first_second * 1000 - lead_ms;
        let atr_duration_ms = (lead_ms + i64::from(annotated_s) * 1000 + tail_ms) as f64;
        let atr_samples = (atr_duration_ms * atr_hz / 1000.0).floor() as usize + 1;
        let mut e4_start_ms = [0.0; 2];
        let mut e4_samples = [0; 2];
        let mut e4_ppm = [0.0; 2];
        for d in 0..2 {
            let offset = rng.random_range(150.0..700.0) * if rng.random_bool(0.5) { 1.0 } else { -1.0 };
            e4_start_ms[d] = atr_start_ms as f64 + offset;
            let duration = atr_duration_ms - offset + rng.random_range(-1500.0..1500.0);
            e4_samples[d] = (duration * E4_HZ / 1000.0).floor() as usize;
            e4_ppm[d] = rng.random_range(-30.0..30.0);
        }
        Self {
            atr_hz,
            atr_start_ms,
            atr_samples,
            e4_start_ms,
            e4_samples,
            e4_ppm,
            annotation_start_s: WARM_UP_S + lead_ms as f64 / 1000.0,
        }
    }

    /// Unix time (ms) of simulation step 0.
    fn sim_origin_ms(&self) -> f64 {
        self.atr_start_ms as f64 - WARM_UP_S * 1000.0
    }

    /// The simulation step nearest ATR sample `i` (exact at 30 Hz: eight steps a sample).
    fn atr_step(&self, i: usize) -> usize {
        (WARM_UP_S * SIM_HZ + i as f64 * SIM_HZ / self.atr_hz).round() as usize
    }

    /// ATR sample `i`'s nominal timestamp.
    fn atr_time(&self, i: usize) -> i64 {
        (self.atr_start_ms as f64 + i as f64 * 1000.0 / self.atr_hz).round() as i64
    }

    /// The simulation step nearest the true instant of E4 `d`'s sample `k`.
    fn e4_step(&self, d: usize, k: usize) -> usize {
        let true_ms = self.e4_start_ms[d] + k as f64 * 1000.0 / E4_HZ * (1.0 + self.e4_ppm[d] * 1e-6);
        ((true_ms - self.sim_origin_ms()) / 1000.0 * SIM_HZ).round().max(0.0) as usize
    }

    /// The timestamp the E4 writes for sample `k`: its own nominal clock.
    fn e4_time(&self, d: usize, k: usize) -> i64 {
        (self.e4_start_ms[d] + k as f64 * 1000.0 / E4_HZ).round() as i64
    }

    fn steps(&self) -> usize {
        let last_atr = self.atr_step(self.atr_samples - 1);
        let last_e4 = (0..2).map(|d| self.e4_step(d, self.e4_samples[d].saturating_sub(1))).max().unwrap_or(0);
        last_atr.max(last_e4) + 2
    }
}

/// An IMU's error model running along with the simulation.
struct ImuNoise {
    errors: DeviceErrors,
    rng: ChaCha8Rng,
    gyro_bias: Vec3,
}

impl ImuNoise {
    fn gaussian3(&mut self, sd: f64) -> Vec3 {
        let mut z = || -> f64 { sd * self.rng.sample::<f64, _>(StandardNormal) };
        Vec3::new(z(), z(), z())
    }

    /// Accelerometer output (G): scale error, bias and white noise on the true specific force.
    fn acc(&mut self, specific_force: Vec3) -> Vec3 {
        let noise = self.gaussian3(self.errors.acc_noise);
        specific_force.hadamard(self.errors.acc_scale) + self.errors.acc_bias + noise
    }

    /// Gyro output (deg/s): true rate plus a slowly wandering bias plus white noise. Called once
    /// per sample period `dt`, so the bias random walk advances with time.
    fn gyro(&mut self, omega_rad_s: Vec3, dt: f64) -> Vec3 {
        let wander = self.gaussian3(self.errors.gyro_walk * dt.sqrt());
        let pull = (self.errors.gyro_bias - self.gyro_bias).scale(dt / GYRO_BIAS_TAU_S);
        self.gyro_bias += wander + pull;
        let noise = self.gaussian3(self.errors.gyro_noise);
        omega_rad_s.scale(180.0 / std::f64::consts::PI) + self.gyro_bias + noise
    }
}

/// Generates one session and writes its sensor files (six, or those a calibration's real data
/// has) and two annotation files.
pub fn write_session(root: &Path, plan: &SessionPlan<'_>) -> Result<SessionSummary> {
    let (seed, u, s) = (plan.seed, plan.user_index as u64, plan.session_index as u64);
    let subject = plan.subject;

    let mut schedule_rng = seeds::rng(seed, &[seeds::SCHEDULE, u, s]);
    // Day-to-day variation of the subject's pace.
    let log_tempo: f64 = Normal::new(0.0, 0.04).expect("valid normal").sample(&mut schedule_rng);
    let session_tempo = log_tempo.exp();
    let tempo = subject.tempo * session_tempo;
    let order = schedule::cycle_order(plan.classes)?;
    let timing = plan.calibration.map_or_else(schedule::Timing::scripted, |c| c.timing());
    let target_s = plan.minutes * 60.0;
    let spans = schedule::plan_schedule(&mut schedule_rng, &order, plan.classes.null_id, tempo, target_s, &timing);
    schedule::check_schedule(&spans)?;
    let annotated_s = spans.last().map_or(0, |s| s.end_s);

    let annotation = Annotation {
        user: &subject.user,
        session: &plan.session,
        first_second: plan.first_second,
        spans: &spans,
        classes: plan.classes,
    };
    writer::write_operations(root, &annotation, &mut seeds::rng(seed, &[seeds::UUID, u, s]))?;
    writer::write_operations_1hz(root, &annotation)?;

    let atr_hz = plan.calibration.map_or(ATR_HZ, |c| c.atr_hz);
    let clock_rng = &mut seeds::rng(seed, &[seeds::CLOCK, u, s]);
    let clocks = Clocks::draw(clock_rng, plan.first_second, annotated_s, atr_hz);
    let mut motion_rng = seeds::rng(seed, &[seeds::MOTION, u, s]);
    let end_s = clocks.steps() as f64 / SIM_HZ;
    let phases = motions::plan_motion(&mut motion_rng, subject, tempo, &spans, clocks.annotation_start_s, end_s);

    let mut streams = SessionStreams::open(root, plan, &clocks)?;
    let room_heading = motion_rng.random_range(-std::f64::consts::PI..std::f64::consts::PI);
    let skeleton = Skeleton::new(subject.body_style(session_tempo), motions::REST, room_heading);
    let class_clock =
        ClassClock { spans: &spans, annotation_start_s: clocks.annotation_start_s, null_id: plan.classes.null_id };
    simulate(skeleton, &phases, &clocks, &class_clock, &mut motion_rng, &mut streams)?;
    let counts = streams.finish()?;

    let mut seconds_per_class = BTreeMap::new();
    for span in &spans {
        *seconds_per_class.entry(span.id).or_insert(0) += span.len_s();
    }
    Ok(SessionSummary {
        user: subject.user.clone(),
        session: plan.session.clone(),
        boxes: spans.last().map_or(0, |s| s.box_no),
        annotated_seconds: annotated_s,
        seconds_per_class,
        atr_samples: counts.atr_samples,
        atr_dropped: counts.atr_dropped,
        e4_samples: counts.e4_samples,
        e4_dropped: counts.e4_dropped,
        linear_acc_p99: counts.linear_acc_p99,
    })
}

/// Samples written and lost per device kind, and the acceleration check of each ATR site.
struct StreamCounts {
    atr_samples: usize,
    atr_dropped: usize,
    e4_samples: [usize; 2],
    e4_dropped: [usize; 2],
    linear_acc_p99: [f64; 4],
}

/// The open files of a session and the per-device state that goes with them.
struct SessionStreams<'a> {
    placements: Vec<Placement>,
    /// The calibration and each device's state under it.
    calibration: Option<(&'a Calibration, Vec<Corrector>)>,
    /// One per device; `None` for a device the calibration's real data lacks (never written).
    files: Vec<Option<CsvFile>>,
    noise: Vec<ImuNoise>,
    jitter_rng: Vec<ChaCha8Rng>,
    atr_drop_rng: ChaCha8Rng,
    e4_drop_rng: Vec<ChaCha8Rng>,
    clocks_atr_hz: f64,
    atr_written: usize,
    atr_dropped: usize,
    e4_written: [usize; 2],
    e4_dropped: [usize; 2],
    linear_acc: [Vec<f32>; 4],
}

impl<'a> SessionStreams<'a> {
    fn open(root: &Path, plan: &SessionPlan<'a>, clocks: &Clocks) -> Result<Self> {
        let (seed, u, s) = (plan.seed, plan.user_index as u64, plan.session_index as u64);
        let mut placements = Vec::new();
        let mut files = Vec::new();
        let mut noise = Vec::new();
        let mut jitter_rng = Vec::new();
        for (d, spec) in DEVICES.iter().enumerate() {
            let mut device_rng = seeds::rng(seed, &[seeds::DEVICE, u, s, d as u64]);
            let errors = DeviceErrors::draw(&mut device_rng, plan.subject, d);
            placements.push(spec.placement(errors.mount));
            let path = root.join(layout::device_path(&plan.subject.user, &plan.session, &spec.device()));
            let kind = if spec.kind == DeviceKind::Atr { OpenPackFile::Atr } else { OpenPackFile::E4Acc };
            let worn = plan.calibration.is_none_or(|c| !c.absent.get(d).copied().unwrap_or(false));
            files.push(if worn { Some(CsvFile::create(&path, kind)?) } else { None });
            let gyro_bias = errors.gyro_bias;
            noise.push(ImuNoise { errors, rng: seeds::rng(seed, &[seeds::NOISE, u, s, d as u64]), gyro_bias });
            jitter_rng.push(seeds::rng(seed, &[seeds::JITTER, u, s, d as u64]));
        }
        let calibration = plan.calibration.map(|c| {
            let correctors = (0..DEVICES.len())
                .map(|d| {
                    let rate = if DEVICES[d].kind == DeviceKind::Atr { clocks.atr_hz } else { E4_HZ };
                    Corrector::new(d, rate, seeds::rng(seed, &[seeds::CALIBRATION, u, s, d as u64]))
                })
                .collect();
            (c, correctors)
        });
        Ok(Self {
            placements,
            calibration,
            files,
            noise,
            jitter_rng,
            atr_drop_rng: seeds::rng(seed, &[seeds::ATR_DROPS, u, s]),
            e4_drop_rng: (0..2).map(|d| seeds::rng(seed, &[seeds::E4_DROPS, u, s, d])).collect(),
            clocks_atr_hz: clocks.atr_hz,
            atr_written: 0,
            atr_dropped: 0,
            e4_written: [0; 2],
            e4_dropped: [0; 2],
            linear_acc: Default::default(),
        })
    }

    /// ATR timestamp jitter of one device: small, and hard-bounded.
    fn jitter(&mut self, d: usize) -> i64 {
        let z: f64 = self.jitter_rng[d].sample(StandardNormal);
        (z * ATR_JITTER_SD_MS).round().clamp(-ATR_JITTER_MAX_MS, ATR_JITTER_MAX_MS) as i64
    }

    /// Device `d`'s reading as calibrated for class `class` (as simulated without a calibration).
    fn calibrated(&mut self, d: usize, class: ClassId, reading: &Reading) -> Ideal {
        let ideal = Ideal {
            specific_force: reading.specific_force,
            angular_velocity: reading.angular_velocity,
            orientation: reading.orientation,
        };
        match &mut self.calibration {
            Some((calibration, correctors)) => correctors[d].apply(calibration, class, ideal),
            None => ideal,
        }
    }

    /// Writes ATR sample `i` (timestamp `nominal` before jitter) of all four devices, during
    /// class `class`, or drops it from all four.
    fn atr_sample(&mut self, i: usize, nominal: i64, class: ClassId, readings: &[Reading]) -> Result<()> {
        let dropped = i > 0 && self.atr_drop_rng.random_bool(DROP_CHANCE);
        let range = if self.calibration.is_some() { ATR_ACC_RANGE_G } else { f64::INFINITY };
        for (d, r) in readings.iter().enumerate().take(4) {
            let reading = self.calibrated(d, class, r);
            // The error models run whether or not the sample reaches the file.
            let acc = self.noise[d].acc(reading.specific_force);
            let acc = Vec3::new(acc.x.clamp(-range, range), acc.y.clamp(-range, range), acc.z.clamp(-range, range));
            let gyro = self.noise[d].gyro(reading.angular_velocity, 1.0 / self.clocks_atr_hz);
            let jitter = self.jitter(d);
            self.linear_acc[d].push(r.linear_acc_g as f32);
            if !dropped && let Some(file) = &mut self.files[d] {
                file.atr_row(nominal + jitter, acc, gyro, reading.orientation)?;
            }
        }
        if dropped {
            self.atr_dropped += 1;
        } else {
            self.atr_written += 1;
        }
        Ok(())
    }

    /// Writes sample `k` of E4 `e` (0 = e401, 1 = e402), during class `class`, unless it is lost.
    fn e4_sample(&mut self, e: usize, time_ms: i64, class: ClassId, reading: &Reading) -> Result<()> {
        let d = 4 + e;
        let reading = self.calibrated(d, class, reading);
        let acc = self.noise[d].acc(reading.specific_force);
        if self.e4_drop_rng[e].random_bool(DROP_CHANCE) {
            self.e4_dropped[e] += 1;
            return Ok(());
        }
        let quantised = Vec3::new(e4_acc_reading(acc.x), e4_acc_reading(acc.y), e4_acc_reading(acc.z));
        let as_released = self.calibration.as_ref().is_some_and(|(c, _)| c.e4_divided_by_gravity);
        let Some(file) = &mut self.files[d] else { return Ok(()) };
        self.e4_written[e] += 1;
        if as_released { file.e4_row_as_released(time_ms, quantised) } else { file.e4_row(time_ms, quantised) }
    }

    /// Flushes every file and reports what was written.
    fn finish(self) -> Result<StreamCounts> {
        for file in self.files.into_iter().flatten() {
            file.finish()?;
        }
        let linear_acc_p99 = self.linear_acc.map(|mut v| {
            v.sort_by(f32::total_cmp);
            v.get((v.len() as f64 * 0.99) as usize).copied().unwrap_or(0.0) as f64
        });
        Ok(StreamCounts {
            atr_samples: self.atr_written,
            atr_dropped: self.atr_dropped,
            e4_samples: self.e4_written,
            e4_dropped: self.e4_dropped,
            linear_acc_p99,
        })
    }
}

/// The ideal (error-free) reading of one sensor at one simulation step.
#[derive(Debug, Clone, Copy)]
struct Reading {
    specific_force: Vec3,
    angular_velocity: Vec3,
    orientation: Quat,
    linear_acc_g: f64,
}

/// Runs the body through the phases and hands each sample instant's ideal readings to the
/// streams. Keeps three consecutive steps of site poses: derivatives are central differences.
fn simulate(
    mut skeleton: Skeleton,
    phases: &[Phase],
    clocks: &Clocks,
    class_clock: &ClassClock<'_>,
    rng: &mut ChaCha8Rng,
    streams: &mut SessionStreams<'_>,
) -> Result<()> {
    let dt = 1.0 / SIM_HZ;
    let steps = clocks.steps();
    let sites = streams.placements.clone();
    let mut history: [Vec<SitePose>; 3] = Default::default();
    let mut last_rotation = vec![Vec3::ZERO; sites.len()];
    let mut integrators: Vec<OrientationIntegrator> = Vec::new();
    let mut readings = vec![
        Reading {
            specific_force: Vec3::ZERO,
            angular_velocity: Vec3::ZERO,
            orientation: Quat::IDENTITY,
            linear_acc_g: 0.0
        };
        sites.len()
    ];
    let mut phase = 0;
    skeleton.retarget(&phases[0].command, rng);
    let mut next_atr = 0;
    let mut next_e4 = [0_usize; 2];

    for k in 0..steps {
        let t = k as f64 * dt;
        while phase + 1 < phases.len() && phases[phase + 1].start <= t {
            phase += 1;
            skeleton.retarget(&phases[phase].command, rng);
        }
        skeleton.step(&phases[phase].command, dt, rng);
        history.rotate_left(1);
        skeleton.sites(&sites, &mut history[2]);
        if k == 0 {
            integrators = history[2].iter().map(|s| OrientationIntegrator::new(s.orientation)).collect();
            continue;
        }
        // Readings belong to step m = k - 1, the middle of the three kept steps.
        let m = k - 1;
        let atr_due = next_atr < clocks.atr_samples && clocks.atr_step(next_atr) == m;
        let e4_due: [bool; 2] =
            std::array::from_fn(|e| next_e4[e] < clocks.e4_samples[e] && clocks.e4_step(e, next_e4[e]) <= m);
        for (i, site) in history[2].iter().enumerate() {
            let rotation = kinematics::body_rotation_between(history[1][i].orientation, site.orientation);
            if m >= 1 && (atr_due || e4_due.iter().any(|&d| d)) {
                let linear =
                    kinematics::central_acceleration(history[0][i].position, history[1][i].position, site.position, dt);
                let orientation = integrators[i].orientation();
                readings[i] = Reading {
                    specific_force: kinematics::specific_force(orientation, linear),
                    angular_velocity: (last_rotation[i] + rotation).scale(0.5 / dt),
                    orientation,
                    linear_acc_g: linear.norm() / kinematics::GRAVITY,
                };
            }
            integrators[i].advance(rotation);
            last_rotation[i] = rotation;
        }
        if m == 0 {
            continue;
        }
        let class = class_clock.class_at(m as f64 * dt);
        if atr_due {
            streams.atr_sample(next_atr, clocks.atr_time(next_atr), class, &readings[..4])?;
            next_atr += 1;
        }
        for e in 0..2 {
            while next_e4[e] < clocks.e4_samples[e] && clocks.e4_step(e, next_e4[e]) <= m {
                streams.e4_sample(e, clocks.e4_time(e, next_e4[e]), class, &readings[4 + e])?;
                next_e4[e] += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clocks_put_the_sensors_around_the_annotation() {
        let mut rng = seeds::rng(1, &[seeds::CLOCK]);
        for _ in 0..50 {
            let c = Clocks::draw(&mut rng, 1_634_178_334, 300, ATR_HZ);
            let first = 1_634_178_334_000_i64;
            let last = first + 300_000;
            assert!(c.atr_start_ms <= first - 2000 && c.atr_start_ms > first - 6000);
            let atr_end = c.atr_start_ms + ((c.atr_samples - 1) as f64 * 1000.0 / ATR_HZ) as i64;
            assert!(atr_end >= last + 2900);
            for d in 0..2 {
                assert!(c.e4_time(d, 0) < first && c.e4_time(d, c.e4_samples[d] - 1) > last);
                assert!((c.e4_time(d, 0) - c.atr_start_ms).abs() < 700);
            }
            assert_eq!(c.atr_step(0) as f64, WARM_UP_S * SIM_HZ);
        }
    }
}
