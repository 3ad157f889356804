//! A wearable's connection as the user sees it: connecting, streaming, reconnecting (by
//! itself, with growing pauses), or lost (a button reconnects). Pure state: the web link
//! reports what happened and the time, and asks [`Connection::tick`] what to do next, so the
//! whole policy (backoff, the no-data watchdog) is tested natively.

/// What the status shows (`ble-status`).
#[derive(Debug, Clone, PartialEq)]
pub enum LinkState {
    /// Connecting or waiting for the first samples.
    Connecting,
    Streaming,
    /// Waiting until `retry_at_ms` for reconnection attempt `attempt` (1-based).
    Reconnecting {
        attempt: u32,
        retry_at_ms: f64,
    },
    /// Given up; the reason is shown next to the reconnect button.
    Lost {
        reason: String,
    },
}

impl LinkState {
    pub fn label(&self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Streaming => "streaming",
            LinkState::Reconnecting { .. } => "reconnecting",
            LinkState::Lost { .. } => "lost",
        }
    }
}

/// What the link must do now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Run the whole GATT chain again (services die with the connection).
    Connect,
    /// Drop a connection that delivers nothing, then reconnect.
    Reset,
}

/// The policy: how long without data is a stall, how long a connection may take, and how
/// reconnection backs off.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub watchdog_ms: f64,
    /// Connecting (GATT connect, discovery, setup, first data) can take seconds on real radios.
    pub connect_timeout_ms: f64,
    pub first_retry_ms: f64,
    pub max_retry_ms: f64,
    pub max_attempts: u32,
}

impl Default for Policy {
    /// Retries after 0.5, 1, 2, 4, 8 and 8 s (about 24 s in all) before giving up.
    fn default() -> Self {
        Policy {
            watchdog_ms: 3000.0,
            connect_timeout_ms: 10_000.0,
            first_retry_ms: 500.0,
            max_retry_ms: 8000.0,
            max_attempts: 6,
        }
    }
}

impl Policy {
    fn delay_ms(&self, attempt: u32) -> f64 {
        (self.first_retry_ms * 2f64.powi(attempt.saturating_sub(1) as i32)).min(self.max_retry_ms)
    }
}

/// One device's connection.
#[derive(Debug, Clone)]
pub struct Connection {
    pub state: LinkState,
    policy: Policy,
    /// Failed attempts since data last flowed.
    attempts: u32,
    last_data_ms: f64,
    /// Times the connection dropped and came back, for the status panel.
    pub reconnects: u32,
}

impl Connection {
    /// A connection being set up at `now_ms` (after the user picked the device).
    pub fn new(policy: Policy, now_ms: f64) -> Self {
        Connection { state: LinkState::Connecting, policy, attempts: 0, last_data_ms: now_ms, reconnects: 0 }
    }

    /// Samples arrived.
    pub fn data(&mut self, now_ms: f64) {
        if self.state == LinkState::Connecting && self.attempts > 0 {
            self.reconnects += 1;
        }
        self.last_data_ms = now_ms;
        self.attempts = 0;
        self.state = LinkState::Streaming;
    }

    /// The device disconnected, or a connection attempt failed.
    pub fn dropped(&mut self, now_ms: f64, reason: &str) {
        if matches!(self.state, LinkState::Lost { .. }) {
            return;
        }
        self.attempts += 1;
        self.state = if self.attempts > self.policy.max_attempts {
            LinkState::Lost { reason: format!("{reason} (gave up after {} attempts)", self.policy.max_attempts) }
        } else {
            LinkState::Reconnecting {
                attempt: self.attempts,
                retry_at_ms: now_ms + self.policy.delay_ms(self.attempts),
            }
        };
    }

    /// The user asked to reconnect a lost device.
    pub fn retry_now(&mut self, now_ms: f64) {
        self.attempts = 0;
        self.last_data_ms = now_ms;
        self.state = LinkState::Connecting;
    }

    /// What to do at `now_ms`: reconnect when a retry is due; reset when data stopped.
    pub fn tick(&mut self, now_ms: f64) -> Option<Action> {
        match self.state {
            LinkState::Reconnecting { retry_at_ms, .. } if now_ms >= retry_at_ms => {
                self.state = LinkState::Connecting;
                self.last_data_ms = now_ms;
                Some(Action::Connect)
            }
            LinkState::Streaming if now_ms - self.last_data_ms > self.policy.watchdog_ms => {
                let seconds = self.policy.watchdog_ms / 1000.0;
                self.dropped(now_ms, &format!("no data for {seconds:.0} s"));
                Some(Action::Reset)
            }
            LinkState::Connecting if now_ms - self.last_data_ms > self.policy.connect_timeout_ms => {
                let seconds = self.policy.connect_timeout_ms / 1000.0;
                self.dropped(now_ms, &format!("no data {seconds:.0} s after connecting"));
                Some(Action::Reset)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_makes_it_streaming() {
        let mut c = Connection::new(Policy::default(), 0.0);
        assert_eq!(c.state.label(), "connecting");
        c.data(100.0);
        assert_eq!(c.state, LinkState::Streaming);
        assert_eq!(c.tick(2000.0), None);
    }

    #[test]
    fn a_drop_reconnects_with_growing_pauses_then_gives_up() {
        let policy = Policy::default();
        let mut c = Connection::new(policy, 0.0);
        c.data(0.0);
        let mut now = 1000.0;
        let mut pauses = Vec::new();
        for _ in 0..policy.max_attempts {
            c.dropped(now, "gatt server disconnected");
            let LinkState::Reconnecting { retry_at_ms, .. } = c.state else { panic!("{:?}", c.state) };
            pauses.push(retry_at_ms - now);
            assert_eq!(c.tick(retry_at_ms - 1.0), None);
            assert_eq!(c.tick(retry_at_ms), Some(Action::Connect));
            assert_eq!(c.state.label(), "connecting");
            now = retry_at_ms + 10.0;
        }
        assert_eq!(pauses, vec![500.0, 1000.0, 2000.0, 4000.0, 8000.0, 8000.0]);
        c.dropped(now, "connection failed");
        assert!(matches!(&c.state, LinkState::Lost { reason } if reason.contains("gave up after 6")));
        c.retry_now(now);
        assert_eq!(c.state.label(), "connecting");
    }

    #[test]
    fn a_reconnect_that_delivers_data_resets_the_backoff_and_is_counted() {
        let mut c = Connection::new(Policy::default(), 0.0);
        c.data(0.0);
        c.dropped(10.0, "gone");
        c.tick(510.0);
        c.data(600.0);
        assert_eq!(c.reconnects, 1);
        c.dropped(700.0, "gone again");
        assert_eq!(c.state, LinkState::Reconnecting { attempt: 1, retry_at_ms: 1200.0 });
    }

    #[test]
    fn the_watchdog_resets_a_silent_connection() {
        let mut c = Connection::new(Policy::default(), 0.0);
        c.data(1000.0);
        assert_eq!(c.tick(3999.0), None);
        assert_eq!(c.tick(4001.0), Some(Action::Reset));
        assert_eq!(c.state.label(), "reconnecting");
    }

    #[test]
    fn connecting_gets_longer_than_the_watchdog_before_it_counts_as_failed() {
        let mut c = Connection::new(Policy::default(), 0.0);
        assert_eq!(c.tick(5000.0), None, "a slow radio is not a stall");
        assert_eq!(c.tick(10_001.0), Some(Action::Reset));
        assert!(matches!(c.state, LinkState::Reconnecting { attempt: 1, .. }));
    }
}
