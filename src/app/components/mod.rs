//! One component per file.

pub mod operation_legend;
