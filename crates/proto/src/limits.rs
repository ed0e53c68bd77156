//! Sizes both sides agree on. The checks that use them are in [`crate::rules`].

/// Longest user or group ID, in bytes (Tencent allows 32; we allow a little more).
pub const MAX_ID_BYTES: usize = 64;
/// Longest group ID, in bytes (Tencent's limit).
pub const MAX_GROUP_ID_BYTES: usize = 48;
/// Longest group name, in bytes (Tencent's limit).
pub const MAX_GROUP_NAME_BYTES: usize = 30;
/// Prefix of server-made group IDs; callers may not choose IDs that start with it.
pub const RESERVED_GROUP_PREFIX: &str = "@TGS";
/// Most users one createGroup memberList or addGroupMember / deleteGroupMember userIDList holds.
pub const MAX_MEMBER_LIST: usize = 500;
/// Longest text message body, in bytes (Tencent's limit is 12 KB).
pub const MAX_TEXT_BYTES: usize = 12 * 1024;
/// Longest custom message, in bytes: `data`, `description` and `extension` together (the text
/// limit: Tencent's is on the whole message body).
pub const MAX_CUSTOM_BYTES: usize = MAX_TEXT_BYTES;
/// Most entries one atUserList holds, `AT_ALL` included (Tencent's limit).
pub const MAX_AT_USERS: usize = 30;
/// How many of a group conversation's newest unread messages the server looks through for the
/// ones that @-mention the user (the conversation's `groupAtInfoList`): a mention older than that
/// many unread messages is not listed. Bounds the list's cost per conversation.
pub const MAX_AT_INFO_SCAN: u32 = 1000;
/// Largest frame the server reads; larger ones get a coded error (the connection stays).
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Most messages one getMessageList page returns (Tencent's documented maximum is 15).
pub const MAX_PAGE_COUNT: u32 = 100;
/// Most conversations one `getConversationList` / `getMoreConversations` answer holds; the SDK
/// asks for the next page until the list is whole (docs/protocol.md "Paging": why 1,000 and not
/// the 100 of Tencent's REST `recentcontact/get_list`).
pub const LIST_PAGE: u32 = 2_000;
/// Most events one catch-up answer (`loggedIn.missed`, `getMissed`) holds; more follow in pages
/// of this size (docs/protocol.md "Paging").
pub const CATCH_UP_PAGE: u32 = 100;
/// Default page size of getMessageList.
pub const DEFAULT_PAGE_COUNT: u32 = 15;
/// Most IDs one batch deleteConversation takes (Tencent's documented maximum; more is refused, never
/// silently truncated).
pub const MAX_BATCH_DELETE: usize = 100;
/// Longest profile string (nick, avatar URL, self signature), in bytes (Tencent's limit).
pub const MAX_PROFILE_TEXT_BYTES: usize = 500;
/// Longest profile location, in bytes (Tencent's limit).
pub const MAX_LOCATION_BYTES: usize = 16;
/// Most users one getUserProfile / `profile/portrait_get` answers for; Tencent queries the first
/// 100 of a longer list and drops the rest, and so do we.
pub const MAX_PROFILE_QUERY: usize = 100;
/// Most users one addToBlacklist / removeFromBlacklist names (Tencent's limit; more is refused).
pub const MAX_BLACKLIST_CHANGE: usize = 1000;
/// Most users one blacklist holds (Tencent's limit, "not adjustable").
pub const MAX_BLACKLIST: usize = 1000;
/// Most conversations a user may have pinned at once (Tencent's limit).
pub const MAX_PINNED_CONVERSATIONS: usize = 50;
/// Most users one C2C setMessageRemindType `userIDList` holds (Tencent's limit).
pub const MAX_REMIND_USERS: usize = 30;
/// Most messages one deleteMessage call takes (Tencent's documented maximum; more is refused).
pub const MAX_DELETE_MESSAGES: usize = 30;
/// Most messages one sendMessageReadReceipt / getMessageReadReceiptList call takes (Tencent's
/// documented maximum for sendMessageReadReceipt; more is refused with 2100).
pub const MAX_READ_RECEIPT_MESSAGES: usize = 30;
/// Default of the app setting RevokeTimeLimit: how long after sending a sender may revoke, in
/// seconds (Tencent's default, 2 minutes).
pub const DEFAULT_REVOKE_TIME_LIMIT: u32 = 120;
/// Longest RevokeTimeLimit an app may set, in seconds (7 days; with 0, only within the second of
/// sending).
pub const MAX_REVOKE_TIME_LIMIT: u32 = 7 * 24 * 3600;
/// Longest group introduction, in bytes (Tencent's limit).
pub const MAX_GROUP_INTRODUCTION_BYTES: usize = 240;
/// Longest group notification, in bytes (Tencent's limit).
pub const MAX_GROUP_NOTIFICATION_BYTES: usize = 300;
/// Longest group avatar URL, in bytes (the profile strings' limit).
pub const MAX_GROUP_AVATAR_BYTES: usize = 500;
/// Most members one getGroupMemberList page returns (Tencent's documented maximum; more asks
/// for the first 100, as at Tencent).
pub const MAX_MEMBER_PAGE: u32 = 100;
/// getGroupMemberList's page size when none is given (Tencent's default).
pub const DEFAULT_MEMBER_PAGE: u32 = 15;
/// Largest image an upload may carry by default, in bytes (Tencent's limit, 20 MB; the server's
/// `--max-image-bytes`).
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;
/// Largest file an upload may carry by default, in bytes (Tencent's limit, 100 MB; the server's
/// `--max-file-bytes`).
pub const MAX_FILE_BYTES: u64 = 100 * 1024 * 1024;
/// Longest file name a file message keeps, in bytes (longer names are cut at a character
/// boundary).
pub const MAX_FILE_NAME_BYTES: usize = 255;
/// The image types an image message may hold (checked against the bytes, not only the
/// declared `Content-Type`). SVG is not among them: it can carry scripts.
pub const IMAGE_TYPES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/bmp",
];
