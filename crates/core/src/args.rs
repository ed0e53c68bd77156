//! Checks the arguments of SDK calls (as JSON values converted from JS) and turns them into typed
//! values, or into a coded error that says what was wrong. Nothing is sent when a check fails.

use crate::batch::BatchDeleted;
use crate::constants::types;
use crate::error::SdkError;
use crate::value_type::type_name;
use serde_json::Value;
use tim_proto::conversation_id::{C2C_PREFIX, GROUP_PREFIX};
use tim_proto::frame::ReadScope;
use tim_proto::limits::{DEFAULT_PAGE_COUNT, MAX_PAGE_COUNT};
use tim_proto::rules::{check_batch_delete_len, check_user_id};
use tim_proto::{ConversationId, ErrorCode};

/// Default time to wait for a reply, as Tencent's SDK does.
pub const DEFAULT_TIMEOUT_MS: u32 = 15_000;

#[derive(Debug, Clone, PartialEq)]
pub struct CreateOptions {
    pub sdk_app_id: u64,
    pub server: Option<String>,
    pub timeout_ms: u32,
    /// Keep the list, recent messages and unsent deletions in IndexedDB (default true).
    pub cache: bool,
    /// deleteConversation while disconnected applies locally and is sent later (default true);
    /// false gives the documented network error instead.
    pub offline_deletion: bool,
}

/// `TIM.create(options)`: `None` means "no instance", as the documented API returns null.
pub fn create_options(v: &Value) -> Option<CreateOptions> {
    let sdk_app_id = v.get("SDKAppID")?.as_u64().filter(|&id| id > 0)?;
    let server = match v.get("server") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return None,
    };
    let timeout_ms = match v.get("timeout") {
        None | Some(Value::Null) => DEFAULT_TIMEOUT_MS,
        Some(t) => t.as_u64().filter(|&t| t > 0 && t <= 600_000)? as u32,
    };
    let flag = |name: &str| match v.get(name) {
        None | Some(Value::Null) => Some(true),
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => None,
    };
    Some(CreateOptions {
        sdk_app_id,
        server,
        timeout_ms,
        cache: flag("cache")?,
        offline_deletion: flag("offlineDeletion")?,
    })
}

/// The WebSocket URL: the `server` option (with `/ws` added when it has no path, and `http(s)://`
/// read as `ws(s)://`), or the page's own origin (`http:` → `ws:`, `https:` → `wss:`). The
/// package entry has refused options that are not such URLs at `TIM.create`.
pub fn server_url(option: Option<&str>, page_protocol: &str, page_host: &str) -> String {
    match option {
        Some(s) => {
            let ws = if let Some(rest) = s.strip_prefix("https://") {
                format!("wss://{rest}")
            } else if let Some(rest) = s.strip_prefix("http://") {
                format!("ws://{rest}")
            } else {
                s.to_owned()
            };
            let trimmed = ws.trim_end_matches('/');
            // What follows the first `://` (a byte search: no substring searcher in the SDK).
            let after_scheme = trimmed
                .as_bytes()
                .windows(3)
                .position(|w| w == b"://")
                .and_then(|i| trimmed.get(i + 3..))
                .unwrap_or(trimmed);
            if after_scheme.contains('/') {
                trimmed.to_owned()
            } else {
                format!("{trimmed}/ws")
            }
        }
        None => {
            let scheme = if page_protocol == "https:" {
                "wss"
            } else {
                "ws"
            };
            format!("{scheme}://{page_host}/ws")
        }
    }
}

pub fn login_args(v: &Value) -> Result<(String, String), SdkError> {
    let user_id = v
        .get("userID")
        .and_then(Value::as_str)
        .ok_or_else(|| SdkError::invalid("login needs { userID: string, userSig: string }"))?;
    check_user_id("userID", user_id)?;
    let user_sig = v
        .get("userSig")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| SdkError::invalid("login needs a non-empty userSig string"))?;
    Ok((user_id.to_owned(), user_sig.to_owned()))
}

/// A single conversation ID argument: every malformed value is 2503.
pub fn conversation_id(v: &Value) -> Result<ConversationId, SdkError> {
    let s = v.as_str().ok_or_else(|| {
        SdkError::new(
            ErrorCode::InvalidConversationId,
            format!("conversationID must be a string, got {}", type_name(v)),
        )
    })?;
    ConversationId::parse(s).map_err(|e| {
        SdkError::new(
            ErrorCode::InvalidConversationId,
            format!("invalid conversationID {s:?}: {e}"),
        )
    })
}

/// What `deleteConversation` was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum DeleteArg {
    /// `deleteConversation(conversationID)`: history is cleared too.
    One(ConversationId),
    /// `deleteConversation({ conversationIDList, clearHistoryMessage })`.
    Batch(BatchDelete),
}

#[derive(Debug, Clone, PartialEq)]
pub struct BatchDelete {
    /// The valid IDs, in the caller's order.
    pub valid: Vec<ConversationId>,
    /// The strings that are not conversation IDs, with why.
    pub invalid: Vec<(String, SdkError)>,
    pub clear_history: bool,
}

/// `deleteConversation(arg)`. The batch form: 1 to [`tim_proto::limits::MAX_BATCH_DELETE`] distinct strings
/// (more is refused, never truncated); IDs that are not valid are reported per ID, not fatal,
/// unless none is valid.
pub fn delete_arg(v: &Value) -> Result<DeleteArg, SdkError> {
    let Value::Object(map) = v else {
        return conversation_id(v).map(DeleteArg::One);
    };
    let list = match map.get("conversationIDList") {
        Some(Value::Array(list)) => list,
        _ => {
            return Err(SdkError::invalid(
                "deleteConversation takes a conversationID string or { conversationIDList: string[], clearHistoryMessage?: boolean }",
            ))
        }
    };
    check_batch_delete_len(list.len())?;
    let clear_history = match map.get("clearHistoryMessage") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(SdkError::invalid(format!(
                "clearHistoryMessage must be a boolean, got {}",
                type_name(other)
            )))
        }
    };
    // At most MAX_BATCH_DELETE strings: a list is enough to find a repeat.
    let mut seen: Vec<&str> = Vec::new();
    let mut batch = BatchDelete {
        valid: Vec::new(),
        invalid: Vec::new(),
        clear_history,
    };
    for item in list {
        let s = item.as_str().ok_or_else(|| {
            SdkError::invalid(format!(
                "conversationIDList must hold strings, it holds {}",
                type_name(item)
            ))
        })?;
        if seen.contains(&s) {
            return Err(SdkError::invalid(format!(
                "conversationIDList holds {s:?} twice"
            )));
        }
        seen.push(s);
        match conversation_id(item) {
            Ok(id) => batch.valid.push(id),
            Err(e) => batch.invalid.push((s.to_owned(), e)),
        }
    }
    if batch.valid.is_empty() {
        return Err(SdkError::new(
            ErrorCode::InvalidConversationId,
            "no valid conversationID in conversationIDList",
        )
        .with_data(BatchDeleted::new(Vec::new(), &batch.invalid)));
    }
    Ok(DeleteArg::Batch(batch))
}

/// `getConversationProfile(id)`, `setMessageRead({ conversationID })` and the like.
pub fn conversation_id_field(v: &Value) -> Result<ConversationId, SdkError> {
    match v.get("conversationID") {
        Some(id) => conversation_id(id),
        None => Err(SdkError::invalid("needs { conversationID: string }")),
    }
}

/// `setAllMessageRead(options?)`: `{ scope }` with a `TIM.TYPES.READ_ALL_*` value; no options
/// or no scope reads everything, as documented.
pub fn read_all_scope(v: &Value) -> Result<ReadScope, SdkError> {
    let scope = match v {
        Value::Null => None,
        Value::Object(o) => o.get("scope").filter(|s| !s.is_null()),
        _ => return Err(SdkError::invalid("takes { scope } or nothing")),
    };
    match scope.map(|s| s.as_str()) {
        None | Some(Some(types::READ_ALL_MSG)) => Ok(ReadScope::All),
        Some(Some(types::READ_ALL_C2C_MSG)) => Ok(ReadScope::C2c),
        Some(Some(types::READ_ALL_GROUP_MSG)) => Ok(ReadScope::Group),
        Some(_) => Err(SdkError::invalid(
            "scope must be TIM.TYPES.READ_ALL_MSG, READ_ALL_C2C_MSG or READ_ALL_GROUP_MSG",
        )),
    }
}

/// The conversation type a message to `to` goes to (C2C when not given), with `to` checked
/// against its rules. sendMessage calls it on the message's own fields (no JSON built for it).
pub fn message_target(conversation_type: Option<&str>, to: &str) -> Result<&'static str, SdkError> {
    Ok(match conversation_type {
        Some(C2C_PREFIX) | None => {
            check_user_id("to", to)?;
            C2C_PREFIX
        }
        Some(GROUP_PREFIX) => {
            crate::group_args::validate_group_id(to)?;
            GROUP_PREFIX
        }
        Some(other) => {
            return Err(SdkError::new(
                ErrorCode::UnknownConversationType,
                format!(
                    "conversationType {other:?} cannot be sent to: use TIM.TYPES.CONV_C2C or CONV_GROUP"
                ),
            ))
        }
    })
}

/// The shared text rule (80002 when too long), checked when sending as the documented SDK does.
pub fn check_text(text: &str) -> Result<(), SdkError> {
    Ok(tim_proto::rules::check_text(text)?)
}

#[derive(Debug, Clone, PartialEq)]
pub struct MessageListArgs {
    pub conversation_id: ConversationId,
    pub next_req_message_id: Option<String>,
    pub count: u32,
}

pub fn message_list_args(v: &Value) -> Result<MessageListArgs, SdkError> {
    let conversation_id = conversation_id_field(v)?;
    let next_req_message_id = match v.get("nextReqMessageID") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(SdkError::invalid(format!(
                "nextReqMessageID must be a string, got {}",
                type_name(other)
            )))
        }
    };
    let count = match v.get("count") {
        None | Some(Value::Null) => DEFAULT_PAGE_COUNT,
        Some(c) => c
            .as_u64()
            .filter(|&c| (1..=u64::from(MAX_PAGE_COUNT)).contains(&c))
            .ok_or_else(|| {
                SdkError::invalid(format!(
                    "count must be an integer from 1 to {MAX_PAGE_COUNT}"
                ))
            })? as u32,
    };
    Ok(MessageListArgs {
        conversation_id,
        next_req_message_id,
        count,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_all_scope_defaults_to_everything_and_refuses_unknown_scopes() {
        use serde_json::json;
        assert_eq!(read_all_scope(&Value::Null), Ok(ReadScope::All));
        assert_eq!(read_all_scope(&json!({})), Ok(ReadScope::All));
        assert_eq!(
            read_all_scope(&json!({ "scope": "readAllMessage" })),
            Ok(ReadScope::All)
        );
        assert_eq!(
            read_all_scope(&json!({ "scope": "readAllC2CMessage" })),
            Ok(ReadScope::C2c)
        );
        assert_eq!(
            read_all_scope(&json!({ "scope": "readAllGroupMessage" })),
            Ok(ReadScope::Group)
        );
        for bad in [
            json!({ "scope": "C2C" }),
            json!({ "scope": 1 }),
            json!("all"),
        ] {
            let e = read_all_scope(&bad).expect_err("refused");
            assert_eq!(e.code, ErrorCode::InvalidParameter, "{bad}");
        }
    }
    use serde_json::json;
    use tim_proto::limits::MAX_TEXT_BYTES;

    fn code<T: std::fmt::Debug>(r: Result<T, SdkError>) -> u32 {
        r.expect_err("should be refused").code.as_u32()
    }

    #[test]
    fn create_options_refuse_bad_app_ids() {
        assert!(create_options(&json!({"SDKAppID": 1400000001u64})).is_some());
        for bad in [
            json!(null),
            json!({}),
            json!({"SDKAppID": 0}),
            json!({"SDKAppID": -1}),
            json!({"SDKAppID": "14"}),
            json!({"SDKAppID": 1.5}),
        ] {
            assert_eq!(create_options(&bad), None, "{bad}");
        }
        let o = create_options(&json!({"SDKAppID": 7, "server": "ws://h:1", "timeout": 500}))
            .expect("valid");
        assert_eq!(o.timeout_ms, 500);
        assert_eq!(o.server.as_deref(), Some("ws://h:1"));
        assert!(o.cache && o.offline_deletion);
        let o = create_options(&json!({"SDKAppID": 7, "cache": false, "offlineDeletion": false}))
            .expect("valid");
        assert!(!o.cache && !o.offline_deletion);
        assert_eq!(create_options(&json!({"SDKAppID": 7, "cache": "no"})), None);
    }

    #[test]
    fn server_url_defaults_and_normalises() {
        assert_eq!(server_url(None, "http:", "h:8080"), "ws://h:8080/ws");
        assert_eq!(server_url(None, "https:", "h"), "wss://h/ws");
        assert_eq!(
            server_url(Some("ws://127.0.0.1:9"), "http:", "x"),
            "ws://127.0.0.1:9/ws"
        );
        assert_eq!(
            server_url(Some("ws://127.0.0.1:9/"), "http:", "x"),
            "ws://127.0.0.1:9/ws"
        );
        assert_eq!(
            server_url(Some("wss://h/chat/ws"), "http:", "x"),
            "wss://h/chat/ws"
        );
        assert_eq!(
            server_url(Some("https://h/chat/"), "http:", "x"),
            "wss://h/chat"
        );
        assert_eq!(
            server_url(Some("http://h:8080"), "https:", "x"),
            "ws://h:8080/ws"
        );
    }

    #[test]
    fn delete_arg_codes_for_every_bad_input() {
        for bad in [
            json!(null),
            json!(42),
            json!(""),
            json!("C2C"),
            json!("GROUP"),
            json!("abc"),
            json!(true),
            json!(["C2Cbob"]),
        ] {
            assert_eq!(code(delete_arg(&bad)), 2503, "{bad}");
        }
        assert_eq!(code(delete_arg(&json!({}))), 2100);
        assert_eq!(
            delete_arg(&json!("C2Cbob")),
            Ok(DeleteArg::One(ConversationId::C2c("bob".into())))
        );
        assert_eq!(
            delete_arg(&json!("@TIM#SYSTEM")),
            Ok(DeleteArg::One(ConversationId::System))
        );
    }

    #[test]
    fn batch_delete_limits_are_refused_never_truncated() {
        let ids = |n: usize| (0..n).map(|i| format!("C2Cu{i}")).collect::<Vec<_>>();
        let ok = delete_arg(&json!({"conversationIDList": ids(100)})).expect("100 is fine");
        let DeleteArg::Batch(b) = ok else {
            panic!("batch expected")
        };
        assert_eq!((b.valid.len(), b.clear_history), (100, true));
        assert_eq!(
            code(delete_arg(&json!({"conversationIDList": ids(101)}))),
            2100
        );
        assert_eq!(code(delete_arg(&json!({"conversationIDList": []}))), 2100);
        assert_eq!(
            code(delete_arg(&json!({"conversationIDList": ["C2Ca", "C2Ca"]}))),
            2100
        );
        assert_eq!(
            code(delete_arg(
                &json!({"conversationIDList": ["C2Ca"], "clearHistoryMessage": "no"})
            )),
            2100
        );
        assert_eq!(
            code(delete_arg(&json!({"conversationIDList": ["C2Ca", 7]}))),
            2100
        );
    }

    #[test]
    fn batch_delete_reports_invalid_ids_per_id() {
        let got = delete_arg(
            &json!({"conversationIDList": ["C2Ca", "abc", "C2C"], "clearHistoryMessage": false}),
        )
        .expect("one valid");
        let DeleteArg::Batch(b) = got else {
            panic!("batch expected")
        };
        assert_eq!(b.valid, vec![ConversationId::C2c("a".into())]);
        assert!(!b.clear_history);
        let invalid: Vec<_> = b
            .invalid
            .iter()
            .map(|(s, e)| (s.as_str(), e.code.as_u32()))
            .collect();
        assert_eq!(invalid, vec![("abc", 2503), ("C2C", 2503)]);
        let none_valid =
            delete_arg(&json!({"conversationIDList": ["abc"]})).expect_err("none valid");
        assert_eq!(none_valid.code.as_u32(), 2503);
        assert_eq!(
            none_valid.data.expect("data").failed[0].conversation_id,
            "abc"
        );
    }

    #[test]
    fn login_args_need_a_valid_user_and_a_sig() {
        assert!(login_args(&json!({"userID": "alice", "userSig": "s"})).is_ok());
        assert_eq!(code(login_args(&json!(null))), 2100);
        assert_eq!(code(login_args(&json!({"userID": "alice"}))), 2100);
        assert_eq!(
            code(login_args(&json!({"userID": "", "userSig": "s"}))),
            2100
        );
        assert_eq!(
            code(login_args(&json!({"userID": "alice", "userSig": ""}))),
            2100
        );
    }

    #[test]
    fn the_text_rule() {
        let long = "x".repeat(MAX_TEXT_BYTES + 1);
        assert_eq!(code(check_text(&long)), 80002);
        assert!(check_text(&"x".repeat(MAX_TEXT_BYTES)).is_ok());
    }

    #[test]
    fn message_list_args_defaults_and_limits() {
        let a = message_list_args(&json!({"conversationID": "C2Cbob"})).expect("valid");
        assert_eq!(a.count, DEFAULT_PAGE_COUNT);
        assert_eq!(a.next_req_message_id, None);
        let a = message_list_args(
            &json!({"conversationID": "C2Cbob", "nextReqMessageID": "m1", "count": 5}),
        )
        .expect("valid");
        assert_eq!((a.count, a.next_req_message_id.as_deref()), (5, Some("m1")));
        assert_eq!(
            code(message_list_args(
                &json!({"conversationID": "C2Cbob", "count": 0})
            )),
            2100
        );
        assert_eq!(
            code(message_list_args(
                &json!({"conversationID": "C2Cbob", "count": 1000})
            )),
            2100
        );
        assert_eq!(
            code(message_list_args(&json!({"conversationID": "x"}))),
            2503
        );
        assert_eq!(code(message_list_args(&json!({}))), 2100);
    }
}
