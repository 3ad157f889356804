//! `trainer`: the native CLI of tsak. Each subcommand parses its arguments and calls one
//! function of the library; no logic lives here.

use clap::{Parser, Subcommand};

use tsak_trainer::commands::{
    compare, distill, evaluate, excerpt, export, inspect, pipeline, train_semantic, train_teacher,
};
use tsak_trainer::synth;

#[derive(Parser)]
#[command(name = "trainer", version, about = "TSAK trainer: data tools, training, distillation, export")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic dataset in the exact OpenPack layout (NOT OpenPack data).
    Synth(synth::SynthArgs),
    /// Summarise one OpenPack session and optionally write its aligned, labelled frames.
    Inspect(inspect::InspectArgs),
    /// Write one part of a time split of OpenPack sessions as released (e.g. the held-out test part).
    Excerpt(excerpt::ExcerptArgs),
    /// Stage 1: start a run folder and train the multi-sensor teacher.
    TrainTeacher(train_teacher::TrainTeacherArgs),
    /// Stage 2: train the semantic classifier on the frozen teacher's representations.
    TrainSemantic(train_semantic::TrainSemanticArgs),
    /// Distil one-wrist students with the given KD strategies.
    Distill(distill::DistillArgs),
    /// Compare KD strategies (distilling what is missing) and write the report.
    Compare(compare::CompareArgs),
    /// Write a run's teacher, semantic classifier and best student into model-weights/.
    Export(export::ExportArgs),
    /// Every stage end to end: train-teacher, train-semantic, compare, and optionally export.
    Pipeline(pipeline::PipelineArgs),
    /// Rebuild exported models from model-weights/ and score them on a dataset's test subjects.
    Evaluate(evaluate::EvaluateArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Synth(args) => synth::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Excerpt(args) => excerpt::run(&args),
        Command::TrainTeacher(args) => train_teacher::run(&args),
        Command::TrainSemantic(args) => train_semantic::run(&args),
        Command::Distill(args) => distill::run(&args),
        Command::Compare(args) => compare::run(&args),
        Command::Export(args) => export::run(&args),
        Command::Pipeline(args) => pipeline::run(&args),
        Command::Evaluate(args) => evaluate::run(&args),
    }
}
