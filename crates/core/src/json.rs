//! JSON text written straight from Rust values, for what the SDK hands to JS (one string, parsed
//! by the engine's `JSON.parse`). Building `serde_json::Value` trees first (the `json!` macro)
//! cost a `BTreeMap` per object and a second serializer for every shape.
//!
//! Keys come out in the order they are added; callers add them in sorted (byte) order, the order
//! the `Value` maps gave before, so the objects JS sees enumerate their keys as they always did.

use serde::Serialize;
use serde_json::Value;

/// JSON text of one value.
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub String);

impl Json {
    /// `{}`.
    pub fn empty() -> Json {
        Json("{}".to_owned())
    }

    /// The same JSON as a `Value`. The JSON this crate writes has integers only, so no float
    /// parsing is needed (a fraction would read as null).
    pub fn value(&self) -> Value {
        tim_proto::json_parse::parse(&self.0, &|_| None).unwrap_or(Value::Null)
    }
}

/// Writes `v` as JSON at the end of `out`. Writing these plain data types cannot fail (no maps
/// with non-string keys); a failure would write `null`.
pub fn write<T: Serialize + ?Sized>(out: &mut String, v: &T) {
    match serde_json::to_string(v) {
        Ok(text) => out.push_str(&text),
        Err(_) => out.push_str("null"),
    }
}

/// JSON text of `v`.
pub fn to_json<T: Serialize + ?Sized>(v: &T) -> Json {
    let mut out = String::new();
    write(&mut out, v);
    Json(out)
}

/// An object, one field at a time, keys in sorted order.
pub struct Object(String);

impl Object {
    pub fn new() -> Object {
        Object(String::from("{"))
    }

    fn key(&mut self, key: &str) {
        if self.0.len() > 1 {
            self.0.push(',');
        }
        // Keys are fixed ASCII names: nothing to escape.
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    pub fn field<T: Serialize + ?Sized>(mut self, key: &str, v: &T) -> Object {
        self.key(key);
        write(&mut self.0, v);
        self
    }

    /// A field whose value is JSON text already.
    pub fn raw(mut self, key: &str, v: &Json) -> Object {
        self.key(key);
        self.0.push_str(&v.0);
        self
    }

    pub fn end(mut self) -> Json {
        self.0.push('}');
        Json(self.0)
    }
}

impl Default for Object {
    fn default() -> Object {
        Object::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_what_json_macro_writes() {
        let text = Object::new()
            .field("a", "x\"y")
            .field("b", &[1u64, 2])
            .raw("c", &Object::new().field("d", &true).end())
            .field("e", &Option::<u32>::None)
            .end();
        let expected = json!({"a": "x\"y", "b": [1, 2], "c": {"d": true}, "e": null});
        assert_eq!(text.0, expected.to_string());
        assert_eq!(text.value(), expected);
        assert_eq!(Object::new().end(), Json::empty());
        assert_eq!(to_json(&7u32).0, "7");
    }
}
