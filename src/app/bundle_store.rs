//! Where loaded model bundles are kept: IndexedDB, so they survive a reload, a restart and
//! offline use. Used by the inference worker (IndexedDB works in workers), which owns the
//! models. Each bundle is stored as the stored-mode zip of its files under its id.

use idb::{Database, Factory, ObjectStoreParams, Query, TransactionMode};
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

const DATABASE: &str = "tsak-models";
const VERSION: u32 = 1;
const BUNDLES: &str = "bundles";

fn describe(error: impl std::fmt::Display) -> String {
    format!("the browser's storage (IndexedDB): {error}")
}

/// The browser's store of loaded bundles.
pub struct BundleStore {
    db: Database,
}

impl BundleStore {
    pub async fn open() -> Result<Self, String> {
        let factory = Factory::new().map_err(describe)?;
        let mut request = factory.open(DATABASE, Some(VERSION)).map_err(describe)?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = idb::DatabaseEvent::database(&event) else { return };
            if !db.store_names().iter().any(|n| n == BUNDLES) {
                let _ = db.create_object_store(BUNDLES, ObjectStoreParams::new());
            }
        });
        Ok(Self { db: request.await.map_err(describe)? })
    }

    /// Every kept bundle: its id and zip bytes.
    pub async fn all(&self) -> Result<Vec<(String, Vec<u8>)>, String> {
        let tx = self.db.transaction(&[BUNDLES], TransactionMode::ReadOnly).map_err(describe)?;
        let store = tx.object_store(BUNDLES).map_err(describe)?;
        let keys = store.get_all_keys(None, None).map_err(describe)?.await.map_err(describe)?;
        let values = store.get_all(None, None).map_err(describe)?.await.map_err(describe)?;
        keys.into_iter()
            .zip(values)
            .map(|(key, value)| {
                let id = key.as_string().ok_or_else(|| describe("a kept bundle has no name"))?;
                let bytes =
                    value.dyn_into::<Uint8Array>().map_err(|_| describe(format!("bundle {id} is not bytes")))?;
                Ok((id, bytes.to_vec()))
            })
            .collect()
    }

    /// Keeps a bundle's zip under `id` (replacing one of the same id).
    pub async fn put(&self, id: &str, zip: &[u8]) -> Result<(), String> {
        let tx = self.db.transaction(&[BUNDLES], TransactionMode::ReadWrite).map_err(describe)?;
        let value = Uint8Array::from(zip);
        tx.object_store(BUNDLES)
            .map_err(describe)?
            .put(&value, Some(&JsValue::from_str(id)))
            .map_err(describe)?
            .await
            .map_err(describe)?;
        let done = tx.commit().map_err(describe)?.await.map_err(describe)?;
        if done.is_committed() { Ok(()) } else { Err(describe("keeping the bundle was aborted")) }
    }

    pub async fn delete(&self, id: &str) -> Result<(), String> {
        let tx = self.db.transaction(&[BUNDLES], TransactionMode::ReadWrite).map_err(describe)?;
        tx.object_store(BUNDLES)
            .map_err(describe)?
            .delete(Query::from(JsValue::from_str(id)))
            .map_err(describe)?
            .await
            .map_err(describe)?;
        let done = tx.commit().map_err(describe)?.await.map_err(describe)?;
        if done.is_committed() { Ok(()) } else { Err(describe("removing the bundle was aborted")) }
    }
}
