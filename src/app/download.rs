//! Files offered for download, built in the page: nothing is uploaded anywhere.

use wasm_bindgen::JsCast;

/// Offers `bytes` as a file named `name` of type `mime`; says why when the page could not.
pub fn offer(name: &str, bytes: &[u8], mime: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let refused = |what: &str| format!("the browser refused to {what} for \"{name}\"");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| refused("make a file"))?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| refused("make a download link"))?;
    let anchor = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .ok_or_else(|| refused("make a download link"))?;
    let anchor: web_sys::HtmlAnchorElement = anchor.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}
