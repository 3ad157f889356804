//! Colours of the operations, by model output index. Okabe-Ito's palette (distinguishable in
//! the common colour-vision deficiencies) first, then three darker tones; Null is grey. Panels
//! also print class names: colour is never the only cue.

const OPERATIONS: [&str; 10] =
    ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#8C564B", "#7F3C8D"];
const NULL: &str = "#BBBBBB";

/// The colour of output index `index`; `null_index` is the table's Null.
pub fn class_colour(index: usize, null_index: usize) -> &'static str {
    if index == null_index {
        return NULL;
    }
    let rank = if index > null_index { index - 1 } else { index };
    OPERATIONS[rank % OPERATIONS.len()]
}
