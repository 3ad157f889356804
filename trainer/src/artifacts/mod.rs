//! What training leaves behind: the [`run_dir`] each stage reads and writes, the
//! [`model_files`] in it, the exported [`bundle`] (`model-weights/`, with its manifest) and
//! the [`report`]s.

pub mod bundle;
pub mod model_files;
pub mod report;
pub mod run_dir;
