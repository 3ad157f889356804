//! The trainer's library: every CLI command is a function here, so tests call them directly.

pub mod augment;
pub mod baseline;
pub mod batches;
pub mod dataset;
pub mod device;
pub mod distill;
pub mod evaluate;
pub mod excerpt;
pub mod export;
pub mod features;
pub mod fit;
pub mod inspect;
pub mod kd;
pub mod latency;
pub mod model_files;
pub mod pipeline;
pub mod report;
pub mod run_dir;
pub mod scoring;
pub mod signal_stats;
pub mod stage1;
pub mod stage2;
pub mod stages;
pub mod synth;
