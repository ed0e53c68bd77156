//! setMessageRemindType: each user's setting per conversation, kept apart from the list row (a
//! deletion keeps it), reaching every session of the user through the event log; and the
//! settings filled into the conversations the user is sent.

use super::{Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use tim_proto::group_shape::Group;
use tim_proto::limits::MAX_REMIND_USERS;
use tim_proto::profile::to_text;
use tim_proto::rules::check_user_id;
use tim_proto::{remind, ConversationId, ErrorCode, Reply, WireConversation};

impl Service {
    /// `{ groupID | userIDList, messageRemindType }` as the app gave them (a passed-through call).
    pub(super) async fn set_message_remind_type(
        &self,
        who: &Identity,
        group_id: Option<String>,
        user_ids: Option<Vec<String>>,
        remind_type: String,
    ) -> Result<Reply, ApiError> {
        if !remind::is_valid(&remind_type) {
            return Err(invalid(format!(
                "messageRemindType must be AcceptAndNotify, AcceptNotNotify or Discard, not {remind_type:?}"
            )));
        }
        let (conversation_ids, data) = match (group_id, user_ids) {
            // A group's setting needs its membership, and answers with the group.
            (Some(group_id), None) => {
                let Reply::Group { group } = self.group_profile(who, &group_id).await? else {
                    return Err(ApiError::new(ErrorCode::Internal, "no group answer"));
                };
                if !group.is_member {
                    return Err(ApiError::new(
                        ErrorCode::GroupPermissionDenied,
                        format!("you are not a member of group {group_id}"),
                    ));
                }
                let group = Group::from_wire(&group, &who.user.user_id);
                let ids = vec![ConversationId::Group(group_id).to_string()];
                (ids, to_text(&serde_json::json!({ "group": group })))
            }
            (None, Some(user_ids)) => {
                let users = check_users(user_ids)?;
                let ids = users
                    .iter()
                    .map(|u| ConversationId::C2c(u.clone()).to_string())
                    .collect();
                let data =
                    serde_json::json!({ "successUserIDList": users, "failureUserIDList": [] });
                (ids, to_text(&data))
            }
            _ => return Err(invalid("give either a groupID or a userIDList".into())),
        };
        let (app, owner) = (who.user.sdk_app_id, who.user.user_id.clone());
        self.commit(app, None, move |s| {
            let event =
                s.set_remind_type(app, &owner, &conversation_ids, &remind_type, unix_now())?;
            Ok(((), event.into_iter().collect()))
        })
        .await?;
        Ok(Reply::Data(data))
    }

    /// `conversations` with the user's settings filled in (one store read for the whole list).
    pub(super) async fn with_remind_types(
        &self,
        who: &Identity,
        mut conversations: Vec<WireConversation>,
    ) -> Result<Vec<WireConversation>, ApiError> {
        if conversations.is_empty() {
            return Ok(conversations);
        }
        let (app, owner) = (who.user.sdk_app_id, who.user.user_id.clone());
        let set = self.blocking(move |s| s.remind_types(app, &owner)).await?;
        if set.is_empty() {
            return Ok(conversations);
        }
        let by_id: std::collections::HashMap<&str, &str> = set
            .iter()
            .map(|(id, kind)| (id.as_str(), kind.as_str()))
            .collect();
        for c in &mut conversations {
            if let Some(kind) = by_id.get(c.conversation_id.as_str()) {
                (*kind).clone_into(&mut c.remind_type);
            }
        }
        Ok(conversations)
    }
}

/// 1 to `MAX_REMIND_USERS` valid user IDs (2100 otherwise), each once, in the order given.
fn check_users(user_ids: Vec<String>) -> Result<Vec<String>, ApiError> {
    if user_ids.is_empty() || user_ids.len() > MAX_REMIND_USERS {
        return Err(invalid(format!(
            "userIDList holds 1 to {MAX_REMIND_USERS} user IDs"
        )));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(user_ids.len());
    for id in user_ids {
        check_user_id("userIDList", &id)?;
        if seen.insert(id.clone()) {
            out.push(id);
        }
    }
    Ok(out)
}

fn invalid(message: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
}
