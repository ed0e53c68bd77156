//! `profile/portrait_get` and `profile/portrait_set`: users' profiles, from a backend, by
//! Tencent's standard profile tags. Values are checked by the SDK's rules
//! (`tim_proto::rules::check_profile_patch`); a bad tag or value is Tencent's 40001.

use super::answer::{Fields, RestError};
use super::parse_body;
use super::recentcontact::checked_id;
use crate::service::Service;
use crate::store::App;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tim_proto::limits::MAX_PROFILE_QUERY;
use tim_proto::profile::ProfilePatch;
use tim_proto::rules::check_profile_patch;
use tim_proto::ErrorCode;

/// Tencent's standard profile tags and the Profile field each one is.
const TAGS: [(&str, &str); 12] = [
    ("Tag_Profile_IM_Nick", "nick"),
    ("Tag_Profile_IM_Gender", "gender"),
    ("Tag_Profile_IM_BirthDay", "birthday"),
    ("Tag_Profile_IM_Location", "location"),
    ("Tag_Profile_IM_SelfSignature", "selfSignature"),
    ("Tag_Profile_IM_AllowType", "allowType"),
    ("Tag_Profile_IM_Language", "language"),
    ("Tag_Profile_IM_Image", "avatar"),
    ("Tag_Profile_IM_MsgSettings", "messageSettings"),
    ("Tag_Profile_IM_AdminForbidType", "adminForbidType"),
    ("Tag_Profile_IM_Level", "level"),
    ("Tag_Profile_IM_Role", "role"),
];

fn field_of(tag: &str) -> Result<&'static str, RestError> {
    TAGS.iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            bad(format!(
                "unknown profile tag {tag:?} (custom tags are not supported)"
            ))
        })
}

fn bad(info: impl Into<String>) -> RestError {
    RestError::new(ErrorCode::ProfileInvalidParameter, info)
}

#[derive(Debug, Deserialize)]
struct Item {
    #[serde(rename = "Tag")]
    tag: String,
    #[serde(rename = "Value")]
    value: Value,
}

#[derive(Debug, Deserialize)]
struct SetBody {
    #[serde(rename = "From_Account")]
    from_account: String,
    #[serde(rename = "ProfileItem")]
    items: Vec<Item>,
}

/// `POST /v4/profile/portrait_set` `{ From_Account, ProfileItem: [{ Tag, Value }] }`: the fields
/// are set as by the user's own updateMyProfile (all or none), and every session of theirs gets
/// `profileUpdated`.
pub async fn set(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let args: SetBody = parse_body(body)?;
    let from = checked_id("From_Account", &args.from_account)?;
    let mut fields = Map::new();
    for item in args.items {
        fields.insert(field_of(&item.tag)?.to_owned(), item.value);
    }
    let patch: ProfilePatch = serde_json::from_value(Value::Object(fields))
        .map_err(|e| bad(format!("a Value of the wrong type: {e}")))?;
    check_profile_patch(&patch).map_err(|r| bad(r.message))?;
    match service.update_profile(app.sdk_app_id, from, patch).await? {
        Some(_) => Ok(Fields::new()),
        None => Err(RestError::new(
            ErrorCode::ProfileAccountNotFound,
            format!("From_Account {from} is not a user of this app"),
        )),
    }
}

#[derive(Debug, Deserialize)]
struct GetBody {
    #[serde(rename = "To_Account")]
    to_account: Vec<String>,
    #[serde(rename = "TagList")]
    tags: Vec<String>,
}

/// `POST /v4/profile/portrait_get` `{ To_Account: [...], TagList: [...] }` (1 to 100 users):
/// `UserProfileItem`, one per user in order, with the tags asked for (a field never set has its
/// default); a user the app does not know has `ResultCode` 40003 and is in `Fail_Account`.
pub async fn get(service: &Service, app: &App, body: Value) -> Result<Fields, RestError> {
    let args: GetBody = parse_body(body)?;
    if args.to_account.is_empty() || args.to_account.len() > MAX_PROFILE_QUERY {
        return Err(bad(format!(
            "To_Account holds {} users; name 1 to {MAX_PROFILE_QUERY}",
            args.to_account.len()
        )));
    }
    if args.tags.is_empty() {
        return Err(bad("TagList is empty"));
    }
    let fields: Vec<(&str, &str)> = args
        .tags
        .iter()
        .map(|t| field_of(t).map(|f| (t.as_str(), f)))
        .collect::<Result<_, _>>()?;
    for id in &args.to_account {
        checked_id("To_Account", id).map_err(|e| bad(e.info))?;
    }
    let found = service
        .profiles_of(app.sdk_app_id, args.to_account.clone())
        .await?;
    let mut items = Vec::new();
    let mut failed = Vec::new();
    for id in &args.to_account {
        let Some(profile) = found.iter().find(|p| &p.user_id == id) else {
            failed.push(Value::from(id.as_str()));
            items.push(json!({
                "To_Account": id, "ProfileItem": [], "ResultCode": ErrorCode::ProfileAccountNotFound.as_u32(),
                "ResultInfo": format!("{id} is not a user of this app"),
            }));
            continue;
        };
        let shown = serde_json::to_value(profile).map_err(crate::error::ApiError::internal)?;
        let profile_items: Vec<Value> = fields
            .iter()
            .map(|(tag, field)| json!({ "Tag": tag, "Value": shown[*field] }))
            .collect();
        items.push(json!({
            "To_Account": id, "ProfileItem": profile_items, "ResultCode": 0, "ResultInfo": "",
        }));
    }
    let mut out = Fields::new();
    out.insert("UserProfileItem".into(), Value::Array(items));
    if !failed.is_empty() {
        out.insert("Fail_Account".into(), Value::Array(failed));
    }
    Ok(out)
}
