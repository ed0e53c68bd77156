//! Message texts, history pages and batch deletions.

use super::Refusal;
use crate::error_code::ErrorCode;
use crate::limits::{
    MAX_AT_USERS, MAX_BATCH_DELETE, MAX_CUSTOM_BYTES, MAX_PAGE_COUNT, MAX_TEXT_BYTES,
};
use crate::model::{WireBody, AT_ALL};

/// At most [`MAX_TEXT_BYTES`] (80002 otherwise, Tencent's code).
pub fn check_text(text: &str) -> Result<(), Refusal> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(Refusal::new(
            ErrorCode::MessageTooLong,
            format!(
                "text is {} bytes; the limit is {MAX_TEXT_BYTES}",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// The rules of a body an app sends: text and custom bodies within their limits (80002
/// otherwise); @ messages to groups only, with at most [`MAX_AT_USERS`] user IDs or
/// [`AT_ALL`] (2100 otherwise). Other kinds are checked where they are made (files by the upload).
pub fn check_body(body: &WireBody, to_group: bool) -> Result<(), Refusal> {
    match body {
        WireBody::Text { text } => check_text(text),
        WireBody::AtText { text, at_user_list } => {
            if !to_group {
                return Err(Refusal::invalid("@ messages can only be sent to groups"));
            }
            if at_user_list.len() > MAX_AT_USERS {
                return Err(Refusal::invalid(format!(
                    "atUserList holds {} entries; at most {MAX_AT_USERS}",
                    at_user_list.len()
                )));
            }
            for id in at_user_list.iter().filter(|id| *id != AT_ALL) {
                crate::rules::check_user_id("atUserList", id)?;
            }
            check_text(text)
        }
        WireBody::Custom {
            data,
            description,
            extension,
        } => {
            let len = data.len() + description.len() + extension.len();
            if len > MAX_CUSTOM_BYTES {
                return Err(Refusal::new(
                    ErrorCode::MessageTooLong,
                    format!("custom message is {len} bytes; the limit is {MAX_CUSTOM_BYTES}"),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// A getMessageList count: 1 to [`MAX_PAGE_COUNT`] (2100 otherwise).
pub fn check_page_count(count: u64) -> Result<u32, Refusal> {
    match u32::try_from(count) {
        Ok(c) if (1..=MAX_PAGE_COUNT).contains(&c) => Ok(c),
        _ => Err(Refusal::invalid(format!(
            "count must be an integer from 1 to {MAX_PAGE_COUNT}"
        ))),
    }
}

/// A batch deleteConversation of `len` IDs: 1 to [`MAX_BATCH_DELETE`], never truncated (2100).
pub fn check_batch_delete_len(len: usize) -> Result<(), Refusal> {
    if len == 0 {
        return Err(Refusal::invalid(format!(
            "conversationIDList is empty: name 1 to {MAX_BATCH_DELETE} conversations"
        )));
    }
    if len > MAX_BATCH_DELETE {
        return Err(Refusal::invalid(format!(
            "conversationIDList has {len} IDs; the limit is {MAX_BATCH_DELETE} per call \
             (nothing was deleted: more is refused, never truncated)"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(data: usize, description: usize, extension: usize) -> WireBody {
        WireBody::Custom {
            data: "d".repeat(data),
            description: "s".repeat(description),
            extension: "e".repeat(extension),
        }
    }

    #[test]
    fn custom_bodies_count_all_three_strings() {
        assert!(check_body(&custom(MAX_CUSTOM_BYTES - 2, 1, 1), false).is_ok());
        assert_eq!(
            check_body(&custom(MAX_CUSTOM_BYTES - 1, 1, 1), true)
                .expect_err("long")
                .code,
            ErrorCode::MessageTooLong
        );
        let long_text = WireBody::Text {
            text: "x".repeat(MAX_TEXT_BYTES + 1),
        };
        assert!(check_body(&long_text, false).is_err());
    }

    fn at(list: &[&str]) -> WireBody {
        WireBody::AtText {
            text: "hi".into(),
            at_user_list: list.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn at_bodies_go_to_groups_with_valid_ids() {
        assert!(check_body(&at(&["bob", AT_ALL]), true).is_ok());
        let refused = |b: &WireBody, g| check_body(b, g).expect_err("refused").code;
        assert_eq!(refused(&at(&["bob"]), false), ErrorCode::InvalidParameter);
        assert_eq!(refused(&at(&[""]), true), ErrorCode::InvalidParameter);
        let many: Vec<String> = (0..=MAX_AT_USERS).map(|i| format!("u{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(refused(&at(&many), true), ErrorCode::InvalidParameter);
        assert!(check_body(&at(&many[..MAX_AT_USERS]), true).is_ok());
    }

    #[test]
    fn texts_pages_and_batches() {
        assert!(check_text(&"x".repeat(MAX_TEXT_BYTES)).is_ok());
        assert_eq!(
            check_text(&"x".repeat(MAX_TEXT_BYTES + 1))
                .expect_err("long")
                .code,
            ErrorCode::MessageTooLong
        );
        assert_eq!(check_page_count(1), Ok(1));
        assert_eq!(
            check_page_count(u64::from(MAX_PAGE_COUNT)),
            Ok(MAX_PAGE_COUNT)
        );
        for bad in [0, u64::from(MAX_PAGE_COUNT) + 1, u64::MAX] {
            assert!(check_page_count(bad).is_err(), "{bad}");
        }
        assert!(check_batch_delete_len(1).is_ok());
        assert!(check_batch_delete_len(MAX_BATCH_DELETE).is_ok());
        assert!(check_batch_delete_len(0).is_err());
        assert!(check_batch_delete_len(MAX_BATCH_DELETE + 1).is_err());
    }
}
