//! One window of raw sensor values handed in by another program (the embeddable
//! `packages/classifier`, an MES page), classified by the bundle's student. The values become a
//! one-window session and go through [`model_windows`], so they are selected, normalised and
//! laid out exactly as the trainer and the app do it.

use serde::Serialize;

use crate::data::frames::FrameTable;
use crate::data::window::WindowConfig;
use crate::infer::bundle::ModelBundle;
use crate::infer::inputs::{ModelWindows, model_windows};
use crate::infer::runner::{prediction, student_values};

/// Why a raw window cannot be classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RawWindowError {
    #[error(
        "a window is {frames} frames of {channels} values ({expected} values, frame after frame: {inputs}); got {got}"
    )]
    Size { frames: usize, channels: usize, expected: usize, got: usize, inputs: String },
    #[error("value {index} (frame {frame}, {channel}) is not a finite number")]
    NotFinite { index: usize, frame: usize, channel: String },
    #[error("{0}")]
    ReadBack(String),
}

/// The student's answer for one window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RawPrediction {
    /// The most likely class's name, and its index in `probabilities`.
    pub class: String,
    pub index: usize,
    /// Every class with its probability, in the bundle's class order.
    pub probabilities: Vec<ClassProbability>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassProbability {
    pub name: String,
    pub probability: f32,
}

/// The student's inputs of one window, frame-major raw values (`window.length` frames of the
/// student's input channels, in the manifest's order and units), ready for the model.
pub fn student_window(bundle: &ModelBundle, frame_major: &[f32]) -> Result<ModelWindows, RawWindowError> {
    let stats = &bundle.manifest.student.normalisation;
    let (frames, channels) = (bundle.manifest.window.length, stats.channels.len());
    if frame_major.len() != frames * channels {
        return Err(RawWindowError::Size {
            frames,
            channels,
            expected: frames * channels,
            got: frame_major.len(),
            inputs: stats.channels.join(", "),
        });
    }
    if let Some(index) = frame_major.iter().position(|v| !v.is_finite()) {
        let channel = stats.channels[index % channels].clone();
        return Err(RawWindowError::NotFinite { index, frame: index / channels, channel });
    }
    let table = FrameTable {
        channels: stats.channels.clone(),
        unixtime_ms: (0..frames as i64).collect(),
        values: frame_major.to_vec(),
        labels: vec![bundle.manifest.null_id; frames],
    };
    let config = WindowConfig { length: frames, hop: frames };
    Ok(model_windows(&table, stats, config).expect("the table has exactly the student's channels"))
}

/// Classifies one raw window with the bundle's student (see [`student_window`]).
pub async fn classify_window(bundle: &ModelBundle, frame_major: &[f32]) -> Result<RawPrediction, RawWindowError> {
    let windows = student_window(bundle, frame_major)?;
    let logits =
        student_values(&bundle.student, &windows, 0..1).await.map_err(|e| RawWindowError::ReadBack(e.to_string()))?;
    let classes = &bundle.manifest.classes;
    let answer = prediction(&logits, classes.len(), None);
    let probabilities = answer
        .probabilities
        .into_iter()
        .zip(classes)
        .map(|(probability, class)| ClassProbability { name: class.name.clone(), probability })
        .collect();
    Ok(RawPrediction { class: classes[answer.class].name.clone(), index: answer.class, probabilities })
}

#[cfg(test)]
mod tests {
    use burn::tensor::Device;

    use super::*;
    use crate::data::channels::ChannelSelection;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::DeviceMap;
    use crate::data::session_files::load_session;
    use crate::demo::demo_files;
    use crate::infer::runner::{Runner, run_window};

    #[test]
    fn a_raw_window_gets_the_replays_student_answer() {
        let bundle = ModelBundle::synthetic(&Device::flex()).unwrap();
        let demo = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let runner = Runner::new(demo.clone(), &bundle).unwrap();
        let (w, length) = (7, bundle.manifest.window.length);
        let start = runner.student.starts[w];
        let wrist =
            demo.frames.select(&ChannelSelection::new(bundle.manifest.student.normalisation.channels.clone())).unwrap();
        let width = wrist.channels.len();
        let raw = &wrist.values[start * width..(start + length) * width];
        let got = futures::executor::block_on(classify_window(&bundle, raw)).unwrap();
        let want = futures::executor::block_on(run_window(&runner, &bundle, w, &|| 0.0)).unwrap().student;
        assert_eq!(got.index, want.class);
        assert_eq!(got.class, bundle.manifest.classes[want.class].name);
        assert_eq!(got.probabilities.len(), want.probabilities.len());
        for (a, b) in got.probabilities.iter().zip(&want.probabilities) {
            assert!((a.probability - b).abs() < 1e-6, "{} vs {b}", a.probability);
        }
    }

    #[test]
    fn wrong_sizes_and_non_numbers_are_refused_with_what_was_expected() {
        let bundle = ModelBundle::synthetic(&Device::flex()).unwrap();
        let length = bundle.manifest.window.length;
        let short = student_window(&bundle, &[0.0; 5]).unwrap_err().to_string();
        assert!(short.contains(&format!("{length} frames of 3 values")) && short.ends_with("got 5"), "{short}");
        assert!(short.contains("right_wrist/acc_x"), "{short}");
        let mut values = vec![0.1; length * 3];
        values[3 * 4 + 2] = f32::NAN;
        let nan = student_window(&bundle, &values).unwrap_err();
        assert_eq!(nan, RawWindowError::NotFinite { index: 14, frame: 4, channel: "right_wrist/acc_z".into() });
    }
}
