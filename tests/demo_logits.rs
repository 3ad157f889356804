//! The logits of a few windows of each demo, through the models that replay it, on the native
//! CPU backend: the synthetic demo with `model-weights/synthetic/`, the real OpenPack sample's
//! held-out part with `model-weights/`. Checked against `tests/fixtures/demo-logits.json`, which
//! the browser test (`tests/web.rs`) compares its CPU and WebGPU logits with. Regenerate after
//! new weights with `TSAK_UPDATE_FIXTURES=1 cargo test --release --test demo_logits`.

use burn::tensor::Device;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::DeviceMap;
use tsak::data::session_files::load_session;
use tsak::demo::Demo;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::runner::{Runner, student_logits, teacher_logits};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo-logits.json");

/// One demo's windows and the student's and the teacher's (semantic classifier's) logits.
#[derive(serde::Serialize, serde::Deserialize)]
struct DemoLogits {
    demo: String,
    windows: Vec<usize>,
    student: Vec<Vec<f32>>,
    teacher: Vec<Vec<f32>>,
}

fn native(demo: Demo, device: &Device) -> DemoLogits {
    let bundle = ModelBundle::embedded_of(demo.models(), device).unwrap();
    let session = load_session(&demo.files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
    let runner = Runner::new(session, &bundle).unwrap();
    let windows = vec![0, runner.student.len() / 2, runner.student.len() - 1];
    use futures::executor::block_on as block;
    let student = windows.iter().map(|&w| block(student_logits(&runner, &bundle, w)).unwrap()).collect();
    let teacher = windows.iter().map(|&w| block(teacher_logits(&runner, &bundle, w).unwrap()).unwrap()).collect();
    DemoLogits { demo: demo.folder().to_string(), windows, student, teacher }
}

#[test]
fn native_logits_of_demo_windows_match_the_fixture() {
    let device = Device::flex();
    let logits: Vec<DemoLogits> = [Demo::Synthetic, Demo::OpenPackSample].map(|d| native(d, &device)).into();
    if std::env::var_os("TSAK_UPDATE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, serde_json::to_string_pretty(&logits).unwrap() + "\n").unwrap();
        return;
    }
    let fixture: Vec<DemoLogits> = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    assert_eq!(fixture.len(), logits.len(), "one entry per demo");
    for (got, want) in logits.iter().zip(&fixture) {
        assert_eq!(
            (&got.demo, &got.windows),
            (&want.demo, &want.windows),
            "regenerate the fixture (see the file's doc)"
        );
        for (a, b) in got.student.iter().chain(&got.teacher).zip(want.student.iter().chain(&want.teacher)) {
            assert_eq!(a.len(), b.len(), "{}: logits per window", got.demo);
            // Relative 1e-5: the fixture was recorded before inference folded batch norms into
            // the convolutions, which moves logits by float rounding (measured: up to 2.4e-7 of a logit).
            for (x, y) in a.iter().zip(b) {
                let tolerance = 1e-5 * y.abs().max(1.0);
                assert!(
                    (x - y).abs() < tolerance,
                    "{}: {x} vs {y}: regenerate the fixture after new weights",
                    got.demo
                );
            }
        }
    }
}
