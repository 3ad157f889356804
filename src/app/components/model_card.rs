//! One model's panel: what it says now (class and probabilities), how it scores so far (macro-F1
//! at 1 Hz with Null excluded, accuracy), how fast it runs here (p50/p95 after warm-up), and
//! what it costs (parameters, FLOPs, weight size).

use leptos::prelude::*;

use crate::app::components::probability_bars::ProbabilityBars;
use crate::app::replay::use_replay;
use crate::infer::prediction::{ModelPrediction, Which};
use crate::model::manifest::Manifest;

fn test_id(which: Which, what: &str) -> String {
    let model = match which {
        Which::Student => "student",
        Which::Teacher => "teacher",
    };
    format!("{model}-{what}")
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a card says about its model, from the manifest.
#[derive(Debug, Clone, PartialEq)]
struct Facts {
    title: String,
    /// Class names, in the models' output order.
    names: Vec<String>,
    /// `None` when the bundle has no such model (a student-only bundle's teacher).
    cost: Option<Cost>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Cost {
    params: u64,
    flops: u64,
    bytes: u64,
}

/// Where a model's inputs are worn, e.g. "right wrist, left wrist", in input order.
fn positions(entry: &crate::model::manifest::ModelEntry) -> String {
    entry.positions().join(", ").replace('_', " ")
}

fn facts(which: Which, manifest: &Manifest) -> Facts {
    let names = manifest.classes.iter().map(|c| c.name.clone()).collect();
    match which {
        Which::Student => {
            let student = &manifest.student;
            Facts {
                title: format!(
                    "Student: {} channels, {} ({} KD)",
                    student.inputs.len(),
                    positions(student),
                    student.kd_strategy.clone().unwrap_or_default()
                ),
                names,
                cost: Some(Cost { params: student.params, flops: student.flops, bytes: student.weights.size_bytes }),
            }
        }
        Which::Teacher => match manifest.teacher_models() {
            Some(teacher) => Facts {
                title: format!(
                    "Teacher: {} channels, {}, + semantic classifier",
                    teacher.teacher.inputs.len(),
                    positions(teacher.teacher)
                ),
                names,
                cost: Some(Cost { params: teacher.params(), flops: teacher.flops(), bytes: teacher.weight_bytes() }),
            },
            None => Facts { title: "Teacher: none in this bundle".into(), names, cost: None },
        },
    }
}

/// Why the teacher does not answer, or answers without some inputs, if so.
fn teacher_note(has_teacher: bool, info: &crate::infer::session_info::SessionInfo) -> Option<String> {
    if !has_teacher {
        return Some("This bundle has the student only (a student-only export): no teacher to compare with.".into());
    }
    if info.teacher_missing.is_empty() {
        return None;
    }
    let lacking = crate::data::channels::sensors(&info.teacher_missing).join(", ");
    Some(if info.teacher_runs {
        format!("The teacher runs without {lacking}: this session lacks them.")
    } else {
        format!("The teacher cannot run on this session: it has none of its inputs ({lacking}).")
    })
}

#[component]
pub fn ModelCard(which: Which) -> impl IntoView {
    let replay = use_replay();
    // What the card says about the model follows the models the session runs with.
    // Parsed once per change of models, not on every prediction.
    let manifest = Memo::new(move |_| replay.manifest());
    let facts = Memo::new(move |_| manifest.with(|m| facts(which, m)));
    let current = move || -> Option<ModelPrediction> {
        let position = replay.position.get();
        replay.state.with(|s| {
            let result = s.as_ref()?.current(position)?;
            match which {
                Which::Student => Some(result.student.clone()),
                Which::Teacher => result.teacher.clone(),
            }
        })
    };
    let prediction =
        move || current().and_then(|p| facts.with(|f| f.names.get(p.class).cloned())).unwrap_or_else(|| "—".into());
    // Scores and latencies change only when results arrive, not every tick: memoised, and
    // computed once for the three figures that show them.
    let scores = Memo::new(move |_| replay.state.with(|s| s.as_ref().and_then(|s| s.scores(which))));
    let scores = move || scores.get();
    let latencies = Memo::new(move |_| replay.state.with(|s| s.as_ref().and_then(|s| s.latency(which))));
    let f1_value = move || scores().map(|s| s.macro_f1.to_string()).unwrap_or_default();
    let f1_text = move || scores().map(|s| format!("{:.3}", s.macro_f1)).unwrap_or_else(|| "—".into());
    let accuracy = move || scores().map(|s| format!("{:.1}%", 100.0 * s.accuracy)).unwrap_or_else(|| "—".into());
    let latency = move || {
        latencies.get().map(|(p50, p95)| format!("p50 {p50:.2} ms · p95 {p95:.2} ms")).unwrap_or_else(|| "—".into())
    };
    let missing = move || match which {
        Which::Teacher => {
            let has_teacher = manifest.with(|m| m.teacher.is_some());
            replay.info.with(|i| i.as_ref().and_then(|i| teacher_note(has_teacher, i)))
        }
        Which::Student => None,
    };
    let title = move || facts.with(|f| f.title.clone());
    let cost = move |show: fn(Cost) -> String| facts.with(|f| f.cost.map_or_else(|| "—".into(), show));
    view! {
        <article class="model-card" aria-label=title>
            <h2>{title}</h2>
            <p class="trained-on" data-testid=test_id(which, "models")>{move || replay.models_label()}</p>
            <p class="missing">{missing}</p>
            <p class="prediction" data-testid=test_id(which, "prediction")>{prediction}</p>
            <ProbabilityBars prediction=Signal::derive(current) manifest=manifest.into() />
            <dl class="figures">
                <dt>"Macro-F1 so far"</dt>
                <dd data-testid=test_id(which, "f1") data-value=f1_value>{f1_text}</dd>
                <dt>"Accuracy"</dt>
                <dd data-testid=test_id(which, "accuracy")>{accuracy}</dd>
                <dt>"Latency per window"</dt>
                <dd data-testid=test_id(which, "latency")>{latency}</dd>
                <dt>"Parameters"</dt>
                <dd>{move || cost(|c| thousands(c.params))}</dd>
                <dt>"FLOPs per window"</dt>
                <dd>{move || cost(|c| thousands(c.flops))}</dd>
                <dt>"Weights"</dt>
                <dd>{move || cost(|c| format!("{:.0} kB", c.bytes as f64 / 1000.0))}</dd>
            </dl>
        </article>
    }
}
