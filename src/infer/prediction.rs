//! What the models answer for a window, as the worker sends it to the page: shared by replay
//! and live, which both show it, so it lives with the inference that produces it.

use serde::{Deserialize, Serialize};

/// One model's answer for one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPrediction {
    /// Output index into the class table.
    pub class: usize,
    pub probabilities: Vec<f32>,
    /// Forward pass plus read-back of this one window alone (batch 1), in ms; `None` when it
    /// ran in a batch ("as fast as possible" batches all but one window per chunk).
    pub latency_ms: Option<f64>,
}

/// Both models' answers for one window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WindowResult {
    pub window: usize,
    pub student: ModelPrediction,
    /// `None` when the session lacks the teacher's inputs.
    pub teacher: Option<ModelPrediction>,
}

/// Which model a panel is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Which {
    Student,
    Teacher,
}
