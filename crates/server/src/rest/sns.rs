//! `sns/black_list_add`, `black_list_delete` and `black_list_get`: a user's blacklist, from a
//! backend, with Tencent's shapes. The same change as the user's own addToBlacklist /
//! removeFromBlacklist: every session of theirs gets `blacklistUpdated`.

use super::answer::{Fields, RestError};
use super::parse_body;
use super::recentcontact::{checked_id, require_user};
use crate::service::Service;
use crate::store::App;
use serde::Deserialize;
use serde_json::{json, Value};
use tim_proto::limits::{MAX_BLACKLIST, MAX_BLACKLIST_CHANGE};
use tim_proto::rules::BlacklistChange;
use tim_proto::user_id::validate_id;
use tim_proto::ErrorCode;

#[derive(Debug, Deserialize)]
struct ChangeBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
}

/// `POST /v4/sns/black_list_add` / `black_list_delete` `{ From_Account, To_Account: [...] }`
/// (1 to 1,000): `ResultItem` per user in order (`ResultCode` 0, or 30001 for an invalid ID,
/// one already in the list (add) or not in it (delete), or From_Account itself (add)) and
/// `Fail_Account`, the users that were not added (removed).
pub async fn change(
    service: &Service,
    app: &App,
    body: Value,
    change: BlacklistChange,
) -> Result<Fields, RestError> {
    let args: ChangeBody = parse_body(body)?;
    let from = checked_id("From_Account", &args.from_account)?;
    let n = args.to_account.len();
    if n == 0 || n > MAX_BLACKLIST_CHANGE {
        return Err(RestError::bad_parameter(format!(
            "To_Account holds {n} users; name 1 to {MAX_BLACKLIST_CHANGE}"
        )));
    }
    require_user(service, app, from).await?;
    let valid: Vec<String> = args
        .to_account
        .iter()
        .filter(|id| validate_id(id).is_ok() && !(change == BlacklistChange::Add && *id == from))
        .cloned()
        .collect();
    let changed = if valid.is_empty() {
        Vec::new()
    } else {
        service
            .blacklist_change(app.sdk_app_id, from, valid, change)
            .await?
            .changed
    };
    let why = match change {
        BlacklistChange::Add => "Err_SNS_BlackListAdd_Already_Exist or an invalid UserID",
        BlacklistChange::Remove => "Err_SNS_BlackListDelete_Not_Exist or an invalid UserID",
    };
    let mut items = Vec::with_capacity(n);
    let mut failed = Vec::new();
    let mut done = changed.iter().collect::<std::collections::HashSet<_>>();
    for id in &args.to_account {
        // A repeated ID succeeds once; its repeats fail like an ID already handled.
        if done.remove(id) {
            items.push(json!({ "To_Account": id, "ResultCode": 0, "ResultInfo": "" }));
        } else {
            failed.push(Value::from(id.as_str()));
            items.push(json!({
                "To_Account": id,
                "ResultCode": ErrorCode::SnsInvalidParameter.as_u32(),
                "ResultInfo": why,
            }));
        }
    }
    let mut out = Fields::new();
    out.insert("ResultItem".into(), Value::Array(items));
    out.insert("Fail_Account".into(), Value::Array(failed));
    Ok(out)
}

#[derive(Debug, Deserialize)]
struct GetBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "StartIndex", default)]
    start_index: u64,
    #[serde(rename = "MaxLimited")]
    max_limited: u64,
    #[serde(rename = "LastSequence", default)]
    _last_sequence: u64,
}

/// `POST /v4/sns/black_list_get` `{ From_Account, StartIndex, MaxLimited, LastSequence }`: a
/// page of `MaxLimited` (1 to 1,000) from `StartIndex`, in the order added, as `BlackListItem`
/// `[{ To_Account, AddBlackTimeStamp }]`; the answer's `StartIndex` is the next page's, 0 after
/// the last. `CurruentSequence` (Tencent's spelling) is the list's length: it changes when the
/// list does.
pub async fn get(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let args: GetBody = parse_body(body)?;
    let from = checked_id("From_Account", &args.from_account)?;
    let max = usize::try_from(args.max_limited).unwrap_or(usize::MAX);
    if max == 0 || max > MAX_BLACKLIST {
        return Err(RestError::bad_parameter(format!(
            "MaxLimited must be 1 to {MAX_BLACKLIST}"
        )));
    }
    require_user(service, app, from).await?;
    let list = service.blacklist_with_times(app.sdk_app_id, from).await?;
    let start = usize::try_from(args.start_index).unwrap_or(usize::MAX);
    let page: Vec<Value> = list
        .iter()
        .skip(start)
        .take(max)
        .map(|(id, at)| json!({ "To_Account": id, "AddBlackTimeStamp": at }))
        .collect();
    let next = start.saturating_add(page.len());
    let mut out = Fields::new();
    out.insert("BlackListItem".into(), Value::Array(page));
    out.insert(
        "StartIndex".into(),
        (if next >= list.len() { 0 } else { next }).into(),
    );
    out.insert("CurruentSequence".into(), list.len().into());
    Ok(out)
}
