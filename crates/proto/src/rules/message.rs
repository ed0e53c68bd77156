//! Message texts, history pages and batch deletions.

use super::Refusal;
use crate::error_code::ErrorCode;
use crate::limits::{MAX_BATCH_DELETE, MAX_PAGE_COUNT, MAX_TEXT_BYTES};

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
