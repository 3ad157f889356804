//! The few browser helpers the app's thin layers share, written once: clocks, what a thrown
//! JavaScript value says, where this module was loaded from, and a best-effort promise call. Hand-written rather than `gloo`:
//! four small functions over web-sys and js-sys, which the app already uses everywhere.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

#[wasm_bindgen]
extern "C" {
    type ImportMeta;

    #[wasm_bindgen(method, getter)]
    fn url(this: &ImportMeta) -> String;

    #[wasm_bindgen(thread_local_v2, js_namespace = import, js_name = meta)]
    static IMPORT_META: ImportMeta;
}

/// The URL of this module's wasm-bindgen glue (`import.meta.url` of the glue): the page and
/// the worker load the same one, and the files built beside it are found from it.
pub fn glue_url() -> String {
    IMPORT_META.with(ImportMeta::url)
}

/// Milliseconds on the monotonic clock of this page or worker (`performance.now`): for
/// latencies, timeouts and the live connection policy.
pub fn clock_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// Unix time in ms (`Date.now`): for what is stored or shown as a date.
pub fn unix_ms() -> f64 {
    js_sys::Date::now()
}

/// What a thrown value says: an `Error`'s message, a string, or its JSON.
pub fn describe_js_error(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .or_else(|| js_sys::JSON::stringify(error).ok().map(String::from))
        .unwrap_or_else(|| "unknown error".into())
}

/// Calls `target.method(args…)` if the browser has it and hands its result to `then`; an
/// error (an API missing, a permission refused) is swallowed: for best-effort features such
/// as the kiosk's wake lock and fullscreen, where a refusal is expected.
pub fn call_promise(target: &JsValue, method: &str, args: &js_sys::Array, then: impl FnOnce(JsValue) + 'static) {
    let Some(function) =
        js_sys::Reflect::get(target, &method.into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return;
    };
    let Some(promise) = function.apply(target, args).ok().and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) else {
        return;
    };
    wasm_bindgen_futures::spawn_local(async move {
        if let Ok(value) = wasm_bindgen_futures::JsFuture::from(promise).await {
            then(value);
        }
    });
}
