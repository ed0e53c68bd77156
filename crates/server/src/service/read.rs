//! setMessageRead: the read reaches every session of the user (whatever the deletion-sync
//! setting), so their unread counts agree.
//!
//! The reading session gets the `conversationRead` push too. Its `done` reply leaves as soon as
//! the read commits, ahead of pushes already queued for it: a message committed just before the
//! read (and covered by it) can reach the session after `done` and count as unread there. The
//! push, queued behind that message, carries `readSeq` and sets it right.

use super::{conversation_ref, not_found, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::ReadOutcome;
use tim_proto::frame::ReadScope;
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
            // No session excepted: the reading one needs the push as well (see above).
            .commit(app, None, move |s| {
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

    /// setAllMessageRead: every listed conversation of `scope` with unread messages, in one
    /// commit; each read is pushed to every session (as above).
    pub(super) async fn set_all_message_read(
        &self,
        who: &Identity,
        scope: ReadScope,
    ) -> Result<Reply, ApiError> {
        let app = who.user.sdk_app_id;
        let owner = who.user.user_id.clone();
        self.commit(app, None, move |s| {
            let events = s.mark_all_read(app, &owner, scope, unix_now())?;
            Ok(((), events))
        })
        .await?;
        Ok(Reply::Done)
    }
}
