//! Protocol 2 frames for the tests. The tests build requests from an op name and its args and read
//! answers in a flat view (`t`, `id`, `kind`, `value`, `code`, `message`, `ev`), which keeps their
//! assertions about what was answered apart from how protocol 2 nests it; websocket.rs checks the
//! nesting itself.

use serde_json::{json, Map, Value};

/// The protocol 2 request `{"id":id,"req":{op:args}}` (a bare `"op"` without args).
pub fn request(id: u64, op: &str, args: Option<Value>) -> Value {
    match args {
        Some(a) => json!({"id": id, "req": { op: a }}),
        None => json!({"id": id, "req": op}),
    }
}

/// An externally tagged value (`{"kind":value}` or `"kind"`) as `kind` and `value` set on `out`.
fn untag(tagged: &Value, out: &mut Map<String, Value>) {
    match tagged {
        Value::String(kind) => {
            out.insert("kind".into(), json!(kind));
        }
        Value::Object(m) if m.len() == 1 => {
            for (kind, value) in m {
                out.insert("kind".into(), json!(kind));
                let mut value = value.clone();
                // A login's missed events nest the same way.
                if let Some(Value::Array(missed)) = value.get_mut("missed") {
                    for e in missed.iter_mut() {
                        *e = flat_entry(e);
                    }
                }
                out.insert("value".into(), value);
            }
        }
        other => panic!("not an externally tagged value: {other}"),
    }
}

/// `{"ev":n,"value":{kind:value}}` as `{"ev":n,"kind":kind,"value":value}`.
fn flat_entry(entry: &Value) -> Value {
    let mut out = Map::new();
    if let Some(ev) = entry.get("ev") {
        out.insert("ev".into(), ev.clone());
    }
    untag(&entry["value"], &mut out);
    Value::Object(out)
}

/// A server frame in the flat view: `{"reply":{"id":1,"value":{"done":…}}}` reads as
/// `{"t":"reply","id":1,"kind":"done",…}`.
pub fn flat(frame: &Value) -> Value {
    let Some((t, body)) = frame.as_object().and_then(|m| m.iter().next()) else {
        panic!("not a server frame: {frame}");
    };
    assert_eq!(frame.as_object().map(Map::len), Some(1), "one tag: {frame}");
    let mut out = Map::new();
    out.insert("t".into(), json!(t));
    let Some(fields) = body.as_object() else {
        panic!("frame body is not an object: {frame}");
    };
    for (k, v) in fields {
        if k == "value" && t != "error" {
            untag(v, &mut out);
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}
