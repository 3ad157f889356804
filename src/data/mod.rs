//! Data formats, bytes in and typed frames out: pure Rust, no I/O of its own, so the trainer
//! and the browser share every reader.

pub mod channels;
pub mod classes;
pub mod csv_rows;
pub mod dataset_spec;
pub mod error;
pub mod frames;
pub mod normalize;
pub mod openpack;
pub mod recording;
#[cfg(not(target_arch = "wasm32"))]
pub mod recording_fs;
pub mod resample;
pub mod session_files;
pub mod timeseries;
pub mod window;

pub use error::{DataError, DataResult};
