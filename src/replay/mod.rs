//! Replaying a recorded session: loading the user's files ([`files`]) or the embedded
//! [`demo`], the typed messages between the UI and the inference worker ([`protocol`]), and
//! the replay [`state`] the panels are computed from, and the operations' [`palette`]. Plain Rust, tested natively; the browser
//! layers live in `app`.

pub mod demo;
pub mod files;
pub mod palette;
pub mod protocol;
#[cfg(feature = "burn")]
pub mod runner;
pub mod state;
