//! Inference around the models, shared by the trainer's evaluation, the replay and live mode:
//! the exported [`bundle`] (and which are [`embedded`]), model [`inputs`] from a session, the
//! [`engine`] that runs them, the [`runner`] that takes a loaded session window by window, its
//! [`prediction`]s and [`session_info`], per-frame [`timeline`]s, OpenPack [`seconds`] and
//! [`metrics`], and the [`placement`] of each model on the faster backend, which may be
//! another module ([`offload`]).

#[cfg(feature = "burn")]
pub mod bundle;
pub mod bundle_files;
pub mod embedded;
#[cfg(feature = "burn")]
pub mod engine;
pub mod inputs;
pub mod metrics;
pub mod model_choice;
pub mod offload;
pub mod placement;
pub mod prediction;
#[cfg(feature = "burn")]
pub mod raw_window;
#[cfg(feature = "burn")]
pub mod runner;
pub mod seconds;
pub mod session_info;
pub mod timeline;
