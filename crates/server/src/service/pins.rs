//! pinConversation: the pin reaches every session of the user (whatever the deletion-sync
//! setting), the pinning one included, so their lists agree.

use super::{conversation_ref, not_found, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::PinOutcome;
use tim_proto::limits::MAX_PINNED_CONVERSATIONS;
use tim_proto::{ErrorCode, Reply};

impl Service {
    pub(super) async fn pin_conversation(
        &self,
        who: &Identity,
        conversation_id: &str,
        pinned: bool,
    ) -> Result<Reply, ApiError> {
        let conv = conversation_ref(who, conversation_id)?;
        let app = who.user.sdk_app_id;
        let target = conv.clone();
        let outcome = self
            .commit(app, None, move |s| {
                let mut outcome = s.pin_conversation(app, &target, pinned, unix_now())?;
                let events = outcome.take_events();
                Ok((outcome, events))
            })
            .await?;
        match outcome {
            PinOutcome::Done { .. } => Ok(Reply::Done),
            PinOutcome::NotFound => Err(not_found(&conv)),
            PinOutcome::TooMany => Err(ApiError::new(
                ErrorCode::TooManyPinned,
                format!("at most {MAX_PINNED_CONVERSATIONS} conversations can be pinned"),
            )),
        }
    }
}
