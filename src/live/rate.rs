//! The sample rate a device really delivers, over the last seconds: what the status panel
//! shows next to the rate the profile asked for.

use std::collections::VecDeque;

/// Samples counted per arrival time over a sliding span.
#[derive(Debug, Clone)]
pub struct RateMeter {
    span_ms: f64,
    arrivals: VecDeque<(f64, usize)>,
}

impl RateMeter {
    pub fn new(span_ms: f64) -> Self {
        RateMeter { span_ms, arrivals: VecDeque::new() }
    }

    pub fn add(&mut self, now_ms: f64, samples: usize) {
        self.arrivals.push_back((now_ms, samples));
        while self.arrivals.front().is_some_and(|(t, _)| now_ms - t > self.span_ms) {
            self.arrivals.pop_front();
        }
    }

    /// Samples per second between the first and the last arrival in the span (the first
    /// arrival's samples were taken before the span began, so they are not counted).
    pub fn hz(&self) -> Option<f64> {
        let (first, _) = *self.arrivals.front()?;
        let (last, _) = *self.arrivals.back()?;
        let samples: usize = self.arrivals.iter().skip(1).map(|(_, n)| n).sum();
        (last > first).then(|| samples as f64 * 1000.0 / (last - first))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifty_samples_a_second_in_packets_of_five() {
        let mut meter = RateMeter::new(2000.0);
        assert_eq!(meter.hz(), None);
        for k in 0..40 {
            meter.add(k as f64 * 100.0, 5);
        }
        assert!((meter.hz().unwrap() - 50.0).abs() < 1e-9);
    }

    #[test]
    fn old_arrivals_leave_the_span() {
        let mut meter = RateMeter::new(1000.0);
        for k in 0..10 {
            meter.add(k as f64 * 100.0, 100);
        }
        for k in 0..20 {
            meter.add(5000.0 + k as f64 * 100.0, 2);
        }
        assert!((meter.hz().unwrap() - 20.0).abs() < 1e-9);
    }
}
