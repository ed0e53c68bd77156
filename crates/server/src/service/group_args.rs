//! The arguments of the group calls the server checks itself (the SDK checks the same rules,
//! from `tim_proto::rules`; the server must not rely on that): member lists, and the
//! server-made group IDs.

use crate::error::ApiError;
use tim_proto::rules::{check_member_count, check_user_id};
use tim_proto::ErrorCode;

/// What server-made IDs start with: the reserved prefix
/// ([`tim_proto::limits::RESERVED_GROUP_PREFIX`]), then [`SERVER_ID_RANDOM_CHARS`] of `a-z 0-9`
/// (no `#`, so `GROUP<id>` is a valid conversation ID).
const SERVER_ID_PREFIX: &str = "@TGS_";
const SERVER_ID_RANDOM_CHARS: usize = 16;
/// How many fresh IDs to try before giving up (a clash of 16 random characters is not expected).
pub(super) const SERVER_ID_ATTEMPTS: usize = 4;

pub(super) fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidParameter, message)
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

/// createGroup's memberList: at most [`tim_proto::limits::MAX_MEMBER_LIST`] valid user IDs (2100
/// otherwise: nothing is created), without repeats and without the creator (who is the owner
/// anyway).
pub(super) fn member_list_of(owner: &str, list: Vec<String>) -> Result<Vec<String>, ApiError> {
    check_member_count("memberList", list.len(), true)?;
    let mut members: Vec<String> = Vec::with_capacity(list.len());
    for user in list {
        check_user_id(&format!("memberList: userID {user:?}"), &user)?;
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
        let bucket = if check_user_id("userID", &user).is_ok() {
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
    use tim_proto::limits::MAX_MEMBER_LIST;
    use tim_proto::rules::{check_custom_group_id, check_group_id};

    fn code<T: std::fmt::Debug>(r: Result<T, ApiError>) -> u32 {
        r.expect_err("refused").code.as_u32()
    }

    #[test]
    fn server_made_ids_are_valid_and_reserved() {
        let a = server_group_id().expect("id");
        let b = server_group_id().expect("id");
        assert_ne!(a, b);
        assert_eq!(a.len(), SERVER_ID_PREFIX.len() + SERVER_ID_RANDOM_CHARS);
        assert!(check_group_id(&a).is_ok(), "{a}");
        assert_eq!(
            check_custom_group_id(&a).map_err(|r| r.code.as_u32()),
            Err(10015),
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
        assert_eq!(code(member_list_of("alice", l(&["bo\tb"]))), 2100);
        let many: Vec<String> = (0..=MAX_MEMBER_LIST).map(|i| format!("u{i}")).collect();
        assert_eq!(code(member_list_of("alice", many)), 2100);
        assert_eq!(
            split_valid(l(&["bob", "x\ny", "bob", "", "carol"])),
            (l(&["bob", "carol"]), l(&["x\ny", ""]))
        );
    }
}
