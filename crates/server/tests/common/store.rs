//! A store on a fresh SQLite file with one app, for the tests that call the Store directly.

use std::path::PathBuf;
use tim_server::store::{App, SqliteStore, Store};

/// The store, its file's path, and the temp dir that owns the file (keep it alive).
pub fn open_store(sdk_app_id: u64, sync: bool) -> (tempfile::TempDir, PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tim.db");
    let store = SqliteStore::open(&path).expect("open");
    store
        .create_app(&App {
            sdk_app_id,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: sync,
            created_at: 0,
        })
        .expect("app");
    (dir, path, store)
}
