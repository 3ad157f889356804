//! Inference around the models, shared by the trainer's evaluation and the browser app:
//! the exported [`bundle`] (and which are [`embedded`]), model [`inputs`] from a session, the [`engine`] that runs them,
//! per-frame [`timeline`]s, OpenPack [`seconds`] and [`metrics`].

#[cfg(feature = "burn")]
pub mod bundle;
pub mod embedded;
#[cfg(feature = "burn")]
pub mod engine;
pub mod inputs;
pub mod metrics;
pub mod seconds;
pub mod timeline;
