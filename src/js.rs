//! Conversions between JS values and Rust, all through serde-wasm-bindgen: arguments in as
//! typed values, results and events out as plain objects, real `Error`s for rejections.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tim_core::SdkError;
use wasm_bindgen::prelude::*;

/// What a call resolves with (its `data`): a JS value.
pub type Json = JsValue;

/// Plain objects for maps, JS numbers for 64-bit integers, `null` for `None`: the JSON shapes.
const JSON: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::json_compatible();

/// A Rust value as the plain JS value it describes; `undefined` if it cannot be one (a map with
/// non-string keys: none of the SDK's shapes has one).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    v.serialize(&JSON).unwrap_or(JsValue::UNDEFINED)
}

/// A JS value read as `T`; `None` when it is not one.
pub fn from_js<T: DeserializeOwned>(v: &JsValue) -> Option<T> {
    serde_wasm_bindgen::from_value(v.clone()).ok()
}

/// An argument as JSON, for the checks in `tim_core::args` that say what was wrong with it.
/// What JSON cannot hold (functions, symbols) reads as `null`, which every check then refuses
/// with a coded error; `undefined` fields read as absent-or-null, as the checks treat both.
pub fn arg(v: &JsValue) -> Value {
    from_js(v)
        .or_else(|| via_json_text(v))
        .unwrap_or(Value::Null)
}

/// A value serde-wasm-bindgen refuses (say, an object with a function in it) read as
/// `JSON.stringify` sees it (the function left out), so that its checks still say what is wrong.
fn via_json_text(v: &JsValue) -> Option<Value> {
    let text = js_sys::JSON::stringify(v).ok()?;
    from_js(&js_sys::JSON::parse(&text.as_string()?).ok()?)
}

/// A frame or tab note read from its JSON text: the engine's `JSON.parse`, then
/// serde-wasm-bindgen, so the wasm carries one deserializer (serde_json's is far bigger).
pub fn from_json_text<T: DeserializeOwned>(text: &str) -> Option<T> {
    from_js(&js_sys::JSON::parse(text).ok()?)
}

/// JSON text as the JS value it describes; `undefined` if it is not JSON.
pub fn parse_json_text(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

/// A stored JS record (IndexedDB).
pub fn from_record<T: DeserializeOwned>(v: &JsValue) -> Option<T> {
    from_js(v)
}

/// `v` as JSON text (serde-wasm-bindgen, then the engine's `JSON.stringify`: no second
/// serializer in the wasm).
pub fn to_json_text<T: Serialize + ?Sized>(v: &T) -> Option<String> {
    stringify(&to_js(v))
}

/// `JSON.stringify(v)`; `None` where it throws (a cycle, a BigInt) or gives no text.
pub fn stringify(v: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(v).ok()?.as_string()
}

/// `{}`.
pub fn empty() -> JsValue {
    js_sys::Object::new().into()
}

/// A plain JS object built field by field.
pub struct Object(js_sys::Object);

impl Object {
    pub fn new() -> Object {
        Object(js_sys::Object::new())
    }

    pub fn field<T: Serialize + ?Sized>(self, key: &str, v: &T) -> Object {
        self.raw(key, &to_js(v))
    }

    /// A field whose value is already a JS value.
    pub fn raw(self, key: &str, v: &JsValue) -> Object {
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&self.0, &JsValue::from_str(key), v);
        self
    }

    pub fn end(self) -> JsValue {
        self.0.into()
    }
}

/// The documented success shape `{ code: 0, data }`.
pub fn ok_response(data: JsValue) -> JsValue {
    Object::new().field("code", &0u32).raw("data", &data).end()
}

/// A real `Error` with own `code`, `message` and `data`, as the documented imError.
pub fn error_to_js(e: &SdkError) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    let obj: &JsValue = err.as_ref();
    // Reflect::set on a fresh Error object cannot fail; a failure would only drop a field.
    let _ = js_sys::Reflect::set(obj, &"code".into(), &JsValue::from(e.code.as_u32()));
    let data = match &e.data {
        Some(data) => to_js(data.as_ref()),
        None => empty(),
    };
    let _ = js_sys::Reflect::set(obj, &"data".into(), &data);
    err.into()
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// An error line with the value it concerns, unless `setLogLevel(4)` silenced the log.
pub fn console_error(what: &str, detail: &JsValue) {
    if crate::log::shows(tim_core::log_level::Kind::Error) {
        web_sys::console::error_2(&JsValue::from_str(what), detail);
    }
}

/// A message ID: time plus 64 random bits, in the characters the server accepts.
pub fn new_message_id() -> String {
    let r = || (js_sys::Math::random() * 4_294_967_296.0) as u32;
    format!("{:x}-{:08x}{:08x}", now_ms() as u64, r(), r())
}
