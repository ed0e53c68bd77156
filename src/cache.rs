//! The local cache in IndexedDB, one database per (SDKAppID, userID): the conversation list,
//! per-conversation deletion watermarks, recent messages, the outbox of deletions not yet
//! acknowledged, and the last applied event of the user's log. Tabs of the same user share it;
//! every write is one IndexedDB transaction, so a deletion's entry, its messages and its
//! watermark go together.

use crate::js;
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::Serialize;
use serde_json::Value;
use tim_core::outbox::OutboxEntry;
use tim_core::state::Dirty;
use tim_proto::decode::Obj;
use tim_proto::{WireConversation, WireMessage};
use wasm_bindgen::JsValue;

const CONVERSATIONS: &str = "conversations";
const MESSAGES: &str = "messages";
const WATERMARKS: &str = "watermarks";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const SNAPSHOT: [&str; 3] = [CONVERSATIONS, WATERMARKS, META];
const LAST_EVENT: &str = "lastEvent";
const VERIFIED: &str = "verified";

/// Recent messages kept per conversation.
pub const RECENT_MESSAGES: usize = 100;

pub type CacheResult<T> = Result<T, String>;

fn err(e: rexie::Error) -> String {
    format!("IndexedDB: {e}")
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct WatermarkRecord {
    #[serde(rename = "conversationID")]
    conversation_id: String,
    seq: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
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
}

pub struct Cache {
    db: Rexie,
}

/// A stored record as JSON; `None` when it is not one.
fn from_js(v: &JsValue) -> Option<Value> {
    serde_json::from_str(&js::json_text(v)?).ok()
}

/// A record this version cannot read is skipped, not fatal: the server has the truth.
fn decode<T>(values: Vec<JsValue>, read: impl Fn(Value) -> Option<T>) -> Vec<T> {
    values
        .into_iter()
        .filter_map(|v| read(from_js(&v)?))
        .collect()
}

impl WatermarkRecord {
    fn from_json(v: Value) -> Option<WatermarkRecord> {
        let mut o = Obj::new(v)?;
        Some(WatermarkRecord {
            conversation_id: o.string("conversationID")?,
            seq: o.u64("seq")?,
        })
    }
}

impl MessagesRecord {
    fn from_json(v: Value) -> Option<MessagesRecord> {
        let mut o = Obj::new(v)?;
        Some(MessagesRecord {
            conversation_id: o.string("conversationID")?,
            messages: o.list("messages", false, WireMessage::from_json)?,
        })
    }
}

impl Cache {
    pub async fn open(sdk_app_id: u64, user_id: &str) -> CacheResult<Cache> {
        let db = Rexie::builder(&format!("tim-wasm/{sdk_app_id}/{user_id}"))
            .version(1)
            .add_object_store(ObjectStore::new(CONVERSATIONS).key_path("conversationID"))
            .add_object_store(ObjectStore::new(MESSAGES).key_path("conversationID"))
            .add_object_store(ObjectStore::new(WATERMARKS).key_path("conversationID"))
            .add_object_store(ObjectStore::new(OUTBOX).key_path("opId"))
            .add_object_store(ObjectStore::new(META))
            .build()
            .await
            .map_err(err)?;
        Ok(Cache { db })
    }

    pub async fn load(&self) -> CacheResult<Snapshot> {
        let tx = self
            .db
            .transaction(&SNAPSHOT, TransactionMode::ReadOnly)
            .map_err(err)?;
        let get_all = |name: &'static str| {
            let store = tx.store(name);
            async move { store.map_err(err)?.get_all(None, None).await.map_err(err) }
        };
        let conversations = decode(get_all(CONVERSATIONS).await?, WireConversation::from_json);
        let watermarks = decode(get_all(WATERMARKS).await?, WatermarkRecord::from_json)
            .into_iter()
            .map(|w| (w.conversation_id, w.seq))
            .collect();
        let meta = tx.store(META).map_err(err)?;
        let last_event = meta
            .get(LAST_EVENT.into())
            .await
            .map_err(err)?
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0) as u64;
        let verified = meta
            .get(VERIFIED.into())
            .await
            .map_err(err)?
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        Ok(Snapshot {
            verified,
            last_event,
            conversations,
            watermarks,
        })
    }

    /// Writes one tick's changes (and the last applied event) in one transaction. A removed
    /// conversation's cached messages go with it.
    pub async fn write(&self, dirty: Dirty, last_event: u64, verified: bool) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(
                &[CONVERSATIONS, MESSAGES, WATERMARKS, META],
                TransactionMode::ReadWrite,
            )
            .map_err(err)?;
        let conversations = tx.store(CONVERSATIONS).map_err(err)?;
        let messages = tx.store(MESSAGES).map_err(err)?;
        if dirty.full {
            conversations.clear().await.map_err(err)?;
        }
        for c in &dirty.upserts {
            conversations.put(&js::to_js(c), None).await.map_err(err)?;
        }
        for id in &dirty.removed {
            conversations
                .delete(id.as_str().into())
                .await
                .map_err(err)?;
            messages.delete(id.as_str().into()).await.map_err(err)?;
        }
        let watermarks = tx.store(WATERMARKS).map_err(err)?;
        for (id, seq) in dirty.watermarks {
            let record = WatermarkRecord {
                conversation_id: id.clone(),
                seq,
            };
            watermarks
                .put(&js::to_js(&record), None)
                .await
                .map_err(err)?;
            // Cached messages at or below a new watermark are gone for this user.
            trim_messages(&messages, &id, seq).await?;
        }
        let meta = tx.store(META).map_err(err)?;
        meta.put(&JsValue::from(last_event as f64), Some(&LAST_EVENT.into()))
            .await
            .map_err(err)?;
        if verified {
            meta.put(&JsValue::TRUE, Some(&VERIFIED.into()))
                .await
                .map_err(err)?;
        }
        tx.done().await.map_err(err)?;
        Ok(())
    }

    pub async fn outbox_put(&self, entry: &OutboxEntry) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadWrite)
            .map_err(err)?;
        tx.store(OUTBOX)
            .map_err(err)?
            .put(&js::to_js(entry), None)
            .await
            .map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    pub async fn outbox_delete(&self, op_id: &str) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadWrite)
            .map_err(err)?;
        tx.store(OUTBOX)
            .map_err(err)?
            .delete(op_id.into())
            .await
            .map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    pub async fn outbox(&self) -> CacheResult<Vec<OutboxEntry>> {
        let tx = self
            .db
            .transaction(&[OUTBOX], TransactionMode::ReadOnly)
            .map_err(err)?;
        let mut entries = decode(
            tx.store(OUTBOX)
                .map_err(err)?
                .get_all(None, None)
                .await
                .map_err(err)?,
            OutboxEntry::from_json,
        );
        entries.sort_by(|a, b| a.created_ms.total_cmp(&b.created_ms));
        Ok(entries)
    }

    /// Adds messages to a conversation's recent messages (kept sorted, without repeats, the newest
    /// [`RECENT_MESSAGES`]); messages at or below its watermark are left out.
    pub async fn add_messages(
        &self,
        conversation_id: &str,
        new: Vec<WireMessage>,
    ) -> CacheResult<()> {
        let tx = self
            .db
            .transaction(&[MESSAGES, WATERMARKS], TransactionMode::ReadWrite)
            .map_err(err)?;
        let watermark = read_watermark(&tx, conversation_id).await?;
        let messages = tx.store(MESSAGES).map_err(err)?;
        let mut list = read_messages(&messages, conversation_id).await?;
        list.extend(new.into_iter().filter(|m| m.seq > watermark));
        list.sort_by_key(|m| m.seq);
        list.dedup_by_key(|m| m.seq);
        let skip = list.len().saturating_sub(RECENT_MESSAGES);
        let record = MessagesRecord {
            conversation_id: conversation_id.to_owned(),
            messages: list.split_off(skip),
        };
        messages.put(&js::to_js(&record), None).await.map_err(err)?;
        tx.done().await.map_err(err)?;
        Ok(())
    }

    /// The cached recent messages of a conversation above its watermark, oldest first.
    pub async fn messages(&self, conversation_id: &str) -> CacheResult<Vec<WireMessage>> {
        let tx = self
            .db
            .transaction(&[MESSAGES, WATERMARKS], TransactionMode::ReadOnly)
            .map_err(err)?;
        let watermark = read_watermark(&tx, conversation_id).await?;
        let list = read_messages(&tx.store(MESSAGES).map_err(err)?, conversation_id).await?;
        Ok(list.into_iter().filter(|m| m.seq > watermark).collect())
    }
}

async fn read_watermark(tx: &rexie::Transaction, conversation_id: &str) -> CacheResult<u64> {
    let v = tx
        .store(WATERMARKS)
        .map_err(err)?
        .get(conversation_id.into())
        .await
        .map_err(err)?;
    Ok(v.and_then(|v| WatermarkRecord::from_json(from_js(&v)?))
        .map_or(0, |w| w.seq))
}

async fn read_messages(
    store: &rexie::Store,
    conversation_id: &str,
) -> CacheResult<Vec<WireMessage>> {
    let v = store.get(conversation_id.into()).await.map_err(err)?;
    Ok(v.and_then(|v| MessagesRecord::from_json(from_js(&v)?))
        .map_or_else(Vec::new, |r| r.messages))
}

async fn trim_messages(
    store: &rexie::Store,
    conversation_id: &str,
    watermark: u64,
) -> CacheResult<()> {
    let mut list = read_messages(store, conversation_id).await?;
    let before = list.len();
    list.retain(|m| m.seq > watermark);
    if list.len() == before {
        return Ok(());
    }
    let record = MessagesRecord {
        conversation_id: conversation_id.to_owned(),
        messages: list,
    };
    store.put(&js::to_js(&record), None).await.map_err(err)?;
    Ok(())
}
