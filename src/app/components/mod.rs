//! One component per file.

pub mod app_status;
pub mod backend_badge;
pub mod comparison;
pub mod controls;
pub mod error_banner;
pub mod final_scores;
pub mod kiosk_layer;
pub mod live_panel;
pub mod live_timeline;
pub mod model_card;
pub mod model_loader;
pub mod models_picker;
pub mod operation_legend;
pub mod probability_bars;
pub mod recorder_panel;
pub mod session_summary;
pub mod signal_plot;
pub mod timeline;
