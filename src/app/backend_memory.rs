//! What the page remembers about backends between visits, in `localStorage`: the user's
//! choice, and the timings the worker measured (per device and models, so the next visit on
//! this device starts on the faster backend without timing again). Unreadable entries (an
//! older app's, edited by hand) count as absent.

use gloo_storage::{LocalStorage, Storage};

use crate::infer::placement::{Measurement, remember};
use crate::protocol::BackendChoice;

const CHOICE_KEY: &str = "tsak.backend.choice";
const TIMINGS_KEY: &str = "tsak.backend.timings";
/// Timings kept: one per device and models; a handful covers a tablet's bundles.
const KEEP: usize = 8;

/// The user's last choice (the fastest, measured, by default).
pub fn choice() -> BackendChoice {
    LocalStorage::get(CHOICE_KEY).unwrap_or(BackendChoice::Fastest)
}

pub fn save_choice(choice: BackendChoice) {
    let _ = LocalStorage::set(CHOICE_KEY, choice);
}

/// The remembered timings, newest first.
pub fn timings() -> Vec<Measurement> {
    LocalStorage::get(TIMINGS_KEY).unwrap_or_default()
}

/// Keeps a new timing (replacing an older one of the same device and models).
pub fn save_timing(measured: Measurement) {
    let mut list = timings();
    remember(&mut list, measured, KEEP);
    let _ = LocalStorage::set(TIMINGS_KEY, list);
}
