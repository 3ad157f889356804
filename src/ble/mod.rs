//! Bluetooth wearables, the pure part: device profiles (GATT UUIDs, setup writes), decoders
//! from notification bytes to IMU samples in OpenPack's units, axis mapping onto the ATR
//! convention, and resampling onto the models' frame grid. Plain Rust, unit-tested natively;
//! only the web app's link layer talks to the browser.

pub mod axes;
pub mod battery;
pub mod error;
pub mod frame_grid;
pub mod microbit;
pub mod movesense;
pub mod orientation;
pub mod polar_pmd;
pub mod profile;
pub mod sample;
pub mod thingy52;
pub mod tsak_open;
pub mod witmotion;
