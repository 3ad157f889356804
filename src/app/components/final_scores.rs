//! At the end of a replay: each model's confusion matrix (seconds, 1 Hz) and per-class
//! precision, recall and F1, and the predictions of both models as CSV.

use leptos::prelude::*;

use crate::app::replay::use_replay;
use crate::infer::metrics::Scores;
use crate::infer::prediction::Which;

fn confusion_table(scores: &Scores, names: &[String]) -> impl IntoView + use<> {
    let header = names.iter().map(|n| view! { <th scope="col">{n.clone()}</th> }).collect_view();
    let rows = scores
        .confusion
        .counts
        .iter()
        .enumerate()
        .map(|(t, row)| {
            let cells = row
                .iter()
                .enumerate()
                .map(|(p, &n)| view! { <td class:diagonal=t == p class:empty=n == 0>{n}</td> })
                .collect_view();
            view! { <tr><th scope="row">{names[t].clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <table class="confusion">
            <caption>"Rows: truth; columns: prediction (seconds)"</caption>
            <thead><tr><th></th>{header}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn class_table(scores: &Scores) -> impl IntoView + use<> {
    let rows = scores
        .per_class
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{c.name.clone()}</th>
                    <td>{format!("{:.3}", c.precision)}</td>
                    <td>{format!("{:.3}", c.recall)}</td>
                    <td>{format!("{:.3}", c.f1)}</td>
                    <td>{c.support}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="per-class">
            <thead><tr><th>"Operation"</th><th>"Precision"</th><th>"Recall"</th><th>"F1"</th><th>"Seconds"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
pub fn ExportButton() -> impl IntoView {
    let replay = use_replay();
    let export = move |_| {
        replay.state.with_untracked(|s| {
            if let Some(s) = s
                && let Err(e) = crate::app::download::offer("tsak-predictions.csv", s.to_csv().as_bytes(), "text/csv")
            {
                replay.error.set(Some(e));
            }
        })
    };
    view! {
        <button type="button" data-testid="export-predictions" disabled=move || replay.state.with(Option::is_none) on:click=export>
            "Export predictions (CSV)"
        </button>
    }
}

#[component]
pub fn FinalScores() -> impl IntoView {
    let replay = use_replay();
    let complete = move || replay.state.with(|s| s.as_ref().is_some_and(|s| s.is_complete()));
    let panel = move |which: Which, title: &'static str| {
        replay.state.with(|s| {
            let s = s.as_ref()?;
            let scores = s.scores(which)?;
            let names: Vec<String> = s.classes.classes.iter().map(|c| c.name.clone()).collect();
            Some(view! {
                <section class="final" data-testid=format!("final-{}", if which == Which::Student { "student" } else { "teacher" })>
                    <h3>{title}</h3>
                    {confusion_table(&scores, &names)}
                    {class_table(&scores)}
                </section>
            })
        })
    };
    view! {
        <Show when=complete>
            <div class="finals">
                {move || panel(Which::Student, "Student")}
                {move || panel(Which::Teacher, "Teacher")}
            </div>
        </Show>
    }
}
