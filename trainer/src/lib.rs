//! The trainer's library: every CLI command is a function here, so tests call them directly.
//!
//! - [`commands`]: one file per subcommand (argument parsing and orchestration only).
//! - [`training`]: data loading and splits, the teacher, semantic classifier and student
//!   training, the fit loop, KD losses, augmentation, features and the kNN baseline, scoring.
//! - [`artifacts`]: what training leaves behind: the run folder, model files, the exported
//!   bundle with its manifest, and the reports.
//! - [`synth`]: the simulator (synthetic OpenPack) and its comparison with real data.

pub mod artifacts;
pub mod commands;
pub mod synth;
pub mod training;
