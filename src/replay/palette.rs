//! Colours of the operations, by model output index: the eight colours of Okabe-Ito's palette
//! (made to stay apart in the common colour-vision deficiencies), then two darker tones, brown
//! and purple; Null is grey. Ten hues cannot all stay apart for every viewer, so panels also
//! print class names and timeline segments their class id: colour is never the only cue.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_operations_get_ten_colours_and_null_its_grey() {
        let null = 0;
        let colours: Vec<&str> = (0..11).map(|i| class_colour(i, null)).collect();
        assert_eq!(colours[0], NULL);
        let mut distinct = colours[1..].to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), 10, "{colours:?}");
        assert_eq!(class_colour(5, 10), class_colour(6, 0), "the same operation, whichever index Null has");
    }

    #[test]
    fn labels_are_black_on_light_colours_and_white_on_dark_ones() {
        let null = 10;
        assert_eq!(label_colour(3, null), "#000", "yellow");
        assert_eq!(label_colour(0, null), "#000", "orange");
        assert_eq!(label_colour(7, null), "#fff", "black");
        assert_eq!(label_colour(4, null), "#fff", "dark blue");
        assert_eq!(label_colour(null, null), "#000", "Null's light grey");
    }
}
