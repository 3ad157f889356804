//! The TSAK models and what is known about their cost.
//!
//! - [`teacher`]: the stage-1 teacher on all sensors, with three representations —
//!   [`attention`] (self-attention over time), [`causal`] (dilated causal convolutions) and
//!   [`fusion`] of the two (the combined representation) — each with its own [`head`].
//! - [`semantic`]: the stage-2 semantic classifier that merges the frozen teacher's three
//!   representations; its logits are the teacher's final answer.
//! - [`student`]: the compact 1D CNN on one wrist's accelerometer that ships to the browser, and
//!   the projections that align its representation with the teacher's during distillation.
//! - [`kernel`]: the folded student and teacher as plain loops, what the CPU runs at inference.
//! - [`flops`]: analytical FLOP counts, per layer, from the configs alone.
//! - [`manifest`]: the schema of the exported models' manifest.
//!
//! All models take windows as `[batch, channels, time]` and work for any window length.
//! They use only burn's core tensor ops and burn-nn layers, so the same code runs on the `flex`
//! CPU backend natively and in wasm, and on WebGPU.
//!
//! Without the crate's `burn` feature only the manifest and the per-layer FLOP formulas remain.

pub mod manifest;

#[cfg(feature = "burn")]
pub mod attention;
#[cfg(feature = "burn")]
pub mod causal;
pub mod flops;
#[cfg(feature = "burn")]
pub mod fold;
#[cfg(feature = "burn")]
pub mod fusion;
#[cfg(feature = "burn")]
pub mod head;
#[cfg(feature = "burn")]
pub mod kernel;
#[cfg(feature = "burn")]
pub mod semantic;
#[cfg(feature = "burn")]
pub mod student;
#[cfg(feature = "burn")]
pub mod teacher;

#[cfg(feature = "burn")]
pub use self::{
    semantic::{REPRESENTATIONS, SemanticClassifier, SemanticClassifierConfig, SemanticOutput},
    student::{Student, StudentConfig, StudentOutput, StudentProjections, StudentProjectionsConfig},
    teacher::{Teacher, TeacherConfig, TeacherOutput},
};
pub use flops::{FlopCount, LayerFlops};
