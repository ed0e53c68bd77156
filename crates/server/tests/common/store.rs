//! A store on a fresh SQLite file with one app, for the tests that call the Store directly.

use std::path::PathBuf;
use tim_server::store::{App, ConvRef, PageOutcome, SqliteStore, Store};

/// The store, its file's path, and the temp dir that owns the file (keep it alive).
pub fn open_store(sdk_app_id: u64, sync: bool) -> (tempfile::TempDir, PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tim.db");
    let store = SqliteStore::open(&path).expect("open");
    add_app(&store, sdk_app_id, sync);
    (dir, path, store)
}

/// Creates app `sdk_app_id` (secret `k`) with the deletion sync setting as given.
pub fn add_app(store: &SqliteStore, sdk_app_id: u64, sync: bool) {
    store
        .create_app(&App {
            sdk_app_id,
            secret_key: "k".into(),
            admin_identifier: "administrator".into(),
            sync_conversation_deletion: sync,
            created_at: 0,
        })
        .expect("app");
}

/// The IDs of the messages `owner` sees with `peer`, oldest first.
pub fn history(store: &SqliteStore, sdk_app_id: u64, owner: &str, peer: &str) -> Vec<String> {
    match store
        .messages(sdk_app_id, &ConvRef::c2c(owner, peer), None, 100)
        .expect("messages")
    {
        PageOutcome::Page(page) => page.messages.into_iter().map(|m| m.msg_id).collect(),
        PageOutcome::UnknownAnchor => panic!("no anchor was given"),
    }
}
