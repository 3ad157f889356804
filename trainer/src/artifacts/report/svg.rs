//! A confusion matrix as a self-contained SVG: rows are the truth, columns the prediction,
//! each row shaded by its share (so rare classes stay readable), with the counts written in.

use std::fmt::Write as _;

use tsak::infer::metrics::ConfusionMatrix;

const CELL: usize = 34;
const LABEL: usize = 170;

/// `names` are the class names in the matrix's order.
pub fn confusion_matrix(matrix: &ConfusionMatrix, names: &[String]) -> String {
    let n = matrix.classes.len();
    let size = LABEL + n * CELL + 10;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(svg, r#"<text x="{LABEL}" y="14" font-weight="bold">predicted →</text>"#);
    let _ = write!(svg, r#"<text x="4" y="{}" font-weight="bold">true ↓</text>"#, LABEL - 6);
    for (j, name) in names.iter().enumerate() {
        let x = LABEL + j * CELL + CELL / 2;
        let _ = write!(svg, r#"<text transform="translate({x},{}) rotate(-60)">{}</text>"#, LABEL - 6, escape(name));
    }
    for (i, row) in matrix.counts.iter().enumerate() {
        let total: u64 = row.iter().sum();
        let y = LABEL + i * CELL;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
            LABEL - 6,
            y + CELL / 2 + 4,
            escape(&names[i])
        );
        for (j, &count) in row.iter().enumerate() {
            let share = if total > 0 { count as f64 / total as f64 } else { 0.0 };
            let shade = (255.0 - share * 200.0).round() as u8;
            let x = LABEL + j * CELL;
            let ink = if share > 0.6 { "#fff" } else { "#000" };
            let _ = write!(
                svg,
                r##"<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="rgb({shade},{shade},255)" stroke="#ccc"><title>{} → {}: {count}</title></rect><text x="{}" y="{}" text-anchor="middle" fill="{ink}">{count}</text>"##,
                escape(&names[i]),
                escape(&names[j]),
                x + CELL / 2,
                y + CELL / 2 + 4
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_cell_per_pair_with_its_count() {
        let matrix = ConfusionMatrix { classes: vec![1, 2], counts: vec![vec![3, 1], vec![0, 4]] };
        let svg = confusion_matrix(&matrix, &["Tape & seal".into(), "Label".into()]);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(">3</text>") && svg.contains(">4</text>"));
        assert!(svg.contains("Tape &amp; seal"));
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    }
}
