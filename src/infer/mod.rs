//! Inference around the models: metrics now; the engine and streaming windows arrive with the
//! replay app.

pub mod metrics;
pub mod timeline;
