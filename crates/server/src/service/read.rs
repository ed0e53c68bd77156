//! setMessageRead: the read reaches the user's other sessions (whatever the deletion-sync
//! setting), so their unread counts agree.

use super::{conversation_ref, not_found, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::ReadOutcome;
use tim_proto::Reply;

impl Service {
    pub(super) async fn set_message_read(
        &self,
        who: &Identity,
        conversation_id: &str,
    ) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        let app = who.user.sdk_app_id;
        let target = conv.clone();
        let outcome = self
            .commit(app, Some(who.session), move |s| {
                let mut outcome = s.mark_read(app, &target, unix_now())?;
                let events = outcome.take_events();
                Ok((outcome, events))
            })
            .await?;
        match outcome {
            ReadOutcome::Read { .. } => Ok(Reply::Done),
            ReadOutcome::NotFound => Err(not_found(&conv)),
        }
    }
}
