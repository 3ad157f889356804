//! The teacher's combined representation: a gated fusion of the attention and causal ones.
//!
//! A sigmoid gate, computed from both, decides per feature and per window how much to trust
//! each branch (`g·attention + (1 - g)·causal`); a linear layer and GELU then map the mix into
//! a space of its own, so the combined representation is more than a convex blend of the two.

use burn::nn::{Gelu, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::sigmoid;

/// Configuration of a [`CombinedFusion`].
#[derive(Config, Debug)]
pub struct CombinedFusionConfig {
    /// Size of the attention and causal representations, and of the combined one.
    pub d_model: usize,
}

/// Gated fusion of two representations of the same size.
#[derive(Module, Debug)]
pub struct CombinedFusion {
    /// `[attention; causal] -> gate logits`.
    pub(crate) gate: Linear,
    pub(crate) output: Linear,
    pub(crate) activation: Gelu,
}

impl CombinedFusionConfig {
    /// Returns the initialised fusion.
    pub fn init(&self, device: &Device) -> CombinedFusion {
        CombinedFusion {
            gate: LinearConfig::new(2 * self.d_model, self.d_model).init(device),
            output: LinearConfig::new(self.d_model, self.d_model).init(device),
            activation: Gelu::new(),
        }
    }
}

impl CombinedFusion {
    /// # Shapes
    /// `attention`, `causal`: `[batch, d_model]` -> `[batch, d_model]`
    pub fn forward(&self, attention: Tensor<2>, causal: Tensor<2>) -> Tensor<2> {
        let both = Tensor::cat(vec![attention.clone(), causal.clone()], 1); // [batch, 2·d_model]
        let gate = sigmoid(self.gate.forward(both));
        let mixed = gate.clone() * attention + (1.0 - gate) * causal;
        let x = self.output.forward(mixed);
        self.activation.forward(x)
    }
}

#[cfg(test)]
mod tests {
    use burn::tensor::Distribution;

    use super::*;

    #[test]
    fn fuses_two_representations_into_one_of_the_same_size() {
        let device = Device::flex();
        let fusion = CombinedFusionConfig::new(6).init(&device);
        let a = Tensor::<2>::random([3, 6], Distribution::Normal(0.0, 1.0), &device);
        let c = Tensor::<2>::random([3, 6], Distribution::Normal(0.0, 1.0), &device);
        assert_eq!(fusion.forward(a, c).dims(), [3, 6]);
    }
}
