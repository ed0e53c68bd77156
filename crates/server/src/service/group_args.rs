//! The arguments of the group calls, checked as the SDK checks them (crates/core's
//! `group_args`; the server must not rely on that): group IDs, names, member lists, and the
//! server-made group IDs.

use crate::error::ApiError;
use tim_proto::user_id::validate_id;
use tim_proto::ErrorCode;

/// Longest group ID, in bytes (Tencent's limit; the SDK's `group_args` checks the same).
pub const MAX_GROUP_ID_BYTES: usize = 48;
/// Longest group name, in bytes (Tencent's limit).
pub const MAX_GROUP_NAME_BYTES: usize = 30;
/// Prefix of server-made group IDs; callers may not choose IDs that start with it.
pub const RESERVED_GROUP_PREFIX: &str = "@TGS";
/// What server-made IDs start with: the reserved prefix, then [`SERVER_ID_RANDOM_CHARS`] of
/// `a-z 0-9` (no `#`, so `GROUP<id>` is a valid conversation ID).
const SERVER_ID_PREFIX: &str = "@TGS_";
const SERVER_ID_RANDOM_CHARS: usize = 16;
/// How many fresh IDs to try before giving up (a clash of 16 random characters is not expected).
pub(super) const SERVER_ID_ATTEMPTS: usize = 4;
/// Most users one memberList / userIDList holds.
pub const MAX_MEMBER_LIST: usize = 500;

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
}

/// Any group ID argument: 1 to 48 bytes of `A-Z a-z 0-9 _ - . @` (10015).
pub(super) fn validate_group_id(id: &str) -> Result<(), ApiError> {
    let bad = |why: String| ApiError::new(ErrorCode::InvalidGroupId, why);
    validate_id(id).map_err(|e| bad(format!("groupID {e}")))?;
    if id.len() > MAX_GROUP_ID_BYTES {
        return Err(bad(format!(
            "groupID is {} bytes; the limit is {MAX_GROUP_ID_BYTES}",
            id.len()
        )));
    }
    Ok(())
}

/// A group ID chosen by the caller of createGroup: also not in the server's namespace.
pub(super) fn validate_custom_group_id(id: &str) -> Result<(), ApiError> {
    validate_group_id(id)?;
    if id.starts_with(RESERVED_GROUP_PREFIX) {
        return Err(ApiError::new(
            ErrorCode::InvalidGroupId,
            format!(
                "groupID may not start with {RESERVED_GROUP_PREFIX} (reserved for server-made IDs)"
            ),
        ));
    }
    Ok(())
}

/// `@TGS_` and 16 random characters of `a-z 0-9`.
pub(super) fn server_group_id() -> Result<String, ApiError> {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = [0u8; SERVER_ID_RANDOM_CHARS];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    let random: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    Ok(format!("{SERVER_ID_PREFIX}{random}"))
}

/// createGroup's memberList: at most [`MAX_MEMBER_LIST`] valid user IDs (2100 otherwise: nothing
/// is created), without repeats and without the creator (who is the owner anyway).
pub(super) fn member_list_of(owner: &str, list: Vec<String>) -> Result<Vec<String>, ApiError> {
    if list.len() > MAX_MEMBER_LIST {
        return Err(invalid(format!(
            "memberList holds {} users; the limit is {MAX_MEMBER_LIST}",
            list.len()
        )));
    }
    let mut members: Vec<String> = Vec::with_capacity(list.len());
    for user in list {
        validate_id(&user).map_err(|e| invalid(format!("memberList: userID {user:?} {e}")))?;
        if user != owner && !members.contains(&user) {
            members.push(user);
        }
    }
    Ok(members)
}

/// The distinct valid user IDs of a list, and the invalid ones, each in list order.
pub(super) fn split_valid(list: Vec<String>) -> (Vec<String>, Vec<String>) {
    let (mut valid, mut invalid) = (Vec::new(), Vec::new());
    for user in list {
        let bucket = if validate_id(&user).is_ok() {
            &mut valid
        } else {
            &mut invalid
        };
        if !bucket.contains(&user) {
            bucket.push(user);
        }
    }
    (valid, invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T: std::fmt::Debug>(r: Result<T, ApiError>) -> u32 {
        r.expect_err("refused").code.as_u32()
    }

    #[test]
    fn group_ids_are_checked() {
        for ok in [
            "g1",
            "a.b-c@d_e",
            &"g".repeat(MAX_GROUP_ID_BYTES),
            "@TGS_abc",
        ] {
            assert!(validate_group_id(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a#b", "é", &"g".repeat(MAX_GROUP_ID_BYTES + 1)] {
            assert_eq!(code(validate_group_id(bad)), 10015, "{bad}");
        }
        assert_eq!(code(validate_custom_group_id("@TGS_abc")), 10015);
        assert_eq!(code(validate_custom_group_id("@TGSx")), 10015);
        assert!(validate_custom_group_id("@TG").is_ok());
    }

    #[test]
    fn server_made_ids_are_valid_and_reserved() {
        let a = server_group_id().expect("id");
        let b = server_group_id().expect("id");
        assert_ne!(a, b);
        assert_eq!(a.len(), SERVER_ID_PREFIX.len() + SERVER_ID_RANDOM_CHARS);
        assert!(validate_group_id(&a).is_ok(), "{a}");
        assert_eq!(
            code(validate_custom_group_id(&a)),
            10015,
            "callers may not pick {a}"
        );
        assert!(tim_proto::ConversationId::parse(&format!("GROUP{a}")).is_ok());
    }

    #[test]
    fn member_lists() {
        let l = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            member_list_of("alice", l(&["bob", "alice", "carol", "bob"])).expect("ok"),
            l(&["bob", "carol"])
        );
        assert_eq!(code(member_list_of("alice", l(&["bo b"]))), 2100);
        let many: Vec<String> = (0..=MAX_MEMBER_LIST).map(|i| format!("u{i}")).collect();
        assert_eq!(code(member_list_of("alice", many)), 2100);
        assert_eq!(
            split_valid(l(&["bob", "x y", "bob", "", "carol"])),
            (l(&["bob", "carol"]), l(&["x y", ""]))
        );
    }
}
