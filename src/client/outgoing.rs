//! A request as it goes out on the socket: a typed one, or a passed-through call (its name and
//! the app's options, sent as `{"<name>": options}`; see `tim_core::calls::passed_through`).

use tim_core::SdkError;
use tim_proto::{ClientFrame, ErrorCode, Request};
use wasm_bindgen::JsValue;

#[derive(Clone)]
pub enum Outgoing {
    Typed(Request),
    PassedThrough(String, JsValue),
}

impl Outgoing {
    pub fn op(&self) -> &str {
        match self {
            Outgoing::Typed(request) => request.op(),
            Outgoing::PassedThrough(name, _) => name,
        }
    }

    /// The frame's JSON text, under the request ID `id`.
    pub fn frame_text(&self, id: u64) -> Result<String, SdkError> {
        match self {
            Outgoing::Typed(request) => crate::js::to_json_text(&ClientFrame {
                id,
                request: request.clone(),
            })
            .ok_or_else(|| SdkError::new(ErrorCode::Internal, "cannot encode the request")),
            Outgoing::PassedThrough(name, options) => {
                // No options is `null`: the JSON of a call that takes none.
                let options = if options.is_undefined() {
                    &JsValue::NULL
                } else {
                    options
                };
                let req = crate::js::Object::new().raw(name, options).end();
                let frame = crate::js::Object::new()
                    .field("id", &id)
                    .raw("req", &req)
                    .end();
                crate::js::stringify(&frame).ok_or_else(|| {
                    SdkError::invalid(format!("the options of {name} cannot be sent as JSON"))
                })
            }
        }
    }
}
