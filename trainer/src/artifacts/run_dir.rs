//! A training run's folder, through which the stage commands hand on their results:
//!
//! ```text
//! RUN/run.json                      what the run trains on (data, split, windows, profile)
//! RUN/teacher.{bpk,json}            stage 1 (train-teacher), with teacher-meta.json
//! RUN/semantic.{bpk,json}           stage 2 (train-semantic), with semantic-meta.json
//! RUN/students/STRATEGY-seedN.*     one per distilled student (distill, compare)
//! RUN/out-of-fold.json              fold teachers' logits on the windows they did not see
//! RUN/checkpoints/                  per-epoch checkpoints for --resume
//! RUN/results.json                  the comparison (compare)
//! ```
//!
//! Plain burn records and JSON, so a run can be inspected, resumed, copied or exported later.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::config::Config;
use burn::module::Module;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tsak::data::classes::ClassTable;
use tsak::data::normalize::ChannelStats;
use tsak::data::window::WindowConfig;
use tsak::infer::metrics::Scores;
use tsak::model::{SemanticClassifier, SemanticClassifierConfig, Student, StudentConfig, Teacher, TeacherConfig};

use crate::artifacts::model_files::{ModelFiles, decode};
use crate::training::fit::FitHistory;
use crate::training::folds::OutOfFoldLogits;
use crate::training::kd::KdStrategy;
use crate::training::student::KdWeights;

/// What a run trains on, fixed by `train-teacher` and read by every later stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// `openpack:DIR` or `recordings:SPEC`, as given.
    pub data: String,
    /// The data's short name (a recording spec's `name`, or "OpenPack" and its subjects).
    #[serde(default)]
    pub dataset_name: String,
    /// The split as given (`last-subjects` or a toolkit split name).
    pub split: String,
    /// The split spelled out, e.g. `by subject: test U0106, validation U0105, ...`.
    pub split_description: String,
    pub test_sessions: Vec<String>,
    pub classes: ClassTable,
    pub window: WindowConfig,
    pub sample_rate_hz: f64,
    /// The smoke profile (`--quick`): a smaller teacher and fewer epochs.
    pub quick: bool,
}

impl RunSpec {
    /// Whether the run's data was written by `trainer synth` (its README says so).
    pub fn synthetic(&self) -> bool {
        match self.data.parse::<crate::training::dataset::DataSource>() {
            Ok(crate::training::dataset::DataSource::OpenPack(root)) => {
                std::fs::read_to_string(root.join("README.txt")).is_ok_and(|t| t.starts_with("SYNTHETIC"))
            }
            _ => false,
        }
    }
}

/// What stage 1 leaves besides the weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeacherMeta {
    /// Normalisation of the teacher's inputs, fitted on the training subjects.
    pub stats: ChannelStats,
    pub history: FitHistory,
    /// The combined head's scores on the test subjects.
    pub combined_head_test: Scores,
    /// The largest random rotation of its inputs in training (0: none).
    #[serde(default)]
    pub rotate_degrees: f32,
}

/// What stage 2 leaves besides the weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SemanticMeta {
    pub history: FitHistory,
    /// The teacher's final (semantic classifier) scores on the test subjects.
    pub test: Scores,
}

/// One distilled student's result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentResult {
    pub strategy: KdStrategy,
    pub seed: u64,
    pub kd_weights: KdWeights,
    /// The largest random rotation of the student's inputs in training (0: none).
    #[serde(default)]
    pub rotate_degrees: f32,
    pub val_macro_f1: f64,
    pub test: Scores,
    pub epochs: usize,
    pub seconds: f64,
}

/// What a student leaves besides the weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StudentMeta {
    pub result: StudentResult,
    /// Normalisation of the student's inputs (its channel names included).
    pub stats: ChannelStats,
    pub history: FitHistory,
}

/// A stored model with its config and metadata.
pub struct Stored<C, M, Meta> {
    pub config: C,
    pub model: M,
    pub meta: Meta,
}

/// The folder of one run.
#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn checkpoints(&self) -> PathBuf {
        self.root.join("checkpoints")
    }

    pub fn results_path(&self) -> PathBuf {
        self.root.join("results.json")
    }

    pub fn write_spec(&self, spec: &RunSpec) -> Result<()> {
        write_json(&self.root.join("run.json"), spec)
    }

    pub fn spec(&self) -> Result<RunSpec> {
        let path = self.root.join("run.json");
        if !path.is_file() {
            bail!(
                "{} has no run.json: start the run with `trainer train-teacher --run {}`",
                self.root.display(),
                self.root.display()
            );
        }
        read_json(&path)
    }

    /// A new teacher makes everything trained on the old one stale: its semantic classifier,
    /// its students and their comparison.
    pub fn remove_downstream_of_teacher(&self) -> Result<()> {
        for name in ["semantic.bpk", "semantic.json", "semantic-meta.json", OUT_OF_FOLD] {
            remove_file(&self.root.join(name))?;
        }
        self.remove_downstream_of_semantic()
    }

    /// A new semantic classifier makes the students (some learnt from it) and their
    /// comparison stale.
    pub fn remove_downstream_of_semantic(&self) -> Result<()> {
        let students = self.root.join("students");
        if students.is_dir() {
            std::fs::remove_dir_all(&students).with_context(|| format!("cannot remove {}", students.display()))?;
        }
        remove_file(&self.results_path())
    }

    /// Stores the out-of-fold teachers' logits (`distill`'s out-of-fold strategies).
    pub fn save_out_of_fold(&self, logits: &OutOfFoldLogits) -> Result<()> {
        write_json(&self.out_of_fold_path(), logits)
    }

    /// The out-of-fold teachers' logits, if `distill` has computed them for this teacher.
    pub fn out_of_fold(&self) -> Result<Option<OutOfFoldLogits>> {
        let path = self.out_of_fold_path();
        if path.is_file() { read_json(&path).map(Some) } else { Ok(None) }
    }

    /// Where the out-of-fold teachers' logits are kept (`out-of-fold.json`).
    pub fn out_of_fold_path(&self) -> PathBuf {
        self.root.join(OUT_OF_FOLD)
    }

    pub fn save_teacher(&self, config: &TeacherConfig, model: &Teacher, meta: &TeacherMeta) -> Result<()> {
        self.save_model(&self.root, "teacher", &ModelFiles::of(model, config)?, meta)
    }

    pub fn teacher(&self, device: &burn::tensor::Device) -> Result<Stored<TeacherConfig, Teacher, TeacherMeta>> {
        self.load_model(&self.root, "teacher", |c: &TeacherConfig| c.init(device), "train-teacher")
    }

    pub fn save_semantic(
        &self,
        config: &SemanticClassifierConfig,
        model: &SemanticClassifier,
        meta: &SemanticMeta,
    ) -> Result<()> {
        self.save_model(&self.root, "semantic", &ModelFiles::of(model, config)?, meta)
    }

    pub fn semantic(
        &self,
        device: &burn::tensor::Device,
    ) -> Result<Stored<SemanticClassifierConfig, SemanticClassifier, SemanticMeta>> {
        self.load_model(&self.root, "semantic", |c: &SemanticClassifierConfig| c.init(device), "train-semantic")
    }

    pub fn has_semantic(&self) -> bool {
        self.root.join("semantic.bpk").is_file()
    }

    pub fn save_student(&self, config: &StudentConfig, model: &Student, meta: &StudentMeta) -> Result<()> {
        let name = student_name(meta.result.strategy, meta.result.seed);
        self.save_model(&self.root.join("students"), &name, &ModelFiles::of(model, config)?, meta)
    }

    pub fn student(
        &self,
        strategy: KdStrategy,
        seed: u64,
        device: &burn::tensor::Device,
    ) -> Result<Stored<StudentConfig, Student, StudentMeta>> {
        let name = student_name(strategy, seed);
        self.load_model(&self.root.join("students"), &name, |c: &StudentConfig| c.init(device), "distill")
    }

    /// The stored results of every distilled student, sorted by strategy order then seed.
    pub fn student_results(&self) -> Result<Vec<StudentMeta>> {
        let dir = self.root.join("students");
        let mut metas = Vec::new();
        for strategy in KdStrategy::ALL {
            for seed in 1.. {
                let path = dir.join(format!("{}-meta.json", student_name(strategy, seed)));
                if !path.is_file() {
                    break;
                }
                metas.push(read_json::<StudentMeta>(&path)?);
            }
        }
        Ok(metas)
    }

    fn save_model<Meta: Serialize>(&self, dir: &Path, name: &str, files: &ModelFiles, meta: &Meta) -> Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        write_bytes(&dir.join(format!("{name}.bpk")), &files.record)?;
        write_bytes(&dir.join(format!("{name}.json")), files.config_json.as_bytes())?;
        write_json(&dir.join(format!("{name}-meta.json")), meta)
    }

    fn load_model<C: Config, M: Module, Meta: DeserializeOwned>(
        &self,
        dir: &Path,
        name: &str,
        init: impl Fn(&C) -> M,
        stage: &str,
    ) -> Result<Stored<C, M, Meta>> {
        let (config_path, record_path) = (dir.join(format!("{name}.json")), dir.join(format!("{name}.bpk")));
        if !record_path.is_file() {
            bail!("{} is missing: run `trainer {stage} --run {}` first", record_path.display(), self.root.display());
        }
        let config = read_bytes(&config_path)?;
        let (config, model) = decode(
            &config,
            read_bytes(&record_path)?,
            init,
            (&config_path.display().to_string(), &record_path.display().to_string()),
        )?;
        let meta = read_json(&dir.join(format!("{name}-meta.json")))?;
        Ok(Stored { config, model, meta })
    }
}

const OUT_OF_FOLD: &str = "out-of-fold.json";

/// `sc-rep-seed2`: a student's file stem.
fn student_name(strategy: KdStrategy, seed: u64) -> String {
    format!("{}-seed{seed}", strategy.name())
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    write_bytes(path, (serde_json::to_string_pretty(value)? + "\n").as_bytes())
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T> {
    serde_json::from_slice(&read_bytes(path)?)
        .with_context(|| format!("{} is not what this trainer wrote", path.display()))
}
