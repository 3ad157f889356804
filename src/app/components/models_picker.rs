//! Which models replay the user's files: the bundles built into the app (trained on the real
//! OpenPack sample, or on synthetic data) and any the user loaded. A demo picks its own; a
//! change re-runs the loaded session. The active bundle's facts (dataset, classes, inputs, KD
//! strategy, size, cost, held-out scores, licence) are one click away.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlSelectElement};

use crate::app::replay::use_replay;
use crate::infer::embedded::EmbeddedModels;
use crate::infer::model_choice::ModelsId;
use crate::model::manifest::Manifest;

#[component]
pub fn ModelsPicker() -> impl IntoView {
    let replay = use_replay();
    let changed = move |event: Event| {
        let select: HtmlSelectElement = event.target().expect("a select").unchecked_into();
        if let Some(models) = ModelsId::from_value(&select.value()) {
            replay.use_models(models);
        }
    };
    let option = move |id: ModelsId, label: String| {
        let value = id.value();
        view! { <option value=value selected=move || replay.models.get() == id>{label}</option> }
    };
    let embedded =
        EmbeddedModels::ALL.into_iter().map(|m| option(ModelsId::Embedded(m), m.label().to_string())).collect_view();
    let loaded = move || {
        replay
            .bundles
            .with(|loaded| loaded.iter().map(|b| option(ModelsId::Loaded(b.id.clone()), b.label())).collect_view())
    };
    let remove = move |_| {
        if let ModelsId::Loaded(id) = replay.models.get_untracked() {
            replay.remove_bundle(id);
        }
    };
    let is_loaded = move || matches!(replay.models.get(), ModelsId::Loaded(_));
    view! {
        <div class="models-pick">
            <label>
                "Models: "
                <select data-testid="model-select" on:change=changed>{embedded}{loaded}</select>
            </label>
            <Show when=is_loaded>
                <button type="button" data-testid="model-remove" on:click=remove>"Remove these models"</button>
            </Show>
            <BundleFacts />
        </div>
    }
}

/// The active bundle's facts, from its manifest.
#[component]
fn BundleFacts() -> impl IntoView {
    let replay = use_replay();
    let manifest = Memo::new(move |_| replay.manifest());
    let with = move |f: fn(&Manifest) -> String| move || manifest.with(f);
    view! {
        <details class="bundle-facts">
            <summary>
                "Trained on: " <span data-testid="model-name">{with(|m| m.dataset.display_name().to_string())}</span>
            </summary>
            <dl>
                <dt>"Data"</dt><dd>{with(|m| format!("{} ({})", m.dataset.source, m.dataset.split))}</dd>
                <dt>"Classes"</dt><dd data-testid="model-classes">{with(|m| m.classes.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", "))}</dd>
                <dt>"Student"</dt><dd data-testid="model-student">{with(student_line)}</dd>
                <dt>"Teacher"</dt><dd data-testid="model-teacher">{with(teacher_line)}</dd>
                <dt>"Windows"</dt><dd>{with(|m| format!("{} frames every {} at {:.1} Hz", m.window.length, m.window.hop, m.sample_rate_hz))}</dd>
                <dt>"Size"</dt><dd data-testid="model-size">{with(size_line)}</dd>
                <dt>"Licence"</dt><dd data-testid="model-licence">{with(|m| m.dataset.licence.clone())}</dd>
            </dl>
        </details>
    }
}

/// The teacher with its semantic classifier: their cost together, and both held-out scores
/// (the semantic classifier's is the teacher's final answer).
fn teacher_line(m: &Manifest) -> String {
    let Some(models) = m.teacher_models() else {
        return "none: a student-only bundle".into();
    };
    let (teacher, semantic) = (models.teacher, models.semantic);
    let inputs: Vec<&str> = teacher.inputs.iter().map(|i| i.name.as_str()).collect();
    format!(
        "{} inputs ({}); {} params, {:.2} MFLOPs with its semantic classifier; held-out macro-F1 {:.3} \
         (semantic classifier, its final answer; combined head {:.3}) ({})",
        inputs.len(),
        inputs.join(", "),
        models.params(),
        models.flops() as f64 / 1e6,
        semantic.metrics.macro_f1,
        teacher.metrics.macro_f1,
        semantic.metrics.evaluated_on
    )
}

/// What the bundle's files weigh: all of them, and the student's alone (what a device that
/// runs only the student needs).
fn size_line(m: &Manifest) -> String {
    let kb = |bytes: u64| bytes as f64 / 1000.0;
    let total: u64 = m.files().iter().map(|f| f.size_bytes).sum();
    let student = m.student.weights.size_bytes + m.student.config.size_bytes;
    format!("{:.1} kB of weights and configs; the student's {:.1} kB", kb(total), kb(student))
}

/// The student: its inputs, KD strategy, cost and held-out score.
fn student_line(m: &Manifest) -> String {
    let student = &m.student;
    let inputs: Vec<&str> = student.inputs.iter().map(|i| i.name.as_str()).collect();
    let kd = student.kd_strategy.as_deref().map_or_else(String::new, |kd| format!(", {kd} KD"));
    format!(
        "{} inputs ({}){kd}; {} params, {:.2} MFLOPs; held-out macro-F1 {:.3} ({})",
        inputs.len(),
        inputs.join(", "),
        student.params,
        student.flops as f64 / 1e6,
        student.metrics.macro_f1,
        student.metrics.evaluated_on
    )
}
