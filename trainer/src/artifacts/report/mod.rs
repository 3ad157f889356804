//! The KD comparison report: `report.json` and `report.md` (strategy table with mean ± std over
//! seeds, teacher vs student size, cost and measured latency) and SVG confusion matrices.

pub mod svg;

use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use tsak::infer::metrics::ConfusionMatrix;

use crate::commands::compare::Comparison;
use crate::training::kd::KdStrategy;

/// Mean and (population) standard deviation of one strategy's test scores over its seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrategySummary {
    pub strategy: KdStrategy,
    pub seeds: usize,
    pub test_macro_f1_mean: f64,
    pub test_macro_f1_std: f64,
    pub val_macro_f1_mean: f64,
}

/// Size, cost and speed of one model, for the teacher-vs-student table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelCost {
    pub name: String,
    pub params: u64,
    pub flops: u64,
    /// Median time of one window at batch 1 on the native CPU backend, measured in this run.
    pub latency_ms_p50: f64,
}

/// Everything `report.json` holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub data: String,
    pub split: String,
    pub synthetic: bool,
    pub teacher_test_macro_f1: f64,
    pub strategies: Vec<StrategySummary>,
    pub costs: Vec<ModelCost>,
    pub results: Comparison,
}

/// Groups the student results by strategy, in the order they were run.
pub fn summarise(results: &Comparison) -> Vec<StrategySummary> {
    let mut order: Vec<KdStrategy> = Vec::new();
    for s in &results.students {
        if !order.contains(&s.strategy) {
            order.push(s.strategy);
        }
    }
    order
        .into_iter()
        .map(|strategy| {
            let runs: Vec<_> = results.students.iter().filter(|s| s.strategy == strategy).collect();
            let test: Vec<f64> = runs.iter().map(|s| s.test.macro_f1).collect();
            let val: Vec<f64> = runs.iter().map(|s| s.val_macro_f1).collect();
            let (mean, std) = mean_std(&test);
            StrategySummary {
                strategy,
                seeds: runs.len(),
                test_macro_f1_mean: mean,
                test_macro_f1_std: std,
                val_macro_f1_mean: mean_std(&val).0,
            }
        })
        .collect()
}

fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// The markdown report.
pub fn markdown(report: &Report) -> String {
    let mut md = String::from("# TSAK knowledge-distillation report\n\n");
    if report.synthetic {
        md.push_str("**Synthetic data (`trainer synth`): these are not OpenPack results.**\n\n");
    }
    // Which part the test figures come from: tuning runs (`dev:` splits) never see the final one.
    let role = if report.split.starts_with("DEVELOPMENT") {
        "development figures: the final held-out part was not used"
    } else {
        "test figures are the final held-out part's (tuning runs use a `dev:` split, which leaves it out)"
    };
    md.push_str(&format!(
        "- data: `{}`\n- split: {} ({role})\n- windows: {} frames, hop {}\n",
        report.data, report.split, report.results.windows.length, report.results.windows.hop
    ));
    let w = report.results.kd_weights;
    md.push_str(&format!("- KD weights: temperature {}, alpha {}, beta {}\n", w.temperature, w.alpha, w.beta));
    md.push_str(&match report.results.rotate_degrees {
        degrees if degrees > 0.0 => {
            format!("- student augmentation: random rotation of its inputs up to {degrees} degrees\n\n")
        }
        _ => "- student augmentation: none\n\n".to_string(),
    });
    md.push_str(&format!(
        "Teacher (semantic classifier) test macro-F1: **{:.4}** (combined head alone {:.4}).\n\n",
        report.teacher_test_macro_f1, report.results.teacher_combined_head_test.macro_f1
    ));
    md.push_str(&baseline_section(report));
    md.push_str("## Students by KD strategy (test macro-F1, 1 Hz, Null excluded)\n\n| strategy | seeds | test macro-F1 mean ± std | val macro-F1 mean | vs student-input baseline |\n| --- | --- | --- | --- | --- |\n");
    let student_baseline = report.results.baselines.student_inputs.test.macro_f1;
    for s in &report.strategies {
        md.push_str(&format!(
            "| {} | {} | {:.4} ± {:.4} | {:.4} | {} |\n",
            s.strategy,
            s.seeds,
            s.test_macro_f1_mean,
            s.test_macro_f1_std,
            s.val_macro_f1_mean,
            versus(s.test_macro_f1_mean, student_baseline)
        ));
    }
    md.push_str("\n## Teacher vs student\n\n| model | params | FLOPs per window | native latency p50 (ms, CPU kernels) |\n| --- | --- | --- | --- |\n");
    for c in &report.costs {
        md.push_str(&format!("| {} | {} | {} | {:.3} |\n", c.name, c.params, c.flops, c.latency_ms_p50));
    }
    if let [teacher, student, ..] = report.costs.as_slice() {
        md.push_str(&format!(
            "\nStudent / teacher: {:.1}% of the parameters, {:.2}% of the FLOPs, {:.1}x faster (same run).\n",
            100.0 * student.params as f64 / teacher.params as f64,
            100.0 * student.flops as f64 / teacher.flops as f64,
            teacher.latency_ms_p50 / student.latency_ms_p50
        ));
    }
    md.push_str("\nConfusion matrices: `confusion-teacher.svg`, `confusion-student-*.svg`.\n");
    md
}

/// The teacher and the classical baselines, each deep model said to beat its baseline or not.
fn baseline_section(report: &Report) -> String {
    let b = &report.results.baselines;
    let mut md = String::from(
        "## Against classical baselines (same split, windows and 1 Hz scoring)\n\n| model | inputs | test macro-F1 | val macro-F1 |\n| --- | --- | --- | --- |\n",
    );
    md.push_str(&format!(
        "| teacher (semantic classifier) | teacher's | {:.4} ({}) | {:.4} |\n",
        report.teacher_test_macro_f1,
        versus(report.teacher_test_macro_f1, b.teacher_inputs.test.macro_f1),
        report.results.teacher_val_macro_f1
    ));
    for (inputs, baseline) in [("teacher's", &b.teacher_inputs), ("student's", &b.student_inputs)] {
        md.push_str(&format!(
            "| {} | {inputs} | {:.4} | {:.4} |\n",
            baseline.name, baseline.test.macro_f1, baseline.val_macro_f1
        ));
    }
    md.push('\n');
    md
}

/// `+0.052 over its baseline` or `does NOT beat its baseline (-0.013)`.
fn versus(model: f64, baseline: f64) -> String {
    let gap = model - baseline;
    if gap > 0.0 { format!("+{gap:.3} over its baseline") } else { format!("does NOT beat its baseline ({gap:+.3})") }
}

/// Writes `report.json`, `report.md` and the confusion matrices into `dir`.
pub fn write(dir: &Path, report: &Report, names: &[String], confusions: &[(String, &ConfusionMatrix)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write("report.json", serde_json::to_string_pretty(report)?)?;
    write("report.md", markdown(report))?;
    for (file, matrix) in confusions {
        write(file, svg::confusion_matrix(matrix, names))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_below_its_baseline_is_said_to_be() {
        assert_eq!(versus(0.70, 0.65), "+0.050 over its baseline");
        assert_eq!(versus(0.60, 0.65), "does NOT beat its baseline (-0.050)");
    }

    #[test]
    fn mean_and_population_std() {
        let (m, s) = mean_std(&[0.5, 0.7, 0.6]);
        assert!((m - 0.6).abs() < 1e-12);
        assert!((s - (0.02_f64 / 3.0).sqrt()).abs() < 1e-12);
    }
}
