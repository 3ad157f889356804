//! `?model=URL`: a page link that opens the app with a model bundle (its zip) from the same
//! site, e.g. a team's intranet serving `models/line3.zip` beside the app. Only same-origin URLs
//! are fetched: the app talks to no other server. The bundle then goes through the same checks
//! and keeping as one the user picks.

use js_sys::ArrayBuffer;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::app::replay::Replay;
use crate::protocol::ToWorker;

/// Loads the bundle `?model=` names, if any; problems go to the error banner.
pub fn load_requested(replay: Replay) {
    let Some(window) = web_sys::window() else { return };
    let search = window.location().search().unwrap_or_default();
    let Some(requested) = web_sys::UrlSearchParams::new_with_str(&search).ok().and_then(|q| q.get("model")) else {
        return;
    };
    let page = window.location().href().unwrap_or_default();
    let url = match web_sys::Url::new_with_base(&requested, &page) {
        Ok(url) if url.origin() == window.location().origin().unwrap_or_default() => url,
        Ok(_) => {
            let message =
                format!("?model={requested}: bundles load only from this site, so nothing is fetched elsewhere");
            return replay.error.set(Some(message));
        }
        Err(_) => return replay.error.set(Some(format!("?model={requested}: not a URL"))),
    };
    replay.adding_bundle.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        match fetch_bytes(&window, &url.href()).await {
            Ok(buffer) => {
                let message = ToWorker::AddBundle { paths: vec![zip_name(&url.pathname())] };
                replay.send_files(&message, vec![buffer]);
            }
            Err(problem) => {
                replay.adding_bundle.set(false);
                replay.error.set(Some(format!("?model={requested}: {problem}")));
            }
        }
    });
}

async fn fetch_bytes(window: &web_sys::Window, url: &str) -> Result<ArrayBuffer, String> {
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| "could not be fetched".to_string())?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("the site answered HTTP {}", response.status()));
    }
    let body = response.array_buffer().map_err(|_| "its body could not be read".to_string())?;
    Ok(JsFuture::from(body).await.map_err(|_| "its body could not be read".to_string())?.unchecked_into())
}

/// The file name the worker sees: the URL's last segment, read as a zip (what `?model=` takes).
fn zip_name(path: &str) -> String {
    let name = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("bundle");
    if name.to_ascii_lowercase().ends_with(".zip") { name.to_string() } else { format!("{name}.zip") }
}
