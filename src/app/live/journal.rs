//! Where live recordings are kept while they grow: IndexedDB, whose transactions are durable,
//! so a reload, a closed tab or a crashed one loses at most the last unsaved second. Each save
//! writes the new chunk and the recording's updated summary in one transaction.
//!
//! Records are JSON strings (serde, the same types the native tests check) under explicit
//! keys: `recordings` by recording id, `chunks` by `[id, seq]`, so one recording's chunks are a
//! key range.

use idb::{Database, DatabaseEvent, Factory, KeyRange, ObjectStoreParams, Query, TransactionMode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;

use crate::live::recording::{Chunk, Recording, RecordingSummary};

const DATABASE: &str = "tsak-recordings";
const VERSION: u32 = 1;
const RECORDINGS: &str = "recordings";
const CHUNKS: &str = "chunks";

/// The browser's store of live recordings.
pub struct Journal {
    db: Database,
}

fn describe(error: impl std::fmt::Display) -> String {
    format!("the browser's storage (IndexedDB): {error}")
}

fn json<T: Serialize>(value: &T) -> JsValue {
    JsValue::from_str(&serde_json::to_string(value).expect("recording types serialise"))
}

fn parse<T: DeserializeOwned>(what: &str, value: &JsValue) -> Result<T, String> {
    let text = value.as_string().ok_or_else(|| format!("a saved {what} is not text"))?;
    serde_json::from_str(&text).map_err(|e| format!("a saved {what} is unreadable: {e}"))
}

fn chunk_key(id: &str, seq: u32) -> JsValue {
    js_sys::Array::of2(&JsValue::from_str(id), &JsValue::from(seq)).into()
}

/// Every chunk key of one recording.
fn chunk_range(id: &str) -> Result<Query, String> {
    KeyRange::bound(&chunk_key(id, 0), &chunk_key(id, u32::MAX), Some(false), Some(false))
        .map(Query::from)
        .map_err(describe)
}

impl Journal {
    pub async fn open() -> Result<Journal, String> {
        let factory = Factory::new().map_err(describe)?;
        let mut request = factory.open(DATABASE, Some(VERSION)).map_err(describe)?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else { return };
            for name in [RECORDINGS, CHUNKS] {
                if !db.store_names().iter().any(|n| n == name) {
                    let _ = db.create_object_store(name, ObjectStoreParams::new());
                }
            }
        });
        let db = request.await.map_err(describe)?;
        Ok(Journal { db })
    }

    /// Saves chunks (if any) and the recording's summary, atomically.
    pub async fn save(&self, summary: &RecordingSummary, chunks: &[Chunk]) -> Result<(), String> {
        let tx = self.db.transaction(&[RECORDINGS, CHUNKS], TransactionMode::ReadWrite).map_err(describe)?;
        let id = &summary.meta.id;
        // Every request is issued before awaiting any, so the transaction never sits idle.
        let store = tx.object_store(CHUNKS).map_err(describe)?;
        let chunk_puts = chunks
            .iter()
            .map(|chunk| store.put(&json(chunk), Some(&chunk_key(id, chunk.seq))).map_err(describe))
            .collect::<Result<Vec<_>, _>>()?;
        let summary_put = tx
            .object_store(RECORDINGS)
            .map_err(describe)?
            .put(&json(summary), Some(&JsValue::from_str(id)))
            .map_err(describe)?;
        for put in chunk_puts {
            put.await.map_err(describe)?;
        }
        summary_put.await.map_err(describe)?;
        let done = tx.commit().map_err(describe)?.await.map_err(describe)?;
        if done.is_committed() { Ok(()) } else { Err(describe("the save was aborted")) }
    }

    /// Every saved recording's summary, newest first.
    pub async fn list(&self) -> Result<Vec<RecordingSummary>, String> {
        let tx = self.db.transaction(&[RECORDINGS], TransactionMode::ReadOnly).map_err(describe)?;
        let store = tx.object_store(RECORDINGS).map_err(describe)?;
        let values = store.get_all(None, None).map_err(describe)?.await.map_err(describe)?;
        let mut list =
            values.iter().map(|v| parse::<RecordingSummary>("recording", v)).collect::<Result<Vec<_>, _>>()?;
        list.sort_by(|a, b| b.meta.origin_unix_ms.total_cmp(&a.meta.origin_unix_ms));
        Ok(list)
    }

    /// A saved recording with all its frames, read with its summary in one transaction: the
    /// listed summary may be older than the recording (resumed since, with new free labels).
    pub async fn load(&self, summary: &RecordingSummary) -> Result<Recording, String> {
        let id = &summary.meta.id;
        let tx = self.db.transaction(&[RECORDINGS, CHUNKS], TransactionMode::ReadOnly).map_err(describe)?;
        let fresh =
            tx.object_store(RECORDINGS).map_err(describe)?.get(Query::from(JsValue::from_str(id))).map_err(describe)?;
        let chunks =
            tx.object_store(CHUNKS).map_err(describe)?.get_all(Some(chunk_range(id)?), None).map_err(describe)?;
        let fresh = fresh.await.map_err(describe)?;
        let values = chunks.await.map_err(describe)?;
        let meta = match fresh {
            Some(value) => parse::<RecordingSummary>("recording", &value)?.meta,
            None => return Err(format!("recording \"{}\" is no longer in this browser", summary.meta.name)),
        };
        let chunks = values.iter().map(|v| parse::<Chunk>("chunk", v)).collect::<Result<Vec<_>, _>>()?;
        Recording::restore(meta, chunks)
            .map_err(|e| format!("recording \"{}\" cannot be read back: {e}", summary.meta.name))
    }

    /// Deletes a recording and its frames.
    pub async fn delete(&self, id: &str) -> Result<(), String> {
        let tx = self.db.transaction(&[RECORDINGS, CHUNKS], TransactionMode::ReadWrite).map_err(describe)?;
        let chunks = tx.object_store(CHUNKS).map_err(describe)?.delete(chunk_range(id)?).map_err(describe)?;
        let summary = tx
            .object_store(RECORDINGS)
            .map_err(describe)?
            .delete(Query::from(JsValue::from_str(id)))
            .map_err(describe)?;
        chunks.await.map_err(describe)?;
        summary.await.map_err(describe)?;
        let done = tx.commit().map_err(describe)?.await.map_err(describe)?;
        if done.is_committed() { Ok(()) } else { Err(describe("the deletion was aborted")) }
    }
}
