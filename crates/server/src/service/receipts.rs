//! sendMessageReadReceipt and getMessageReadReceiptList (issue 16). A receipt reaches every
//! session of each sender whose view still holds the message through the event log, so an
//! offline session catches up once; the reader's sessions are not told (their unread counts do
//! not change, as at Tencent).

use super::{conversation_ref, validate_client_id, Identity, Service};
use crate::clock::unix_now;
use crate::error::ApiError;
use crate::store::ConvRef;
use tim_proto::limits::MAX_READ_RECEIPT_MESSAGES;
use tim_proto::message_ref::MessageRef;
use tim_proto::{ErrorCode, Reply};

impl Service {
    pub(super) async fn send_read_receipts(
        &self,
        who: &Identity,
        messages: Vec<MessageRef>,
    ) -> Result<Reply, ApiError> {
        let (conv, ids) = receipt_args(who, "sendMessageReadReceipt", messages)?;
        let app = who.user.sdk_app_id;
        self.commit(app, None, move |s| {
            Ok(((), s.send_read_receipts(app, &conv, &ids, unix_now())?))
        })
        .await?;
        Ok(Reply::Done)
    }

    pub(super) async fn read_receipt_list(
        &self,
        who: &Identity,
        messages: Vec<MessageRef>,
    ) -> Result<Reply, ApiError> {
        let (conv, ids) = receipt_args(who, "getMessageReadReceiptList", messages)?;
        let app = who.user.sdk_app_id;
        let target = conv.clone();
        let found = self
            .blocking(move |s| s.read_receipt_list(app, &target, &ids))
            .await?;
        Ok(Reply::MessageList {
            messages: found
                .iter()
                .map(|m| m.wire_in(&conv.conversation_id))
                .collect(),
            next_req_message_id: None,
            is_completed: true,
        })
    }
}

/// 1 to [`MAX_READ_RECEIPT_MESSAGES`] messages of one conversation (2100 otherwise; 2503 a bad
/// conversation ID): the caller's conversation and the message IDs.
fn receipt_args(
    who: &Identity,
    method: &str,
    messages: Vec<MessageRef>,
) -> Result<(ConvRef, Vec<String>), ApiError> {
    let bad = |m: String| ApiError::new(ErrorCode::InvalidParameter, m);
    let Some(first) = messages
        .first()
        .filter(|_| messages.len() <= MAX_READ_RECEIPT_MESSAGES)
    else {
        return Err(bad(format!(
            "{method} takes 1 to {MAX_READ_RECEIPT_MESSAGES} messages"
        )));
    };
    let conversation_id = first.conversation_id.clone();
    if messages
        .iter()
        .any(|m| m.conversation_id != conversation_id)
    {
        return Err(bad(format!(
            "{method}'s messages must be of one conversation"
        )));
    }
    let conv = conversation_ref(who, &conversation_id)?;
    let ids: Vec<String> = messages.into_iter().map(|m| m.id).collect();
    for id in &ids {
        validate_client_id("message ID", id)?;
    }
    Ok((conv, ids))
}
