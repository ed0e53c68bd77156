//! revokeMessage, modifyMessage and deleteMessage (issue 16). Revokes and modifications reach
//! every session of every party whose view holds the message, the calling one included, through
//! the event log (so an offline session catches up once); deleteMessage is the caller's alone
//! and tells nobody: history fetches leave the messages out from then on.

use super::{conversation_ref, validate_client_id, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::{ConvRef, EditOutcome, HideOutcome, MessageEdit};
use tim_proto::limits::MAX_DELETE_MESSAGES;
use tim_proto::message_ref::MessageRef;
use tim_proto::model::WireBody;
use tim_proto::rules::check_text;
use tim_proto::{ErrorCode, Reply};

impl Service {
    pub(super) async fn revoke_message(
        &self,
        who: &Identity,
        conversation_id: &str,
        msg_id: String,
    ) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        let edit = MessageEdit::Revoke { time_limited: true };
        self.edit_message(who.user.sdk_app_id, conv, msg_id, edit)
            .await
    }

    pub(super) async fn modify_message(
        &self,
        who: &Identity,
        conversation_id: &str,
        msg_id: String,
        body: WireBody,
    ) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        let WireBody::Text { text } = &body else {
            return Err(ApiError::new(
                ErrorCode::InvalidParameter,
                "only a text message's text can be modified",
            ));
        };
        check_text(text)?;
        self.edit_message(who.user.sdk_app_id, conv, msg_id, MessageEdit::Modify(body))
            .await
    }

    /// Applies `edit` by `conv.owner` (a session's user, or the admin API's From_Account) and
    /// publishes it to every session concerned.
    pub(crate) async fn edit_message(
        &self,
        app: u64,
        conv: ConvRef,
        msg_id: String,
        edit: MessageEdit,
    ) -> Result<Reply, ApiError> {
        validate_client_id("message ID", &msg_id)?;
        let target = conv.clone();
        let id = msg_id.clone();
        let outcome = self
            .commit(app, None, move |s| {
                let mut outcome = s.edit_message(app, &target, &id, &edit, unix_now())?;
                let events = outcome.take_events();
                Ok((outcome, events))
            })
            .await?;
        let refused = |code, why: &str| Err(ApiError::new(code, format!("message {msg_id} {why}")));
        match outcome {
            EditOutcome::Edited { message, .. } => Ok(Reply::Sent {
                message: message.wire_in(&conv.conversation_id),
            }),
            EditOutcome::NotFound => refused(
                ErrorCode::MessageNotFound,
                &format!("is not a message of {}", conv.conversation_id),
            ),
            EditOutcome::NotSender => refused(ErrorCode::NotMessageSender, "is not yours"),
            EditOutcome::TooLate => refused(
                ErrorCode::RevokeTimeLimitExceeded,
                "is older than the app's revoke time limit",
            ),
            EditOutcome::Revoked => refused(ErrorCode::MessageNotFound, "was revoked"),
            EditOutcome::NotText => refused(
                ErrorCode::InvalidParameter,
                "is not a text message: only a text message's text can be modified",
            ),
        }
    }

    /// deleteMessage: 1 to [`MAX_DELETE_MESSAGES`] messages, all of one conversation.
    pub(super) async fn delete_messages(
        &self,
        who: &Identity,
        messages: Vec<MessageRef>,
    ) -> Result<Reply, ApiError> {
        let bad = |m: String| ApiError::new(ErrorCode::InvalidParameter, m);
        let Some(first) = messages
            .first()
            .filter(|_| messages.len() <= MAX_DELETE_MESSAGES)
        else {
            return Err(bad(format!(
                "deleteMessage takes 1 to {MAX_DELETE_MESSAGES} messages"
            )));
        };
        let conversation_id = first.conversation_id.clone();
        if messages
            .iter()
            .any(|m| m.conversation_id != conversation_id)
        {
            return Err(bad(
                "deleteMessage's messages must be of one conversation".to_owned()
            ));
        }
        let conv = conversation_ref(who, &conversation_id)?;
        let ids: Vec<String> = messages.into_iter().map(|m| m.id).collect();
        for id in &ids {
            validate_client_id("message ID", id)?;
        }
        let app = who.user.sdk_app_id;
        let target = conv.clone();
        let outcome = self
            .blocking(move |s| s.hide_messages(app, &target, &ids))
            .await?;
        match outcome {
            HideOutcome::Hidden(_) => Ok(Reply::Done),
            HideOutcome::NotFound(id) => Err(ApiError::new(
                ErrorCode::MessageNotFound,
                format!(
                    "message {id} is not in your view of {}",
                    conv.conversation_id
                ),
            )),
        }
    }
}
