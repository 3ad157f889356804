//! Live mode in the browser: Web Bluetooth links ([`link`]) and the live session context
//! ([`session`]) over the pure `crate::live` and `crate::ble` code.

pub mod journal;
pub mod link;
pub mod recordings;
pub mod session;
