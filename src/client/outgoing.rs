//! A request as it goes out on the socket: its op (for the log) and its JSON text, made once, so
//! that a resend after a reconnect sends the same text under a new ID (no `Request` is kept or
//! cloned). Typed requests are serialized; a passed-through call is the app's options under the
//! method's name (`{"<name>": options}`; see `tim_core::calls::passed_through`).

use tim_core::SdkError;
use tim_proto::{ClientFrame, ErrorCode, Request};
use wasm_bindgen::JsValue;

#[derive(Clone)]
pub struct Outgoing {
    pub op: String,
    json: String,
}

impl Outgoing {
    pub fn typed(request: &Request) -> Result<Outgoing, SdkError> {
        let json = crate::js::to_json_text(request)
            .ok_or_else(|| SdkError::new(ErrorCode::Internal, "cannot encode the request"))?;
        Ok(Outgoing {
            op: request.op().to_owned(),
            json,
        })
    }

    pub fn passed_through(name: String, options: &JsValue) -> Result<Outgoing, SdkError> {
        // No options is `null`: the JSON of a call that takes none.
        let options = if options.is_undefined() {
            &JsValue::NULL
        } else {
            options
        };
        let req = crate::js::Object::new().raw(&name, options).end();
        let json = crate::js::stringify(&req).ok_or_else(|| {
            SdkError::invalid(format!("the options of {name} cannot be sent as JSON"))
        })?;
        Ok(Outgoing { op: name, json })
    }

    /// The frame's JSON text, under the request ID `id`.
    pub fn frame_text(&self, id: u64) -> String {
        ClientFrame::text(id, &self.json)
    }
}
