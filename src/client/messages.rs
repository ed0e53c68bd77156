//! The message creators, sendMessage / resendMessage and getMessageList.

use super::{unexpected, Inner, Outcome, Session};
use crate::js::Object;
use serde_json::Value;
use std::rc::Rc;
use tim_core::args;
use tim_core::message_args::message_args;
use tim_core::shapes::{Message, Sendable};
use tim_core::SdkError;
use tim_proto::{ErrorCode, Reply, Request};

impl Inner {
    /// createTextMessage, createCustomMessage and createTextAtMessage (`method`).
    pub fn create_message(
        self: &Rc<Self>,
        method: &str,
        options: &Value,
    ) -> Result<Message, SdkError> {
        self.check_ready()?;
        let a = message_args(method, options)?;
        let me = self
            .me()
            .ok_or_else(|| SdkError::new(ErrorCode::NotLoggedIn, "not logged in"))?;
        let now = (crate::js::now_ms() / 1000.0) as i64;
        let mut m = Message::new_unsent(
            crate::js::new_message_id(),
            &me,
            &a.to,
            a.conversation_type,
            &a.body,
            now,
        );
        m.need_read_receipt = a.need_read_receipt;
        Ok(m)
    }

    /// sendMessage, or resendMessage (`resend`: only a message whose send failed).
    pub async fn send_message(
        self: Rc<Self>,
        message: Value,
        resend: bool,
    ) -> Result<Message, SdkError> {
        self.check_ready()?;
        let m = Sendable::read(&message).ok_or_else(|| {
            SdkError::invalid("needs a message made by createTextMessage or another creator")
        })?;
        let body = m.sendable(resend)?;
        let conversation_type = args::message_target(Some(&m.conversation_type), &m.to)?;
        let reply = self
            .request_idempotent(Request::SendMessage {
                conversation_id: format!("{conversation_type}{}", m.to),
                id: m.id.clone(),
                body,
                need_read_receipt: m.need_read_receipt,
            })
            .await?;
        let Reply::Sent { message } = reply else {
            return Err(unexpected(&reply));
        };
        let sent = {
            let mut s = self.session_mut();
            let Session { state, events, .. } = &mut *s;
            let state = state.as_mut().ok_or_else(|| {
                SdkError::new(ErrorCode::NotReadyLoggedOut, "logged out while sending")
            })?;
            events.note(state.apply_message(&message, false));
            Message::from_wire(&message, state.me())
        };
        self.remember_messages([message]);
        self.schedule_dispatch();
        Ok(sent)
    }

    pub async fn get_message_list(self: Rc<Self>, options: Value) -> Outcome {
        self.check_ready()?;
        let a = args::message_list_args(&options)?;
        if self.session().conn.is_none() {
            return self.cached_message_list(a).await;
        }
        let reply = self
            .request_idempotent(Request::GetMessageList {
                conversation_id: a.conversation_id.to_string(),
                next_req_message_id: a.next_req_message_id,
                count: a.count,
            })
            .await?;
        let Reply::MessageList {
            messages,
            next_req_message_id,
            is_completed,
        } = reply
        else {
            return Err(unexpected(&reply));
        };
        let me = self.me().unwrap_or_default();
        let list: Vec<Message> = messages
            .iter()
            .map(|m| Message::from_wire(m, &me))
            .collect();
        self.remember_messages(messages);
        self.schedule_dispatch();
        Ok(Object::new()
            .field("isCompleted", &is_completed)
            .field("messageList", &list)
            .field("nextReqMessageID", &next_req_message_id.unwrap_or_default())
            .end())
    }

    /// getMessageList with no connection: the cache's recent messages (at most the newest
    /// `RECENT_MESSAGES` per conversation), paged the same way.
    async fn cached_message_list(self: &Rc<Self>, a: args::MessageListArgs) -> Outcome {
        let cache = self
            .cache()
            .ok_or_else(|| SdkError::new(ErrorCode::NoNetwork, "not connected to the server"))?;
        let id = a.conversation_id.to_string();
        let all = cache
            .messages(&id)
            .await
            .map_err(|e| SdkError::new(ErrorCode::Internal, e))?;
        let end = match &a.next_req_message_id {
            Some(anchor) => all.iter().position(|m| &m.id == anchor).ok_or_else(|| {
                SdkError::new(
                    ErrorCode::MessageNotFound,
                    format!("nextReqMessageID {anchor:?} is not a cached message of {id}"),
                )
            })?,
            None => all.len(),
        };
        let start = end.saturating_sub(a.count as usize);
        let me = self.me().unwrap_or_default();
        let page: Vec<Message> = all[start..end]
            .iter()
            .map(|m| Message::from_wire(m, &me))
            .collect();
        let next = if start > 0 {
            all[start].id.clone()
        } else {
            String::new()
        };
        Ok(Object::new()
            .field("isCompleted", &(start == 0))
            .field("messageList", &page)
            .field("nextReqMessageID", &next)
            .end())
    }
}
