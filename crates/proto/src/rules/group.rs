//! Group names and member lists.

use super::Refusal;
use crate::limits::{MAX_GROUP_NAME_BYTES, MAX_MEMBER_LIST};

/// 1 to [`MAX_GROUP_NAME_BYTES`] bytes (2100 otherwise).
pub fn check_group_name(name: &str) -> Result<(), Refusal> {
    if name.is_empty() || name.len() > MAX_GROUP_NAME_BYTES {
        return Err(Refusal::invalid(format!(
            "a group name is 1 to {MAX_GROUP_NAME_BYTES} bytes, this one is {}",
            name.len()
        )));
    }
    Ok(())
}

/// A list of `len` users named by `field`: at most [`MAX_MEMBER_LIST`], and at least one unless
/// `may_be_empty` (createGroup's memberList may be; addGroupMember's userIDList may not).
pub fn check_member_count(field: &str, len: usize, may_be_empty: bool) -> Result<(), Refusal> {
    if len > MAX_MEMBER_LIST {
        return Err(Refusal::invalid(format!(
            "{field} holds {len} users; the limit is {MAX_MEMBER_LIST}"
        )));
    }
    if len == 0 && !may_be_empty {
        return Err(Refusal::invalid(format!("{field} is empty")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_counts() {
        assert!(check_group_name("G").is_ok());
        assert!(check_group_name(&"x".repeat(MAX_GROUP_NAME_BYTES)).is_ok());
        assert!(check_group_name("").is_err());
        assert!(check_group_name(&"x".repeat(MAX_GROUP_NAME_BYTES + 1)).is_err());
        assert!(check_member_count("memberList", 0, true).is_ok());
        assert!(check_member_count("userIDList", 0, false).is_err());
        assert!(check_member_count("userIDList", MAX_MEMBER_LIST, false).is_ok());
        let e = check_member_count("memberList", MAX_MEMBER_LIST + 1, true).expect_err("refused");
        assert_eq!(e.code.as_u32(), 2100);
        assert!(e.message.contains("memberList"), "{}", e.message);
    }
}
