//! The documented `TIM.EVENT` and `TIM.TYPES` values, as (name, value) tables.

use tim_proto::group_profile::{JOIN_OPTIONS, ROLES};
use tim_proto::profile::{ALLOW_TYPES, FORBID_TYPES, GENDERS};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod event {
    pub const SDK_READY: &str = "sdkStateReady";
    pub const SDK_NOT_READY: &str = "sdkStateNotReady";
    pub const SDK_DESTROY: &str = "sdkDestroy";
    pub const MESSAGE_RECEIVED: &str = "onMessageReceived";
    pub const CONVERSATION_LIST_UPDATED: &str = "onConversationListUpdated";
    pub const TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: &str = "onTotalUnreadMessageCountUpdated";
    pub const GROUP_LIST_UPDATED: &str = "onGroupListUpdated";
    pub const GROUP_SYSTEM_NOTICE_RECEIVED: &str = "receiveGroupSystemNotice";
    pub const KICKED_OUT: &str = "kickedOut";
    pub const ERROR: &str = "error";
    pub const NET_STATE_CHANGE: &str = "netStateChange";
    pub const PROFILE_UPDATED: &str = "onProfileUpdated";
    pub const BLACKLIST_UPDATED: &str = "blacklistUpdated";
    pub const MESSAGE_REVOKED: &str = "onMessageRevoked";
    pub const MESSAGE_MODIFIED: &str = "onMessageModified";
    pub const MESSAGE_READ_BY_PEER: &str = "onMessageReadByPeer";
    pub const MESSAGE_READ_RECEIPT_RECEIVED: &str = "onMessageReadReceiptReceived";
}

pub mod types {
    pub const CONV_C2C: &str = "C2C";
    pub const CONV_GROUP: &str = "GROUP";
    pub const CONV_SYSTEM: &str = "@TIM#SYSTEM";
    pub const MSG_TEXT: &str = "TIMTextElem";
    pub const MSG_CUSTOM: &str = "TIMCustomElem";
    pub const MSG_IMAGE: &str = "TIMImageElem";
    pub const MSG_FILE: &str = "TIMFileElem";
    pub const MSG_GRP_TIP: &str = "TIMGroupTipElem";
    pub const MSG_GRP_SYS_NOTICE: &str = "TIMGroupSystemNoticeElem";
    pub const GRP_WORK: &str = "Private";
    pub const GRP_PUBLIC: &str = "Public";
    pub const GRP_MEETING: &str = "ChatRoom";
    pub const GRP_AVCHATROOM: &str = "AVChatRoom";
    pub const READ_ALL_C2C_MSG: &str = "readAllC2CMessage";
    pub const READ_ALL_GROUP_MSG: &str = "readAllGroupMessage";
    pub const READ_ALL_MSG: &str = "readAllMessage";
    pub const NET_STATE_CONNECTED: &str = "connected";
    pub const NET_STATE_CONNECTING: &str = "connecting";
    pub const NET_STATE_DISCONNECTED: &str = "disconnected";
    pub const KICKED_OUT_MULT_ACCOUNT: &str = "multipleAccount";
    pub const KICKED_OUT_USERSIG_EXPIRED: &str = "userSigExpired";
    pub const MSG_REMIND_ACPT_AND_NOTE: &str = tim_proto::remind::ACCEPT_AND_NOTIFY;
    pub const MSG_REMIND_ACPT_NOT_NOTE: &str = tim_proto::remind::ACCEPT_NOT_NOTIFY;
    pub const MSG_REMIND_DISCARD: &str = tim_proto::remind::DISCARD;
}

/// `TIM.EVENT`, in documentation order.
pub const EVENTS: &[(&str, &str)] = &[
    ("SDK_READY", event::SDK_READY),
    ("SDK_NOT_READY", event::SDK_NOT_READY),
    ("SDK_DESTROY", event::SDK_DESTROY),
    ("MESSAGE_RECEIVED", event::MESSAGE_RECEIVED),
    (
        "CONVERSATION_LIST_UPDATED",
        event::CONVERSATION_LIST_UPDATED,
    ),
    (
        "TOTAL_UNREAD_MESSAGE_COUNT_UPDATED",
        event::TOTAL_UNREAD_MESSAGE_COUNT_UPDATED,
    ),
    ("GROUP_LIST_UPDATED", event::GROUP_LIST_UPDATED),
    (
        "GROUP_SYSTEM_NOTICE_RECEIVED",
        event::GROUP_SYSTEM_NOTICE_RECEIVED,
    ),
    ("KICKED_OUT", event::KICKED_OUT),
    ("ERROR", event::ERROR),
    ("NET_STATE_CHANGE", event::NET_STATE_CHANGE),
    ("PROFILE_UPDATED", event::PROFILE_UPDATED),
    ("BLACKLIST_UPDATED", event::BLACKLIST_UPDATED),
    ("MESSAGE_REVOKED", event::MESSAGE_REVOKED),
    ("MESSAGE_MODIFIED", event::MESSAGE_MODIFIED),
    ("MESSAGE_READ_BY_PEER", event::MESSAGE_READ_BY_PEER),
    (
        "MESSAGE_READ_RECEIPT_RECEIVED",
        event::MESSAGE_READ_RECEIPT_RECEIVED,
    ),
];

/// `TIM.TYPES`.
pub const TYPES: &[(&str, &str)] = &[
    ("CONV_C2C", types::CONV_C2C),
    ("CONV_GROUP", types::CONV_GROUP),
    ("CONV_SYSTEM", types::CONV_SYSTEM),
    ("MSG_TEXT", types::MSG_TEXT),
    ("MSG_REMIND_ACPT_AND_NOTE", types::MSG_REMIND_ACPT_AND_NOTE),
    ("MSG_REMIND_ACPT_NOT_NOTE", types::MSG_REMIND_ACPT_NOT_NOTE),
    ("MSG_REMIND_DISCARD", types::MSG_REMIND_DISCARD),
    ("MSG_CUSTOM", types::MSG_CUSTOM),
    ("MSG_IMAGE", types::MSG_IMAGE),
    ("MSG_FILE", types::MSG_FILE),
    ("MSG_GRP_TIP", types::MSG_GRP_TIP),
    ("MSG_GRP_SYS_NOTICE", types::MSG_GRP_SYS_NOTICE),
    ("MSG_AT_ALL", tim_proto::model::AT_ALL),
    ("GRP_WORK", types::GRP_WORK),
    ("GRP_PUBLIC", types::GRP_PUBLIC),
    ("GRP_MEETING", types::GRP_MEETING),
    ("GRP_AVCHATROOM", types::GRP_AVCHATROOM),
    ("READ_ALL_C2C_MSG", types::READ_ALL_C2C_MSG),
    ("READ_ALL_GROUP_MSG", types::READ_ALL_GROUP_MSG),
    ("READ_ALL_MSG", types::READ_ALL_MSG),
    ("NET_STATE_CONNECTED", types::NET_STATE_CONNECTED),
    ("NET_STATE_CONNECTING", types::NET_STATE_CONNECTING),
    ("NET_STATE_DISCONNECTED", types::NET_STATE_DISCONNECTED),
    ("KICKED_OUT_MULT_ACCOUNT", types::KICKED_OUT_MULT_ACCOUNT),
    (
        "KICKED_OUT_USERSIG_EXPIRED",
        types::KICKED_OUT_USERSIG_EXPIRED,
    ),
    // The profile type strings are declared once, in tim-proto (the server checks them too).
    ("GENDER_UNKNOWN", GENDERS[0]),
    ("GENDER_FEMALE", GENDERS[1]),
    ("GENDER_MALE", GENDERS[2]),
    ("ALLOW_TYPE_ALLOW_ANY", ALLOW_TYPES[0]),
    ("ALLOW_TYPE_NEED_CONFIRM", ALLOW_TYPES[1]),
    ("ALLOW_TYPE_DENY_ANY", ALLOW_TYPES[2]),
    ("FORBID_TYPE_NONE", FORBID_TYPES[0]),
    ("FORBID_TYPE_SEND_OUT", FORBID_TYPES[1]),
    ("GRP_MBR_ROLE_OWNER", ROLES[0]),
    ("GRP_MBR_ROLE_ADMIN", ROLES[1]),
    ("GRP_MBR_ROLE_MEMBER", ROLES[2]),
    ("JOIN_OPTIONS_FREE_ACCESS", JOIN_OPTIONS[0]),
    ("JOIN_OPTIONS_NEED_PERMISSION", JOIN_OPTIONS[1]),
    ("JOIN_OPTIONS_DISABLE_APPLY", JOIN_OPTIONS[2]),
];

/// `TIM.TYPES`' numbers: the `atTypeArray` entries of a conversation's `groupAtInfoList`.
pub const NUMBER_TYPES: &[(&str, u64)] = &[
    ("CONV_AT_ME", tim_proto::model::at_type::AT_ME),
    ("CONV_AT_ALL", tim_proto::model::at_type::AT_ALL),
    ("CONV_AT_ALL_AT_ME", tim_proto::model::at_type::AT_ALL_AT_ME),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_types_match_the_id_prefixes() {
        assert_eq!(types::CONV_C2C, tim_proto::conversation_id::C2C_PREFIX);
        assert_eq!(types::CONV_GROUP, tim_proto::conversation_id::GROUP_PREFIX);
        assert_eq!(types::CONV_SYSTEM, tim_proto::conversation_id::SYSTEM_ID);
    }

    #[test]
    fn names_are_unique() {
        let numbers: Vec<_> = NUMBER_TYPES.iter().map(|(n, _)| *n).collect();
        for table in [EVENTS, TYPES] {
            let mut names: Vec<_> = table.iter().map(|(n, _)| *n).collect();
            if std::ptr::eq(table, TYPES) {
                names.extend(&numbers);
            }
            names.sort_unstable();
            let all = names.len();
            names.dedup();
            assert_eq!(names.len(), all);
        }
    }
}
