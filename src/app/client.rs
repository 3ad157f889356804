//! The UI's handle on the inference worker: starts it from this very wasm module (the
//! wasm-bindgen glue's own URL, so no second bundle and no hashed file names to guess) and
//! passes typed messages both ways.

use gloo_events::EventListener;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, MessageEvent, Url, Worker, WorkerOptions, WorkerType};

use crate::app::browser::{describe_js_error, glue_url};
use crate::protocol::{FromWorker, ToWorker};

/// The worker's bootstrap: queue messages while the module loads, then hand them to Rust.
/// Trunk names the wasm after the glue (`tsak-HASH.js` -> `tsak-HASH_bg.wasm`) and passes its
/// path to `init`; the worker must do the same (the browser has it cached by then).
fn bootstrap(glue_url: &str) -> String {
    let wasm_url = format!("{}_bg.wasm", glue_url.strip_suffix(".js").unwrap_or(glue_url));
    format!(
        "const early = []; self.onmessage = (event) => early.push(event);\n\
         import init, {{ worker_main }} from {glue_url:?};\n\
         await init({{ module_or_path: {wasm_url:?} }});\n\
         worker_main(early);\n"
    )
}

/// A running inference worker.
#[derive(Clone)]
pub struct WorkerClient {
    worker: Worker,
}

impl WorkerClient {
    /// Starts the worker; `on_message` gets every message it sends.
    pub fn spawn(on_message: impl Fn(FromWorker) + 'static) -> Result<Self, String> {
        let url = glue_url();
        let parts = Array::of1(&JsValue::from_str(&bootstrap(&url)));
        let options = BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|e| describe_js_error(&e))?;
        let script = Url::create_object_url_with_blob(&blob).map_err(|e| describe_js_error(&e))?;
        let worker_options = WorkerOptions::new();
        worker_options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&script, &worker_options).map_err(|e| describe_js_error(&e))?;
        // The worker lives as long as the page, and so does its listener.
        EventListener::new(&worker, "message", move |event| {
            let event: &MessageEvent = event.unchecked_ref();
            let text = event.data().as_string().unwrap_or_default();
            match serde_json::from_str::<FromWorker>(&text) {
                Ok(message) => on_message(message),
                Err(e) => {
                    on_message(FromWorker::Failed { message: format!("unreadable message from the worker: {e}") })
                }
            }
        })
        .forget();
        Ok(Self { worker })
    }

    pub fn send(&self, message: &ToWorker) {
        self.send_with_files(message, Vec::new());
    }

    /// Sends a message with file contents beside it (transferred, not copied).
    pub fn send_with_files(&self, message: &ToWorker, buffers: Vec<js_sys::ArrayBuffer>) {
        let envelope = Object::new();
        let list = Array::new();
        for buffer in &buffers {
            list.push(buffer);
        }
        let _ = Reflect::set(&envelope, &"json".into(), &JsValue::from_str(&message.to_json()));
        let _ = Reflect::set(&envelope, &"buffers".into(), &list);
        let _ = self.worker.post_message_with_transfer(&envelope, &list);
    }
}
