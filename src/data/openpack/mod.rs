//! OpenPack: its file layout, devices and readers, with the openpack-toolkit's semantics.
//!
//! The readers take bytes (any `Read`), so the trainer reads files from disk and the web app
//! reads the very same files dropped into the page.

pub mod annotation;
pub mod devices;
pub mod imu_with_label;
pub mod layout;
pub mod session;
pub mod splits;
pub mod writer;

#[cfg(not(target_arch = "wasm32"))]
pub mod fs;

pub use devices::{Device, DeviceKind, DeviceMap};
pub use session::{AssembledSession, SessionSources};
