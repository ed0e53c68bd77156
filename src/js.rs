//! Conversions between JS values and Rust: plain JSON in, plain objects out, real `Error`s for
//! rejections.

use serde::Serialize;
use serde_json::{json, Value};
use tim_core::SdkError;
use wasm_bindgen::prelude::*;

/// Any JS value as JSON; what JSON cannot hold (functions, symbols) reads as `null`, which every
/// argument check then refuses with a coded error.
pub fn to_json(v: &JsValue) -> Value {
    json_text(v)
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or(Value::Null)
}

/// `JSON.stringify(v)`: `None` for what JSON cannot hold (undefined, functions, symbols,
/// BigInts, cycles).
pub fn json_text(v: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(v).ok()?.as_string()
}

/// A Rust value as a plain JS object (maps as objects, 64-bit numbers as JS numbers).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    // One string across the boundary and the engine's own JSON.parse, instead of one JS value
    // (and one TextDecoder call per string) per field.
    match serde_json::to_string(v) {
        Ok(text) => js_sys::JSON::parse(&text).unwrap_or(JsValue::UNDEFINED),
        Err(_) => JsValue::UNDEFINED,
    }
}

/// The documented success shape `{ code: 0, data }`.
pub fn ok_response(data: Value) -> JsValue {
    to_js(&json!({ "code": 0, "data": data }))
}

/// A real `Error` with own `code`, `message` and `data`, as the documented imError.
pub fn error_to_js(e: &SdkError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let obj: &JsValue = err.as_ref();
    // Reflect::set on a fresh Error object cannot fail; a failure would only drop a field.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &JsValue::from(e.code.as_u32()));
    let data = e.data.clone().unwrap_or_else(|| json!({}));
    let _ = js_sys::Reflect::set(obj, &"data".into(), &to_js(&data));
    err.into()
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

pub fn console_error(what: &str, detail: &JsValue) {
    web_sys::console::error_2(&JsValue::from_str(what), detail);
}

/// A message ID: time plus 64 random bits, in the characters the server accepts.
pub fn new_message_id() -> String {
    let r = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("{:x}-{:08x}{:08x}", now_ms() as u64, r(), r())
}
