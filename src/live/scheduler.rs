//! Which live windows to classify, and when. Wearables deliver in packets, join late and drop
//! out; the scheduler cuts the models' windows from the live frame store one hop apart, waits a
//! short grace for the other positions' packets, starts a late joiner at its first full window,
//! counts windows lost to a dropout, and stands the wrists' wearables in for the teacher's E4
//! inputs. Pure: the app's 100 ms tick only calls [`WindowScheduler::due`] and sends what comes
//! back to the worker, so every case here is tested natively.

use crate::data::classes::ClassId;
use crate::data::frames::FrameTable;

use super::frames::{LiveFrames, WindowProblem};
use super::stand_in::add_e4_from_wrists;

/// One window ready for the models.
#[derive(Debug, Clone, PartialEq)]
pub struct DueWindow {
    /// The grid frame the window ends on.
    pub end_frame: u64,
    /// The student's position and every other position that has all of the window, E4
    /// stand-ins included.
    pub frames: FrameTable,
    /// The teacher inputs the wrists' wearables stand in for in this window.
    pub stood_in: Vec<String>,
}

/// The models' windowing applied to a live store.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowScheduler {
    /// Window length and hop (frames), as the models were trained.
    length: usize,
    hop: u64,
    /// How long (frames) a window waits for the other positions to reach its end.
    grace: u64,
    /// The student's body position: a window is due when it has the whole of it.
    student_position: String,
    /// The teacher's inputs, for the E4 stand-ins.
    teacher_inputs: Vec<String>,
    /// The label live windows carry (the models ignore it): Null.
    label: ClassId,
    /// The end frame of the next window.
    next_end: u64,
    skipped: u64,
}

impl WindowScheduler {
    pub fn new(
        length: usize,
        hop: u64,
        grace: u64,
        student_position: String,
        teacher_inputs: Vec<String>,
        label: ClassId,
    ) -> Self {
        let length = length.max(1);
        Self {
            length,
            hop: hop.max(1),
            grace,
            student_position,
            teacher_inputs,
            label,
            next_end: length as u64 - 1,
            skipped: 0,
        }
    }

    /// Windows lost so far to a dropout inside them.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Every window that has become due in `frames` since the last call, in order.
    pub fn due(&mut self, frames: &LiveFrames) -> Vec<DueWindow> {
        let mut out = Vec::new();
        while frames.window_due(&self.student_position, self.next_end, self.grace) {
            let end = self.next_end;
            let earliest = frames.earliest_frame(&self.student_position).unwrap_or(0);
            if earliest + self.length as u64 > end + 1 {
                // The device joined after this window began: start at its first full window.
                self.next_end = earliest + self.length as u64 - 1;
                continue;
            }
            match frames.window(&self.student_position, end, self.length, self.label) {
                Ok(mut table) => {
                    let stood_in = add_e4_from_wrists(&mut table, &self.teacher_inputs);
                    out.push(DueWindow { end_frame: end, frames: table, stood_in });
                }
                Err(WindowProblem::Gap(_)) => self.skipped += 1,
                // Not all there yet (the frames it needs are still arriving): try next tick.
                Err(_) => break,
            }
            self.next_end += self.hop;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ble::axes::AxisMap;
    use crate::ble::sample::{Clock, Decoded, ImuSample};

    /// `count` samples at 30 Hz from sample `first`, acc x = the sample's index.
    fn burst(first: usize, count: usize) -> Decoded {
        let samples = (first..first + count)
            .map(|i| ImuSample { t_ms: i as f64 * 1000.0 / 30.0, acc: [i as f32, 0.0, 1.0], gyro: None })
            .collect();
        Decoded { samples, clock: Clock::Arrival, dropped_packets: 0 }
    }

    fn store(positions: &[&str]) -> LiveFrames {
        let mut live = LiveFrames::new(0.0, 30.0, 3000);
        for p in positions {
            live.connect(p, false, AxisMap::IDENTITY);
        }
        live
    }

    fn scheduler(teacher_inputs: &[&str]) -> WindowScheduler {
        let inputs = teacher_inputs.iter().map(|s| s.to_string()).collect();
        WindowScheduler::new(30, 15, 15, "right_wrist".into(), inputs, 8100)
    }

    fn ends(windows: &[DueWindow]) -> Vec<u64> {
        windows.iter().map(|w| w.end_frame).collect()
    }

    #[test]
    fn windows_come_one_hop_apart_as_the_student_position_fills_them() {
        let mut live = store(&["right_wrist"]);
        let mut s = scheduler(&[]);
        live.push("right_wrist", &burst(0, 29), 0.0);
        assert!(s.due(&live).is_empty(), "29 frames are not a 30-frame window");
        live.push("right_wrist", &burst(29, 46), 0.0);
        let windows = s.due(&live);
        assert_eq!(ends(&windows), [29, 44, 59, 74]);
        assert_eq!(windows[1].frames.len(), 30);
        assert_eq!(windows[1].frames.frame(0)[0], 15.0, "the second window starts one hop in");
        assert!(s.due(&live).is_empty(), "each window once");
    }

    #[test]
    fn a_lagging_position_holds_a_window_for_the_grace_then_is_left_out() {
        let mut live = store(&["right_wrist", "left_wrist"]);
        let mut s = scheduler(&[]);
        live.push("left_wrist", &burst(0, 20), 0.0);
        live.push("right_wrist", &burst(0, 40), 0.0);
        assert!(s.due(&live).is_empty(), "waits: the left wrist is 10 frames behind, grace is 15");
        live.push("left_wrist", &burst(20, 10), 0.0);
        let windows = s.due(&live);
        assert_eq!(ends(&windows), [29]);
        assert_eq!(windows[0].frames.channels.len(), 6, "both wrists");
        live.push("right_wrist", &burst(40, 20), 0.0);
        let windows = s.due(&live);
        assert_eq!(ends(&windows), [44], "the student's position is a grace past 44, not yet past 59");
        assert_eq!(windows[0].frames.channels.len(), 3, "sent without the lagging wrist");
    }

    #[test]
    fn a_late_joining_student_device_starts_at_its_first_full_window() {
        let mut live = store(&["right_wrist"]);
        let mut s = scheduler(&[]);
        live.push("right_wrist", &burst(100, 40), 0.0);
        assert_eq!(ends(&s.due(&live)), [129]);
    }

    #[test]
    fn windows_with_a_dropout_are_counted_and_skipped() {
        let mut live = store(&["right_wrist"]);
        let mut s = scheduler(&[]);
        live.push("right_wrist", &burst(0, 30), 0.0);
        live.push("right_wrist", &burst(45, 45), 0.0);
        let windows = s.due(&live);
        // 44 and 59 contain the missing frames 30..45; 74 and 89 do not.
        assert_eq!(ends(&windows), [29, 74, 89]);
        assert_eq!(s.skipped(), 2);
    }

    #[test]
    fn the_wrists_stand_in_for_the_teachers_e4_inputs() {
        let mut live = store(&["right_wrist"]);
        let mut s =
            scheduler(&["right_wrist/acc_x", "right_wrist/e4_acc_x", "right_wrist/e4_acc_y", "right_wrist/e4_acc_z"]);
        live.push("right_wrist", &burst(0, 30), 0.0);
        let windows = s.due(&live);
        assert_eq!(windows[0].stood_in, ["right_wrist/e4_acc_x", "right_wrist/e4_acc_y", "right_wrist/e4_acc_z"]);
        assert!(windows[0].frames.channels.contains(&"right_wrist/e4_acc_y".to_string()));
    }
}
