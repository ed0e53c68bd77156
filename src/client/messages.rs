//! createTextMessage, sendMessage and getMessageList.

use super::{unexpected, Inner, Outcome, Session};
use serde_json::{json, Value};
use std::rc::Rc;
use tim_core::args;
use tim_core::constants::types;
use tim_core::shapes::Message;
use tim_core::SdkError;
use tim_proto::model::WireBody;
use tim_proto::{ErrorCode, Reply, Request};

impl Inner {
    pub fn create_text_message(self: &Rc<Self>, options: &Value) -> Result<Message, SdkError> {
        self.check_ready()?;
        let a = args::text_message_args(options)?;
        let me = self
            .me()
            .ok_or_else(|| SdkError::new(ErrorCode::NotLoggedIn, "not logged in"))?;
        let now = (crate::js::now_ms() / 1000.0) as i64;
        Ok(Message::new_text(
            crate::js::new_message_id(),
            &me,
            &a.to,
            a.text,
            now,
        ))
    }

    pub async fn send_message(self: Rc<Self>, message: Value) -> Result<Message, SdkError> {
        self.check_ready()?;
        let m: Message = serde_json::from_value(message).map_err(|_| {
            SdkError::invalid("sendMessage needs a message made by createTextMessage")
        })?;
        args::text_message_args(&json!({
            "to": m.to, "conversationType": m.conversation_type, "payload": { "text": m.payload.text }
        }))?;
        args::check_text(&m.payload.text)?;
        let reply = self
            .request(Request::SendMessage {
                conversation_id: format!("{}{}", types::CONV_C2C, m.to),
                id: m.id.clone(),
                body: WireBody::Text {
                    text: m.payload.text.clone(),
                },
            })
            .await?;
        let Reply::Sent { message } = reply else {
            return Err(unexpected(&reply));
        };
        let sent = {
            let mut s = self.session.borrow_mut();
            let Session { state, events, .. } = &mut *s;
            let state = state.as_mut().ok_or_else(|| {
                SdkError::new(ErrorCode::NotReadyLoggedOut, "logged out while sending")
            })?;
            events.note(state.apply_message(&message, false));
            Message::from_wire(&message, state.me())
        };
        self.schedule_dispatch();
        Ok(sent)
    }

    pub async fn get_message_list(self: Rc<Self>, options: Value) -> Outcome {
        self.check_ready()?;
        let a = args::message_list_args(&options)?;
        let reply = self
            .request(Request::GetMessageList {
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
        Ok(json!({
            "messageList": list,
            "nextReqMessageID": next_req_message_id.unwrap_or_default(),
            "isCompleted": is_completed,
        }))
    }
}
