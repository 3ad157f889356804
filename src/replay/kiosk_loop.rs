//! The kiosk's attract loop as a plain state machine: when to load the demo, when a load
//! failed and is tried again, when a loop ended and counts, when a waiting new version takes
//! over, and how long the Leave button stays after a touch. The page's kiosk context
//! (`app::kiosk`) feeds it what it observes every tick and does what it answers; the rules
//! are tested here, natively, with a clock the tests drive.

/// How long the Leave button stays after a touch, in ms.
pub const CONTROLS_FOR_MS: f64 = 5000.0;
/// A demo that failed to load is asked for again after this long, in ms.
pub const RETRY_LOAD_AFTER_MS: f64 = 5000.0;

/// What the page sees at a tick.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observed {
    pub now_ms: f64,
    /// The worker has its models on some backend.
    pub models_ready: bool,
    /// A session is being loaded.
    pub loading: bool,
    /// Sessions loaded since the page started (a load that arrives raises it).
    pub loads: u64,
    /// The loaded session has played to its end.
    pub ended: bool,
    /// A new version of the app is waiting to take over.
    pub update_waiting: bool,
}

/// What the page should do after a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Nothing,
    /// Ask for the demo from its start.
    LoadDemo,
    /// Restart into the waiting version (coming back in kiosk mode).
    TakeUpdate,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct KioskLoop {
    active: bool,
    /// Load the demo at the next tick that can (the models may still be starting).
    restart: bool,
    /// A new version was asked to take over: nothing more to do until the page restarts.
    updating: bool,
    /// The demo was asked for and has not arrived: when, and the load count then.
    asked: Option<(f64, u64)>,
    loops: u32,
    controls_until: Option<f64>,
}

impl KioskLoop {
    pub fn start(&mut self) {
        *self = KioskLoop { active: true, restart: true, ..KioskLoop::default() };
    }

    pub fn leave(&mut self) {
        *self = KioskLoop { loops: self.loops, ..KioskLoop::default() };
    }

    pub fn active(&self) -> bool {
        self.active
    }

    /// Demo loops completed since kiosk mode started.
    pub fn loops(&self) -> u32 {
        self.loops
    }

    /// A touch, click or key: the Leave button shows for [`CONTROLS_FOR_MS`].
    pub fn touched(&mut self, now_ms: f64) {
        if self.active {
            self.controls_until = Some(now_ms + CONTROLS_FOR_MS);
        }
    }

    pub fn controls_visible(&self, now_ms: f64) -> bool {
        self.active && self.controls_until.is_some_and(|until| now_ms < until)
    }

    /// One tick of the loop. `LoadDemo` is remembered as asked at `seen.now_ms`.
    pub fn tick(&mut self, seen: &Observed) -> Action {
        if !self.active || self.updating || !seen.models_ready || seen.loading {
            return Action::Nothing;
        }
        if self.restart {
            self.restart = false;
            return self.ask(seen);
        }
        if let Some((since, loads)) = self.asked {
            if seen.loads == loads {
                // Not arrived: the load failed (the page says why). Again, without a loop.
                return if seen.now_ms - since >= RETRY_LOAD_AFTER_MS { self.ask(seen) } else { Action::Nothing };
            }
            self.asked = None;
        }
        if !seen.ended {
            return Action::Nothing;
        }
        self.loops += 1;
        if seen.update_waiting {
            self.updating = true;
            return Action::TakeUpdate;
        }
        self.ask(seen)
    }

    fn ask(&mut self, seen: &Observed) -> Action {
        self.asked = Some((seen.now_ms, seen.loads));
        Action::LoadDemo
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(now_ms: f64, loads: u64, ended: bool) -> Observed {
        Observed { now_ms, models_ready: true, loading: false, loads, ended, update_waiting: false }
    }

    #[test]
    fn the_demo_loads_once_the_models_are_ready_and_again_after_each_loop() {
        let mut kiosk = KioskLoop::default();
        assert_eq!(kiosk.tick(&seen(0.0, 0, false)), Action::Nothing, "not started");
        kiosk.start();
        assert_eq!(kiosk.tick(&Observed { models_ready: false, ..seen(0.0, 0, false) }), Action::Nothing);
        assert_eq!(kiosk.tick(&seen(100.0, 0, false)), Action::LoadDemo);
        assert_eq!(kiosk.tick(&Observed { loading: true, ..seen(200.0, 0, false) }), Action::Nothing);
        // Loaded (the count rose) and playing, then at its end: one loop, and the demo again.
        assert_eq!(kiosk.tick(&seen(300.0, 1, false)), Action::Nothing);
        assert_eq!(kiosk.tick(&seen(9000.0, 1, true)), Action::LoadDemo);
        assert_eq!(kiosk.loops(), 1);
        // Still showing the last session's end until the new one arrives: no second loop.
        assert_eq!(kiosk.tick(&seen(9100.0, 1, true)), Action::Nothing);
        assert_eq!(kiosk.tick(&seen(9200.0, 2, false)), Action::Nothing);
        assert_eq!(kiosk.loops(), 1);
    }

    #[test]
    fn a_failed_load_is_asked_again_after_five_seconds_without_counting_a_loop() {
        let mut kiosk = KioskLoop::default();
        kiosk.start();
        assert_eq!(kiosk.tick(&seen(0.0, 3, false)), Action::LoadDemo);
        assert_eq!(kiosk.tick(&seen(4999.0, 3, true)), Action::Nothing);
        assert_eq!(kiosk.tick(&seen(5000.0, 3, true)), Action::LoadDemo);
        assert_eq!(kiosk.loops(), 0);
    }

    #[test]
    fn a_waiting_version_takes_over_at_the_end_of_a_loop_and_nothing_follows() {
        let mut kiosk = KioskLoop::default();
        kiosk.start();
        kiosk.tick(&seen(0.0, 0, false));
        let update = Observed { update_waiting: true, ..seen(1000.0, 1, true) };
        assert_eq!(kiosk.tick(&update), Action::TakeUpdate);
        assert_eq!(kiosk.loops(), 1);
        assert_eq!(kiosk.tick(&update), Action::Nothing);
    }

    #[test]
    fn a_touch_shows_leave_for_five_seconds_and_leaving_stops_the_loop() {
        let mut kiosk = KioskLoop::default();
        kiosk.touched(0.0);
        assert!(!kiosk.controls_visible(1.0), "no Leave button outside kiosk mode");
        kiosk.start();
        kiosk.touched(1000.0);
        assert!(kiosk.controls_visible(5999.0) && !kiosk.controls_visible(6000.0));
        kiosk.leave();
        assert!(!kiosk.active() && !kiosk.controls_visible(1001.0));
        assert_eq!(kiosk.tick(&seen(7000.0, 0, true)), Action::Nothing);
    }
}
