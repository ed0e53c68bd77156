//! How a [`Push`] is stored in a user's event log, the same for every engine: its `kind` and its
//! `value` as JSON, except a message, which stores only where it is ([`MESSAGE_AT`]) and is read
//! back from its thread on catch-up (a message is logged for every party, and copying it into
//! each entry was the biggest single cost of a send).

use super::{StoreError, StoreResult};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::borrow::Cow;
use tim_proto::{Push, WireMessage};

/// The kind of an entry that stores where a message is instead of the message.
pub const MESSAGE_AT: &str = "messageAt";

/// Where a logged message is, and the conversation it appeared in for the entry's user.
#[derive(Serialize, Deserialize)]
pub struct MessageAt<'a> {
    #[serde(rename = "c", borrow)]
    pub conversation_id: Cow<'a, str>,
    #[serde(rename = "k", borrow)]
    pub conv_key: Cow<'a, str>,
    #[serde(rename = "s")]
    pub seq: u64,
}

/// What a stored entry stands for, before a message entry is looked up in its thread.
// One per entry read, matched at once (as `Push` itself is not boxed).
#[allow(clippy::large_enum_variant)]
pub enum Stored<'a> {
    Push(Push),
    MessageAt(MessageAt<'a>),
}

/// `(kind, value as JSON)` of a push: the variant name and its fields, as protocol 1 carried it
/// (`kind`/`value`) and as every stored entry has it. Protocol 2 tags externally
/// (`{"kind":value}`, a unit variant as the bare `"kind"`, stored with a `null` value).
pub fn encode(push: &Push) -> StoreResult<(String, String)> {
    let bad = |why: &str| StoreError::Corrupt(format!("encoding an event: {why}"));
    match serde_json::to_value(push).map_err(|e| bad(&e.to_string()))? {
        Value::String(kind) => Ok((kind, Value::Null.to_string())),
        Value::Object(map) if map.len() == 1 => {
            let (kind, value) = map.into_iter().next().ok_or_else(|| bad("no kind"))?;
            Ok((kind, value.to_string()))
        }
        _ => Err(bad("not a tagged push")),
    }
}

/// The payload of a [`MESSAGE_AT`] entry for `message` of thread `conv_key`.
pub fn encode_message_at(conv_key: &str, message: &WireMessage) -> StoreResult<String> {
    let at = MessageAt {
        conversation_id: message.conversation_id.as_str().into(),
        conv_key: conv_key.into(),
        seq: message.seq,
    };
    serde_json::to_string(&at)
        .map_err(|e| StoreError::Corrupt(format!("encoding a message entry: {e}")))
}

/// Reads an entry back: the push itself, or where its message is.
pub fn decode<'a>(kind: &str, payload: &'a str) -> StoreResult<Stored<'a>> {
    let bad = |e: serde_json::Error| StoreError::Corrupt(format!("event of kind {kind}: {e}"));
    if kind == MESSAGE_AT {
        return Ok(Stored::MessageAt(
            serde_json::from_str(payload).map_err(bad)?,
        ));
    }
    let value: Value = serde_json::from_str(payload).map_err(bad)?;
    let tagged = match value {
        Value::Null => Value::String(kind.to_owned()),
        value => json!({ kind: value }),
    };
    let push = serde_json::from_value(tagged).map_err(bad)?;
    Ok(Stored::Push(push))
}
