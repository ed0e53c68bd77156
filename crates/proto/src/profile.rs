//! User profiles and their fields, with Tencent's names and type strings (TIM.TYPES.GENDER_*,
//! ALLOW_TYPE_*, FORBID_TYPE_*). The limits on the values are checked in
//! [`crate::rules::check_profile_patch`].

use serde::{Deserialize, Serialize};

/// TIM.TYPES.GENDER_* (Tencent's `Tag_Profile_IM_Gender` values).
pub const GENDERS: [&str; 3] = [
    "Gender_Type_Unknown",
    "Gender_Type_Female",
    "Gender_Type_Male",
];
/// TIM.TYPES.ALLOW_TYPE_* (`Tag_Profile_IM_AllowType`): allow any, need confirm, deny any.
pub const ALLOW_TYPES: [&str; 3] = [
    "AllowType_Type_AllowAny",
    "AllowType_Type_NeedConfirm",
    "AllowType_Type_DenyAny",
];
/// TIM.TYPES.FORBID_TYPE_* (`Tag_Profile_IM_AdminForbidType`): none, send out.
pub const FORBID_TYPES: [&str; 2] = ["AdminForbid_Type_None", "AdminForbid_Type_SendOut"];

/// A user's profile, as `getMyProfile` / `getUserProfile` show it (Tencent's Profile shape, no
/// custom fields). A user who never set anything has the defaults: empty strings, zeros,
/// `Gender_Type_Unknown`, `AllowType_Type_NeedConfirm`, `AdminForbid_Type_None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireProfile {
    #[serde(rename = "userID")]
    pub user_id: String,
    pub nick: String,
    pub gender: String,
    pub birthday: u32,
    pub location: String,
    pub self_signature: String,
    pub allow_type: String,
    pub language: u32,
    pub avatar: String,
    pub message_settings: u32,
    pub admin_forbid_type: String,
    pub level: u32,
    pub role: u32,
    /// Unix seconds of the last change (0: never changed).
    pub last_updated_time: i64,
}

impl WireProfile {
    /// The profile of a user who never set anything.
    pub fn empty(user_id: &str) -> Self {
        WireProfile {
            user_id: user_id.to_owned(),
            nick: String::new(),
            gender: GENDERS[0].to_owned(),
            birthday: 0,
            location: String::new(),
            self_signature: String::new(),
            allow_type: ALLOW_TYPES[1].to_owned(),
            language: 0,
            avatar: String::new(),
            message_settings: 0,
            admin_forbid_type: FORBID_TYPES[0].to_owned(),
            level: 0,
            role: 0,
            last_updated_time: 0,
        }
    }

    /// This profile with `patch`'s fields set over it.
    pub fn patched(mut self, patch: &ProfilePatch, now: i64) -> Self {
        fn set<T: Clone>(field: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *field = v.clone();
            }
        }
        set(&mut self.nick, &patch.nick);
        set(&mut self.gender, &patch.gender);
        set(&mut self.birthday, &patch.birthday);
        set(&mut self.location, &patch.location);
        set(&mut self.self_signature, &patch.self_signature);
        set(&mut self.allow_type, &patch.allow_type);
        set(&mut self.language, &patch.language);
        set(&mut self.avatar, &patch.avatar);
        set(&mut self.message_settings, &patch.message_settings);
        set(&mut self.admin_forbid_type, &patch.admin_forbid_type);
        set(&mut self.level, &patch.level);
        set(&mut self.role, &patch.role);
        self.last_updated_time = now;
        self
    }
}

/// `value` as the JSON text the protocol carries results and profiles in: `Reply::Data`,
/// `Push::ProfileUpdated`. Text, not objects, because the SDK reads
/// frames with serde-wasm-bindgen, where the 14 fields of a profile cost about 3 KB gzip of code
/// to read and write; as text the SDK passes them to and from JS with `JSON.parse` /
/// `JSON.stringify`.
pub fn to_text<T: Serialize + ?Sized>(value: &T) -> String {
    // Strings and numbers only: serializing cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

/// `updateMyProfile`'s fields: each one given is set, the others stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfilePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nick: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_signature: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_settings: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_forbid_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<u32>,
}

impl ProfilePatch {
    /// Whether no field is given (Tencent's 2722 for updateMyProfile).
    pub fn is_empty(&self) -> bool {
        *self == ProfilePatch::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch_from_json(v: serde_json::Value) -> serde_json::Result<ProfilePatch> {
        serde_json::from_value(v)
    }

    #[test]
    fn profiles_travel_as_json_text() {
        let p = WireProfile::empty("bob");
        let text = to_text(&[&p]);
        assert_eq!(
            serde_json::from_str::<Vec<WireProfile>>(&text).expect("read"),
            vec![p]
        );
        assert_eq!(
            patch_from_json(json!({"nick": "B", "level": 2}))
                .expect("patch")
                .level,
            Some(2)
        );
        for bad in [
            json!({"level": "two"}),
            json!({"level": -1}),
            json!([1]),
            json!("x"),
        ] {
            assert!(patch_from_json(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_patch_sets_only_its_fields_and_keeps_tencents_names() {
        let patch: ProfilePatch = serde_json::from_value(json!({
            "nick": "Al", "selfSignature": "hi", "messageSettings": 1
        }))
        .expect("patch");
        assert!(!patch.is_empty());
        assert!(ProfilePatch::default().is_empty());
        let p = WireProfile::empty("alice").patched(&patch, 5);
        let v = serde_json::to_value(&p).expect("encode");
        assert_eq!(v["userID"], "alice");
        assert_eq!(v["nick"], "Al");
        assert_eq!(v["selfSignature"], "hi");
        assert_eq!(v["messageSettings"], 1);
        assert_eq!(v["gender"], "Gender_Type_Unknown");
        assert_eq!(v["allowType"], "AllowType_Type_NeedConfirm");
        assert_eq!(v["adminForbidType"], "AdminForbid_Type_None");
        assert_eq!(v["lastUpdatedTime"], 5);
    }
}
