//! One live window through the models, in the worker: the frames the live store cut (whatever
//! positions stream) become a one-window session, so the student and the teacher (without
//! the inputs no wearable streams) run through exactly the replay's windowing, normalisation and
//! timing code.

use serde::{Deserialize, Serialize};

use crate::infer::prediction::WindowResult;
#[cfg(feature = "burn")]
use {
    crate::data::frames::FrameTable,
    crate::data::session_files::LoadedSession,
    crate::infer::bundle::ModelBundle,
    crate::infer::runner::{InferError, Runner, run_window},
};

/// The models' answer for the live window ending at `end_frame`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveResult {
    pub end_frame: u64,
    pub result: WindowResult,
    /// Teacher inputs no device streams (the teacher ran without them, if it ran).
    pub teacher_missing: Vec<String>,
}

/// Runs both models (the teacher when it can) on one window of live frames, timing each.
#[cfg(feature = "burn")]
pub async fn classify(
    end_frame: u64,
    frames: FrameTable,
    bundle: &ModelBundle,
    now_ms: &impl Fn() -> f64,
) -> Result<LiveResult, InferError> {
    let session = LoadedSession { name: "live".into(), frames, warnings: Vec::new(), attribution: None };
    let runner = Runner::new(session, bundle)?;
    let result = run_window(&runner, bundle, 0, now_ms).await?;
    Ok(LiveResult { end_frame, result, teacher_missing: runner.teacher_missing })
}

#[cfg(all(test, feature = "burn"))]
mod tests {
    use super::*;
    use crate::data::channels::ChannelSelection;
    use crate::data::classes::ClassTable;
    use crate::data::openpack::DeviceMap;
    use crate::data::session_files::load_session;
    use crate::demo::demo_files;

    #[test]
    fn a_live_window_of_the_student_channels_gets_the_replays_student_answer() {
        let bundle = ModelBundle::synthetic(&burn::tensor::Device::flex()).unwrap();
        let demo = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
        let replay = Runner::new(demo.clone(), &bundle).unwrap();
        let w = 10;
        let start = replay.student.starts[w];
        let length = bundle.manifest.window.length;
        // Only the right wrist's accelerometer streams, as from one wearable.
        let wrist =
            demo.frames.select(&ChannelSelection::new(bundle.manifest.student.normalisation.channels.clone())).unwrap();
        let width = wrist.channels.len();
        let frames = FrameTable {
            channels: wrist.channels.clone(),
            unixtime_ms: wrist.unixtime_ms[start..start + length].to_vec(),
            values: wrist.values[start * width..(start + length) * width].to_vec(),
            labels: wrist.labels[start..start + length].to_vec(),
        };
        let clock = || 0.0;
        let live = futures::executor::block_on(classify(99, frames, &bundle, &clock)).unwrap();
        let replayed = futures::executor::block_on(run_window(&replay, &bundle, w, &clock)).unwrap();
        assert_eq!(live.end_frame, 99);
        assert_eq!(live.result.student.class, replayed.student.class);
        for (a, b) in live.result.student.probabilities.iter().zip(&replayed.student.probabilities) {
            assert!((a - b).abs() < 1e-6);
        }
        assert!(live.result.teacher.is_some(), "the teacher runs on the one wrist, without the rest");
        assert!(live.teacher_missing.contains(&"left_wrist/acc_x".to_string()));
    }
}
