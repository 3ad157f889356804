//! How each operation of the schedule ([`super::schedule`]) moves the four limbs: the motion
//! scripts that become sensor data.
//!
//! The scripts are written so that a right-wrist-only model loses information on purpose:
//! the three labelling operations share one "peel and press" motion of the dominant hand and
//! differ in what the other hand and the upper arms do; Picking and Put on Back Table both
//! walk and differ mostly in arm reach and carrying; left-handed subjects swap the roles.

use rand::Rng;
use rand_distr::{Distribution, Normal};
use tsak::data::classes::ClassId;

use super::body::{ArmCommand, BodyCommand, Command, ELBOW, ELEVATION, JOINTS, Osc, PLANE, PRONATION, Pose, ROTATION};
use super::schedule::{
    ASSEMBLE_BOX, ATTACH_BOX_LABEL, ATTACH_SHIPPING_LABEL, CLOSE_BOX, FILL_OUT_ORDER, INSERT_ITEMS, PICKING,
    PUT_ON_BACK_TABLE, RELOCATE_ITEM_LABEL, SCAN_LABEL, Span,
};
use super::subjects::Subject;

/// One phase of motion: hold a command for `duration` seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub duration: f64,
    pub command: Command,
}

// Postures (rad; see `Pose`). One table serves both arms: the skeleton mirrors the left one.

/// Standing with the arms hanging relaxed: also how every session starts.
pub const REST: Pose = Pose::new(0.12, 0.20, 0.05, 0.35, 0.25);
const IDLE_TABLE: Pose = Pose::new(0.30, 0.30, 0.30, 1.20, 1.20);
const TABLE: Pose = Pose::new(0.40, 0.35, 0.35, 1.35, 1.30);
const HOLD_ITEM: Pose = Pose::new(0.62, 0.15, 0.30, 1.85, 0.35);
const REACH_HIGH: Pose = Pose::new(1.50, 0.20, 0.00, 0.30, 0.70);
const REACH_MID: Pose = Pose::new(1.05, 0.25, 0.10, 0.45, 1.00);
const REACH_LOW: Pose = Pose::new(0.75, 0.15, 0.10, 0.30, 1.10);
const CARRY_ITEMS: Pose = Pose::new(0.30, 0.35, 0.60, 1.75, 0.40);
const CARRY_BOX: Pose = Pose::new(0.40, 0.55, 0.55, 1.55, 0.10);
const PLACE_BOX: Pose = Pose::new(0.75, 0.50, 0.45, 0.95, 0.20);
const STEADY_BOX: Pose = Pose::new(0.33, 0.50, 0.45, 1.15, 1.50);
const HOLD_SHEET: Pose = Pose::new(0.50, 0.00, 0.55, 2.00, -0.15);
const PEEL: Pose = Pose::new(0.50, 0.30, 0.40, 1.40, 1.00);
const PRESS: Pose = Pose::new(0.42, 0.35, 0.40, 1.48, 1.35);
const WRITE: Pose = Pose::new(0.45, 0.40, 0.65, 1.75, 1.25);
const FLAT: Pose = Pose::new(0.42, 0.45, 0.70, 1.70, 1.50);
const SCAN: Pose = Pose::new(0.55, 0.35, 0.30, 1.50, 0.50);
const FOLD_WIDE: Pose = Pose::new(0.65, 0.95, 0.20, 0.90, 1.20);
const FOLD_IN: Pose = Pose::new(0.50, 0.30, 0.60, 1.50, 0.80);
const TAPE_START: Pose = Pose::new(0.45, 0.05, 0.45, 1.25, 1.20);
const TAPE_END: Pose = Pose::new(0.75, 0.70, 0.20, 0.55, 1.20);
const GRAB_SIDE: Pose = Pose::new(0.55, 0.65, 0.20, 0.90, 1.10);
const DROP_IN_BOX: Pose = Pose::new(0.45, 0.25, 0.35, 1.00, 1.40);

/// The dominant hand's "peel and press" at the three labelling spots. Each moves the upper arm
/// (elevation) and compensates at the elbow, so the wrist's own orientation barely changes:
/// from the right wrist alone these look alike, from the upper arm they do not.
fn at_item(p: Pose) -> Pose {
    p.with(ELEVATION, 0.12).with(ELBOW, -0.12)
}
fn at_box(p: Pose) -> Pose {
    p.with(ELEVATION, -0.08).with(ELBOW, 0.08)
}
fn at_sheet(p: Pose) -> Pose {
    p.with(ELEVATION, 0.05).with(ELBOW, -0.05).with(PLANE, -0.2)
}

// Rhythms (`Osc`) are sized by the linear acceleration they cause at the wrist, about
// amplitude * (2 pi f)² * lever, with levers of ~0.03 m (pronation), ~0.25 m (elbow) and
// ~0.5 m (shoulder): fine work stays around 0.1-0.3 G, tape tearing reaches ~1 G.

/// Default motor-noise levels (rad): an active hand wanders more than one holding still.
const ACTIVE: f64 = 0.03;
const STILL: f64 = 0.015;
/// Per-phase variation of pose targets (rad): no two reaches go to the same spot.
const PHASE_JITTER: f64 = 0.04;
/// Day-to-day variation of a subject's posture habits (rad).
const SESSION_POSTURE: f64 = 0.03;
/// Chance, after each round of a repeated motion, of an incidental movement that belongs to
/// no operation in particular (reaching for tape, shoving the box, a glance at the screen).
const INCIDENTAL: f64 = 0.15;

impl ArmCommand {
    fn still(pose: Pose) -> Self {
        ArmCommand { pose, osc: Vec::new(), swing: false, noise: STILL }
    }

    fn active(pose: Pose) -> Self {
        ArmCommand { pose, osc: Vec::new(), swing: false, noise: ACTIVE }
    }

    fn osc(mut self, joint: usize, amp: f64, hz: f64, harmonic: f64) -> Self {
        self.osc.push(Osc { joint, amp, hz, harmonic });
        self
    }

    fn swinging(mut self) -> Self {
        self.swing = true;
        self
    }
}

fn stand(lean: f64) -> BodyCommand {
    BodyCommand { heading: 0.0, lean, walk: 0.0 }
}

fn facing(heading: f64, lean: f64, walk: f64) -> BodyCommand {
    BodyCommand { heading, lean, walk }
}

/// Writes the steps of one operation span, with the subject's habits and per-phase variation.
pub struct Scripter<'a, R: Rng> {
    rng: &'a mut R,
    posture: [[f64; JOINTS]; 2],
    lean: f64,
    tempo: f64,
    jitter: Normal<f64>,
}

impl<'a, R: Rng> Scripter<'a, R> {
    /// A scripter for one session: the subject's habits, shifted a little for the day.
    pub fn new(rng: &'a mut R, subject: &Subject, tempo: f64) -> Self {
        let day = Normal::new(0.0, SESSION_POSTURE).expect("valid normal");
        let mut posture = subject.posture;
        for arm in &mut posture {
            for joint in arm.iter_mut() {
                *joint += day.sample(rng);
            }
        }
        Self { rng, posture, lean: subject.lean, tempo, jitter: Normal::new(0.0, PHASE_JITTER).expect("valid normal") }
    }

    /// A step of `lo..hi` seconds (at tempo 1) with habits and jitter applied to both arms.
    fn step(
        &mut self,
        (lo, hi): (f64, f64),
        mut dominant: ArmCommand,
        mut other: ArmCommand,
        body: BodyCommand,
    ) -> Step {
        for (arm, habit) in [(&mut dominant, self.posture[0]), (&mut other, self.posture[1])] {
            let mut pose = arm.pose.offset(&habit);
            for a in pose.0.iter_mut() {
                *a += self.jitter.sample(self.rng);
            }
            arm.pose = pose;
        }
        let body = BodyCommand { lean: body.lean + self.lean, ..body };
        Step { duration: self.rng.random_range(lo..hi) * self.tempo, command: Command { dominant, other, body } }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    /// The steps of one span of `id` lasting `seconds`, rescaled to fill it exactly.
    pub fn operation(&mut self, id: ClassId, seconds: f64) -> Vec<Step> {
        let steps = match id {
            PICKING => self.picking(seconds),
            RELOCATE_ITEM_LABEL => self.relocate_item_label(seconds),
            ASSEMBLE_BOX => self.assemble_box(seconds),
            INSERT_ITEMS => self.insert_items(seconds),
            CLOSE_BOX => self.close_box(seconds),
            ATTACH_BOX_LABEL => self.attach_box_label(seconds),
            SCAN_LABEL => self.scan_label(seconds),
            ATTACH_SHIPPING_LABEL => self.attach_shipping_label(seconds),
            PUT_ON_BACK_TABLE => self.put_on_back_table(seconds),
            FILL_OUT_ORDER => self.fill_out_order(seconds),
            _ => self.idle(seconds),
        };
        fit(steps, seconds)
    }

    /// Between operations and before/after the annotated part: standing, hands resting,
    /// small adjustments, a glance around.
    pub fn idle(&mut self, seconds: f64) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut total = 0.0;
        while total < seconds * 0.85 {
            let step = match self.rng.random_range(0..4) {
                0 => self.step((1.0, 3.0), ArmCommand::still(REST), ArmCommand::still(REST), stand(0.0)),
                1 => self.step((1.0, 3.0), ArmCommand::still(IDLE_TABLE), ArmCommand::still(IDLE_TABLE), stand(0.05)),
                2 => {
                    let fidget = REST
                        .with(ELEVATION, self.rng.random_range(0.1..0.5))
                        .with(ELBOW, self.rng.random_range(0.3..1.2));
                    self.step((0.8, 2.0), ArmCommand::active(fidget), ArmCommand::still(REST), stand(0.0))
                }
                _ => {
                    let glance = self.rng.random_range(-0.4..0.4);
                    self.step((1.0, 2.5), ArmCommand::still(REST), ArmCommand::still(REST), facing(glance, 0.0, 0.0))
                }
            };
            total += step.duration;
            steps.push(step);
        }
        // Face the table again before the next operation.
        steps.push(self.step((0.3, 0.6), ArmCommand::still(REST), ArmCommand::still(REST), stand(0.0)));
        steps
    }

    /// Walk to the shelf beside the table, pick items at various heights (the dominant hand
    /// reaches high, the other hand holds what was picked), walk back, put them down.
    fn picking(&mut self, seconds: f64) -> Vec<Step> {
        let out = std::f64::consts::FRAC_PI_2;
        let mut steps = vec![
            self.step(
                (2.5, 5.0),
                ArmCommand::active(REST).swinging(),
                ArmCommand::active(REST).swinging(),
                facing(out, 0.0, 1.0),
            ),
            self.step((0.5, 1.0), ArmCommand::active(REST), ArmCommand::active(REST), facing(out, 0.0, 0.0)),
        ];
        let walk_back = self.step(
            (2.5, 5.0),
            ArmCommand::active(REST).swinging(),
            ArmCommand::still(CARRY_ITEMS),
            facing(-out, 0.0, 1.0),
        );
        let put_down = self.step((1.0, 2.0), ArmCommand::active(TABLE), ArmCommand::active(TABLE), stand(0.15));
        let fixed: f64 = steps.iter().map(|s| s.duration).sum::<f64>() + walk_back.duration + put_down.duration;
        let mut picked = 0.0;
        while picked == 0.0 || fixed + picked < seconds * 0.9 {
            let (shelf, lean) = match self.rng.random_range(0..20) {
                0..7 => (REACH_HIGH, 0.0),
                7..15 => (REACH_MID, 0.12),
                _ => (REACH_LOW, 0.5),
            };
            let both_hands = self.chance(0.25);
            let other =
                if both_hands { ArmCommand::active(shelf.with(PLANE, 0.3)) } else { ArmCommand::still(CARRY_ITEMS) };
            let rummage = ArmCommand::active(shelf).osc(PRONATION, 0.12, 1.8, 0.3).osc(ELBOW, 0.06, 1.8, 0.0);
            let cycle = [
                self.step((1.0, 2.2), rummage, other, facing(out, lean, 0.0)),
                self.step(
                    (0.8, 1.6),
                    ArmCommand::active(HOLD_ITEM),
                    ArmCommand::still(CARRY_ITEMS),
                    facing(out, 0.05, 0.0),
                ),
                self.step(
                    (0.5, 1.0),
                    ArmCommand::active(CARRY_ITEMS.with(PLANE, 0.2)),
                    ArmCommand::still(CARRY_ITEMS),
                    facing(out, 0.0, 0.0),
                ),
            ];
            picked += cycle.iter().map(|s| s.duration).sum::<f64>();
            steps.extend(cycle);
        }
        steps.push(walk_back);
        steps.push(put_down);
        steps
    }

    /// The other hand holds the item up and turns it; the dominant hand peels the item label
    /// and presses it elsewhere on the item.
    fn relocate_item_label(&mut self, seconds: f64) -> Vec<Step> {
        let holding = || ArmCommand::still(HOLD_ITEM).osc(PRONATION, 0.06, 0.4, 0.0);
        let prologue = vec![
            self.step((0.7, 1.3), ArmCommand::active(GRAB_SIDE), ArmCommand::active(TABLE), stand(0.1)),
            self.step((0.6, 1.2), ArmCommand::active(HOLD_ITEM), ArmCommand::active(HOLD_ITEM), stand(0.05)),
        ];
        let epilogue = vec![self.step((0.6, 1.2), ArmCommand::active(TABLE), ArmCommand::active(TABLE), stand(0.1))];
        self.repeat(seconds, prologue, epilogue, |s| {
            let turn = s.rng.random_range(-0.2..0.2);
            vec![
                s.step((1.2, 2.5), peeling(at_item(PEEL)), holding(), stand(0.1)),
                s.step(
                    (0.5, 1.0),
                    ArmCommand::active(at_item(PRESS).with(PLANE, 0.1)),
                    holding().pose_delta(ROTATION, turn),
                    stand(0.1),
                ),
                s.step((0.8, 1.6), pressing(at_item(PRESS)), holding(), stand(0.1)),
            ]
        })
    }

    /// Both arms unfold and fold the cardboard and flip the box; the dominant hand tapes the
    /// bottom in long strokes and tears the tape while the other hand holds the flaps.
    fn assemble_box(&mut self, seconds: f64) -> Vec<Step> {
        let prologue = vec![self.step(
            (1.0, 2.0),
            ArmCommand::active(GRAB_SIDE.with(PLANE, 0.2)),
            ArmCommand::active(GRAB_SIDE),
            stand(0.15),
        )];
        self.repeat(seconds, prologue, Vec::new(), |s| {
            let wide = || ArmCommand::active(FOLD_WIDE).osc(PRONATION, 0.25, 0.7, 0.0);
            let fold = || ArmCommand::active(FOLD_IN).osc(ELBOW, 0.12, 1.2, 0.0);
            let steady = || ArmCommand::still(STEADY_BOX);
            let flaps = || ArmCommand::active(TABLE.with(ELBOW, -0.2)).osc(ELBOW, 0.10, 1.6, 0.2);
            let mut steps = vec![
                s.step((1.5, 3.0), wide(), wide(), stand(0.2)),
                s.step((1.2, 2.5), fold(), fold(), stand(0.2)),
                s.step(
                    (0.6, 1.0),
                    ArmCommand::active(TABLE.with(PRONATION, -0.9)),
                    ArmCommand::active(TABLE.with(PRONATION, -0.9)),
                    stand(0.2),
                ),
                s.step(
                    (0.6, 1.0),
                    ArmCommand::active(TABLE.with(PRONATION, 0.3)),
                    ArmCommand::active(TABLE.with(PRONATION, 0.3)),
                    stand(0.2),
                ),
            ];
            steps.extend(s.taping(steady, 2));
            steps.push(s.step((1.0, 2.0), flaps(), flaps(), stand(0.25)));
            steps
        })
    }

    /// Tape strokes of the dominant hand (pull along the seam, then a sharp tearing twist).
    fn taping(&mut self, other: impl Fn() -> ArmCommand, strokes: usize) -> Vec<Step> {
        let mut steps = Vec::new();
        for _ in 0..strokes {
            steps.push(self.step((0.4, 0.8), ArmCommand::active(TAPE_START), other(), stand(0.25)));
            steps.push(self.step(
                (1.0, 1.8),
                ArmCommand::active(TAPE_END).osc(ELBOW, 0.06, 1.5, 0.3),
                other(),
                stand(0.25),
            ));
        }
        steps.push(self.step(
            (0.3, 0.5),
            ArmCommand::active(TAPE_END).osc(PRONATION, 0.28, 4.0, 0.2),
            other(),
            stand(0.25),
        ));
        steps
    }

    /// Items from the side of the table go into the box one by one; the other hand holds the
    /// box edge, or both hands insert.
    fn insert_items(&mut self, seconds: f64) -> Vec<Step> {
        let settle = ArmCommand::active(DROP_IN_BOX).osc(PRONATION, 0.10, 1.5, 0.0);
        let epilogue = vec![self.step((0.8, 1.5), settle.clone(), settle, stand(0.3))];
        self.repeat(seconds, Vec::new(), epilogue, |s| {
            let edge = ArmCommand::still(STEADY_BOX.with(PLANE, 0.15).with(PRONATION, -0.3));
            let grab = ArmCommand::active(GRAB_SIDE);
            let drop = ArmCommand::active(DROP_IN_BOX).osc(PRONATION, 0.12, 2.0, 0.0);
            if s.chance(0.3) {
                // The other hand inserts this item while the dominant one holds the box.
                vec![s.step((0.8, 1.5), edge.clone(), grab, stand(0.1)), s.step((0.8, 1.5), edge, drop, stand(0.3))]
            } else {
                vec![s.step((0.8, 1.5), grab, edge.clone(), stand(0.1)), s.step((0.8, 1.5), drop, edge, stand(0.3))]
            }
        })
    }

    /// Fold the top flaps with alternating presses, then tape the seam and smooth the tape.
    fn close_box(&mut self, seconds: f64) -> Vec<Step> {
        let press = || ArmCommand::active(PRESS.with(ELBOW, -0.15)).osc(ELBOW, 0.10, 1.5, 0.2);
        let hold = || ArmCommand::still(STEADY_BOX);
        let mut prologue = Vec::new();
        for _ in 0..2 {
            prologue.push(self.step((0.6, 1.0), press(), hold(), stand(0.25)));
            prologue.push(self.step((0.6, 1.0), hold(), press(), stand(0.25)));
        }
        self.repeat(seconds, prologue, Vec::new(), |s| {
            let steady = || ArmCommand::still(STEADY_BOX.with(ELEVATION, -0.03));
            let mut steps = s.taping(steady, 1);
            let smooth = ArmCommand::active(PRESS).osc(PLANE, 0.06, 1.8, 0.2);
            steps.push(s.step((0.8, 1.5), smooth, steady(), stand(0.25)));
            steps
        })
    }

    /// Peel and press on the box top; the other hand lies flat on the box to steady it.
    fn attach_box_label(&mut self, seconds: f64) -> Vec<Step> {
        let steady = || ArmCommand::still(STEADY_BOX);
        let prologue =
            vec![self.step((0.5, 1.0), ArmCommand::active(GRAB_SIDE.with(PLANE, -0.3)), steady(), stand(0.18))];
        self.repeat(seconds, prologue, Vec::new(), |s| {
            vec![
                s.step((1.0, 2.2), peeling(at_box(PEEL)), steady(), stand(0.18)),
                s.step((0.4, 0.8), ArmCommand::active(at_box(PRESS)), steady(), stand(0.18)),
                s.step((0.8, 1.5), pressing(at_box(PRESS)), steady(), stand(0.18)),
            ]
        })
    }

    /// Take the handheld scanner, aim it at the label with small wrist sweeps, put it back.
    fn scan_label(&mut self, seconds: f64) -> Vec<Step> {
        let other_pose = if self.chance(0.5) { STEADY_BOX } else { REST };
        let scanner = GRAB_SIDE.with(PLANE, -0.4).with(ELEVATION, 0.1);
        let prologue =
            vec![self.step((0.6, 1.0), ArmCommand::active(scanner), ArmCommand::still(other_pose), stand(0.1))];
        let epilogue =
            vec![self.step((0.5, 0.9), ArmCommand::active(scanner), ArmCommand::still(other_pose), stand(0.1))];
        self.repeat(seconds, prologue, epilogue, |s| {
            let aim = ArmCommand::active(SCAN).osc(PRONATION, 0.18, 1.0, 0.0).osc(PLANE, 0.06, 0.6, 0.0);
            vec![
                s.step((1.0, 2.0), aim, ArmCommand::still(other_pose), stand(0.1)),
                s.step((0.4, 0.8), ArmCommand::still(SCAN), ArmCommand::still(other_pose), stand(0.1)),
            ]
        })
    }

    /// The other hand holds the label sheet up; the dominant hand peels a label off it,
    /// presses it on the box and rubs it flat.
    fn attach_shipping_label(&mut self, seconds: f64) -> Vec<Step> {
        let sheet = || ArmCommand::still(HOLD_SHEET).osc(PRONATION, 0.05, 0.5, 0.0);
        let prologue = vec![
            self.step((0.6, 1.0), ArmCommand::active(TABLE), ArmCommand::active(GRAB_SIDE), stand(0.12)),
            self.step((0.4, 0.8), ArmCommand::active(TABLE), sheet(), stand(0.12)),
        ];
        let epilogue = vec![self.step(
            (0.5, 1.0),
            ArmCommand::active(TABLE),
            ArmCommand::active(TABLE.with(PLANE, 0.4)),
            stand(0.12),
        )];
        self.repeat(seconds, prologue, epilogue, |s| {
            let rub = ArmCommand::active(at_box(PRESS)).osc(PLANE, 0.05, 2.0, 0.2);
            vec![
                s.step((1.0, 2.0), peeling(at_sheet(PEEL)), sheet(), stand(0.12)),
                s.step(
                    (0.5, 0.9),
                    ArmCommand::active(at_box(PRESS)),
                    ArmCommand::still(HOLD_SHEET.with(ELEVATION, -0.1)),
                    stand(0.12),
                ),
                s.step((0.8, 1.6), rub, sheet(), stand(0.12)),
            ]
        })
    }

    /// Grasp the closed box with both hands, turn round (walking a few steps when there is
    /// time), set it down on the back table, and come back; the arms do not swing while
    /// carrying.
    fn put_on_back_table(&mut self, seconds: f64) -> Vec<Step> {
        let back = std::f64::consts::PI;
        let walk = if seconds >= 6.0 { 0.8 } else { 0.0 };
        let carry = || ArmCommand::still(CARRY_BOX);
        let mut steps = vec![
            self.step(
                (0.8, 1.5),
                ArmCommand::active(CARRY_BOX.with(ELEVATION, 0.15).with(ELBOW, -0.3)),
                ArmCommand::active(CARRY_BOX.with(ELEVATION, 0.15).with(ELBOW, -0.3)),
                stand(0.25),
            ),
            self.step((0.5, 1.0), carry(), carry(), stand(0.0)),
            self.step((1.0, 3.0), carry(), carry(), facing(back, 0.0, walk)),
            self.step(
                (0.8, 1.5),
                ArmCommand::active(PLACE_BOX),
                ArmCommand::active(PLACE_BOX),
                facing(back, 0.35, 0.0),
            ),
            self.step(
                (0.3, 0.6),
                ArmCommand::active(REST.with(ELBOW, 0.5)),
                ArmCommand::active(REST.with(ELBOW, 0.5)),
                facing(back, 0.1, 0.0),
            ),
        ];
        let free = || ArmCommand::active(REST).swinging();
        steps.push(self.step((1.0, 3.0), free(), free(), facing(0.0, 0.0, walk)));
        steps.push(self.step((0.3, 0.8), ArmCommand::active(TABLE), ArmCommand::active(TABLE), stand(0.1)));
        steps
    }

    /// Writing on the order sheet: fine, fast micro-motion of the dominant hand sweeping along
    /// each line, the other hand flat on the paper.
    fn fill_out_order(&mut self, seconds: f64) -> Vec<Step> {
        let flat = || ArmCommand::still(FLAT);
        let prologue = vec![self.step((0.6, 1.2), ArmCommand::active(GRAB_SIDE.with(PLANE, -0.2)), flat(), stand(0.3))];
        let epilogue = vec![self.step((0.4, 0.8), ArmCommand::active(TABLE), flat(), stand(0.2))];
        self.repeat(seconds, prologue, epilogue, |s| {
            let writing = ArmCommand { noise: 0.01, ..ArmCommand::still(WRITE.with(PLANE, 0.10)) }
                .osc(PRONATION, 0.020, 5.0, 0.5)
                .osc(ELBOW, 0.008, 4.5, 0.3);
            let mut steps = vec![
                s.step((1.8, 3.5), writing, flat(), stand(0.3)),
                s.step((0.3, 0.6), ArmCommand::active(WRITE.with(PLANE, -0.08)), flat(), stand(0.3)),
            ];
            if s.chance(0.15) {
                steps.push(s.step(
                    (0.8, 1.2),
                    ArmCommand::still(WRITE),
                    ArmCommand::active(FLAT.with(PRONATION, -1.2)),
                    stand(0.3),
                ));
            }
            steps
        })
    }

    /// A prologue, as many rounds of `round` as fit (at least one), and an epilogue.
    fn repeat(
        &mut self,
        seconds: f64,
        prologue: Vec<Step>,
        epilogue: Vec<Step>,
        mut round: impl FnMut(&mut Self) -> Vec<Step>,
    ) -> Vec<Step> {
        let fixed: f64 = prologue.iter().chain(&epilogue).map(|s| s.duration).sum();
        let mut middle: Vec<Step> = Vec::new();
        let mut used = 0.0;
        loop {
            let next = round(self);
            let length: f64 = next.iter().map(|s| s.duration).sum();
            // Stop when another round would overshoot by more than half of itself.
            if !middle.is_empty() && fixed + used + length * 0.5 > seconds {
                break;
            }
            used += length;
            middle.extend(next);
            if self.chance(INCIDENTAL) {
                let step = self.incidental();
                used += step.duration;
                middle.push(step);
            }
        }
        prologue.into_iter().chain(middle).chain(epilogue).collect()
    }

    /// A short movement shared by all table operations, so that no operation is a pure
    /// template: real work is full of these.
    fn incidental(&mut self) -> Step {
        match self.rng.random_range(0..4) {
            0 => self.step(
                (0.8, 1.6),
                ArmCommand::active(GRAB_SIDE.with(PLANE, -0.4)),
                ArmCommand::still(TABLE),
                stand(0.1),
            ),
            1 => self.step(
                (0.8, 1.5),
                ArmCommand::active(TABLE.with(ELBOW, -0.4)),
                ArmCommand::active(TABLE.with(ELBOW, -0.4)),
                stand(0.2),
            ),
            2 => {
                let glance = self.rng.random_range(-0.5..0.5);
                self.step(
                    (0.8, 2.0),
                    ArmCommand::still(IDLE_TABLE),
                    ArmCommand::still(IDLE_TABLE),
                    facing(glance, 0.0, 0.0),
                )
            }
            _ => self.step(
                (0.8, 1.5),
                ArmCommand::active(HOLD_ITEM.with(ELEVATION, -0.2)),
                ArmCommand::still(TABLE),
                stand(0.05),
            ),
        }
    }
}

/// The peeling part of the shared labelling primitive: fast small wrist twists and tugs.
fn peeling(pose: Pose) -> ArmCommand {
    ArmCommand::active(pose).osc(PRONATION, 0.10, 3.0, 0.3).osc(ELBOW, 0.025, 3.0, 0.0)
}

/// The pressing part: the hand rubs the label down.
fn pressing(pose: Pose) -> ArmCommand {
    ArmCommand::active(pose).osc(ELBOW, 0.03, 3.0, 0.0)
}

impl ArmCommand {
    fn pose_delta(mut self, joint: usize, delta: f64) -> Self {
        self.pose = self.pose.with(joint, delta);
        self
    }
}

/// Rescales step durations so they add up to exactly `seconds`: the annotation's span is the
/// truth, the script's cadence bends to it.
fn fit(mut steps: Vec<Step>, seconds: f64) -> Vec<Step> {
    let total: f64 = steps.iter().map(|s| s.duration).sum();
    if total > 0.0 {
        let k = seconds / total;
        for s in &mut steps {
            s.duration *= k;
        }
    }
    steps
}

/// A command held from `start` (s, simulation time) until the next phase starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub start: f64,
    pub command: Command,
}

/// The whole session's motion: idle before the annotated part, each span's script, idle after.
/// `annotation_start` and `end` are simulation times (s).
pub fn plan_motion<R: Rng>(
    rng: &mut R,
    subject: &Subject,
    tempo: f64,
    spans: &[Span],
    annotation_start: f64,
    end: f64,
) -> Vec<Phase> {
    let mut scripter = Scripter::new(rng, subject, tempo);
    let mut phases = Vec::new();
    let mut push = |t0: f64, steps: Vec<Step>| {
        let mut t = t0;
        for step in steps {
            phases.push(Phase { start: t, command: step.command });
            t += step.duration;
        }
    };
    push(0.0, fit(scripter.idle(annotation_start), annotation_start));
    for span in spans {
        let start = annotation_start + f64::from(span.start_s);
        push(start, scripter.operation(span.id, f64::from(span.len_s())));
    }
    let last = annotation_start + f64::from(spans.last().map_or(0, |s| s.end_s));
    let tail = (end - last).max(1.0);
    push(last, fit(scripter.idle(tail), tail));
    phases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::schedule::cycle_order;
    use crate::synth::seeds;
    use crate::synth::subjects::draw_subject;
    use tsak::data::classes::ClassTable;

    fn order() -> Vec<ClassId> {
        cycle_order(&ClassTable::openpack_operations()).unwrap()
    }

    #[test]
    fn scripts_fill_their_span_exactly() {
        let subject = draw_subject(1, 0, false, 6);
        let mut rng = seeds::rng(1, &[seeds::MOTION]);
        let mut scripter = Scripter::new(&mut rng, &subject, subject.tempo);
        for id in order().into_iter().chain([8100]) {
            for seconds in [2.0, 5.0, 17.0, 41.0] {
                let steps = scripter.operation(id, seconds);
                let total: f64 = steps.iter().map(|s| s.duration).sum();
                assert!((total - seconds).abs() < 1e-9, "{id} {seconds}: {total}");
                assert!(steps.iter().all(|s| s.duration > 0.0));
            }
        }
    }
}
