//! The one async function behind every call of `tim_core::calls`: readiness, the request, the
//! local changes and the group refresh. The decisions are in tim-core; this only runs them.

use super::{Inner, Outcome, Outgoing};
use crate::js::Object;
use std::rc::Rc;
use tim_core::calls;
use tim_core::SdkError;
use tim_proto::{ErrorCode, Reply};
use wasm_bindgen::JsValue;

impl Inner {
    /// `options` is the argument as the app passed it: for results that hand it back.
    pub async fn call(self: Rc<Self>, name: String, options: JsValue) -> Outcome {
        self.check_ready()?;
        // A passed-through call has no `prepared`: its answer is the result as it is.
        let (sent, resend, prepared) = match calls::passed_through(&name) {
            Some(idempotent) => (
                Some(Outgoing::passed_through(name, &options)?),
                idempotent,
                None,
            ),
            None => {
                let prepared = calls::prepare(&name, &crate::js::arg(&options))?;
                let sent = match &prepared.send {
                    calls::Send::Request(request) => Some(Outgoing::typed(request)?),
                    calls::Send::Options => Some(Outgoing::passed_through(name, &options)?),
                    calls::Send::Nothing => None,
                };
                (sent, prepared.idempotent, Some(prepared))
            }
        };
        // No request: a local-only call, finished at once.
        let reply = match sent {
            None => Reply::Done,
            Some(sent) => match self.send(sent, resend).await {
                Ok(reply) => reply,
                Err(e) => {
                    self.apply_local(prepared.as_ref().and_then(|p| p.on_error(&e)));
                    return Err(e);
                }
            },
        };
        let Some(prepared) = prepared else {
            return Ok(crate::js::parse_json_text(&calls::passed_through_data(
                reply,
            )?));
        };
        let refresh_groups = prepared.refresh_groups;
        let finished = {
            let s = self.session();
            match s.state.as_ref() {
                Some(state) => prepared.finish(reply, state)?,
                // Logged out while the request was under way: the refusal a new call would get.
                None => return Err(s.readiness.check_ready().err().unwrap_or_else(logged_out)),
            }
        };
        for note in finished.notes {
            self.apply_and_share(note);
        }
        if let Some(groups) = finished.groups {
            self.keep_groups(groups);
        }
        self.apply_local(finished.local);
        if finished.persist {
            self.persist_now().await;
        }
        if refresh_groups {
            self.groups_changed().await;
        }
        Ok(match finished.data {
            calls::Data::Message(message) => Object::new().field("message", &message).end(),
            calls::Data::Given(key) => Object::new().raw(key, &options).end(),
            calls::Data::MessageList(list) => Object::new().field("messageList", &list).end(),
            data => crate::js::to_js(&data),
        })
    }
}

impl Inner {
    /// A call's change to this tab's state, applied at once (one place for all of them).
    fn apply_local(self: &Rc<Self>, local: Option<calls::Local>) {
        if let Some(local) = local {
            self.with_state(|state, events| events.note(local.apply(state)));
        }
    }
}

fn logged_out() -> SdkError {
    SdkError::new(
        ErrorCode::NotLoggedIn,
        "the session ended before the call finished",
    )
}
