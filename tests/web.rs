//! In-browser tests (wasm32, headless Chromium via wasm-bindgen-test-runner): the shared data
//! layer assembles an OpenPack session from bytes exactly as natively, and the app mounts.
#![cfg(target_arch = "wasm32")]

use std::rc::Rc;
use tsak::data::classes::ClassTable;
use tsak::data::openpack::DeviceMap;
use tsak::data::openpack::annotation::read_operations_1hz;
use tsak::data::openpack::session::{SessionSources, assemble};

use burn::tensor::Device;
use tsak::infer::bundle::ModelBundle;
use tsak::infer::embedded::EmbeddedModels;
use tsak::infer::offload::{OffloadedLogits, OffloadedModels};
use tsak::infer::placement::Placement;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! fixture {
    ($path:literal) => {
        include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/openpack-mini/U0101/", $path)).as_slice()
    };
}

#[wasm_bindgen_test]
fn assembles_the_fixture_session_from_bytes() {
    let map = DeviceMap::default();
    let files: [(&str, &[u8]); 6] = [
        ("atr01", fixture!("atr/atr01/S0100.csv")),
        ("atr02", fixture!("atr/atr02/S0100.csv")),
        ("atr03", fixture!("atr/atr03/S0100.csv")),
        ("atr04", fixture!("atr/atr04/S0100.csv")),
        ("e401", fixture!("e4/e401/acc/S0100.csv")),
        ("e402", fixture!("e4/e402/acc/S0100.csv")),
    ];
    let streams = files
        .iter()
        .map(|(id, bytes)| {
            let device = map.get(id).unwrap().clone();
            let series = device.read(format!("{id}.csv"), *bytes).unwrap();
            (device, series)
        })
        .collect();
    let classes = ClassTable::openpack_operations();
    let labels =
        read_operations_1hz("1hz.csv", fixture!("annotation/openpack-operations-1hz/S0100.csv"), &classes).unwrap();
    let session = assemble(SessionSources { user: "U0101".into(), session: "S0100".into(), streams, labels }).unwrap();
    // The same hand-worked figures as tests/openpack_reader.rs checks natively.
    assert_eq!(session.frames.len(), 98);
    assert_eq!(session.frames.labels.iter().filter(|&&l| l == 200).count(), 60);
    assert!((session.frames.frame(0)[40] - (3.0 + 23.0 / 31.0)).abs() < 1e-5);
}

#[wasm_bindgen_test]
fn bad_bytes_give_a_located_error_in_the_browser() {
    let err = tsak::data::timeseries::TimeSeries::read(
        "dropped.csv",
        "time,acc_x,acc_y,acc_z\n1,0,0,x\n".as_bytes(),
        tsak::data::openpack::devices::E4_ACC_LAYOUT,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "dropped.csv, line 2, field `acc_z`: `x` is not a number");
}

#[wasm_bindgen_test]
fn the_app_mounts_and_lists_ten_operations() {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().dyn_into().unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let handle = leptos::mount::mount_to(host.clone(), tsak::app::App);
    let items = host.query_selector_all("[data-testid=operation]").unwrap();
    assert_eq!(items.length(), 10);
    drop(handle);
}

/// The files of a demo as the app fetches them (this test compiles them in), checked against
/// the demo's own list.
macro_rules! demo_files {
    ($demo:expr, $folder:literal, [$($path:literal),+ $(,)?]) => {{
        let files = vec![$(tsak::data::session_files::SessionFile {
            path: $path.to_string(),
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $folder, "/", $path)).to_vec(),
        }),+];
        assert!(files.iter().map(|f| f.path.as_str()).eq($demo.paths().iter().copied()));
        files
    }};
}

/// Logits of both demos' windows, through the models that replay each, in the browser against
/// the native ones (`tests/demo_logits.rs` keeps the fixture equal to the native CPU backend).
async fn assert_logits_match_native(bundle_of: impl Fn(EmbeddedModels) -> ModelBundle) {
    use tsak::demo::Demo;
    #[derive(serde::Deserialize)]
    struct DemoLogits {
        demo: String,
        windows: Vec<usize>,
        student: Vec<Vec<f32>>,
        teacher: Vec<Vec<f32>>,
    }
    tsak::constructors::run_once(); // as the app does: cubecl registers its types
    let fixture: Vec<DemoLogits> = serde_json::from_str(include_str!("fixtures/demo-logits.json")).unwrap();
    let synthetic = demo_files!(
        Demo::Synthetic,
        "demo",
        [
            "U0101/atr/atr01/S0100.csv",
            "U0101/atr/atr02/S0100.csv",
            "U0101/atr/atr03/S0100.csv",
            "U0101/atr/atr04/S0100.csv",
            "U0101/e4/e401/acc/S0100.csv",
            "U0101/e4/e402/acc/S0100.csv",
            "U0101/annotation/openpack-operations-1hz/S0100.csv",
        ]
    );
    let real = demo_files!(
        Demo::OpenPackSample,
        "demo-openpack",
        [
            "U0209/atr/atr01/S0500.csv",
            "U0209/atr/atr02/S0500.csv",
            "U0209/atr/atr03/S0500.csv",
            "U0209/atr/atr04/S0500.csv",
            "U0209/e4/e401/acc/S0500.csv",
            "U0209/annotation/openpack-operations-1hz/S0500.csv",
        ]
    );
    assert_eq!(fixture.len(), 2, "one entry per demo");
    for ((demo, files), want) in [(Demo::Synthetic, synthetic), (Demo::OpenPackSample, real)].into_iter().zip(&fixture)
    {
        assert_eq!(want.demo, demo.folder());
        let bundle = bundle_of(demo.models());
        let session =
            tsak::data::session_files::load_session(&files, &DeviceMap::default(), &ClassTable::openpack_operations())
                .unwrap();
        let runner = tsak::infer::runner::Runner::new(session, &bundle).unwrap();
        assert!(!want.windows.is_empty(), "the fixture has windows to compare");
        for (i, &w) in want.windows.iter().enumerate() {
            let student = tsak::infer::runner::student_logits(&runner, &bundle, w).await.unwrap();
            let teacher = tsak::infer::runner::teacher_logits(&runner, &bundle, w).unwrap().await.unwrap();
            assert_eq!(student.len(), want.student[i].len(), "{}: window {w}: student logits", want.demo);
            assert_eq!(teacher.len(), want.teacher[i].len(), "{}: window {w}: teacher logits", want.demo);
            for (got, expected) in student.iter().zip(&want.student[i]).chain(teacher.iter().zip(&want.teacher[i])) {
                assert!(
                    (got - expected).abs() < 1e-4,
                    "{} window {w}: {got} in the browser, {expected} natively",
                    want.demo
                );
            }
        }
    }
}

#[wasm_bindgen_test]
async fn browser_cpu_logits_equal_the_native_ones() {
    assert_logits_match_native(|models| ModelBundle::embedded_of(models, &Device::flex()).unwrap()).await;
}

/// The browser this runs in must give a WebGPU adapter (`webdriver.json` starts Chromium with
/// `--enable-unsafe-webgpu`; headless, that is its software adapter): without one this fails
/// rather than passing untested. Both models run in the WebGPU module's code (`tsak_webgpu`),
/// linked in here and called as the worker calls it through its JS glue.
#[wasm_bindgen_test]
async fn browser_webgpu_logits_equal_the_native_ones() {
    tsak_webgpu::init_device()
        .await
        .unwrap_or_else(|e| panic!("no WebGPU adapter in this browser (see webdriver.json): {:?}", JsValue::from(e)));
    assert_logits_match_native(|models| {
        let (paths, files): (Vec<String>, Vec<&[u8]>) = models.files().into_iter().unzip();
        let files = files.into_iter().map(js_sys::Uint8Array::from).collect::<js_sys::Array>();
        let id = tsak_webgpu::load_bundle(paths, files).map_err(JsValue::from).unwrap();
        let gpu: Rc<dyn OffloadedModels> = Rc::new(WebGpuInProcess { id });
        ModelBundle::embedded_of(models, &Device::flex()).unwrap().placed(Placement::WEBGPU, &gpu)
    })
    .await;
}

/// A bundle decoded by the WebGPU module's code, as the worker's handle on the module reaches
/// it, minus the JS glue in between.
#[derive(Debug)]
struct WebGpuInProcess {
    id: u32,
}

impl OffloadedModels for WebGpuInProcess {
    fn backend(&self) -> &'static str {
        "WebGPU"
    }

    fn student(&self, values: &[f32], batch: usize, length: usize) -> OffloadedLogits {
        let (id, values) = (self.id, values.to_vec());
        Box::pin(async move {
            tsak_webgpu::student_logits(id, values, batch, length).await.map_err(|e| format!("{:?}", JsValue::from(e)))
        })
    }

    fn teacher(&self, values: &[f32], batch: usize, length: usize) -> OffloadedLogits {
        let (id, values) = (self.id, values.to_vec());
        Box::pin(async move {
            tsak_webgpu::teacher_logits(id, values, batch, length).await.map_err(|e| format!("{:?}", JsValue::from(e)))
        })
    }
}
