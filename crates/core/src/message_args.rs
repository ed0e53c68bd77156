//! The options of the message creators (createTextMessage, createCustomMessage,
//! createTextAtMessage, createImageMessage, createFileMessage): one parser, the body each
//! makes. An image or file message's body names no upload until sendMessage has made it. The payload is read as the
//! [`Payload`] sendMessage reads (one reader in the SDK for both); sizes are checked when
//! sending, as the documented SDK does (80002).

use crate::args::message_target;
use crate::error::SdkError;
use crate::shapes::Payload;
use serde_json::Value;
use tim_proto::conversation_id::GROUP_PREFIX;
use tim_proto::model::WireBody;

/// The creators [`message_args`] knows: the package entry installs each as a method.
pub const CREATORS: &[&str] = &[
    "createTextMessage",
    "createCustomMessage",
    "createTextAtMessage",
    "createImageMessage",
    "createFileMessage",
];

#[derive(Debug, Clone, PartialEq)]
pub struct MessageArgs {
    pub to: String,
    /// `C2C` or `GROUP`.
    pub conversation_type: &'static str,
    pub body: WireBody,
    /// The `needReadReceipt: true` option (anything else is false, as at Tencent).
    pub need_read_receipt: bool,
}

/// `method`'s options `v` as the message they make; anything else is refused (2100). An @
/// message goes to a group only; its list is checked by the server (`rules::check_body`).
pub fn message_args(method: &str, v: &Value) -> Result<MessageArgs, SdkError> {
    let payload = v.get("payload");
    // `payload.file` (a File, Blob or `<input type=file>`; the browser layer takes the Blob) reads
    // as an object here.
    let file = payload
        .and_then(|p| p.get("file"))
        .is_some_and(Value::is_object);
    let body = if file && method == CREATORS[3] {
        Some(WireBody::Image {
            file_id: String::new(),
            image_format: tim_proto::model::image_format::UNKNOWN,
            size: 0,
            width: 0,
            height: 0,
        })
    } else if file && method == CREATORS[4] {
        Some(WireBody::File {
            file_id: String::new(),
            file_name: String::new(),
            size: 0,
        })
    } else {
        payload
            .and_then(|p| Payload::read(p).ok())
            .and_then(|p| p.to_wire())
    };
    let to = v.get("to").and_then(Value::as_str);
    let conversation_type = v.get("conversationType").and_then(Value::as_str);
    let (Some(body), Some(to)) = (body, to) else {
        return Err(SdkError::invalid(format!(
            "{method} needs {{ to, conversationType, payload }} with its documented payload"
        )));
    };
    let fits = match &body {
        WireBody::Text { .. } => method == CREATORS[0],
        WireBody::Custom { .. } => method == CREATORS[1],
        WireBody::AtText { .. } => method == CREATORS[2] && conversation_type == Some(GROUP_PREFIX),
        WireBody::Image { file_id, .. } => method == CREATORS[3] && file_id.is_empty(),
        WireBody::File { file_id, .. } => method == CREATORS[4] && file_id.is_empty(),
        _ => false,
    };
    if !fits {
        return Err(SdkError::invalid(format!(
            "{method} takes its own payload (an @ message goes to a GROUP)"
        )));
    }
    Ok(MessageArgs {
        to: to.to_owned(),
        conversation_type: message_target(conversation_type, to)?,
        body,
        need_read_receipt: v.get("needReadReceipt").and_then(Value::as_bool) == Some(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tim_proto::model::AT_ALL;

    fn args(method: &str, v: Value) -> Result<MessageArgs, SdkError> {
        message_args(method, &v)
    }

    fn code(r: Result<MessageArgs, SdkError>) -> u32 {
        r.expect_err("refused").code.as_u32()
    }

    #[test]
    fn custom_messages_take_three_strings() {
        let a = args(
            "createCustomMessage",
            json!({"to": "bob", "conversationType": "C2C",
                   "payload": {"data": "d", "description": "s", "extension": "e"}}),
        )
        .expect("valid");
        assert_eq!(
            a.body,
            WireBody::Custom {
                data: "d".into(),
                description: "s".into(),
                extension: "e".into()
            }
        );
        let only_data = args(
            "createCustomMessage",
            json!({"to": "g1", "conversationType": "GROUP", "payload": {"data": "d"}}),
        )
        .expect("missing strings are empty");
        assert_eq!(only_data.conversation_type, "GROUP");
        for bad in [
            json!({"to": "bob"}),
            json!({"to": "bob", "payload": "d"}),
            json!({"to": "bob", "payload": {"data": 1}}),
            json!({"to": "bob", "payload": {"text": "a text payload"}}),
            json!({"payload": {"data": "d"}}),
        ] {
            assert_eq!(
                code(args("createCustomMessage", bad.clone())),
                2100,
                "{bad}"
            );
        }
    }

    #[test]
    fn at_messages_go_to_groups_only() {
        let a = args(
            "createTextAtMessage",
            json!({"to": "g1", "conversationType": "GROUP",
                   "payload": {"text": "@bob", "atUserList": ["bob", AT_ALL]}}),
        )
        .expect("valid");
        assert_eq!(
            a.body,
            WireBody::AtText {
                text: "@bob".into(),
                at_user_list: vec!["bob".into(), AT_ALL.into()]
            }
        );
        for bad in [
            json!({"to": "bob", "conversationType": "C2C",
                   "payload": {"text": "hi", "atUserList": ["bob"]}}),
            json!({"to": "g1", "conversationType": "GROUP", "payload": {"text": "hi"}}),
            json!({"to": "g1", "conversationType": "GROUP",
                   "payload": {"text": "hi", "atUserList": [1]}}),
            json!({"to": "g1", "conversationType": "GROUP",
                   "payload": {"atUserList": ["bob"]}}),
            json!({"to": "g1", "payload": {"text": "hi", "atUserList": ["bob"]}}),
        ] {
            assert_eq!(
                code(args("createTextAtMessage", bad.clone())),
                2100,
                "{bad}"
            );
        }
        // The list's entries are the server's to check (rules::check_body).
        let unchecked = json!({"to": "g1", "conversationType": "GROUP",
                               "payload": {"text": "hi", "atUserList": [""]}});
        assert!(args("createTextAtMessage", unchecked).is_ok());
    }

    #[test]
    fn image_and_file_messages_take_a_file() {
        let image = args(
            "createImageMessage",
            json!({"to": "bob", "conversationType": "C2C", "payload": {"file": {}}}),
        )
        .expect("valid");
        assert_eq!(crate::files::pending_upload(&image.body), Some("image"));
        let file = args(
            "createFileMessage",
            json!({"to": "g1", "conversationType": "GROUP", "payload": {"file": {}}}),
        )
        .expect("valid");
        assert_eq!(crate::files::pending_upload(&file.body), Some("file"));
        for bad in [
            json!({"to": "bob", "payload": {}}),
            json!({"to": "bob", "payload": {"file": null}}),
            json!({"to": "bob", "payload": {"file": "a.png"}}),
            json!({"to": "bob", "payload": {"text": "hi"}}),
            json!({"to": "bob", "payload": {"uuid": "f1", "imageInfoArray": []}}),
            json!({"payload": {"file": {}}}),
        ] {
            for method in ["createImageMessage", "createFileMessage"] {
                assert_eq!(code(args(method, bad.clone())), 2100, "{method} {bad}");
            }
        }
        assert_eq!(
            code(args(
                "createTextMessage",
                json!({"to": "bob", "payload": {"file": {}}})
            )),
            2100
        );
    }

    #[test]
    fn text_messages_and_unknown_creators() {
        let a = args(
            "createTextMessage",
            json!({"to": "bob", "payload": {"text": "hi"}}),
        )
        .expect("valid");
        assert_eq!(a.body, WireBody::Text { text: "hi".into() });
        let g = args(
            "createTextMessage",
            json!({"to": "g1", "conversationType": "GROUP", "payload": {"text": "hi"}}),
        )
        .expect("group");
        assert_eq!(g.conversation_type, "GROUP");
        assert_eq!(
            code(args(
                "createTextMessage",
                json!({"payload": {"text": "hi"}})
            )),
            2100
        );
        assert_eq!(code(args("createTextMessage", json!({"to": "bob"}))), 2100);
        assert_eq!(
            code(args(
                "createTextMessage",
                json!({"to": "@TIM#SYSTEM", "conversationType": "@TIM#SYSTEM",
                       "payload": {"text": "hi"}})
            )),
            2502
        );
        assert_eq!(
            code(args("createFaceMessage", json!({"payload": {"text": "x"}}))),
            2100
        );
        for name in CREATORS {
            assert_eq!(code(args(name, json!({}))), 2100);
        }
    }
}
