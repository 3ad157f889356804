//! A model on disk is two files: its burn record (`.bpk`) and its config as JSON. Exports and
//! run folders both use this form, so one pair of functions encodes and decodes it.

use anyhow::{Context, Result, anyhow};
use burn::config::Config;
use burn::module::Module;
use tsak::infer::bundle::{DecodeError, decode_model};

/// A model encoded for disk: its record bytes, its config as JSON, its parameter count.
pub struct ModelFiles {
    pub record: Vec<u8>,
    pub config_json: String,
    pub params: u64,
}

impl ModelFiles {
    pub fn of<M: Module, C: serde::Serialize>(model: &M, config: &C) -> Result<Self> {
        let record = model.clone().into_record().into_bytes().context("cannot encode a model record")?;
        Ok(Self {
            record: record.to_vec(),
            config_json: serde_json::to_string_pretty(config)?,
            params: model.num_params() as u64,
        })
    }
}

/// Rebuilds a model from its config and record bytes; `names` (config file, record file) go
/// into the errors so the user knows which file is wrong.
pub fn decode<C: Config, M: Module>(
    config: &[u8],
    record: Vec<u8>,
    init: impl Fn(&C) -> M,
    names: (&str, &str),
) -> Result<(C, M)> {
    decode_model(config, record, init).map_err(|e| match e {
        DecodeError::Config(message) => anyhow!("{}: {message}", names.0),
        DecodeError::Record(message) => anyhow!("{}: {message}", names.1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;
    use tsak::model::{Student, StudentConfig};

    #[test]
    fn a_model_survives_encode_and_decode() {
        let device = Device::flex();
        let config = StudentConfig::new();
        let files = ModelFiles::of(&config.init(&device), &config).unwrap();
        let (decoded_config, model): (StudentConfig, Student) =
            decode(files.config_json.as_bytes(), files.record.clone(), |c: &StudentConfig| c.init(&device), ("c", "r"))
                .unwrap();
        assert_eq!(decoded_config.channels, config.channels);
        assert_eq!(model.num_params() as u64, files.params);
    }

    #[test]
    fn a_record_of_another_model_is_refused_by_file_name() {
        let device = Device::flex();
        let files = ModelFiles::of(&StudentConfig::new().init(&device), &StudentConfig::new()).unwrap();
        let wider = StudentConfig::new().with_channels(6);
        let error = decode(
            serde_json::to_string(&wider).unwrap().as_bytes(),
            files.record,
            |c: &StudentConfig| c.init(&device),
            ("student.json", "student.bpk"),
        )
        .map(|_: (StudentConfig, Student)| ())
        .unwrap_err();
        assert!(format!("{error:#}").contains("student.bpk: does not fit its config"), "{error:#}");
    }
}
