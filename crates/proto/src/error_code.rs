//! Every error code the SDK or the server produces, in one place.
//!
//! Codes follow Tencent's documented SDK and REST API where one exists; the rest are ours and
//! are listed as such in `docs/errors.md`.

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($( $(#[$doc:meta])* $name:ident = $value:literal, )*) => {
        /// A numeric error code, as carried by `imError.code` and by error frames.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(into = "u32", try_from = "u32")]
        pub enum ErrorCode {
            $( $(#[$doc])* $name = $value, )*
        }

        impl ErrorCode {
            /// Every code, for docs and tests.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$name,)*];

            pub fn as_u32(self) -> u32 {
                self as u32
            }

            pub fn name(self) -> &'static str {
                match self { $(ErrorCode::$name => stringify!($name),)* }
            }
        }

        impl TryFrom<u32> for ErrorCode {
            type Error = u32;
            fn try_from(v: u32) -> Result<Self, u32> {
                match v { $($value => Ok(ErrorCode::$name),)* other => Err(other) }
            }
        }
    };
}

codes! {
    /// A parameter of an SDK call is missing or has the wrong type or value (ours).
    InvalidParameter = 2100,
    /// The call needs a logged-in SDK (Tencent 2024).
    NotLoggedIn = 2024,
    /// login() while already logged in or logging in (Tencent 2025).
    RepeatedLogin = 2025,
    /// Not ready because the last login failed (Tencent 3001).
    NotReadyLoginFailed = 3001,
    /// Not ready because the SDK logged out (Tencent 3005).
    NotReadyLoggedOut = 3005,
    /// Conversation not found / nothing deleted (Tencent 2500).
    ConversationNotFound = 2500,
    /// User or group not found (Tencent 2501).
    UserNotFound = 2501,
    /// Unknown conversation type (Tencent 2502).
    UnknownConversationType = 2502,
    /// Invalid conversation ID (Tencent 2503).
    InvalidConversationId = 2503,
    /// Message not found, e.g. an unknown nextReqMessageID (ours).
    MessageNotFound = 2504,
    /// The connection failed or dropped (Tencent 2800).
    NetworkError = 2800,
    /// No reply in time (Tencent 2801).
    Timeout = 2801,
    /// No connection to send on (Tencent 2805).
    NoNetwork = 2805,
    /// An internal error, in the SDK or the server (Tencent 2903).
    Internal = 2903,
    /// The SDK instance was destroyed (ours).
    Destroyed = 2904,
    /// A method of Tencent's API that tim-wasm does not have yet (ours).
    NotSupported = 2905,
    /// `TIM.create` outside a browser: Node, server-side rendering (ours).
    BrowserOnly = 2906,
    /// UserSig expired (Tencent 70001).
    UserSigExpired = 70001,
    /// UserSig malformed or its signature does not verify (Tencent 70003).
    UserSigInvalid = 70003,
    /// UserSig was issued for another userID (Tencent 70013).
    UserSigUserMismatch = 70013,
    /// UserSig was issued for another SDKAppID (Tencent 70014).
    UserSigAppMismatch = 70014,
    /// No app with that SDKAppID on this server (Tencent 70020).
    AppNotFound = 70020,
    /// Not allowed: not a member of the group, not its owner, or a type that forbids it (Tencent 10007).
    GroupPermissionDenied = 10007,
    /// The owner cannot quit the group; dismiss it instead (Tencent 10009).
    GroupOwnerCannotQuit = 10009,
    /// No such group, or it was dismissed (Tencent 10010).
    GroupNotFound = 10010,
    /// Already a member of the group (Tencent 10013).
    AlreadyGroupMember = 10013,
    /// A group ID that is too long, has bad characters or a reserved prefix (Tencent 10015).
    InvalidGroupId = 10015,
    /// The group has as many members as the server allows (Tencent 10014).
    GroupFull = 10014,
    /// The user is in as many groups as the server allows (ours).
    TooManyGroups = 60015,
    /// The group ID is taken (Tencent 10021).
    GroupIdInUse = 10021,
    /// Text longer than the limit (Tencent 80002).
    MessageTooLong = 80002,
    /// A frame that is not valid JSON of a known shape (ours; Tencent REST uses 60003 for bad JSON).
    MalformedFrame = 60003,
    /// A frame larger than the server reads (ours).
    FrameTooLarge = 60005,
    /// The client speaks a protocol version the server does not (ours).
    UnsupportedProtocol = 60006,
    /// Admin REST: `From_Account` (or another named user) is not a user of the app (Tencent 50001).
    RestAccountNotFound = 50001,
    /// Admin REST: a field is missing, of the wrong type or value, or the body is not JSON (Tencent 50002).
    RestInvalidParameter = 50002,
    /// Admin REST: the request is not signed by the app's admin identifier (Tencent 50003).
    RestAdminRequired = 50003,
    /// Admin REST: the server failed; details are in its log (Tencent 50004).
    RestInternal = 50004,
    /// Too many requests: over the session's or the user's rate, or the console login's (ours).
    RateLimited = 60007,
    /// No login within the server's login deadline; the connection is closed (ours).
    LoginTimeout = 60008,
    /// The server has as many connections as it allows, in all or from the client's address
    /// before login (ours).
    ServerFull = 60009,
    /// The user has as many live sessions as the server allows (ours).
    TooManySessions = 60010,
    /// The session did not read its pushes fast enough and was closed; reconnect (ours).
    FellBehind = 60011,
    /// The session stopped answering pings and was closed (ours).
    IdleTimeout = 60012,
    /// An HTTP API request whose body is not declared as JSON (`Content-Type`) (ours).
    NotJson = 60013,
    /// updateMyProfile with a field over Tencent's limit or not one of its TIM.TYPES values
    /// (Tencent 2721, UPDATE_PROFILE_INVALID_PARAM).
    UpdateProfileInvalidParam = 2721,
    /// updateMyProfile naming no profile field (Tencent 2722, UPDATE_PROFILE_NO_KEY).
    UpdateProfileNoKey = 2722,
    /// addToBlacklist with a userIDList that is not 1 to 1000 valid user IDs (Tencent 2740).
    AddBlacklistInvalidParam = 2740,
    /// removeFromBlacklist with a userIDList that is not 1 to 1000 valid user IDs (Tencent 2741).
    DelBlacklistInvalidParam = 2741,
    /// addToBlacklist naming the caller (Tencent 2742, CANNOT_ADD_SELF_TO_BLACKLIST).
    CannotAddSelfToBlacklist = 2742,
    /// A one-to-one message to a user who blacklisted the sender: refused, stored nowhere
    /// (Tencent 20007).
    BlockedByPeer = 20007,
    /// Admin REST, relationship chain: a bad parameter, a user already in the blacklist
    /// (black_list_add) or not in it (black_list_delete); a per-user ResultCode (Tencent 30001).
    SnsInvalidParameter = 30001,
    /// Admin REST, profiles: a bad Tag or Value in portrait_set / portrait_get (Tencent 40001).
    ProfileInvalidParameter = 40001,
    /// Admin REST, profiles: the account is not a user of the app (Tencent 40003).
    ProfileAccountNotFound = 40003,
    /// The blacklist would hold more than 1,000 users (ours; Tencent documents the limit, not
    /// a code for it).
    BlacklistFull = 60017,
    /// The server cannot reach its database right now (PostgreSQL down or unreachable); the
    /// request may or may not have been applied, and retrying it is safe (ours).
    StorageUnavailable = 60016,
    /// pinConversation over the limit of pinned conversations per user (ours).
    TooManyPinned = 60020,
    /// revokeMessage / modifyMessage of a message the caller did not send (ours).
    NotMessageSender = 2505,
    /// revokeMessage after the app's revoke time limit (default 2 minutes) (Tencent 20016).
    RevokeTimeLimitExceeded = 20016,
    /// An upload with an empty body (Tencent 2108, MESSAGE_FILE_IS_EMPTY).
    FileIsEmpty = 2108,
    /// An image upload that is not a PNG, JPEG, GIF, WebP or BMP by its bytes, or whose bytes
    /// are not the type it declares (Tencent 2252, MESSAGE_IMAGE_TYPES_LIMIT).
    ImageTypesLimit = 2252,
    /// An image upload over the image size limit, 20 MB by default (Tencent 2253,
    /// MESSAGE_IMAGE_SIZE_LIMIT).
    ImageSizeLimit = 2253,
    /// A file upload over the file size limit, 100 MB by default (Tencent 2402,
    /// MESSAGE_FILE_SIZE_LIMIT).
    FileSizeLimit = 2402,
    /// A file upload whose bytes are an executable program (Windows PE, ELF, Mach-O) or whose
    /// declared type is one (ours; Tencent documents no code for it).
    FileTypeRefused = 60031,
    /// No stored file by that ID that the caller may use or see: never uploaded, uploaded by
    /// someone else or for another conversation (sending), or no message of the caller's view
    /// links to it any more (fetching) (ours).
    FileNotFound = 60032,
}

impl From<ErrorCode> for u32 {
    fn from(c: ErrorCode) -> u32 {
        c.as_u32()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_values() {
        assert_eq!(ErrorCode::NotLoggedIn.as_u32(), 2024);
        assert_eq!(ErrorCode::ConversationNotFound.as_u32(), 2500);
        assert_eq!(ErrorCode::InvalidConversationId.as_u32(), 2503);
        assert_eq!(ErrorCode::Timeout.as_u32(), 2801);
    }

    #[test]
    fn round_trips_through_u32_and_json() {
        for &c in ErrorCode::ALL {
            assert_eq!(ErrorCode::try_from(c.as_u32()), Ok(c));
            let json = serde_json::to_string(&c).expect("serialize");
            assert_eq!(json, c.as_u32().to_string());
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).expect("parse"), c);
        }
        assert_eq!(ErrorCode::try_from(1), Err(1));
    }
}
