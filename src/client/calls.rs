//! The one async function behind every call of `tim_core::calls`: readiness, the request, the
//! local changes and the group refresh. The decisions are in tim-core; this only runs them.

use super::{Inner, Outcome, Outgoing};
use std::rc::Rc;
use tim_core::calls;
use tim_core::SdkError;
use tim_proto::ErrorCode;
use wasm_bindgen::JsValue;

impl Inner {
    pub async fn call(self: Rc<Self>, name: String, options: JsValue) -> Outcome {
        self.check_ready()?;
        if let Some(idempotent) = calls::passed_through(&name) {
            let sent = Outgoing::PassedThrough(name, options);
            let reply = if idempotent {
                self.resend_once(sent).await?
            } else {
                self.request_within(sent, self.options.timeout_ms).await?
            };
            return Ok(crate::js::parse_json_text(&calls::passed_through_data(
                reply,
            )?));
        }
        let prepared = calls::prepare(&name, &crate::js::arg(&options))?;
        let request = prepared.request.clone();
        let reply = if prepared.idempotent {
            self.request_idempotent(request).await?
        } else {
            self.request(request).await?
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
        if refresh_groups {
            self.groups_changed().await;
        }
        Ok(crate::js::to_js(&finished.data))
    }
}

fn logged_out() -> SdkError {
    SdkError::new(
        ErrorCode::NotLoggedIn,
        "the session ended before the call finished",
    )
}
