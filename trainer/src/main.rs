//! `trainer`: the native CLI of tsak. Each subcommand parses its arguments and calls one
//! function of the library; no logic lives here.

use clap::{Parser, Subcommand};

use tsak_trainer::{evaluate, inspect, pipeline, synth};

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
    /// Train the teacher, the semantic classifier and students with every KD strategy; evaluate.
    Pipeline(pipeline::PipelineArgs),
    /// Rebuild exported models from model-weights/ and score them on a dataset's test subjects.
    Evaluate(evaluate::EvaluateArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Synth(args) => synth::run(&args),
        Command::Inspect(args) => inspect::run(&args),
        Command::Pipeline(args) => pipeline::run(&args),
        Command::Evaluate(args) => evaluate::run(&args),
    }
}
