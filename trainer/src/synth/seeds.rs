//! Seed derivation: every random stream (a subject, a session's schedule, one device's noise)
//! gets its own ChaCha8 generator from the master seed and a path of labels, so streams never
//! depend on how much randomness another stream consumed.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Labels of the streams, the first element of a path.
pub const HANDEDNESS: u64 = 1;
pub const SUBJECT: u64 = 2;
pub const SCHEDULE: u64 = 3;
pub const MOTION: u64 = 4;
pub const DEVICE: u64 = 5;
pub const CLOCK: u64 = 6;
pub const ATR_DROPS: u64 = 7;
pub const E4_DROPS: u64 = 8;
pub const UUID: u64 = 9;
pub const NOISE: u64 = 10;
pub const JITTER: u64 = 11;
pub const START: u64 = 12;
pub const CALIBRATION: u64 = 13;

/// SplitMix64's finaliser: a bijective mix that spreads every input bit over the output.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of the stream at `path` under the master `seed`.
pub fn derive(seed: u64, path: &[u64]) -> u64 {
    path.iter().fold(mix(seed), |acc, &part| mix(acc ^ mix(part)))
}

/// A generator for the stream at `path`.
pub fn rng(seed: u64, path: &[u64]) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(derive(seed, path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_give_distinct_reproducible_seeds() {
        assert_eq!(derive(7, &[SUBJECT, 0]), derive(7, &[SUBJECT, 0]));
        assert_ne!(derive(7, &[SUBJECT, 0]), derive(7, &[SUBJECT, 1]));
        assert_ne!(derive(7, &[SUBJECT, 0]), derive(8, &[SUBJECT, 0]));
        assert_ne!(derive(7, &[SUBJECT, 1, 0]), derive(7, &[SUBJECT, 0, 1]));
    }
}
