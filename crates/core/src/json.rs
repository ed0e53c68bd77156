//! JSON text written straight from Rust values, for what the SDK hands to JS (one string, parsed
//! by the engine's `JSON.parse`). Building `serde_json::Value` trees first (the `json!` macro)
//! cost a `BTreeMap` per object and a second serializer for every shape.
//!
//! Keys come out in the order they are added; callers add them in sorted (byte) order, the order
//! the `Value` maps gave before, so the objects JS sees enumerate their keys as they always did.

use serde_json::Value;
use tim_proto::model::{WireBody, WireConversation, WireGroup, WireMessage};

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

/// A value the SDK writes as JSON, by hand: what its derived `Serialize` writes through
/// serde_json (the tests compare both), without serde's serializer machinery in the wasm.
pub trait ToJson {
    fn write_json(&self, out: &mut String);
}

/// Writes `v` as JSON at the end of `out`.
pub fn write<T: ToJson + ?Sized>(out: &mut String, v: &T) {
    v.write_json(out);
}

/// JSON text of `v`.
pub fn to_json<T: ToJson + ?Sized>(v: &T) -> Json {
    let mut out = String::new();
    v.write_json(&mut out);
    Json(out)
}

impl ToJson for str {
    /// Escaped as serde_json escapes: `"`, `\\`, and control characters.
    fn write_json(&self, out: &mut String) {
        out.push('"');
        let mut start = 0;
        for (i, b) in self.bytes().enumerate() {
            let escape = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                b'\n' => "\\n",
                b'\r' => "\\r",
                b'\t' => "\\t",
                0x08 => "\\b",
                0x0c => "\\f",
                0..=0x1f => "",
                _ => continue,
            };
            // Escaped bytes are ASCII: `start..i` is on char boundaries.
            out.push_str(&self[start..i]);
            if escape.is_empty() {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            } else {
                out.push_str(escape);
            }
            start = i + 1;
        }
        out.push_str(&self[start..]);
        out.push('"');
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        self.as_str().write_json(out);
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// Decimal digits of `n` (no formatting machinery).
fn write_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &buf[i..] {
        out.push(char::from(d));
    }
}

impl ToJson for u64 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, *self);
    }
}

impl ToJson for u32 {
    fn write_json(&self, out: &mut String) {
        write_u64(out, u64::from(*self));
    }
}

impl ToJson for i64 {
    fn write_json(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        write_u64(out, self.unsigned_abs());
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: ToJson + ?Sized> ToJson for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

impl<T: ToJson + ?Sized> ToJson for Box<T> {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

/// Writes an object's fields into `out`, one at a time, in the order given.
pub struct Fields<'a> {
    out: &'a mut String,
    first: bool,
}

impl Fields<'_> {
    pub fn f<T: ToJson + ?Sized>(&mut self, key: &str, v: &T) -> &mut Self {
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        // Keys are fixed ASCII names: nothing to escape.
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        v.write_json(self.out);
        self
    }

    /// A field that is left out when `None` (serde's `skip_serializing_if = "Option::is_none"`).
    pub fn some<T: ToJson>(&mut self, key: &str, v: &Option<T>) -> &mut Self {
        if let Some(v) = v {
            self.f(key, v);
        }
        self
    }
}

/// `{` + the fields `body` writes + `}`.
pub fn write_object(out: &mut String, body: impl FnOnce(&mut Fields)) {
    out.push('{');
    body(&mut Fields { out, first: true });
    out.push('}');
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

    pub fn field<T: ToJson + ?Sized>(mut self, key: &str, v: &T) -> Object {
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

// The wire types the SDK writes (cache records, sent message bodies), fields in declaration
// order as their derived `Serialize` writes them.

impl ToJson for WireBody {
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| match self {
            WireBody::Text { text } => {
                o.f("type", "text").f("text", text);
            }
            WireBody::GroupNotice {
                operation_type,
                group_id,
                group_name,
                operator_id,
            } => {
                o.f("type", "groupNotice")
                    .f("operationType", operation_type)
                    .f("groupID", group_id)
                    .f("groupName", group_name)
                    .f("operatorID", operator_id);
            }
        });
    }
}

impl ToJson for WireMessage {
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| {
            o.f("id", &self.id)
                .f("conversationID", &self.conversation_id)
                .f("from", &self.from)
                .f("to", &self.to)
                .f("seq", &self.seq)
                .f("time", &self.time)
                .f("body", &self.body);
        });
    }
}

impl ToJson for WireGroup {
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| {
            o.f("groupID", &self.group_id)
                .f("name", &self.name)
                .f("type", &self.kind)
                .f("ownerID", &self.owner_id)
                .f("memberCount", &self.member_count)
                .f("createTime", &self.create_time)
                .f("isMember", &self.is_member)
                .f("dismissed", &self.dismissed);
        });
    }
}

impl ToJson for WireConversation {
    fn write_json(&self, out: &mut String) {
        write_object(out, |o| {
            o.f("conversationID", &self.conversation_id)
                .f("unreadCount", &self.unread_count)
                .f("lastMessage", &self.last_message)
                .f("updateTime", &self.update_time)
                .some("group", &self.group);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn primitives_and_wire_types_write_what_serde_json_writes() {
        let same = |ours: Json, theirs: String| assert_eq!(ours.0, theirs);
        for text in [
            "",
            "plain",
            "q\"b\\s/",
            "\u{0}\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
            "h\u{e9}llo \u{1F600} \u{2028}",
        ] {
            same(to_json(text), serde_json::to_string(text).expect("encode"));
        }
        for n in [0u64, 7, 10, 99, 1_700_000_000, u64::MAX] {
            same(to_json(&n), serde_json::to_string(&n).expect("encode"));
        }
        for n in [0i64, -1, 42, i64::MIN, i64::MAX] {
            same(to_json(&n), serde_json::to_string(&n).expect("encode"));
        }
        same(to_json(&u32::MAX), u32::MAX.to_string());
        same(to_json(&vec![true, false]), "[true,false]".to_owned());
        same(to_json(&Option::<u64>::None), "null".to_owned());
        let text = WireMessage {
            id: "m1".into(),
            conversation_id: "C2Cbob".into(),
            from: "bob".into(),
            to: "alice".into(),
            seq: 3,
            time: -5,
            body: WireBody::Text {
                text: "hi\n".into(),
            },
        };
        let notice = WireMessage {
            body: WireBody::GroupNotice {
                operation_type: 4,
                group_id: "g".into(),
                group_name: "G".into(),
                operator_id: "o".into(),
            },
            ..text.clone()
        };
        let group = WireGroup {
            group_id: "g1".into(),
            name: "G".into(),
            kind: "Public".into(),
            owner_id: "bob".into(),
            member_count: 2,
            create_time: 9,
            is_member: true,
            dismissed: false,
        };
        for m in [&text, &notice] {
            same(to_json(m), serde_json::to_string(m).expect("encode"));
        }
        same(
            to_json(&group),
            serde_json::to_string(&group).expect("encode"),
        );
        for c in [
            WireConversation {
                conversation_id: "C2Cbob".into(),
                unread_count: 1,
                last_message: Some(text.clone()),
                update_time: 3,
                group: None,
            },
            WireConversation {
                conversation_id: "GROUPg1".into(),
                unread_count: 0,
                last_message: None,
                update_time: 3,
                group: Some(group.clone()),
            },
        ] {
            same(to_json(&c), serde_json::to_string(&c).expect("encode"));
        }
    }

    #[test]
    fn writes_what_json_macro_writes() {
        let text = Object::new()
            .field("a", "x\"y")
            .field("b", &[1u64, 2][..])
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
