//! The local cache in IndexedDB, one database per (SDKAppID, userID): the conversation list,
//! per-conversation deletion watermarks, recent messages, the outbox of deletions not yet
//! acknowledged, and the last applied event of the user's log. Tabs of the same user share it;
//! every write is one IndexedDB transaction, so a deletion's entry, its messages and its
//! watermark go together. Plain `web_sys` IndexedDB: writes are queued in their transaction
//! without waiting for each, and reads and commits are awaited through one Promise adapter.

use crate::js;
use js_sys::{Array, Function, Promise};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tim_core::outbox::{self, OutboxEntry};
use tim_core::recent;
use tim_core::state::Dirty;
use tim_proto::{WireConversation, WireMessage};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DomException, IdbDatabase, IdbObjectStore, IdbObjectStoreParameters, IdbOpenDbRequest,
    IdbRequest, IdbTransaction, IdbTransactionMode,
};

const CONVERSATIONS: &str = "conversations";
const MESSAGES: &str = "messages";
const WATERMARKS: &str = "watermarks";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const SNAPSHOT: [&str; 3] = [CONVERSATIONS, WATERMARKS, META];
const LAST_EVENT: &str = "lastEvent";
const VERIFIED: &str = "verified";
const FILE_QUERY: &str = "fileQuery";

pub type CacheResult<T> = Result<T, String>;

/// `IndexedDB: <name>: <message>` of a failed request or transaction.
fn err(e: Option<DomException>) -> String {
    let mut s = String::from("IndexedDB: ");
    match e {
        Some(e) => {
            s.push_str(&e.name());
            s.push_str(": ");
            s.push_str(&e.message());
        }
        None => s.push_str("failed"),
    }
    s
}

/// A call that threw (closed database, unknown store).
fn thrown(e: JsValue) -> String {
    err(e.dyn_into::<DomException>().ok())
}

/// `{ conversationID, seq }`.
#[derive(Serialize, Deserialize)]
struct WatermarkRecord {
    #[serde(rename = "conversationID")]
    conversation_id: String,
    seq: u64,
}

/// `{ conversationID, messages }`.
#[derive(Serialize, Deserialize)]
struct MessagesRecord {
    #[serde(rename = "conversationID")]
    conversation_id: String,
    messages: Vec<WireMessage>,
}

/// What the cache held at login.
#[derive(Default)]
pub struct Snapshot {
    /// The server accepted this user's login before on this browser.
    pub verified: bool,
    pub last_event: u64,
    pub conversations: Vec<WireConversation>,
    pub watermarks: Vec<(String, u64)>,
    /// The last login answer's `fileQuery` (the file ticket), '' for none.
    pub file_query: String,
}

pub struct Cache {
    db: IdbDatabase,
}

/// Waits for `target`'s success (`complete` for a transaction) or failure; one Promise per wait.
async fn settle(target: &JsValue, success: &str, failure: &[&str]) -> Result<(), ()> {
    let promise = Promise::new(&mut |resolve: Function, reject: Function| {
        let _ = js_sys::Reflect::set(target, &success.into(), &resolve);
        for name in failure {
            let _ = js_sys::Reflect::set(target, &(*name).into(), &reject);
        }
    });
    JsFuture::from(promise).await.map(|_| ()).map_err(|_| ())
}

/// A request's result, `None` for `undefined` (no such record).
async fn result(req: Result<IdbRequest, JsValue>) -> CacheResult<Option<JsValue>> {
    let req = req.map_err(thrown)?;
    if settle(&req, "onsuccess", &["onerror"]).await.is_err() {
        return Err(err(req.error().ok().flatten()));
    }
    Ok(req.result().ok().filter(|v| !v.is_undefined()))
}

/// Every record of a store.
async fn get_all(store: &IdbObjectStore) -> CacheResult<Vec<JsValue>> {
    Ok(result(store.get_all())
        .await?
        .map(|v| Array::from(&v).to_vec())
        .unwrap_or_default())
}

/// Queues a write in its transaction; a failure fails the transaction's commit.
fn queued(req: Result<IdbRequest, JsValue>) -> CacheResult<()> {
    req.map(|_| ()).map_err(thrown)
}

fn put(store: &IdbObjectStore, value: &impl Serialize) -> CacheResult<()> {
    queued(store.put(&js::to_js(value)))
}

/// Waits for the transaction to commit.
async fn done(tx: &IdbTransaction) -> CacheResult<()> {
    match settle(tx, "oncomplete", &["onerror", "onabort"]).await {
        Ok(()) => Ok(()),
        Err(()) => Err(err(tx.error())),
    }
}

fn store(tx: &IdbTransaction, name: &str) -> CacheResult<IdbObjectStore> {
    tx.object_store(name).map_err(thrown)
}

/// A record this version cannot read is skipped, not fatal: the server has the truth.
fn decode<T: DeserializeOwned>(values: Vec<JsValue>) -> Vec<T> {
    values.iter().filter_map(js::from_record).collect()
}

impl Cache {
    pub async fn open(sdk_app_id: u64, user_id: &str) -> CacheResult<Cache> {
        let factory = web_sys::window()
            .and_then(|w| w.indexed_db().ok().flatten())
            .ok_or_else(|| err(None))?;
        let mut name = String::from("tim-wasm/");
        name.push_str(&sdk_app_id.to_string());
        name.push('/');
        name.push_str(user_id);
        let req: IdbOpenDbRequest = factory.open_with_u32(&name, 1).map_err(thrown)?;
        let upgrade = {
            let req = req.clone();
            Closure::<dyn FnMut()>::new(move || {
                let Ok(db) = req.result().and_then(|db| db.dyn_into::<IdbDatabase>()) else {
                    return;
                };
                for (store, key_path) in [
                    (CONVERSATIONS, Some("conversationID")),
                    (MESSAGES, Some("conversationID")),
                    (WATERMARKS, Some("conversationID")),
                    (OUTBOX, Some("opId")),
                    (META, None),
                ] {
                    let params = IdbObjectStoreParameters::new();
                    if let Some(key_path) = key_path {
                        params.set_key_path(&key_path.into());
                    }
                    // A failure here aborts the upgrade, and the open fails.
                    let _ = db.create_object_store_with_optional_parameters(store, &params);
                }
            })
        };
        req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = result(Ok(req.clone().into())).await;
        req.set_onupgradeneeded(None);
        let db = db?
            .and_then(|db| db.dyn_into::<IdbDatabase>().ok())
            .ok_or_else(|| err(None))?;
        Ok(Cache { db })
    }

    fn transaction(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
    ) -> CacheResult<IdbTransaction> {
        let names: Array = stores.iter().map(|s| JsValue::from(*s)).collect();
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(thrown)
    }

    pub async fn load(&self) -> CacheResult<Snapshot> {
        let tx = self.transaction(&SNAPSHOT, IdbTransactionMode::Readonly)?;
        let conversations: Vec<WireConversation> =
            decode(get_all(&store(&tx, CONVERSATIONS)?).await?);
        let watermarks = decode::<WatermarkRecord>(get_all(&store(&tx, WATERMARKS)?).await?)
            .into_iter()
            .map(|w| (w.conversation_id, w.seq))
            .collect();
        let meta = store(&tx, META)?;
        let last_event = result(meta.get(&LAST_EVENT.into()))
            .await?
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u64;
        let verified = result(meta.get(&VERIFIED.into()))
            .await?
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let file_query = result(meta.get(&FILE_QUERY.into()))
            .await?
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        Ok(Snapshot {
            verified,
            last_event,
            conversations,
            watermarks,
            file_query,
        })
    }

    /// Writes one tick's changes (and the last applied event, whether the server accepted the
    /// login, and the login answer's `fileQuery` when it came: kept so the links of what the
    /// next login shows from the cache work before its answer; '' forgets it) in one
    /// transaction. A removed conversation's cached messages go with it.
    pub async fn write(
        &self,
        dirty: Dirty,
        (last_event, verified, file_query): (u64, bool, Option<String>),
    ) -> CacheResult<()> {
        let tx = self.transaction(
            &[CONVERSATIONS, MESSAGES, WATERMARKS, META],
            IdbTransactionMode::Readwrite,
        )?;
        let conversations = store(&tx, CONVERSATIONS)?;
        let messages = store(&tx, MESSAGES)?;
        if dirty.full {
            queued(conversations.clear())?;
        }
        for c in &dirty.upserts {
            put(&conversations, c)?;
        }
        for id in &dirty.removed {
            let key = JsValue::from(id.as_str());
            queued(conversations.delete(&key))?;
            queued(messages.delete(&key))?;
        }
        let watermarks = store(&tx, WATERMARKS)?;
        for (id, seq) in dirty.watermarks {
            put(
                &watermarks,
                &WatermarkRecord {
                    conversation_id: id.clone(),
                    seq,
                },
            )?;
            // Cached messages at or below a new watermark are gone for this user.
            trim_messages(&messages, &id, seq).await?;
        }
        let meta = store(&tx, META)?;
        queued(meta.put_with_key(&JsValue::from(last_event as f64), &LAST_EVENT.into()))?;
        if verified {
            queued(meta.put_with_key(&JsValue::TRUE, &VERIFIED.into()))?;
        }
        match file_query.as_deref() {
            None => {}
            Some("") => queued(meta.delete(&FILE_QUERY.into()))?,
            Some(q) => queued(meta.put_with_key(&q.into(), &FILE_QUERY.into()))?,
        }
        done(&tx).await
    }

    pub async fn outbox_put(&self, entry: &OutboxEntry) -> CacheResult<()> {
        let tx = self.transaction(&[OUTBOX], IdbTransactionMode::Readwrite)?;
        put(&store(&tx, OUTBOX)?, entry)?;
        done(&tx).await
    }

    pub async fn outbox_delete(&self, op_id: &str) -> CacheResult<()> {
        let tx = self.transaction(&[OUTBOX], IdbTransactionMode::Readwrite)?;
        queued(store(&tx, OUTBOX)?.delete(&op_id.into()))?;
        done(&tx).await
    }

    pub async fn outbox(&self) -> CacheResult<Vec<OutboxEntry>> {
        let tx = self.transaction(&[OUTBOX], IdbTransactionMode::Readonly)?;
        let mut entries: Vec<OutboxEntry> = decode(get_all(&store(&tx, OUTBOX)?).await?);
        outbox::oldest_first(&mut entries);
        Ok(entries)
    }

    /// Adds messages to a conversation's recent messages (kept sorted, without repeats, the newest
    /// `tim_core::recent::RECENT_MESSAGES`); messages at or below its watermark are left out.
    pub async fn add_messages(
        &self,
        conversation_id: &str,
        new: Vec<WireMessage>,
    ) -> CacheResult<()> {
        let tx = self.transaction(&[MESSAGES, WATERMARKS], IdbTransactionMode::Readwrite)?;
        let watermark = read_watermark(&tx, conversation_id).await?;
        let messages = store(&tx, MESSAGES)?;
        let cached = read_messages(&messages, conversation_id).await?;
        put(
            &messages,
            &MessagesRecord {
                conversation_id: conversation_id.to_owned(),
                messages: recent::merge(new, cached, watermark),
            },
        )?;
        done(&tx).await
    }

    /// The cached recent messages of a conversation above its watermark, oldest first.
    pub async fn messages(&self, conversation_id: &str) -> CacheResult<Vec<WireMessage>> {
        let tx = self.transaction(&[MESSAGES, WATERMARKS], IdbTransactionMode::Readonly)?;
        let watermark = read_watermark(&tx, conversation_id).await?;
        let list = read_messages(&store(&tx, MESSAGES)?, conversation_id).await?;
        Ok(list.into_iter().filter(|m| m.seq > watermark).collect())
    }
}

async fn read_watermark(tx: &IdbTransaction, conversation_id: &str) -> CacheResult<u64> {
    let v = result(store(tx, WATERMARKS)?.get(&conversation_id.into())).await?;
    Ok(v.and_then(|v| js::from_record::<WatermarkRecord>(&v))
        .map_or(0, |w| w.seq))
}

async fn read_messages(
    store: &IdbObjectStore,
    conversation_id: &str,
) -> CacheResult<Vec<WireMessage>> {
    let v = result(store.get(&conversation_id.into())).await?;
    Ok(v.and_then(|v| js::from_record::<MessagesRecord>(&v))
        .map_or_else(Vec::new, |r| r.messages))
}

async fn trim_messages(
    store: &IdbObjectStore,
    conversation_id: &str,
    watermark: u64,
) -> CacheResult<()> {
    let Some(list) = recent::trim(read_messages(store, conversation_id).await?, watermark) else {
        return Ok(());
    };
    put(
        store,
        &MessagesRecord {
            conversation_id: conversation_id.to_owned(),
            messages: list,
        },
    )
}
