//! clearHistoryMessage: the conversation stays, the user's history of it goes. Always reaches
//! the user's other sessions (whatever the deletion-sync setting), so unread counts and cached
//! messages agree everywhere.

use super::{conversation_ref, not_found, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::ClearOutcome;
use tim_proto::Reply;

impl Service {
    pub(super) async fn clear_history(
        &self,
        who: &Identity,
        conversation_id: &str,
    ) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        let app = who.user.sdk_app_id;
        let target = conv.clone();
        let outcome = self
            .commit(app, Some(who.session), move |s| {
                let mut outcome = s.clear_history(app, &target, unix_now())?;
                let events = outcome.take_events();
                Ok((outcome, events))
            })
            .await?;
        match outcome {
            ClearOutcome::Cleared { cleared_seq, .. } => Ok(Reply::HistoryCleared {
                conversation_id: conv.conversation_id,
                cleared_seq,
            }),
            ClearOutcome::NotFound => Err(not_found(&conv)),
        }
    }
}
