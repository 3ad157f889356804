//! The classification head every representation gets: dropout, then one linear layer.
//!
//! Heads stay linear on purpose: a representation that a linear layer can classify is one that
//! distillation can usefully align with, and the heads cost next to nothing.

use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::prelude::*;

/// Configuration of a [`ClassifierHead`].
#[derive(Config, Debug)]
pub struct ClassifierHeadConfig {
    /// Size of the representation it reads.
    pub d_input: usize,
    /// Number of classes (OpenPack: 10 operations plus Null).
    pub classes: usize,
    /// Dropout on the representation. Cheap here: the mask is `[batch, d_input]`, not per time
    /// step, so this is where the models spend their regularisation.
    #[config(default = 0.1)]
    pub dropout: f64,
}

/// A linear classifier on a pooled representation.
#[derive(Module, Debug)]
pub struct ClassifierHead {
    dropout: Dropout,
    pub(crate) linear: Linear,
}

impl ClassifierHeadConfig {
    /// Returns the initialised head.
    pub fn init(&self, device: &Device) -> ClassifierHead {
        ClassifierHead {
            dropout: DropoutConfig::new(self.dropout).init(),
            linear: LinearConfig::new(self.d_input, self.classes).init(device),
        }
    }
}

impl ClassifierHead {
    /// # Shapes
    /// `[batch, d_input] -> [batch, classes]`
    pub fn forward(&self, representation: Tensor<2>) -> Tensor<2> {
        let x = self.dropout.forward(representation);
        self.linear.forward(x)
    }
}
