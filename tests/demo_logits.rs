//! The logits of a few demo windows on the native CPU backend, checked against
//! `tests/fixtures/demo-logits.json`, which the browser test (`tests/web.rs`) compares its
//! CPU and WebGPU logits with. Regenerate after new weights with
//! `TSAK_UPDATE_FIXTURES=1 cargo test --release --test demo_logits`.

use burn::tensor::Device;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::DeviceMap;
use tsak::data::session_files::load_session;
use tsak::demo::demo_files;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::runner::{Runner, student_logits, teacher_logits};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/demo-logits.json");

#[derive(serde::Serialize, serde::Deserialize)]
struct Fixture {
    windows: Vec<usize>,
    student: Vec<Vec<f32>>,
    teacher: Vec<Vec<f32>>,
}

#[test]
fn native_logits_of_demo_windows_match_the_fixture() {
    let device = Device::flex();
    let bundle = ModelBundle::synthetic(&device).unwrap();
    let session = load_session(&demo_files(), &DeviceMap::default(), &ClassTable::openpack_operations()).unwrap();
    let runner = Runner::new(session, &bundle).unwrap();
    let windows = vec![0, runner.student.len() / 2, runner.student.len() - 1];
    use futures::executor::block_on as block;
    let student: Vec<Vec<f32>> =
        windows.iter().map(|&w| block(student_logits(&runner, &bundle, &device, w)).unwrap()).collect();
    let teacher: Vec<Vec<f32>> =
        windows.iter().map(|&w| block(teacher_logits(&runner, &bundle, &device, w).unwrap()).unwrap()).collect();
    if std::env::var_os("TSAK_UPDATE_FIXTURES").is_some() {
        let fixture = Fixture { windows, student, teacher };
        std::fs::write(FIXTURE, serde_json::to_string_pretty(&fixture).unwrap() + "\n").unwrap();
        return;
    }
    let fixture: Fixture = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    assert_eq!(fixture.windows, windows, "regenerate the fixture (see the file's doc)");
    for (got, want) in student.iter().chain(&teacher).zip(fixture.student.iter().chain(&fixture.teacher)) {
        for (a, b) in got.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{a} vs {b}: regenerate the fixture after new weights");
        }
    }
}
