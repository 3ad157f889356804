//! Resampling a stream onto other timestamps by linear interpolation.
//!
//! Used for E4 accelerometers (32 Hz) onto the ATR clock (30 Hz), and later for BLE devices
//! onto the model's rate. Gaps are counted and reported, never silently bridged.

/// The result of resampling: values at the target times, and what had to be bridged.
#[derive(Debug, Clone, PartialEq)]
pub struct Resampled {
    /// `target.len() * channels` values, sample-major.
    pub values: Vec<f32>,
    /// Target times that fell inside a source gap longer than `max_gap_ms`.
    pub bridged_targets: usize,
}

/// Why a stream could not be resampled onto the target times.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResampleError {
    #[error("the source has no samples")]
    Empty,
    #[error("the target time {target} ms lies outside the source's range {first}..={last} ms")]
    OutOfRange { target: i64, first: i64, last: i64 },
}

/// Linearly interpolates `source` (times `source_t`, `channels` values per sample) at each
/// of the increasing `target` times, which must lie within the source's time range.
pub fn linear(
    source_t: &[i64],
    source: &[f32],
    channels: usize,
    target: &[i64],
    max_gap_ms: i64,
) -> Result<Resampled, ResampleError> {
    let (Some(&first), Some(&last)) = (source_t.first(), source_t.last()) else {
        return Err(ResampleError::Empty);
    };
    let mut values = Vec::with_capacity(target.len() * channels);
    let mut bridged_targets = 0;
    let mut j = 0;
    for &t in target {
        if t < first || t > last {
            return Err(ResampleError::OutOfRange { target: t, first, last });
        }
        while j + 1 < source_t.len() && source_t[j + 1] < t {
            j += 1;
        }
        if source_t[j] == t || j + 1 == source_t.len() {
            values.extend_from_slice(&source[j * channels..(j + 1) * channels]);
            continue;
        }
        let (t0, t1) = (source_t[j], source_t[j + 1]);
        if t1 - t0 > max_gap_ms {
            bridged_targets += 1;
        }
        let w = (t - t0) as f32 / (t1 - t0) as f32;
        let (a, b) = (&source[j * channels..(j + 1) * channels], &source[(j + 1) * channels..(j + 2) * channels]);
        values.extend(a.iter().zip(b).map(|(a, b)| a + (b - a) * w));
    }
    Ok(Resampled { values, bridged_targets })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolates_between_neighbours() {
        let t = [0, 10, 20];
        let v = [0.0, 100.0, 10.0, 200.0, 20.0, 400.0];
        let out = linear(&t, &v, 2, &[0, 5, 15, 20], 15).unwrap();
        assert_eq!(out.values, vec![0.0, 100.0, 5.0, 150.0, 15.0, 300.0, 20.0, 400.0]);
        assert_eq!(out.bridged_targets, 0);
    }

    #[test]
    fn counts_bridged_gaps_and_rejects_extrapolation() {
        let out = linear(&[0, 100], &[0.0, 1.0], 1, &[50], 40).unwrap();
        assert_eq!(out.bridged_targets, 1);
        assert_eq!(
            linear(&[0, 100], &[0.0, 1.0], 1, &[101], 40),
            Err(ResampleError::OutOfRange { target: 101, first: 0, last: 100 })
        );
    }
}
