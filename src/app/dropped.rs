//! The files of a drop, folders included: a dropped session folder is walked recursively so
//! its files arrive with paths like `U0101/atr/atr01/S0100.csv`, exactly as a folder pick
//! gives them (`webkitRelativePath`), and the session reader tells the devices apart by path.
//!
//! `DataTransfer.files` lists a dropped folder as one unreadable entry; only the entries API
//! (`webkitGetAsEntry`, callback based) can walk it. The entries must be taken while the drop
//! event is being dispatched; reading them may happen later.

use js_sys::{Array, Function, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DataTransfer, File, FileSystemDirectoryEntry, FileSystemEntry, FileSystemFileEntry};

use crate::app::browser::describe_js_error;

/// A dropped file and its path inside what was dropped.
pub struct DroppedFile {
    pub path: String,
    pub file: File,
}

/// What a drop holds, taken inside the drop handler: file system entries (files and folders),
/// and the files the browser gave no entry for (a scripted drop, for instance).
pub struct Dropped {
    entries: Vec<FileSystemEntry>,
    loose: Vec<File>,
}

impl Dropped {
    pub fn take(data: &DataTransfer) -> Dropped {
        let items = data.items();
        let (mut entries, mut loose) = (Vec::new(), Vec::new());
        for item in (0..items.length()).filter_map(|i| items.get(i)).filter(|item| item.kind() == "file") {
            match item.webkit_get_as_entry().ok().flatten() {
                Some(entry) => entries.push(entry),
                None => loose.extend(item.get_as_file().ok().flatten()),
            }
        }
        Dropped { entries, loose }
    }

    /// Every dropped file with its path, folders walked.
    pub async fn read(self) -> Result<Vec<DroppedFile>, String> {
        let mut files = read_entries(self.entries).await?;
        files.extend(self.loose.into_iter().map(|file| DroppedFile { path: file.name(), file }));
        Ok(files)
    }
}

/// Every file under `entries`, folders walked depth first, in a stable (sorted) order.
async fn read_entries(entries: Vec<FileSystemEntry>) -> Result<Vec<DroppedFile>, String> {
    let mut files = Vec::new();
    let mut stack = entries;
    while let Some(entry) = stack.pop() {
        if entry.is_directory() {
            stack.extend(directory_children(entry.unchecked_ref()).await?);
        } else if entry.is_file() {
            let file = entry_file(entry.unchecked_ref()).await?;
            files.push(DroppedFile { path: entry.full_path().trim_start_matches('/').to_string(), file });
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Calls a callback-style API as a promise: `start(success, failure)`.
async fn callback_promise(
    what: &str,
    start: impl FnOnce(&Function, &Function) -> Result<(), JsValue>,
) -> Result<JsValue, String> {
    let mut start = Some(start);
    let mut started = Ok(());
    let promise = Promise::new(&mut |resolve, reject| {
        if let Some(start) = start.take() {
            started = start(&resolve, &reject);
        }
    });
    started.map_err(|e| format!("{what}: {}", describe_js_error(&e)))?;
    JsFuture::from(promise).await.map_err(|e| format!("{what}: {}", describe_js_error(&e)))
}

/// A directory's entries: `readEntries` hands them out in batches until an empty one.
async fn directory_children(directory: &FileSystemDirectoryEntry) -> Result<Vec<FileSystemEntry>, String> {
    let reader = directory.create_reader();
    let what = format!("the browser could not list the dropped folder {}", directory.full_path());
    let mut children = Vec::new();
    loop {
        let batch =
            callback_promise(&what, |ok, fail| reader.read_entries_with_callback_and_callback(ok, fail)).await?;
        let batch = Array::from(&batch);
        if batch.length() == 0 {
            return Ok(children);
        }
        children.extend(batch.iter().map(|e| e.unchecked_into::<FileSystemEntry>()));
    }
}

async fn entry_file(entry: &FileSystemFileEntry) -> Result<File, String> {
    let what = format!("{}: the browser could not read this file", entry.full_path().trim_start_matches('/'));
    let file = callback_promise(&what, |ok, fail| {
        entry.file_with_callback_and_callback(ok, fail);
        Ok(())
    })
    .await?;
    Ok(file.unchecked_into())
}
