//! A device's samples onto the models' frame grid: frame `k` is at `origin + k / rate`, the
//! same grid for every connected device, so the teacher sees all positions at the same
//! instants. Values are linearly interpolated between the two samples around a frame; frames
//! inside a gap (no sample for longer than `max_gap_ms`) come out empty and are counted, never
//! bridged, so a window that spans a dropout is not classified as if nothing happened.

/// One frame of the grid: its index and the values there, `None` inside a gap.
#[derive(Debug, Clone, PartialEq)]
pub struct GridFrame {
    pub index: u64,
    pub values: Option<Vec<f32>>,
}

/// Resampler of one device's stream onto the frame grid.
#[derive(Debug, Clone)]
pub struct FrameGrid {
    origin_ms: f64,
    rate_hz: f64,
    max_gap_ms: f64,
    previous: Option<(f64, Vec<f32>)>,
    /// The next frame to emit.
    next: u64,
    /// Frames emitted empty because they fell in a gap.
    pub gap_frames: u64,
    /// Samples ignored because their time was not after the previous sample's.
    pub out_of_order: u64,
}

impl FrameGrid {
    pub fn new(origin_ms: f64, rate_hz: f64, max_gap_ms: f64) -> Self {
        FrameGrid { origin_ms, rate_hz, max_gap_ms, previous: None, next: 0, gap_frames: 0, out_of_order: 0 }
    }

    fn frame_time(&self, index: u64) -> f64 {
        // Multiplied before dividing: frame 30 at 30 Hz is exactly 1000 ms after the origin.
        self.origin_ms + index as f64 * 1000.0 / self.rate_hz
    }

    /// Adds one sample (time on the grid's clock, values per channel) and returns the frames
    /// up to it that can now be computed.
    pub fn push(&mut self, t_ms: f64, values: Vec<f32>) -> Vec<GridFrame> {
        let Some((t0, v0)) = self.previous.take() else {
            // First sample: the grid starts at the first frame not before it.
            self.next = ((t_ms - self.origin_ms) * self.rate_hz / 1000.0).ceil().max(0.0) as u64;
            let frames = self.emit_exact(t_ms, &values);
            self.previous = Some((t_ms, values));
            return frames;
        };
        if t_ms <= t0 || !t_ms.is_finite() {
            self.out_of_order += 1;
            self.previous = Some((t0, v0));
            return Vec::new();
        }
        let gap = t_ms - t0 > self.max_gap_ms;
        let mut frames = Vec::new();
        while self.frame_time(self.next) <= t_ms {
            let time = self.frame_time(self.next);
            let values = if time == t_ms {
                Some(values.clone())
            } else if gap {
                self.gap_frames += 1;
                None
            } else {
                let w = ((time - t0) / (t_ms - t0)) as f32;
                Some(v0.iter().zip(&values).map(|(a, b)| a + (b - a) * w).collect())
            };
            frames.push(GridFrame { index: self.next, values });
            self.next += 1;
        }
        self.previous = Some((t_ms, values));
        frames
    }

    fn emit_exact(&mut self, t_ms: f64, values: &[f32]) -> Vec<GridFrame> {
        if self.frame_time(self.next) == t_ms {
            self.next += 1;
            vec![GridFrame { index: self.next - 1, values: Some(values.to_vec()) }]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(frames: &[GridFrame]) -> Vec<Option<f32>> {
        frames.iter().map(|f| f.values.as_ref().map(|v| v[0])).collect()
    }

    #[test]
    fn a_50_hz_ramp_is_interpolated_onto_30_hz_frames() {
        // A ramp v = t / 1000 sampled every 20 ms; frames every 100/3 ms from 0.
        let mut grid = FrameGrid::new(0.0, 30.0, 100.0);
        let mut frames = Vec::new();
        for i in 0..51 {
            let t = i as f64 * 20.0;
            frames.extend(grid.push(t, vec![t as f32 / 1000.0]));
        }
        assert_eq!(frames.len(), 31, "frames 0..=30 lie within 0..=1000 ms");
        for (k, frame) in frames.iter().enumerate() {
            assert_eq!(frame.index, k as u64);
            let expected = k as f32 / 30.0;
            assert!((frame.values.as_ref().unwrap()[0] - expected).abs() < 1e-5, "frame {k}");
        }
        assert_eq!(grid.gap_frames, 0);
    }

    #[test]
    fn the_first_frame_is_the_first_grid_point_after_the_first_sample() {
        let mut grid = FrameGrid::new(0.0, 10.0, 1000.0);
        assert!(grid.push(150.0, vec![1.0]).is_empty());
        let frames = grid.push(350.0, vec![3.0]);
        assert_eq!(frames.iter().map(|f| f.index).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(values(&frames), vec![Some(1.5), Some(2.5)]);
    }

    #[test]
    fn frames_in_a_gap_are_empty_and_counted() {
        let mut grid = FrameGrid::new(0.0, 10.0, 250.0);
        grid.push(0.0, vec![0.0]);
        grid.push(100.0, vec![1.0]);
        let frames = grid.push(600.0, vec![6.0]); // 500 ms without samples
        assert_eq!(values(&frames), vec![None, None, None, None, Some(6.0)]);
        assert_eq!(grid.gap_frames, 4);
        assert_eq!(values(&grid.push(700.0, vec![7.0])), vec![Some(7.0)]);
    }

    #[test]
    fn samples_going_back_in_time_are_ignored_and_counted() {
        let mut grid = FrameGrid::new(0.0, 10.0, 1000.0);
        grid.push(0.0, vec![0.0]);
        grid.push(100.0, vec![1.0]);
        assert!(grid.push(100.0, vec![9.0]).is_empty());
        assert!(grid.push(50.0, vec![9.0]).is_empty());
        assert_eq!(grid.out_of_order, 2);
        assert_eq!(values(&grid.push(200.0, vec![2.0])), vec![Some(2.0)]);
    }
}
