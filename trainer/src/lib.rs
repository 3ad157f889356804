//! The trainer's library: every CLI command is a function here, so tests call them directly.

pub mod batches;
pub mod dataset;
pub mod fit;
pub mod inspect;
pub mod kd;
pub mod scoring;
pub mod synth;
