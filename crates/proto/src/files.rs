//! The HTTP side of image and file messages that both ends name (docs/protocol.md "Files"):
//! where uploads go and how their query is written.

/// Uploads are `POST` here; a file is fetched at `FILES_PATH/<fileID>?<fileQuery>`.
pub const FILES_PATH: &str = "/v1/files";

/// The key of a file ticket's expiry (unix seconds) in `fileQuery`
/// (`sdkappid=…&userID=…&expires=…&ticket=…`): the SDK reads it to know whether a ticket it
/// kept from an earlier login is still good.
pub const TICKET_EXPIRES: &str = "expires";

/// `s` with everything but `A-Z a-z 0-9 - . _ ~` as `%XX` (UTF-8 bytes): safe in a query.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            for nibble in [b >> 4, b & 15] {
                out.push(char::from(b"0123456789ABCDEF"[usize::from(nibble)]));
            }
        }
    }
    out
}

/// The upload's path and query: `kind` is `image` or `file`, the rest as the server reads them.
pub fn upload_path(
    sdk_app_id: u64,
    user_id: &str,
    conversation_id: &str,
    kind: &str,
    file_name: &str,
) -> String {
    let mut q = format!("{FILES_PATH}?sdkappid={sdk_app_id}&kind={kind}");
    for (key, value) in [
        ("userID", user_id),
        ("conversationID", conversation_id),
        ("fileName", file_name),
    ] {
        q.push('&');
        q.push_str(key);
        q.push('=');
        q.push_str(&percent_encode(value));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_percent_encoded() {
        assert_eq!(percent_encode("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(
            upload_path(7, "a&b", "C2Cbob", "image", "cat 1.png"),
            "/v1/files?sdkappid=7&kind=image&userID=a%26b&conversationID=C2Cbob&fileName=cat%201.png"
        );
    }
}
