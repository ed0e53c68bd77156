//! Profile updates and the user lists of profile and blacklist calls.

use super::Refusal;
use crate::error_code::ErrorCode;
use crate::limits::{MAX_BLACKLIST_CHANGE, MAX_LOCATION_BYTES, MAX_PROFILE_TEXT_BYTES};
use crate::profile::{ProfilePatch, ALLOW_TYPES, FORBID_TYPES, GENDERS};
use crate::user_id::validate_id;

/// An updateMyProfile: at least one field (2722, Tencent's UPDATE_PROFILE_NO_KEY), each within
/// Tencent's limits (2721, UPDATE_PROFILE_INVALID_PARAM): nick, avatar and selfSignature at most
/// [`MAX_PROFILE_TEXT_BYTES`], location at most [`MAX_LOCATION_BYTES`], gender / allowType /
/// adminForbidType one of their TIM.TYPES strings. The numbers are u32 by their type.
pub fn check_profile_patch(patch: &ProfilePatch) -> Result<(), Refusal> {
    if patch.is_empty() {
        return Err(Refusal::new(
            ErrorCode::UpdateProfileNoKey,
            "updateMyProfile names no profile field to update",
        ));
    }
    let bad = |m: String| Err(Refusal::new(ErrorCode::UpdateProfileInvalidParam, m));
    let texts = [
        ("nick", &patch.nick, MAX_PROFILE_TEXT_BYTES),
        ("avatar", &patch.avatar, MAX_PROFILE_TEXT_BYTES),
        (
            "selfSignature",
            &patch.self_signature,
            MAX_PROFILE_TEXT_BYTES,
        ),
        ("location", &patch.location, MAX_LOCATION_BYTES),
    ];
    for (field, value, max) in texts {
        if let Some(v) = value {
            if v.len() > max {
                return bad(format!(
                    "{field} is {} bytes (UTF-8); the limit is {max}",
                    v.len()
                ));
            }
        }
    }
    let choices: [(&str, &Option<String>, &[&str]); 3] = [
        ("gender", &patch.gender, &GENDERS),
        ("allowType", &patch.allow_type, &ALLOW_TYPES),
        ("adminForbidType", &patch.admin_forbid_type, &FORBID_TYPES),
    ];
    for (field, value, allowed) in choices {
        if let Some(v) = value {
            if !allowed.contains(&v.as_str()) {
                return bad(format!("{field} must be one of {}", allowed.join(", ")));
            }
        }
    }
    Ok(())
}

/// Which blacklist call a user list is for: its code for a bad list (Tencent's
/// ADD_BLACKLIST_INVALID_PARAM 2740 / DEL_BLACKLIST_INVALID_PARAM 2741).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlacklistChange {
    Add,
    Remove,
}

/// An addToBlacklist / removeFromBlacklist `userIDList` of `caller`: 1 to
/// [`MAX_BLACKLIST_CHANGE`] valid user IDs (2740 / 2741 otherwise, nothing changed), and not the
/// caller on an add (2742, CANNOT_ADD_SELF_TO_BLACKLIST).
pub fn check_blacklist_change(
    change: BlacklistChange,
    caller: &str,
    user_ids: &[String],
) -> Result<(), Refusal> {
    let code = match change {
        BlacklistChange::Add => ErrorCode::AddBlacklistInvalidParam,
        BlacklistChange::Remove => ErrorCode::DelBlacklistInvalidParam,
    };
    if user_ids.is_empty() || user_ids.len() > MAX_BLACKLIST_CHANGE {
        return Err(Refusal::new(
            code,
            format!(
                "userIDList holds {} users; name 1 to {MAX_BLACKLIST_CHANGE}",
                user_ids.len()
            ),
        ));
    }
    for id in user_ids {
        validate_id(id).map_err(|e| Refusal::new(code, format!("userIDList: {id:?} {e}")))?;
        if change == BlacklistChange::Add && id == caller {
            return Err(Refusal::new(
                ErrorCode::CannotAddSelfToBlacklist,
                "a user cannot blacklist themselves",
            ));
        }
    }
    Ok(())
}

/// A getUserProfile `userIDList`: at least one valid user ID (2100 otherwise). Longer than
/// [`crate::limits::MAX_PROFILE_QUERY`] is not refused: only the first ones are looked up, as at
/// Tencent.
pub fn check_profile_query(user_ids: &[String]) -> Result<(), Refusal> {
    if user_ids.is_empty() {
        return Err(Refusal::invalid("userIDList is empty"));
    }
    for id in user_ids {
        validate_id(id).map_err(|e| Refusal::invalid(format!("userIDList: {id:?} {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: Result<(), Refusal>) -> Option<u32> {
        r.err().map(|e| e.code.as_u32())
    }

    #[test]
    fn profile_fields_within_tencents_limits() {
        let ok = ProfilePatch {
            nick: Some("x".repeat(MAX_PROFILE_TEXT_BYTES)),
            location: Some("x".repeat(MAX_LOCATION_BYTES)),
            gender: Some("Gender_Type_Male".into()),
            allow_type: Some("AllowType_Type_DenyAny".into()),
            ..Default::default()
        };
        assert_eq!(code(check_profile_patch(&ok)), None);
        assert_eq!(
            code(check_profile_patch(&ProfilePatch::default())),
            Some(2722)
        );
        let bad = [
            ProfilePatch {
                nick: Some("x".repeat(MAX_PROFILE_TEXT_BYTES + 1)),
                ..Default::default()
            },
            ProfilePatch {
                avatar: Some("é".repeat(251)),
                ..Default::default()
            },
            ProfilePatch {
                self_signature: Some("x".repeat(501)),
                ..Default::default()
            },
            ProfilePatch {
                location: Some("x".repeat(MAX_LOCATION_BYTES + 1)),
                ..Default::default()
            },
            ProfilePatch {
                gender: Some("male".into()),
                ..Default::default()
            },
            ProfilePatch {
                allow_type: Some(String::new()),
                ..Default::default()
            },
            ProfilePatch {
                admin_forbid_type: Some("x".into()),
                ..Default::default()
            },
        ];
        for p in bad {
            assert_eq!(code(check_profile_patch(&p)), Some(2721), "{p:?}");
        }
    }

    #[test]
    fn blacklist_and_query_lists() {
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let add = BlacklistChange::Add;
        let remove = BlacklistChange::Remove;
        assert_eq!(code(check_blacklist_change(add, "a", &ids(&["b"]))), None);
        assert_eq!(code(check_blacklist_change(add, "a", &[])), Some(2740));
        assert_eq!(code(check_blacklist_change(remove, "a", &[])), Some(2741));
        assert_eq!(
            code(check_blacklist_change(add, "a", &ids(&[""]))),
            Some(2740)
        );
        assert_eq!(
            code(check_blacklist_change(add, "a", &ids(&["b", "a"]))),
            Some(2742)
        );
        assert_eq!(
            code(check_blacklist_change(remove, "a", &ids(&["a"]))),
            None
        );
        let many = vec!["u".to_string(); MAX_BLACKLIST_CHANGE + 1];
        assert_eq!(code(check_blacklist_change(add, "a", &many)), Some(2740));
        assert_eq!(code(check_profile_query(&ids(&["a", "b"]))), None);
        assert_eq!(code(check_profile_query(&[])), Some(2100));
        assert_eq!(code(check_profile_query(&ids(&["a\u{1}"]))), Some(2100));
    }
}
