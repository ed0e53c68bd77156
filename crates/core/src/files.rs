//! Image and file messages on the SDK side (docs/protocol.md "Files"): where an upload goes, what
//! its answer means, and the links a received message carries. The browser layer runs the
//! upload (one `XMLHttpRequest`, for its progress events) and keeps the app's `Blob`.

use crate::error::SdkError;
use serde_json::Value;
use tim_proto::files::{upload_path, FILES_PATH, TICKET_EXPIRES};
use tim_proto::model::WireBody;
use tim_proto::ErrorCode;

/// How the user's file links are made: `<base>/v1/files/<fileID>?<query>`, the base being the
/// server's HTTP address beside the WebSocket's ([`http_base`]), the query the login answer's
/// `fileQuery` (the file ticket; empty before the server answered); and where uploads go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileLinks {
    base: String,
    query: String,
}

impl FileLinks {
    pub fn new(ws_url: &str, query: &str) -> FileLinks {
        FileLinks {
            base: http_base(ws_url),
            query: query.to_owned(),
        }
    }

    /// The links before the server has answered this login (the list and messages shown from
    /// the cache, an offline start): with `kept`, the `fileQuery` the cache kept from the last
    /// login answer, while its ticket is good at `now` (unix seconds). The server trusts nothing
    /// in it but its own MAC and expiry, and checks every fetch against the user's view then.
    pub fn before_login(ws_url: &str, kept: &str, now: i64) -> FileLinks {
        // Byte slices and a digit fold: no string searcher or integer parser in the SDK for it.
        let expires = kept
            .as_bytes()
            .split(|&b| b == b'&')
            .find(|kv| {
                kv.get(TICKET_EXPIRES.len()) == Some(&b'=')
                    && kv.starts_with(TICKET_EXPIRES.as_bytes())
            })
            .map(|kv| &kv[TICKET_EXPIRES.len() + 1..])
            .and_then(|v| {
                v.iter().try_fold(0i64, |n, &d| {
                    d.is_ascii_digit()
                        .then(|| n.checked_mul(10)?.checked_add(i64::from(d - b'0')))?
                })
            });
        let good = expires.is_some_and(|expires| expires > now);
        FileLinks::new(ws_url, if good { kept } else { "" })
    }

    /// The URL of a file; empty for none (a message not uploaded yet).
    pub fn url(&self, file_id: &str) -> String {
        if file_id.is_empty() {
            return String::new();
        }
        let mut url = format!("{}{FILES_PATH}/{file_id}", self.base);
        if !self.query.is_empty() {
            url.push('?');
            url.push_str(&self.query);
        }
        url
    }

    /// The upload's URL (`tim_proto::files::upload_path` on the server's HTTP address).
    pub fn upload_url(
        &self,
        sdk_app_id: u64,
        user_id: &str,
        conversation_id: &str,
        kind: &str,
        file_name: &str,
    ) -> String {
        let path = upload_path(sdk_app_id, user_id, conversation_id, kind, file_name);
        format!("{}{path}", self.base)
    }
}

/// The HTTP address the WebSocket URL's server answers at: `ws:` → `http:`, `wss:` → `https:`,
/// its last path segment (`/ws`) and any query dropped, so a server behind a path
/// (`wss://h/chat/ws`) is reached under it (`https://h/chat`).
pub fn http_base(ws_url: &str) -> String {
    let mut http = crate::net_failure::probe_url(ws_url).unwrap_or_default();
    // The query's start, else the end; then back to the last `/` past the scheme's `//`.
    let b = http.as_bytes();
    let mut end = b.iter().position(|&c| c == b'?').unwrap_or(b.len());
    while end > 8 && b[end - 1] != b'/' {
        end -= 1;
    }
    if end > 8 {
        http.truncate(end - 1);
    }
    http
}

/// Reads js/index.js's `fileOf` (`{ name, size }`, as JSON) into a created message's body (a
/// file message keeps its name and size); the upload's file name. No file: 2100.
pub fn describe(body: &mut WireBody, file: &Value) -> Result<String, SdkError> {
    let name = file.get("name").and_then(Value::as_str).ok_or_else(|| {
        SdkError::invalid(
            "needs payload.file: a File, a Blob or an <input type=file> with a file chosen",
        )
    })?;
    if let WireBody::File {
        file_name, size, ..
    } = body
    {
        *file_name = name.to_owned();
        *size = file.get("size").and_then(Value::as_u64).unwrap_or(0);
    }
    Ok(name.to_owned())
}

/// The key under which a made upload's fileID is kept on js/index.js's `fileOf` object, so a
/// resend after a failed send does not upload again.
pub const UPLOADED: &str = "fileID";

/// sendMessage of an image or file message this instance did not create: its Blob is not here.
pub fn not_here() -> SdkError {
    SdkError::invalid(
        "this image or file message was not created by this SDK instance (its file is not here)",
    )
}

/// The upload a message needs before it can be sent: its kind (`image` / `file`) when it is an
/// image or file message that names no upload yet.
pub fn pending_upload(body: &WireBody) -> Option<&'static str> {
    match body {
        WireBody::Image { file_id, .. } if file_id.is_empty() => Some("image"),
        WireBody::File { file_id, .. } if file_id.is_empty() => Some("file"),
        _ => None,
    }
}

/// `body` naming the upload `id`.
pub fn with_upload(body: &mut WireBody, id: String) {
    if let WireBody::Image { file_id, .. } | WireBody::File { file_id, .. } = body {
        *file_id = id;
    }
}

/// What an upload's outcome (`{ status, answer }`: the HTTP status, 0 when nothing answered, and
/// the answer's JSON) means: the uploaded `fileID`, or the server's refusal with its code
/// (`{code, message}` with an HTTP error status), or a network error for anything else.
pub fn upload_answer(outcome: &Value) -> Result<String, SdkError> {
    let status = outcome.get("status").and_then(Value::as_u64).unwrap_or(0);
    let answer = outcome.get("answer").unwrap_or(&Value::Null);
    let message = answer
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the upload failed: no answer from the chat server");
    if status == 0 {
        return Err(SdkError::new(
            ErrorCode::NetworkError,
            "the upload failed: the server could not be reached",
        ));
    }
    let code = answer.get("code").and_then(Value::as_u64).unwrap_or(1);
    if status == 200 && code == 0 {
        if let Some(id) = answer
            .get("data")
            .and_then(|d| d.get("fileID"))
            .and_then(Value::as_str)
        {
            return Ok(id.to_owned());
        }
    }
    let code = u32::try_from(code)
        .ok()
        .and_then(|c| ErrorCode::try_from(c).ok())
        .unwrap_or(ErrorCode::NetworkError);
    Err(SdkError::new(code, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn links_sit_beside_the_websocket() {
        assert_eq!(http_base("ws://127.0.0.1:8080/ws"), "http://127.0.0.1:8080");
        assert_eq!(http_base("wss://h/chat/ws"), "https://h/chat");
        assert_eq!(http_base("wss://h/ws?x=1/2"), "https://h");
        assert_eq!(http_base("ws://h"), "http://h");
        let links = FileLinks::new("ws://h:1/ws", "sdkappid=1&ticket=t");
        assert_eq!(
            links.url("ab"),
            "http://h:1/v1/files/ab?sdkappid=1&ticket=t"
        );
        assert_eq!(links.url(""), "");
        assert_eq!(
            FileLinks::new("ws://h:1/ws", "").url("ab"),
            "http://h:1/v1/files/ab"
        );
        assert_eq!(
            links.upload_url(7, "a", "C2Cb", "file", "x y"),
            "http://h:1/v1/files?sdkappid=7&kind=file&userID=a&conversationID=C2Cb&fileName=x%20y"
        );
    }

    #[test]
    fn a_kept_ticket_is_used_until_it_expires() {
        let kept = "sdkappid=1&userID=a&expires=100&ticket=t";
        assert_eq!(
            FileLinks::before_login("ws://h/ws", kept, 99).url("f"),
            "http://h/v1/files/f?sdkappid=1&userID=a&expires=100&ticket=t"
        );
        let bad = "sdkappid=1&expires=1x&ticket=t";
        for (query, now) in [(kept, 100), (kept, 101), ("", 0), ("ticket=t", 0), (bad, 0)] {
            let links = FileLinks::before_login("ws://h/ws", query, now);
            assert_eq!(links.url("f"), "http://h/v1/files/f", "{query} at {now}");
        }
    }

    #[test]
    fn answers_give_the_file_or_the_servers_code() {
        let ok = json!({"status": 200, "answer": {"code": 0, "data": {"fileID": "f1"}}});
        assert_eq!(upload_answer(&ok).ok(), Some("f1".to_owned()));
        let code = |status: u32, answer: Value| {
            upload_answer(&json!({"status": status, "answer": answer})).map_err(|e| e.code.as_u32())
        };
        assert_eq!(
            code(413, json!({"code": 2253, "message": "big"})),
            Err(2253)
        );
        assert_eq!(
            code(413, json!({"code": 2402, "message": "big"})),
            Err(2402)
        );
        assert_eq!(
            code(403, json!({"code": 10007, "message": "no"})),
            Err(10007)
        );
        assert_eq!(code(0, json!(null)), Err(2800));
        // Not the server's answer (a proxy's page): a network error, not a made-up refusal.
        assert_eq!(code(502, json!(null)), Err(2800));
        assert_eq!(code(200, json!({"code": 0})), Err(2800));
        assert_eq!(code(404, json!({"code": 99999})), Err(2800));
    }

    #[test]
    fn a_created_file_message_keeps_the_files_name_and_size() {
        let mut file = WireBody::File {
            file_id: String::new(),
            file_name: String::new(),
            size: 0,
        };
        let name = describe(&mut file, &json!({"blob": {}, "name": "a.pdf", "size": 7}));
        assert_eq!(name.ok().as_deref(), Some("a.pdf"));
        assert!(
            matches!(file, WireBody::File { ref file_name, size: 7, .. } if file_name == "a.pdf")
        );
        let code = describe(&mut file, &json!(null)).map_err(|e| e.code.as_u32());
        assert_eq!(code, Err(2100));
    }

    #[test]
    fn only_image_and_file_bodies_without_an_upload_wait_for_one() {
        let mut image = WireBody::Image {
            file_id: String::new(),
            image_format: 255,
            size: 0,
            width: 0,
            height: 0,
        };
        assert_eq!(pending_upload(&image), Some("image"));
        with_upload(&mut image, "f1".into());
        assert_eq!(pending_upload(&image), None);
        let file = WireBody::File {
            file_id: String::new(),
            file_name: "a".into(),
            size: 1,
        };
        assert_eq!(pending_upload(&file), Some("file"));
        assert_eq!(pending_upload(&WireBody::Text { text: "".into() }), None);
    }
}
