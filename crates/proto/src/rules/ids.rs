//! User IDs and group IDs.

use super::Refusal;
use crate::error_code::ErrorCode;
use crate::limits::{MAX_GROUP_ID_BYTES, RESERVED_GROUP_PREFIX};
use crate::user_id::validate_id;

/// A user ID named by `field` (`userID`, `to`, `From_Account`, ...): 2100 when refused.
pub fn check_user_id(field: &str, id: &str) -> Result<(), Refusal> {
    validate_id(id).map_err(|e| Refusal::invalid(format!("{field} {e}")))
}

/// Any group ID argument: a valid ID of at most [`MAX_GROUP_ID_BYTES`] (10015 otherwise).
pub fn check_group_id(id: &str) -> Result<(), Refusal> {
    let bad = |why: String| Refusal::new(ErrorCode::InvalidGroupId, why);
    validate_id(id).map_err(|e| bad(format!("groupID {e}")))?;
    if id.len() > MAX_GROUP_ID_BYTES {
        return Err(bad(format!(
            "groupID is {} bytes (UTF-8); the limit is {MAX_GROUP_ID_BYTES}",
            id.len()
        )));
    }
    Ok(())
}

/// A group ID the caller of createGroup chose: also outside the server's own namespace.
pub fn check_custom_group_id(id: &str) -> Result<(), Refusal> {
    check_group_id(id)?;
    if id.starts_with(RESERVED_GROUP_PREFIX) {
        return Err(Refusal::new(
            ErrorCode::InvalidGroupId,
            format!(
                "groupID may not start with {RESERVED_GROUP_PREFIX} (reserved for server-made IDs)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), Refusal>) -> u32 {
        r.expect_err("refused").code.as_u32()
    }

    #[test]
    fn user_ids_refused_with_the_field_named() {
        assert!(check_user_id("userID", "alice").is_ok());
        for ok in [
            "用户",
            "é",
            "😀x",
            "mail@example.com",
            "a-b_c.d",
            "a|b",
            "a b",
        ] {
            assert!(check_user_id("userID", ok).is_ok(), "{ok}");
        }
        let e = check_user_id("to", "a\tb").expect_err("refused");
        assert_eq!(e.code, ErrorCode::InvalidParameter);
        assert!(e.message.starts_with("to "), "{}", e.message);
    }

    #[test]
    fn group_ids() {
        for ok in [
            "g1",
            "a.b-c@d_e",
            &"g".repeat(MAX_GROUP_ID_BYTES),
            "@TGS_abc",
            "群组",
            "é",
            "😀x",
            "a|b",
            "a b",
            "a#b",
            &"群".repeat(MAX_GROUP_ID_BYTES / 3),
        ] {
            assert!(check_group_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a\nb",
            "a\u{1f}b",
            "\u{7f}",
            &"g".repeat(MAX_GROUP_ID_BYTES + 1),
            // 17 characters, 51 bytes: the limit is in UTF-8 bytes.
            &"群".repeat(MAX_GROUP_ID_BYTES / 3 + 1),
        ] {
            assert_eq!(code(check_group_id(bad)), 10015, "{bad}");
        }
        assert_eq!(code(check_custom_group_id("@TGS_abc")), 10015);
        assert_eq!(code(check_custom_group_id("@TGSx")), 10015);
        assert!(check_custom_group_id("@TG").is_ok());
        let e = check_group_id(&"群".repeat(17)).expect_err("refused");
        assert!(e.message.contains("51 bytes"), "{}", e.message);
    }
}
