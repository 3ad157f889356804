//! Colours of the operations, by model output index. Okabe-Ito's palette (distinguishable in
//! the common colour-vision deficiencies) first, then three darker tones; Null is grey. Panels
//! also print class names: colour is never the only cue.

const OPERATIONS: [&str; 10] =
    ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000", "#8C564B", "#7F3C8D"];
const NULL: &str = "#BBBBBB";

/// Text drawn on a class's colour: black on the light ones, white on the dark ones, chosen by
/// the colour's relative luminance so the label stays readable.
pub fn label_colour(index: usize, null_index: usize) -> &'static str {
    let hex = class_colour(index, null_index);
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_or(0.0, |v| f64::from(v) / 255.0);
    let linear = |c: f64| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) };
    let luminance = 0.2126 * linear(channel(1)) + 0.7152 * linear(channel(3)) + 0.0722 * linear(channel(5));
    if luminance > 0.18 { "#000" } else { "#fff" }
}

/// The colour of output index `index`; `null_index` is the table's Null.
pub fn class_colour(index: usize, null_index: usize) -> &'static str {
    if index == null_index {
        return NULL;
    }
    let rank = if index > null_index { index - 1 } else { index };
    OPERATIONS[rank % OPERATIONS.len()]
}
