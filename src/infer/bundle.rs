//! The exported models as one bundle: `manifest.json` and the files it lists, checked against
//! their sha256 and decoded into today's architectures. The app loads the bundle embedded in
//! its wasm; `trainer evaluate` loads a `model-weights/` folder; both through this code, so they
//! run the very same models.

use std::rc::Rc;

use burn::config::Config;
use burn::module::Module;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device};
use sha2::{Digest, Sha256};

use crate::data::classes::ClassTable;
use crate::infer::bundle_files::{BundleFiles, BundleFilesError};
use crate::infer::embedded::EmbeddedModels;
use crate::infer::offload::OffloadedModels;
use crate::infer::placement::{Backend, Placement};
use crate::model::kernel::{StudentKernel, TeacherKernel, student_kernel, teacher_kernel};
use crate::model::manifest::{FileEntry, Manifest, ModelEntry, SCHEMA_VERSION};
use crate::model::{SemanticClassifier, SemanticClassifierConfig, Student, StudentConfig, Teacher, TeacherConfig};

/// Why a bundle could not be loaded; every message names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct BundleError {
    pub file: String,
    pub message: String,
}

impl From<BundleFilesError> for BundleError {
    fn from(e: BundleFilesError) -> Self {
        Self { file: e.file, message: e.message }
    }
}

fn error(file: &str, message: impl Into<String>) -> BundleError {
    BundleError { file: file.to_string(), message: message.into() }
}

/// The student and, unless the bundle is student-only, the teacher with its semantic
/// classifier, with the manifest that describes them. Each model runs where it was decoded, or
/// in the module it was handed to, so the student and the teacher can run on different
/// backends (the browser picks the faster one per model: see [`ModelBundle::placed`]).
#[derive(Debug, Clone)]
pub struct ModelBundle {
    pub manifest: Manifest,
    pub teacher: Option<TeacherModels>,
    pub student: StudentModels,
}

/// The student, as the teacher's [`TeacherModels`]: its config, the model, where it runs.
#[derive(Debug, Clone)]
pub struct StudentModels {
    pub config: StudentConfig,
    pub model: Student,
    /// Where its weights live: its inputs are made there.
    pub device: Device,
    /// The student as plain loops, when it runs on the CPU: what [`StudentModels::logits`] runs
    /// there (see [`StudentKernel`] for why).
    pub kernel: Option<StudentKernel>,
    /// The same student decoded in another module (WebGPU), when it runs there: then it runs
    /// there and not here (see [`crate::infer::offload`]).
    pub offload: Option<Rc<dyn OffloadedModels>>,
}

/// The teacher and the semantic classifier that merges its representations into its answer.
#[derive(Debug, Clone)]
pub struct TeacherModels {
    pub teacher_config: TeacherConfig,
    pub teacher: Teacher,
    pub semantic_config: SemanticClassifierConfig,
    pub semantic: SemanticClassifier,
    /// Where both models' weights live.
    pub device: Device,
    /// Both as plain loops, when they run on the CPU: what [`TeacherModels::logits`] runs there
    /// (see [`TeacherKernel`] for why).
    pub kernel: Option<TeacherKernel>,
    /// Both decoded in another module (WebGPU), when they run there.
    pub offload: Option<Rc<dyn OffloadedModels>>,
}

impl ModelBundle {
    /// Decodes a bundle on `device`; `file` returns the bytes of a file the manifest lists.
    pub fn load<'a>(
        manifest_json: &str,
        file: impl Fn(&str) -> Option<&'a [u8]>,
        device: &Device,
    ) -> Result<Self, BundleError> {
        let manifest: Manifest =
            serde_json::from_str(manifest_json).map_err(|e| error("manifest.json", format!("not a manifest: {e}")))?;
        if manifest.schema_version != SCHEMA_VERSION {
            return Err(error(
                "manifest.json",
                format!("schema {} is not supported (this build reads {SCHEMA_VERSION})", manifest.schema_version),
            ));
        }
        if let Some(problem) = manifest.incomplete() {
            return Err(error("manifest.json", problem));
        }
        let teacher = match manifest.teacher_models() {
            Some(entries) => {
                let (teacher_config, teacher) = decode(entries.teacher, &file, |c: &TeacherConfig| c.init(device))?;
                let teacher = teacher.folded();
                let (semantic_config, semantic) =
                    decode(entries.semantic, &file, |c: &SemanticClassifierConfig| c.init(device))?;
                // As for the student: a teacher without a kernel would run through burn.
                let kernel = (*device == Device::flex()).then(|| teacher_kernel(&teacher, &semantic).ok()).flatten();
                Some(TeacherModels {
                    teacher_config,
                    teacher,
                    semantic_config,
                    semantic,
                    device: device.clone(),
                    kernel,
                    offload: None,
                })
            }
            None => None,
        };
        let (config, student) = decode(&manifest.student, &file, |c: &StudentConfig| c.init(device))?;
        // Batch norms folded into the convolutions once, here: bundles are only ever run.
        let model = student.folded();
        // Every student `StudentConfig` builds has a kernel; one that had not would still run
        // through burn, only slower.
        let kernel = (*device == Device::flex()).then(|| student_kernel(&model).ok()).flatten();
        let student = StudentModels { config, model, device: device.clone(), kernel, offload: None };
        Ok(Self { manifest, teacher, student })
    }

    /// This bundle with each model that `placement` puts on WebGPU running as `gpu`, the same
    /// bundle decoded in the WebGPU module; the others stay here, on the CPU.
    pub fn placed(mut self, placement: Placement, gpu: &Rc<dyn OffloadedModels>) -> Self {
        if placement.student == Backend::WebGpu {
            self.student.offload = Some(gpu.clone());
        }
        if placement.teacher == Backend::WebGpu
            && let Some(teacher) = self.teacher.as_mut()
        {
            teacher.offload = Some(gpu.clone());
        }
        self
    }

    /// Decodes a bundle a user brought (a folder or a zip, see [`BundleFiles`]).
    pub fn from_files(files: &BundleFiles, device: &Device) -> Result<Self, BundleError> {
        Self::load(files.manifest_json()?, |path| files.file(path), device)
    }

    /// The synthetic-data models, compiled into the binary: what the synthetic demo and live
    /// mode run (see [`EmbeddedModels::LIVE`]).
    pub fn synthetic(device: &Device) -> Result<Self, BundleError> {
        Self::embedded_of(EmbeddedModels::Synthetic, device)
    }

    /// One of the bundles compiled into the binary.
    pub fn embedded_of(models: EmbeddedModels, device: &Device) -> Result<Self, BundleError> {
        Self::load(models.manifest_json(), |path| models.file(path), device)
    }

    /// The class table the models predict into (output index = position in the table).
    pub fn classes(&self) -> ClassTable {
        self.manifest.class_table()
    }
}

/// The bytes of a listed file, refused if its size or hash differ from the manifest.
fn verified<'a>(entry: &FileEntry, file: &impl Fn(&str) -> Option<&'a [u8]>) -> Result<&'a [u8], BundleError> {
    let bytes = file(&entry.path).ok_or_else(|| error(&entry.path, "missing"))?;
    if bytes.len() as u64 != entry.size_bytes || sha256_hex(bytes) != entry.sha256 {
        return Err(error(&entry.path, "does not match the manifest (size or sha256 differ): re-export or restore it"));
    }
    Ok(bytes)
}

fn decode<'a, C: Config, M: Module>(
    entry: &ModelEntry,
    file: &impl Fn(&str) -> Option<&'a [u8]>,
    init: impl Fn(&C) -> M,
) -> Result<(C, M), BundleError> {
    let config = verified(&entry.config, file)?;
    let record = verified(&entry.weights, file)?.to_vec();
    decode_model(config, record, init).map_err(|e| match e {
        DecodeError::Config(message) => error(&entry.config.path, message),
        DecodeError::Record(message) => error(&entry.weights.path, message),
    })
}

/// Which of a model's two files is wrong, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Config(String),
    Record(String),
}

/// Rebuilds a model from its config (JSON) and record (`.bpk`) bytes.
pub fn decode_model<C: Config, M: Module>(
    config: &[u8],
    record: Vec<u8>,
    init: impl Fn(&C) -> M,
) -> Result<(C, M), DecodeError> {
    let config = C::load_binary(config).map_err(|e| DecodeError::Config(format!("not a valid config: {e}")))?;
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(record))
        .map_err(|e| DecodeError::Record(format!("not a burn record: {e}")))?;
    let model = init(&config)
        .try_load_record(record)
        .map_err(|e| DecodeError::Record(format!("does not fit its config: {e}")))?;
    Ok((config, model))
}

/// Lower-case hex SHA-256, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_bundle_decodes_into_todays_architectures() {
        for models in EmbeddedModels::ALL {
            let bundle = ModelBundle::embedded_of(models, &Device::flex()).unwrap();
            assert_eq!(bundle.manifest, models.manifest());
            let teacher = bundle.teacher.as_ref().expect("the embedded bundles have a teacher");
            assert_eq!(teacher.teacher_config.channels, bundle.manifest.teacher.as_ref().unwrap().inputs.len());
            assert_eq!(bundle.student.config.channels, bundle.manifest.student.inputs.len());
            assert_eq!(bundle.classes().len(), bundle.manifest.classes.len());
            assert_eq!(EmbeddedModels::from_value(models.value()), Some(models));
        }
        // One class order for all, which the page's class names rely on.
        assert_eq!(EmbeddedModels::Synthetic.manifest().classes, EmbeddedModels::OpenPackSample.manifest().classes);
        // Each says what it was trained on; the real one passes on its data's licence.
        assert!(EmbeddedModels::Synthetic.manifest().dataset.synthetic);
        let real = EmbeddedModels::OpenPackSample.manifest().dataset;
        assert!(!real.synthetic && real.licence.starts_with("CC BY-NC-SA 4.0"), "{real:?}");
    }

    /// The bundle's models run with their batch norms folded, and on the CPU as their kernels;
    /// the trained, unfolded models must give the same logits (1e-5 of a logit).
    #[test]
    fn folded_models_give_the_unfolded_models_logits() {
        use burn::tensor::{Distribution, Tensor};
        let device = Device::flex();
        for models in EmbeddedModels::ALL {
            let bundle = ModelBundle::embedded_of(models, &device).unwrap();
            let manifest = models.manifest();
            let file = |entry: &FileEntry| models.file(&entry.path).unwrap();
            let unfolded = |entry: &ModelEntry| (file(&entry.config), file(&entry.weights).to_vec());
            let close = |expected: Tensor<2>, got: Tensor<2>, what: &str| {
                let (e, g) =
                    (expected.into_data().try_to_vec::<f32>().unwrap(), got.into_data().try_to_vec::<f32>().unwrap());
                for (e, g) in e.iter().zip(&g) {
                    assert!((e - g).abs() <= 1e-5 * e.abs().max(1.0), "{what} of {models:?}: {e} vs {g}");
                }
            };
            let length = manifest.window.length;
            let (config, record) = unfolded(&manifest.student);
            let (_, student) = decode_model(config, record, |c: &StudentConfig| c.init(&device)).unwrap();
            let x = Tensor::<3>::random(
                [4, bundle.student.config.channels, length],
                Distribution::Normal(0.0, 1.5),
                &device,
            );
            let values = x.clone().into_data().try_to_vec::<f32>().unwrap();
            let kernel = bundle.student.kernel.as_ref().expect("on the CPU the student runs as its kernel");
            let kernel_logits = Tensor::from_data(
                burn::tensor::TensorData::new(kernel.logits(&values, length), [4, kernel.classes()]),
                &device,
            );
            close(student.forward(x.clone()).logits, kernel_logits, "the student's kernel");
            close(student.forward(x.clone()).logits, bundle.student.model.forward(x).logits, "the student");

            let (config, record) = unfolded(&manifest.teacher.clone().unwrap());
            let (_, teacher) = decode_model(config, record, |c: &TeacherConfig| c.init(&device)).unwrap();
            let folded = bundle.teacher.as_ref().unwrap();
            let x = Tensor::<3>::random(
                [4, folded.teacher_config.channels, length],
                Distribution::Normal(0.0, 1.5),
                &device,
            );
            let values = x.clone().into_data().try_to_vec::<f32>().unwrap();
            let (expected, got) = (teacher.forward(x.clone()), folded.teacher.forward(x));
            let expected_semantic =
                folded.semantic.forward(expected.attention.clone(), expected.causal.clone(), expected.combined.clone());
            let kernel = folded.kernel.as_ref().expect("on the CPU the teacher runs as its kernel");
            let kernel_logits = kernel.logits(&values, length);
            let tensor =
                |values| Tensor::from_data(burn::tensor::TensorData::new(values, [4, kernel.classes()]), &device);
            close(expected_semantic.logits, tensor(kernel_logits.semantic), "the teacher's kernel (semantic)");
            close(expected.combined_logits.clone(), tensor(kernel_logits.combined), "the teacher's kernel (combined)");
            close(expected.combined_logits, got.combined_logits, "the teacher's combined head");
            close(expected.causal_logits, got.causal_logits, "the teacher's causal head");
        }
    }

    /// The files the worker hands the WebGPU module: the embedded bundle as a folder holds it.
    #[test]
    fn an_embedded_bundles_files_decode_as_a_folder_of_them() {
        for models in EmbeddedModels::ALL {
            let files = models.files();
            assert_eq!(files[0].0, "manifest.json");
            assert_eq!(files.len(), 1 + models.manifest().files().len());
            let folder =
                BundleFiles::from_paths(files.into_iter().map(|(path, bytes)| (path, bytes.to_vec()))).unwrap();
            let bundle = ModelBundle::from_files(&folder, &Device::flex()).unwrap();
            assert_eq!(bundle.manifest, models.manifest());
        }
    }

    #[test]
    fn a_damaged_file_is_refused_by_name() {
        let mut damaged = EmbeddedModels::Synthetic.file("student.bpk").unwrap().to_vec();
        damaged[100] ^= 0xff;
        let file = |path: &str| {
            if path == "student.bpk" { Some(damaged.as_slice()) } else { EmbeddedModels::Synthetic.file(path) }
        };
        let error = ModelBundle::load(EmbeddedModels::Synthetic.manifest_json(), file, &Device::flex()).unwrap_err();
        assert_eq!(error.file, "student.bpk");
        assert!(error.message.contains("sha256"), "{error}");
    }

    #[test]
    fn a_student_only_bundle_loads_and_a_teacher_without_its_classifier_is_refused() {
        let mut manifest = EmbeddedModels::Synthetic.manifest();
        let teacher = manifest.teacher.take();
        let semantic = manifest.semantic.take();
        let json = serde_json::to_string(&manifest).unwrap();
        assert!(!json.contains("\"teacher\"") && !json.contains("\"semantic\""), "{json}");
        assert_eq!(manifest.files().len(), 2, "the student's weights and config");
        let only_student =
            |path: &str| path.starts_with("student.").then(|| EmbeddedModels::Synthetic.file(path)).flatten();
        let bundle = ModelBundle::load(&json, only_student, &Device::flex()).unwrap();
        assert!(bundle.teacher.is_none() && bundle.manifest.teacher_models().is_none());
        for (manifest, named) in [
            (Manifest { teacher, ..manifest.clone() }, "semantic classifier (\"semantic\")"),
            (Manifest { semantic, ..manifest }, "without its teacher"),
        ] {
            let json = serde_json::to_string(&manifest).unwrap();
            let error = ModelBundle::load(&json, |p| EmbeddedModels::Synthetic.file(p), &Device::flex()).unwrap_err();
            assert_eq!(error.file, "manifest.json");
            assert!(error.message.contains(named), "{error}");
        }
    }

    #[test]
    fn an_unknown_schema_is_refused() {
        let newer =
            EmbeddedModels::Synthetic.manifest_json().replacen("\"schema_version\": 1", "\"schema_version\": 99", 1);
        let error = ModelBundle::load(&newer, |p| EmbeddedModels::Synthetic.file(p), &Device::flex()).unwrap_err();
        assert!(error.to_string().contains("schema 99"), "{error}");
    }

    #[test]
    fn sha256_matches_a_known_digest() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
