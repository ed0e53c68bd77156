//! The message creators, sendMessage / resendMessage and getMessageList.

use super::{unexpected, Inner, Outcome, Session};
use crate::js::Object;
use serde_json::Value;
use std::rc::Rc;
use tim_core::args;
use tim_core::files;
use tim_core::message_args::message_args;
use tim_core::recent;
use tim_core::shapes::{Message, Sendable};
use tim_core::SdkError;
use tim_proto::{ErrorCode, Reply, Request};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

impl Inner {
    /// The creators of `CREATORS` (`method`, `options` as JSON); an image or file message reads
    /// its name and size from `file` (js/index.js's `fileOf`: the Blob, its name and size,
    /// `onProgress`), which the entry keeps by message ID until sendMessage uploads it.
    pub fn create_message(
        self: &Rc<Self>,
        method: &str,
        options: &Value,
        file: JsValue,
    ) -> Result<Message, SdkError> {
        self.check_ready()?;
        let mut a = message_args(method, options)?;
        let me = self
            .me()
            .ok_or_else(|| SdkError::new(ErrorCode::NotLoggedIn, "not logged in"))?;
        let id = crate::js::new_message_id();
        if files::pending_upload(&a.body).is_some() {
            files::describe(&mut a.body, &crate::js::arg(&file))?;
        }
        let now = (crate::js::now_ms() / 1000.0) as i64;
        let mut m = Message::new_unsent(id, &me, &a.to, a.conversation_type, &a.body, now);
        m.need_read_receipt = a.need_read_receipt;
        Ok(m)
    }

    /// The upload of `file` (the entry's, for this message; not an object when this instance did
    /// not create the message), made now unless an earlier try made it. An
    /// upload refused or broken off rejects with its code (the message is then `fail`ed and can
    /// be resent).
    async fn upload_for(
        self: &Rc<Self>,
        file: &JsValue,
        kind: &str,
        conversation_id: &str,
    ) -> Result<String, SdkError> {
        if !file.is_object() {
            return Err(files::not_here());
        }
        let (url, sig) = {
            let f = crate::js::arg(file);
            if let Some(id) = f.get(files::UPLOADED).and_then(Value::as_str) {
                return Ok(id.to_owned());
            }
            let s = self.session();
            let (Some((user_id, sig)), Some(state)) = (&s.credentials, &s.state) else {
                return Err(SdkError::new(ErrorCode::NotLoggedIn, "not logged in"));
            };
            let name = f.get("name").and_then(Value::as_str).unwrap_or_default();
            let url = state.links.upload_url(
                self.options.sdk_app_id,
                user_id,
                conversation_id,
                kind,
                name,
            );
            (url, sig.clone())
        };
        let promise = self
            .upload
            .call3(&JsValue::NULL, &url.into(), &sig.into(), file)
            .unwrap_or_default();
        let answer = JsFuture::from(promise.unchecked_into::<js_sys::Promise>())
            .await
            .unwrap_or_default();
        let file_id = files::upload_answer(&crate::js::arg(&answer))?;
        // A resend after a failed send does not upload again.
        let _ = js_sys::Reflect::set(file, &files::UPLOADED.into(), &file_id.as_str().into());
        Ok(file_id)
    }

    /// sendMessage, or resendMessage (`resend`: only a message whose send failed).
    pub async fn send_message(
        self: Rc<Self>,
        message: Value,
        resend: bool,
        file: JsValue,
    ) -> Result<Message, SdkError> {
        self.check_ready()?;
        let m = Sendable::read(&message).ok_or_else(|| {
            SdkError::invalid("needs a message made by createTextMessage or another creator")
        })?;
        let mut body = m.sendable(resend)?;
        let conversation_type = args::message_target(Some(&m.conversation_type), &m.to)?;
        let conversation_id = format!("{conversation_type}{}", m.to);
        if let Some(kind) = files::pending_upload(&body) {
            let file_id = self.upload_for(&file, kind, &conversation_id).await?;
            files::with_upload(&mut body, file_id);
        }
        let reply = self
            .request_idempotent(Request::SendMessage {
                conversation_id,
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
            Message::from_wire(&message, state.me(), &state.links)
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
        let list: Vec<Message> = match &self.session().state {
            Some(state) => messages
                .iter()
                .map(|m| Message::from_wire(m, state.me(), &state.links))
                .collect(),
            None => Vec::new(),
        };
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
        let p = recent::page(&all, a.next_req_message_id.as_deref(), a.count, &id)?;
        let page: Vec<Message> = match &self.session().state {
            Some(state) => all[p.start..p.end]
                .iter()
                .map(|m| Message::from_wire(m, state.me(), &state.links))
                .collect(),
            None => Vec::new(),
        };
        Ok(Object::new()
            .field("isCompleted", &p.is_completed)
            .field("messageList", &page)
            .field("nextReqMessageID", p.next_req_message_id)
            .end())
    }
}
