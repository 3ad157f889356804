//! Live mode, the pure part: wearables' decoded samples, one device per body position, brought
//! onto one frame grid (at the live models' rate) from which the models' windows are cut. Shared with native tests;
//! the web app feeds it from Web Bluetooth.

pub mod classify;
pub mod connection;
pub mod export;
pub mod frames;
pub mod history;
pub mod positions;
pub mod rate;
pub mod recorder;
pub mod recording;
pub mod scheduler;
pub mod stand_in;
