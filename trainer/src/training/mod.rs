//! Training, as a library the commands call: which data and how it is split ([`dataset`]),
//! the three models' training ([`teacher`], [`semantic`], [`student`]) through one fit loop
//! ([`fit`]) with its batches, augmentation and KD losses, the kNN [`baseline`], [`scoring`]
//! at 1 Hz, and the [`device`] and [`latency`] measurements.

pub mod augment;
pub mod baseline;
pub mod batches;
pub mod dataset;
pub mod device;
pub mod features;
pub mod fit;
pub mod folds;
pub mod kd;
pub mod latency;
pub mod memory;
pub mod mixed_views;
pub mod rotation;
pub mod scoring;
pub mod semantic;
pub mod student;
pub mod teacher;
