//! `recentcontact/delete` and `recentcontact/get_list`: a user's conversation list, from a
//! backend, with Tencent's field names.

use super::answer::{Fields, RestError};
use super::parse_body;
use crate::clock::unix_now;
use crate::service::Service;
use crate::store::{App, ConvRef, DeleteMode};
use serde::Deserialize;
use serde_json::{json, Value};
use tim_proto::rules::{check_group_id, check_user_id};
use tim_proto::{ConversationId, ErrorCode};

/// Conversations per `get_list` page.
pub const GET_LIST_PAGE: u32 = 100;

/// `Type` values.
const TYPE_C2C: u64 = 1;
const TYPE_GROUP: u64 = 2;

#[derive(Debug, Deserialize)]
struct DeleteBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "Type")]
    kind: u64,
    #[serde(rename = "To_Account", default)]
    to_account: Option<String>,
    #[serde(rename = "ToGroupid", default)]
    to_group_id: Option<String>,
    /// 1: the history goes too; 0 (the default, as the field is optional): only the entry.
    #[serde(rename = "ClearRamble", default)]
    clear_ramble: u64,
}

/// `POST /v4/recentcontact/delete` `{ From_Account, Type, To_Account | ToGroupid, ClearRamble }`.
/// The deletion reaches From_Account's live sessions when the app syncs deletions (all of them:
/// no session made this call).
pub async fn delete(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let args: DeleteBody = parse_body(body)?;
    let from = checked_id("From_Account", &args.from_account)?;
    let conv = match args.kind {
        TYPE_C2C => match &args.to_account {
            Some(to) => ConvRef::c2c(from, checked_id("To_Account", to)?),
            None => {
                return Err(RestError::bad_parameter(
                    "To_Account is required for Type 1 (C2C)",
                ))
            }
        },
        TYPE_GROUP => match &args.to_group_id {
            Some(group) => ConvRef::group(from, checked_group_id(group)?),
            None => {
                return Err(RestError::bad_parameter(
                    "ToGroupid is required for Type 2 (group)",
                ))
            }
        },
        other => {
            return Err(RestError::bad_parameter(format!(
                "Type must be 1 (C2C) or 2 (group), not {other}"
            )))
        }
    };
    let mode = match args.clear_ramble {
        0 => DeleteMode::KeepHistory,
        1 => DeleteMode::ClearHistory,
        other => {
            return Err(RestError::bad_parameter(format!(
                "ClearRamble must be 0 or 1, not {other}"
            )))
        }
    };
    require_user(service, app, from).await?;
    service.delete_for(app.sdk_app_id, conv, mode).await?;
    Ok(Fields::new())
}

#[derive(Debug, Deserialize)]
struct GetListBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "TimeStamp", default)]
    time_stamp: u64,
    #[serde(rename = "StartIndex", default)]
    start_index: u64,
    #[serde(rename = "TopTimeStamp", default)]
    top_time_stamp: u64,
    #[serde(rename = "TopStartIndex", default)]
    _top_start_index: u64,
    #[serde(rename = "AssistFlags", default)]
    _assist_flags: u64,
}

/// `POST /v4/recentcontact/get_list`: pages of [`GET_LIST_PAGE`] in list order (most recent
/// first). `StartIndex` is the offset of the page; the answer's `StartIndex` is the next
/// page's (0 once `CompleteFlag` is 1). `TopFlag` is 1 for a pinned conversation (listed first).
pub async fn get_list(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let args: GetListBody = parse_body(body)?;
    let from = checked_id("From_Account", &args.from_account)?;
    require_user(service, app, from).await?;
    let slice = service
        .conversation_slice(app.sdk_app_id, from, args.start_index, GET_LIST_PAGE)
        .await?;
    let items: Vec<Value> = slice
        .conversations
        .iter()
        .filter_map(|c| match ConversationId::parse(&c.conversation_id) {
            Ok(ConversationId::C2c(peer)) => Some(json!({
                "Type": TYPE_C2C,
                "To_Account": peer,
                "MsgTime": c.last_message.as_ref().map_or(c.update_time, |m| m.time),
                "TopFlag": u8::from(c.pinned),
            })),
            Ok(ConversationId::Group(group)) => Some(json!({
                "Type": TYPE_GROUP,
                "GroupId": group,
                "MsgTime": c.last_message.as_ref().map_or(c.update_time, |m| m.time),
                "TopFlag": u8::from(c.pinned),
            })),
            // @TIM#SYSTEM is not a recent contact in Tencent's list either.
            _ => None,
        })
        .collect();
    let next = if slice.complete {
        0
    } else {
        args.start_index
            .saturating_add(slice.conversations.len() as u64)
    };
    let now = u64::try_from(unix_now()).unwrap_or(0);
    let or_now = |t: u64| if t == 0 { now } else { t };
    let mut fields = Fields::new();
    fields.insert("SessionItem".into(), Value::Array(items));
    fields.insert("CompleteFlag".into(), u8::from(slice.complete).into());
    fields.insert("TimeStamp".into(), or_now(args.time_stamp).into());
    fields.insert("StartIndex".into(), next.into());
    fields.insert("TopTimeStamp".into(), or_now(args.top_time_stamp).into());
    fields.insert("TopStartIndex".into(), 0.into());
    Ok(fields)
}

pub(super) fn checked_id<'a>(field: &str, id: &'a str) -> Result<&'a str, RestError> {
    check_user_id(field, id).map_err(|r| RestError::bad_parameter(r.message))?;
    Ok(id)
}

fn checked_group_id(id: &str) -> Result<&str, RestError> {
    check_group_id(id)
        .map_err(|r| RestError::bad_parameter(format!("ToGroupid: {}", r.message)))?;
    Ok(id)
}

pub(super) async fn require_user(
    service: &Service,
    app: &App,
    user_id: &str,
) -> Result<(), RestError> {
    if service.user_exists(app.sdk_app_id, user_id).await? {
        Ok(())
    } else {
        Err(RestError::new(
            ErrorCode::RestAccountNotFound,
            format!("From_Account {user_id} is not a user of this app"),
        ))
    }
}
