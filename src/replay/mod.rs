//! Replaying a recorded session, the page's side: the replay [`state`] the panels are computed
//! from (running scores, agreement, latency, the export), the operations' [`palette`], and the
//! kiosk's attract loop ([`kiosk_loop`]). Plain
//! Rust, tested natively; the browser layers live in `app`. Loading files is the data layer's
//! (`data::session_files`), running windows the inference layer's (`infer::runner`), the worker
//! messages `protocol`'s.

pub mod kiosk_loop;
pub mod palette;
pub mod state;
