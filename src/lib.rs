//! tsak: the shared core of the TSAK project (data formats, windowing, models, inference)
//! and, on wasm32 with the `app` feature (default), the Leptos web app.
//!
//! Everything under [`data`] is plain Rust that parses from bytes or any [`std::io::Read`],
//! so the trainer and the browser run the very same readers.

pub mod ble;
#[cfg(target_arch = "wasm32")]
pub mod constructors;
pub mod data;
pub mod demo;
pub mod infer;
pub mod live;
pub mod model;
pub mod protocol;
pub mod replay;

#[cfg(all(target_arch = "wasm32", feature = "app"))]
pub mod app;
