//! The worker's body: a trunk that walks, turns and leans, and two 5-joint arms, driven by
//! motion commands and turned into sensor positions and orientations by forward kinematics.
//!
//! Every sensor's motion comes from this one chain, so the four IMUs (and the E4s) always
//! agree physically: an upper arm that lifts moves the wrist with it, a step bounces every
//! sensor, and accelerations are true second derivatives of positions.
//!
//! Frames: the trunk frame has x forward, y to the worker's left, z up. Arm angles are
//! anatomical and mirrored per side, so one pose means the same posture on either arm.

use rand::Rng;
use rand_distr::StandardNormal;

use super::kinematics::{Quat, Vec3};

/// Joints of an arm, in the order of [`Pose`]'s array.
pub const ELEVATION: usize = 0;
pub const PLANE: usize = 1;
pub const ROTATION: usize = 2;
pub const ELBOW: usize = 3;
pub const PRONATION: usize = 4;
pub const JOINTS: usize = 5;

/// Anatomical ranges the targets are clamped to (rad), so no script can dislocate a shoulder.
const JOINT_LIMITS: [(f64, f64); JOINTS] = [(-0.6, 2.6), (-0.8, 1.6), (-1.2, 1.3), (0.05, 2.4), (-1.3, 1.9)];

/// Joint speeds (rad/s of the triple pole) at tempo 1: shoulders are slower than the forearm.
const JOINT_BANDWIDTH: [f64; JOINTS] = [6.0, 6.0, 7.0, 7.5, 8.5];

/// How much motor noise each joint gets relative to the command's noise level.
const NOISE_WEIGHT: [f64; JOINTS] = [0.8, 0.8, 1.0, 1.0, 1.4];

/// Correlation time of motor noise (s): slow wandering, not tremor.
const NOISE_TAU: f64 = 0.5;

/// An arm posture in rad: shoulder elevation (0 = hanging, pi/2 = horizontal), elevation plane
/// (0 = straight ahead, + = out to the side), humeral rotation (+ = internal), elbow flexion
/// (0 = straight), forearm pronation (0 = thumb forward when hanging, + = palm turns down/back).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pose(pub [f64; JOINTS]);

impl Pose {
    pub const fn new(elevation: f64, plane: f64, rotation: f64, elbow: f64, pronation: f64) -> Self {
        Pose([elevation, plane, rotation, elbow, pronation])
    }

    /// This pose with `delta` added to the given joint.
    pub fn with(mut self, joint: usize, delta: f64) -> Self {
        self.0[joint] += delta;
        self
    }

    pub fn offset(mut self, delta: &[f64; JOINTS]) -> Self {
        for (a, d) in self.0.iter_mut().zip(delta) {
            *a += d;
        }
        self
    }
}

/// A rhythmic component on one joint (tape strokes, writing, scanning sweeps, rummaging):
/// amplitude in rad, frequency in Hz, and how much second harmonic sharpens the stroke.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Osc {
    pub joint: usize,
    pub amp: f64,
    pub hz: f64,
    pub harmonic: f64,
}

/// What one arm should do during a phase.
#[derive(Debug, Clone, PartialEq)]
pub struct ArmCommand {
    pub pose: Pose,
    pub osc: Vec<Osc>,
    /// Whether the arm is free to swing when walking (not carrying anything).
    pub swing: bool,
    /// Motor-noise level (rad, stationary std of the wandering added to the target).
    pub noise: f64,
}

/// What the trunk should do during a phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyCommand {
    /// Heading relative to facing the packing table (rad, + = turned left).
    pub heading: f64,
    /// Forward trunk lean (rad).
    pub lean: f64,
    /// Walking speed as a fraction of the subject's usual speed (0 = standing).
    pub walk: f64,
}

/// A full motion command: the dominant and the other arm, and the trunk.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub dominant: ArmCommand,
    pub other: ArmCommand,
    pub body: BodyCommand,
}

/// Which arm a sensor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Right,
    Left,
}

impl Side {
    /// +1 for the right arm, -1 for the left: mirrors anatomical angles into trunk axes.
    fn mirror(self) -> f64 {
        match self {
            Side::Right => 1.0,
            Side::Left => -1.0,
        }
    }
}

/// Which segment of the arm a sensor is strapped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    UpperArm,
    Forearm,
}

/// Where a sensor sits and how its axes are turned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    pub side: Side,
    pub segment: Segment,
    /// Distance from the proximal joint as a fraction of the segment length.
    pub along: f64,
    /// Distance from the bone axis to the sensor (m), on the outer side of the arm.
    pub depth: f64,
    /// Device axes relative to the ATR convention (y along the limb to the fingertips, z into
    /// the arm), e.g. the E4's own axes, times the strap's mounting error.
    pub axes: Quat,
}

/// Body measurements and movement style of one subject, as the skeleton needs them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BodyStyle {
    /// Scales segment lengths (1 = 0.30 m upper arm, 0.26 m forearm).
    pub size: f64,
    /// Duration scale: > 1 moves slower.
    pub tempo: f64,
    /// Scales rhythmic amplitudes and motor noise.
    pub amplitude: f64,
    /// Scales the frequency of every rhythm (some people peel and rub faster).
    pub rhythm: f64,
    pub step_hz: f64,
    /// Usual walking speed (m/s).
    pub walk_speed: f64,
    pub dominant: Side,
}

/// Three cascaded first-order lags (a critically damped triple pole): position, velocity and
/// acceleration all stay continuous however abruptly the target jumps, and a 1 rad step peaks
/// at about 0.23 * bandwidth² rad/s², so accelerations stay human.
#[derive(Debug, Clone, Copy)]
struct TriplePole {
    y: [f64; 3],
}

impl TriplePole {
    fn at(value: f64) -> Self {
        Self { y: [value; 3] }
    }

    fn step(&mut self, target: f64, alpha: f64) -> f64 {
        self.y[0] += alpha * (target - self.y[0]);
        self.y[1] += alpha * (self.y[0] - self.y[1]);
        self.y[2] += alpha * (self.y[1] - self.y[2]);
        self.y[2]
    }

    fn value(&self) -> f64 {
        self.y[2]
    }
}

/// A sinusoid whose amplitude, frequency and shape follow their targets through three lags each,
/// and whose phase runs continuously. The lags keep the joint's velocity and acceleration
/// continuous when a new phase changes the rhythm: a frequency or shape that jumped would kink
/// the trajectory and show up as a one-sample acceleration spike of several G.
#[derive(Debug, Clone, Copy, Default)]
struct Oscillator {
    phase: f64,
    amplitude: Smoothed,
    hz: Smoothed,
    harmonic: Smoothed,
}

/// A value following its target through three first-order lags (like [`TriplePole`]), so that
/// even the acceleration of what it modulates stays continuous.
#[derive(Debug, Clone, Copy, Default)]
struct Smoothed {
    target: f64,
    stages: [f64; 3],
}

impl Smoothed {
    fn step(&mut self, alpha: f64) -> f64 {
        self.stages[0] += alpha * (self.target - self.stages[0]);
        self.stages[1] += alpha * (self.stages[0] - self.stages[1]);
        self.stages[2] += alpha * (self.stages[1] - self.stages[2]);
        self.stages[2]
    }

    fn value(&self) -> f64 {
        self.stages[2]
    }

    /// Sets the value outright: only for quantities that do not move anything yet.
    fn reset(&mut self, value: f64) {
        *self = Smoothed { target: value, stages: [value; 3] };
    }
}

/// Lag (s) of each of the three stages of an oscillator's envelope, frequency and shape.
const ENVELOPE_TAU: f64 = 0.06;

impl Oscillator {
    /// Points the oscillator at a new rhythm. A silent oscillator takes the new frequency and
    /// shape at once (nothing moves, so nothing can jump).
    fn retarget(&mut self, amplitude: f64, hz: f64, harmonic: f64) {
        let silent = self.amplitude.stages.iter().all(|a| a.abs() < 1e-9);
        self.amplitude.target = amplitude;
        if silent {
            self.hz.reset(hz);
            self.harmonic.reset(harmonic);
        } else {
            self.hz.target = hz;
            self.harmonic.target = harmonic;
        }
    }

    fn step(&mut self, dt: f64) -> f64 {
        let alpha = 1.0 - (-dt / ENVELOPE_TAU).exp();
        let a = self.amplitude.step(alpha);
        let hz = self.hz.step(alpha);
        let h = self.harmonic.step(alpha);
        self.phase = (self.phase + std::f64::consts::TAU * hz * dt) % std::f64::consts::TAU;
        if a.abs() < 1e-12 {
            return 0.0;
        }
        a * (self.phase.sin() + h * (2.0 * self.phase + 0.8).sin()) / (1.0 + h)
    }
}

/// One arm's dynamic state.
#[derive(Debug, Clone)]
struct Arm {
    side: Side,
    joints: [TriplePole; JOINTS],
    osc: [Oscillator; JOINTS],
    noise: [f64; JOINTS],
    /// 1 when the arm is free to swing, 0 when carrying; smoothed like a rhythm's amplitude.
    swing_weight: Smoothed,
    /// Joint angles after the last step, oscillations included.
    angles: [f64; JOINTS],
}

impl Arm {
    fn new(side: Side, pose: Pose) -> Self {
        Self {
            side,
            joints: pose.0.map(TriplePole::at),
            osc: [Oscillator::default(); JOINTS],
            noise: [0.0; JOINTS],
            swing_weight: Smoothed::default(),
            angles: pose.0,
        }
    }

    /// Points the oscillators at a new command; `hz_scale` varies each joint's rhythm per phase.
    fn retarget(&mut self, command: &ArmCommand, amplitude: f64, hz_scale: [f64; JOINTS]) {
        for (j, osc) in self.osc.iter_mut().enumerate() {
            match command.osc.iter().find(|o| o.joint == j) {
                Some(o) => osc.retarget(o.amp * amplitude, o.hz * hz_scale[j], o.harmonic),
                None => osc.amplitude.target = 0.0,
            }
        }
    }
}

/// The whole moving body.
#[derive(Debug, Clone)]
pub struct Skeleton {
    style: BodyStyle,
    arms: [Arm; 2],
    heading: TriplePole,
    lean: TriplePole,
    walk: TriplePole,
    /// Walking cycle position in steps (one unit per step).
    step_phase: f64,
    /// Trunk heading offset of this session's room (rad): which way the table faces.
    room_heading: f64,
    position: Vec3,
    noise_clock: u32,
}

/// Where a sensor is and how it is turned, in the world frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SitePose {
    pub position: Vec3,
    pub orientation: Quat,
}

/// Hip height (m) of a standing worker; only its changes matter to the sensors.
const HIP_HEIGHT: f64 = 1.0;
/// Vertical bounce and lateral sway of the trunk when walking at the usual speed (m).
const BOUNCE: f64 = 0.022;
const SWAY: f64 = 0.018;
/// Peak arm swing (rad) at the usual walking speed.
const ARM_SWING: f64 = 0.26;
/// Motor noise is updated at 240/4 = 60 Hz: it is smoothed by the joints anyway.
const NOISE_EVERY: u32 = 4;

impl Skeleton {
    /// A skeleton standing still in `rest` pose, facing the table.
    pub fn new(style: BodyStyle, rest: Pose, room_heading: f64) -> Self {
        Self {
            style,
            arms: [Arm::new(Side::Right, rest), Arm::new(Side::Left, rest)],
            heading: TriplePole::at(0.0),
            lean: TriplePole::at(0.0),
            walk: TriplePole::at(0.0),
            step_phase: 0.0,
            room_heading,
            position: Vec3::new(0.0, 0.0, HIP_HEIGHT),
            noise_clock: 0,
        }
    }

    fn arm_index(&self, dominant: bool) -> usize {
        let right_is_dominant = self.style.dominant == Side::Right;
        if dominant == right_is_dominant { 0 } else { 1 }
    }

    /// Applies a new phase's command: oscillator targets, with per-phase frequency variation
    /// drawn from `rng` so that no two strokes are metronomic.
    pub fn retarget<R: Rng>(&mut self, command: &Command, rng: &mut R) {
        let amplitude = self.style.amplitude;
        for (dominant, arm_command) in [(true, &command.dominant), (false, &command.other)] {
            let i = self.arm_index(dominant);
            let rhythm = self.style.rhythm;
            let hz_scale: [f64; JOINTS] = std::array::from_fn(|_| rhythm * rng.random_range(0.9..1.1));
            self.arms[i].retarget(arm_command, amplitude, hz_scale);
        }
    }

    /// Advances the body by `dt` seconds toward `command`.
    pub fn step<R: Rng>(&mut self, command: &Command, dt: f64, rng: &mut R) {
        let tempo = self.style.tempo;
        let body_alpha = 1.0 - (-4.0 * dt / tempo).exp();
        self.heading.step(command.body.heading, body_alpha);
        self.lean.step(command.body.lean, body_alpha);
        let walk = self.walk.step(command.body.walk, body_alpha);
        self.step_phase = (self.step_phase + self.style.step_hz * dt) % 2.0;

        let speed = walk.max(0.0) * self.style.walk_speed;
        let heading = self.room_heading + self.heading.value();
        self.position += Vec3::new(heading.cos(), heading.sin(), 0.0).scale(speed * dt);

        self.noise_clock = (self.noise_clock + 1) % NOISE_EVERY;
        let update_noise = self.noise_clock == 0;
        for dominant in [true, false] {
            let i = self.arm_index(dominant);
            let arm_command = if dominant { &command.dominant } else { &command.other };
            if update_noise {
                self.update_noise(i, arm_command.noise, dt * f64::from(NOISE_EVERY), rng);
            }
            self.step_arm(i, arm_command, dt);
        }
    }

    /// Ornstein-Uhlenbeck motor noise: the hand never holds a target exactly.
    fn update_noise<R: Rng>(&mut self, arm: usize, level: f64, dt: f64, rng: &mut R) {
        let sigma = level * self.style.amplitude;
        let decay = (-dt / NOISE_TAU).exp();
        let spread = (1.0 - decay * decay).sqrt();
        for (j, n) in self.arms[arm].noise.iter_mut().enumerate() {
            let z: f64 = rng.sample(StandardNormal);
            *n = *n * decay + sigma * NOISE_WEIGHT[j] * spread * z;
        }
    }

    fn step_arm(&mut self, i: usize, command: &ArmCommand, dt: f64) {
        let tempo = self.style.tempo;
        let arm = &mut self.arms[i];
        arm.swing_weight.target = if command.swing { 1.0 } else { 0.0 };
        arm.swing_weight.step(1.0 - (-dt / 0.15).exp());
        for j in 0..JOINTS {
            let (lo, hi) = JOINT_LIMITS[j];
            let target = (command.pose.0[j] + arm.noise[j]).clamp(lo, hi);
            let alpha = 1.0 - (-JOINT_BANDWIDTH[j] * dt / tempo).exp();
            let base = arm.joints[j].step(target, alpha);
            arm.angles[j] = base + arm.osc[j].step(dt);
        }
    }

    /// How much the trunk is walking (0 standing .. ~1 usual speed), smoothed.
    fn walking(&self) -> f64 {
        self.walk.value().clamp(0.0, 1.5)
    }

    /// The trunk's world orientation and hip position, including walking bounce and sway.
    fn trunk(&self) -> (Quat, Vec3) {
        let w = self.walking();
        let stride = std::f64::consts::PI * self.step_phase;
        let heading = self.room_heading + self.heading.value();
        let roll = 0.025 * w * stride.sin();
        let yaw_wobble = 0.03 * w * stride.sin();
        let q = Quat::rot_z(heading + yaw_wobble) * Quat::rot_y(self.lean.value()) * Quat::rot_x(roll);
        let bounce = BOUNCE * w * (2.0 * stride).cos();
        let sway = Vec3::new(-heading.sin(), heading.cos(), 0.0).scale(SWAY * w * stride.sin());
        (q, self.position + sway + Vec3::new(0.0, 0.0, bounce))
    }

    /// World poses of the sensors at the given placements, in order.
    pub fn sites(&self, placements: &[Placement], out: &mut Vec<SitePose>) {
        out.clear();
        let (trunk, hip) = self.trunk();
        let frames = [self.arm_frames(0, trunk, hip), self.arm_frames(1, trunk, hip)];
        for p in placements {
            let f = &frames[if p.side == Side::Right { 0 } else { 1 }];
            let (origin, rot, length) = match p.segment {
                Segment::UpperArm => (f.shoulder, f.upper, f.upper_length),
                Segment::Forearm => (f.elbow, f.fore, f.fore_length),
            };
            // The segment frame follows the ATR convention (y to the fingertips, z into the arm).
            let axis = rot.rotate(Vec3::new(0.0, 1.0, 0.0));
            let inward = rot.rotate(Vec3::new(0.0, 0.0, 1.0));
            let position = origin + axis.scale(p.along * length) - inward.scale(p.depth);
            out.push(SitePose { position, orientation: rot * p.axes });
        }
    }

    /// Shoulder and elbow positions and the segment frames of one arm.
    fn arm_frames(&self, i: usize, trunk: Quat, hip: Vec3) -> ArmFrames {
        let arm = &self.arms[i];
        let m = arm.side.mirror();
        let a = arm.angles;
        let w = self.walking() * arm.swing_weight.value();
        // Arms swing in antiphase, once per stride (two steps).
        let swing_phase =
            std::f64::consts::PI * self.step_phase + if arm.side == Side::Right { 0.0 } else { std::f64::consts::PI };
        let swing = ARM_SWING * w * swing_phase.sin();
        let upper_length = 0.30 * self.style.size;
        let fore_length = 0.26 * self.style.size;

        // Hanging-arm frame to trunk: swing, elevation plane, elevation, humeral rotation.
        let upper_joint = Quat::rot_y(-swing)
            * Quat::rot_z(-m * a[PLANE])
            * Quat::rot_y(-a[ELEVATION])
            * Quat::rot_z(m * a[ROTATION]);
        // The elbow bends a little as the arm swings forward (linear: a kink would jerk the wrist).
        let elbow_flex = a[ELBOW] + 0.3 * swing;
        let fore_joint = upper_joint * Quat::rot_y(-elbow_flex) * Quat::rot_z(m * a[PRONATION]);
        let sensor_axes = hanging_sensor_axes(arm.side);

        let shoulder_local = Vec3::new(0.0, -m * 0.19 * self.style.size, 0.48 * self.style.size);
        let down = Vec3::new(0.0, 0.0, -1.0);
        let elbow_local = shoulder_local + upper_joint.rotate(down).scale(upper_length);
        ArmFrames {
            shoulder: hip + trunk.rotate(shoulder_local),
            elbow: hip + trunk.rotate(elbow_local),
            upper: trunk * upper_joint * sensor_axes,
            fore: trunk * fore_joint * sensor_axes,
            upper_length,
            fore_length,
        }
    }
}

/// Positions and ATR-convention frames of one arm in the world.
struct ArmFrames {
    shoulder: Vec3,
    elbow: Vec3,
    upper: Quat,
    fore: Quat,
    upper_length: f64,
    fore_length: f64,
}

/// ATR axes of a sensor on the outer side of a hanging arm, in trunk coordinates: y down the
/// limb toward the fingertips, z into the arm (toward the body). Right arm: x points forward;
/// the left arm is the mirror image, so its x points backward (real left/right devices mounted
/// the same way give mirrored signals too).
fn hanging_sensor_axes(side: Side) -> Quat {
    let right = Quat::rot_x(-std::f64::consts::FRAC_PI_2);
    match side {
        Side::Right => right,
        Side::Left => Quat::rot_z(std::f64::consts::PI) * right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn style() -> BodyStyle {
        BodyStyle {
            size: 1.0,
            tempo: 1.0,
            amplitude: 1.0,
            rhythm: 1.0,
            step_hz: 1.9,
            walk_speed: 1.1,
            dominant: Side::Right,
        }
    }

    fn placement(side: Side, segment: Segment) -> Placement {
        Placement { side, segment, along: 0.9, depth: 0.035, axes: Quat::IDENTITY }
    }

    #[test]
    fn hanging_arm_axes_follow_the_atr_convention() {
        let rest = Pose::new(0.0, 0.0, 0.0, 0.0, 0.0);
        let skeleton = Skeleton::new(style(), rest, 0.0);
        let mut sites = Vec::new();
        skeleton
            .sites(&[placement(Side::Right, Segment::Forearm), placement(Side::Left, Segment::Forearm)], &mut sites);
        for (site, inward_y) in sites.iter().zip([1.0, -1.0]) {
            let y = site.orientation.rotate(Vec3::new(0.0, 1.0, 0.0));
            let z = site.orientation.rotate(Vec3::new(0.0, 0.0, 1.0));
            assert!((y - Vec3::new(0.0, 0.0, -1.0)).norm() < 1e-12, "y points down the arm: {y:?}");
            assert!((z - Vec3::new(0.0, inward_y, 0.0)).norm() < 1e-12, "z points toward the body: {z:?}");
        }
        // The right wrist hangs to the right of the trunk, below the shoulder.
        assert!(sites[0].position.y < -0.15 && sites[1].position.y > 0.15);
        assert!(sites[0].position.z < HIP_HEIGHT);
    }

    #[test]
    fn anatomical_angles_move_the_hand_where_expected() {
        let mut sites = Vec::new();
        let forearm = [placement(Side::Right, Segment::Forearm), placement(Side::Left, Segment::Forearm)];
        // Shoulder flexed to horizontal: both hands straight ahead at shoulder height.
        Skeleton::new(style(), Pose::new(std::f64::consts::FRAC_PI_2, 0.0, 0.0, 0.0, 0.0), 0.0)
            .sites(&forearm, &mut sites);
        for s in &sites {
            assert!(s.position.x > 0.45 && (s.position.z - (HIP_HEIGHT + 0.48)).abs() < 0.05, "{s:?}");
        }
        // Abducted to horizontal: each hand out to its own side.
        Skeleton::new(style(), Pose::new(std::f64::consts::FRAC_PI_2, std::f64::consts::FRAC_PI_2, 0.0, 0.0, 0.0), 0.0)
            .sites(&forearm, &mut sites);
        assert!(sites[0].position.y < -0.6 && sites[1].position.y > 0.6);
        // Elbow at 90 degrees with the arm hanging: the forearm points forward.
        Skeleton::new(style(), Pose::new(0.0, 0.0, 0.0, std::f64::consts::FRAC_PI_2, 0.0), 0.0)
            .sites(&forearm, &mut sites);
        for s in &sites {
            let y = s.orientation.rotate(Vec3::new(0.0, 1.0, 0.0));
            assert!((y - Vec3::new(1.0, 0.0, 0.0)).norm() < 1e-9, "{y:?}");
        }
    }

    #[test]
    fn joints_settle_smoothly_on_their_targets() {
        let rest = Pose::new(0.1, 0.2, 0.0, 0.3, 0.0);
        let mut skeleton = Skeleton::new(style(), rest, 0.0);
        let arm = |pose| ArmCommand { pose, osc: vec![], swing: false, noise: 0.0 };
        let target = Pose::new(1.2, 0.4, 0.3, 1.5, 1.0);
        let command = Command {
            dominant: arm(target),
            other: arm(rest),
            body: BodyCommand { heading: 0.0, lean: 0.0, walk: 0.0 },
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        skeleton.retarget(&command, &mut rng);
        let dt = 1.0 / 240.0;
        let mut previous_velocity = 0.0;
        let mut previous = skeleton.arms[0].angles[ELEVATION];
        let mut max_jump = 0.0_f64;
        for _ in 0..(4 * 240) {
            skeleton.step(&command, dt, &mut rng);
            let now = skeleton.arms[0].angles[ELEVATION];
            let velocity = (now - previous) / dt;
            max_jump = max_jump.max((velocity - previous_velocity).abs() / dt);
            previous = now;
            previous_velocity = velocity;
        }
        for j in 0..JOINTS {
            assert!((skeleton.arms[0].angles[j] - target.0[j]).abs() < 0.01, "joint {j}");
        }
        // Angular acceleration stays bounded (no step in velocity): about 0.23 * 6² * 1.1.
        assert!(max_jump < 12.0, "{max_jump}");
    }

    #[test]
    fn changing_rhythm_and_walking_never_kinks_the_wrist_trajectory() {
        // Phases that switch oscillator frequency, shape and amplitude mid-stroke, start and stop
        // walking and turn: the wrist's acceleration must change gradually from step to step
        // (a velocity kink would show as a one-step spike of tens of m/s²).
        let rest = Pose::new(0.12, 0.2, 0.05, 0.35, 0.25);
        let mut skeleton = Skeleton::new(style(), rest, 0.3);
        let osc = |joint, amp, hz, harmonic| Osc { joint, amp, hz, harmonic };
        let arm = |pose, osc: Vec<Osc>, swing| ArmCommand { pose, osc, swing, noise: 0.03 };
        let commands = [
            Command {
                dominant: arm(rest, vec![osc(ELBOW, 0.06, 1.5, 0.3), osc(PRONATION, 0.1, 3.0, 0.3)], false),
                other: arm(rest, vec![], true),
                body: BodyCommand { heading: 1.5, lean: 0.0, walk: 1.0 },
            },
            Command {
                dominant: arm(
                    Pose::new(0.5, 0.3, 0.4, 1.4, 1.0),
                    vec![osc(ELBOW, 0.035, 5.0, 0.0), osc(PRONATION, 0.28, 4.0, 0.4)],
                    true,
                ),
                other: arm(rest, vec![osc(PRONATION, 0.06, 0.4, 0.0)], false),
                body: BodyCommand { heading: -1.5, lean: 0.3, walk: 0.0 },
            },
        ];
        let placements = [placement(Side::Right, Segment::Forearm), placement(Side::Left, Segment::UpperArm)];
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let dt = 1.0 / 240.0;
        let mut positions: Vec<Vec<Vec3>> = vec![Vec::new(); placements.len()];
        let mut sites = Vec::new();
        for k in 0..(20 * 240) {
            let command = &commands[(k / 190) % 2];
            if k % 190 == 0 {
                skeleton.retarget(command, &mut rng);
            }
            skeleton.step(command, dt, &mut rng);
            skeleton.sites(&placements, &mut sites);
            for (p, s) in positions.iter_mut().zip(&sites) {
                p.push(s.position);
            }
        }
        for p in &positions {
            let acc: Vec<Vec3> = p.windows(3).map(|w| (w[2] - w[1].scale(2.0) + w[0]).scale(1.0 / (dt * dt))).collect();
            // A kink in velocity is an isolated spike of acceleration: compare each step with
            // the mean of its neighbours (smooth motion, even fast strokes, gives ~0 here).
            let max_spike = acc.windows(3).map(|w| (w[1] - (w[0] + w[2]).scale(0.5)).norm()).fold(0.0, f64::max);
            let max_acc = acc.iter().map(|a| a.norm()).fold(0.0, f64::max);
            assert!(max_spike < 0.5, "a one-step acceleration spike of {max_spike:.2} m/s²");
            assert!(max_acc < 25.0, "peak {max_acc:.1} m/s²");
        }
    }
}
