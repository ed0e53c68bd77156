//! Conversions between JS values and Rust: plain JSON in, plain objects out, real `Error`s for
//! rejections.

use serde_json::Value;
use tim_core::json::{Json, Object, ToJson};
use tim_core::SdkError;
use wasm_bindgen::prelude::*;

/// Any JS value as JSON; what JSON cannot hold (functions, symbols) reads as `null`, which every
/// argument check then refuses with a coded error.
pub fn to_json(v: &JsValue) -> Value {
    json_text(v)
        .and_then(|text| parse_json(&text))
        .unwrap_or(Value::Null)
}

/// Parses JSON text (tim-proto's small parser; fractions and exponents go to the engine's
/// `parseFloat`). `None` when it is not JSON.
pub fn parse_json(text: &str) -> Option<Value> {
    tim_proto::json_parse::parse(text, &|s| Some(js_sys::Number::parse_float(s)))
}

/// `JSON.stringify(v)`: `None` for what JSON cannot hold (undefined, functions, symbols,
/// BigInts, cycles).
pub fn json_text(v: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(v).ok()?.as_string()
}

/// A Rust value as a plain JS object (maps as objects, 64-bit numbers as JS numbers).
pub fn to_js<T: ToJson + ?Sized>(v: &T) -> JsValue {
    // One string across the boundary and the engine's own JSON.parse, instead of one JS value
    // (and one TextDecoder call per string) per field.
    parse(&tim_core::json::to_json(v))
}

/// JSON text as the JS value it describes.
pub fn parse(json: &Json) -> JsValue {
    js_sys::JSON::parse(&json.0).unwrap_or(JsValue::UNDEFINED)
}

/// The documented success shape `{ code: 0, data }`.
pub fn ok_response(data: Json) -> JsValue {
    parse(&Object::new().field("code", &0u32).raw("data", &data).end())
}

/// A real `Error` with own `code`, `message` and `data`, as the documented imError.
pub fn error_to_js(e: &SdkError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let obj: &JsValue = err.as_ref();
    // Reflect::set on a fresh Error object cannot fail; a failure would only drop a field.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &JsValue::from(e.code.as_u32()));
    let data = match &e.data {
        Some(data) => value_to_js(data.as_ref()),
        None => js_sys::Object::new().into(),
    };
    let _ = js_sys::Reflect::set(obj, &"data".into(), &data);
    err.into()
}

/// A JSON value as the JS value it describes, built directly (numbers as JS numbers, objects
/// with their keys in the map's order).
pub fn value_to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => items
            .iter()
            .map(value_to_js)
            .collect::<js_sys::Array>()
            .into(),
        Value::Object(map) => {
            let obj = js_sys::Object::new();
            for (k, v) in map {
                // Setting a property on a fresh plain object cannot fail.
                let _ = js_sys::Reflect::set(&obj, &JsValue::from_str(k), &value_to_js(v));
            }
            obj.into()
        }
    }
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
