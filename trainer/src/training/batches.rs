//! Mini-batches of windows as burn tensors, shuffled by a seeded RNG so runs reproduce.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::training::augment::Augment;
use crate::training::dataset::WindowSet;

/// One batch: inputs `[batch, channels, time]` and class indices `[batch]`.
pub struct Batch {
    pub inputs: Tensor<3>,
    pub targets: Tensor<1, Int>,
    /// Which windows of the set these are, in batch order (to look up cached teacher outputs).
    pub indices: Vec<usize>,
}

impl Batch {
    /// The batch cut into `parts` consecutive parts (fewer if it has fewer windows) whose sizes
    /// differ by at most one, each with its share of the windows (the weight of its mean loss in
    /// the whole batch's).
    pub fn split(&self, parts: usize) -> Vec<(Batch, f64)> {
        let len = self.indices.len();
        let parts = parts.clamp(1, len.max(1));
        let (base, extra) = (len / parts, len % parts);
        let mut start = 0;
        (0..parts)
            .map(|i| {
                let part = base + usize::from(i < extra);
                let batch = Batch {
                    inputs: self.inputs.clone().narrow(0, start, part),
                    targets: self.targets.clone().narrow(0, start, part),
                    indices: self.indices[start..start + part].to_vec(),
                };
                start += part;
                (batch, part as f64 / len.max(1) as f64)
            })
            .collect()
    }
}

/// The RNG of an epoch's augmentation: seeded, so runs (and resumed runs) reproduce.
pub fn epoch_rng(seed: u64, epoch: usize) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed.wrapping_mul(0xA24B_AED4_963E_E407) ^ epoch as u64)
}

/// The window indices of an epoch, shuffled with `seed` (a different order each epoch).
pub fn epoch_order(len: usize, seed: u64, epoch: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (epoch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    order.shuffle(&mut rng);
    order
}

/// Builds the batch of the given windows on `device`.
pub fn batch(set: &WindowSet, indices: &[usize], device: &Device) -> Batch {
    augmented_batch(set, indices, device, None)
}

/// Builds a batch, perturbing each window with `augment` (training only).
pub fn augmented_batch(
    set: &WindowSet,
    indices: &[usize],
    device: &Device,
    augment: Option<(&Augment, &mut ChaCha8Rng)>,
) -> Batch {
    let size = set.channels * set.length;
    let mut values = Vec::with_capacity(indices.len() * size);
    let mut targets = Vec::with_capacity(indices.len());
    for &i in indices {
        set.extend_with_window(i, &mut values);
        targets.push(set.targets[i] as i64);
    }
    if let Some((augment, rng)) = augment {
        for window in values.chunks_mut(size) {
            augment.apply(window, set.length, rng);
        }
    }
    Batch {
        inputs: Tensor::from_data(TensorData::new(values, [indices.len(), set.channels, set.length]), device),
        targets: Tensor::from_data(TensorData::new(targets, [indices.len()]), device),
        indices: indices.to_vec(),
    }
}

/// Consecutive batches over `order`.
pub fn batches<'a>(
    set: &'a WindowSet,
    order: &'a [usize],
    size: usize,
    device: &'a Device,
) -> impl Iterator<Item = Batch> + 'a {
    order.chunks(size).map(move |chunk| batch(set, chunk, device))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_splits_into_consecutive_parts_that_cover_it() {
        let set = set();
        let whole = batch(&set, &[3, 0, 2, 1], &Device::flex());
        for parts in [1, 2, 3, 4, 7] {
            let split = whole.split(parts);
            assert_eq!(split.len(), parts.min(4), "{parts} parts");
            let indices: Vec<usize> = split.iter().flat_map(|(b, _)| b.indices.clone()).collect();
            assert_eq!(indices, vec![3, 0, 2, 1]);
            assert!((split.iter().map(|(_, share)| share).sum::<f64>() - 1.0).abs() < 1e-12);
            let values: Vec<f32> =
                split.iter().flat_map(|(b, _)| b.inputs.clone().into_data().try_to_vec::<f32>().unwrap()).collect();
            assert_eq!(values, whole.inputs.clone().into_data().try_to_vec::<f32>().unwrap());
            let targets: Vec<i64> = split
                .iter()
                .flat_map(|(b, _)| b.targets.clone().into_data().convert::<i64>().try_to_vec::<i64>().unwrap())
                .collect();
            assert_eq!(targets, vec![3, 0, 2, 1]);
        }
    }

    fn set() -> WindowSet {
        let inputs: Vec<f32> = (0..24).map(|v| v as f32).collect();
        WindowSet::from_windows(2, 3, &inputs, vec![0, 1, 2, 3], vec![(0, 0); 4])
    }

    #[test]
    fn epoch_orders_are_seeded_permutations() {
        let a = epoch_order(100, 7, 1);
        assert_eq!(a, epoch_order(100, 7, 1));
        assert_ne!(a, epoch_order(100, 7, 2));
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn batches_carry_their_windows() {
        let set = set();
        let device = Device::flex();
        let b = batch(&set, &[2, 0], &device);
        assert_eq!(b.inputs.dims(), [2, 2, 3]);
        let values = b.inputs.into_data().try_to_vec::<f32>().unwrap();
        assert_eq!(&values[..6], &[12.0, 13.0, 14.0, 15.0, 16.0, 17.0]);
        let targets = b.targets.into_data().convert::<i64>().try_to_vec::<i64>().unwrap();
        assert_eq!(targets, vec![2, 0]);
    }
}
