// Typings of the tim-wasm package: the documented TIM web API (Tencent Cloud Chat compatible).
// Hand-written and kept in git; `tests/types/` type-checks a sample against it with `tsc --strict`.

// ---------------------------------------------------------------------------------------------
// Constants

/** Event names, `TIM.EVENT.*`. */
export interface EventNames {
  readonly SDK_READY: 'sdkStateReady';
  readonly SDK_NOT_READY: 'sdkStateNotReady';
  readonly SDK_DESTROY: 'sdkDestroy';
  readonly MESSAGE_RECEIVED: 'onMessageReceived';
  readonly CONVERSATION_LIST_UPDATED: 'onConversationListUpdated';
  readonly TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 'onTotalUnreadMessageCountUpdated';
  readonly NET_STATE_CHANGE: 'netStateChange';
  readonly KICKED_OUT: 'kickedOut';
  readonly ERROR: 'error';
  /** The user's groups changed (created, joined, quit, removed, dismissed): the whole list. */
  readonly GROUP_LIST_UPDATED: 'onGroupListUpdated';
  /** A group system notice arrived in `@TIM#SYSTEM`: `{ message, type }`. */
  readonly GROUP_SYSTEM_NOTICE_RECEIVED: 'receiveGroupSystemNotice';
  /** The user's own profile changed, on any of their sessions: `[Profile]`. */
  readonly PROFILE_UPDATED: 'onProfileUpdated';
  /** The user's blacklist changed, on any of their sessions: the whole list, `[userID]`. */
  readonly BLACKLIST_UPDATED: 'blacklistUpdated';
  /** Messages of a listed conversation were revoked (here, elsewhere or by the peer): the messages, `isRevoked` true. */
  readonly MESSAGE_REVOKED: 'onMessageRevoked';
  /** Messages of a listed conversation got a new payload from their sender: the messages as they are now. */
  readonly MESSAGE_MODIFIED: 'onMessageModified';
  /** The peer sent read receipts for the user's C2C messages: the messages, `isPeerRead` true. */
  readonly MESSAGE_READ_BY_PEER: 'onMessageReadByPeer';
  /** Group members sent read receipts for the user's messages: `[{ groupID, messageID, readCount, unreadCount }]`. */
  readonly MESSAGE_READ_RECEIPT_RECEIVED: 'onMessageReadReceiptReceived';
}

/** Type constants, `TIM.TYPES.*`. */
export interface Types {
  readonly CONV_C2C: 'C2C';
  readonly CONV_GROUP: 'GROUP';
  readonly CONV_SYSTEM: '@TIM#SYSTEM';
  readonly MSG_TEXT: 'TIMTextElem';
  readonly MSG_CUSTOM: 'TIMCustomElem';
  readonly MSG_IMAGE: 'TIMImageElem';
  readonly MSG_FILE: 'TIMFileElem';
  readonly MSG_GRP_TIP: 'TIMGroupTipElem';
  readonly MSG_GRP_SYS_NOTICE: 'TIMGroupSystemNoticeElem';
  /** The atUserList entry of createTextAtMessage that mentions every member. */
  readonly MSG_AT_ALL: '__kImSDK_MesssageAtALL__';
  /** `groupAtInfoList` entries' `atTypeArray` values: someone @-mentioned me, @all, or both. */
  readonly CONV_AT_ME: 1;
  readonly CONV_AT_ALL: 2;
  readonly CONV_AT_ALL_AT_ME: 3;
  readonly GRP_WORK: 'Private';
  readonly GRP_PUBLIC: 'Public';
  readonly GRP_MEETING: 'ChatRoom';
  readonly GRP_AVCHATROOM: 'AVChatRoom';
  readonly READ_ALL_C2C_MSG: 'readAllC2CMessage';
  readonly READ_ALL_GROUP_MSG: 'readAllGroupMessage';
  readonly READ_ALL_MSG: 'readAllMessage';
  readonly NET_STATE_CONNECTED: 'connected';
  readonly NET_STATE_CONNECTING: 'connecting';
  readonly NET_STATE_DISCONNECTED: 'disconnected';
  readonly KICKED_OUT_MULT_ACCOUNT: 'multipleAccount';
  readonly KICKED_OUT_USERSIG_EXPIRED: 'userSigExpired';
  readonly MSG_REMIND_ACPT_AND_NOTE: 'AcceptAndNotify';
  readonly MSG_REMIND_ACPT_NOT_NOTE: 'AcceptNotNotify';
  readonly MSG_REMIND_DISCARD: 'Discard';
  readonly GENDER_UNKNOWN: 'Gender_Type_Unknown';
  readonly GENDER_FEMALE: 'Gender_Type_Female';
  readonly GENDER_MALE: 'Gender_Type_Male';
  readonly ALLOW_TYPE_ALLOW_ANY: 'AllowType_Type_AllowAny';
  readonly ALLOW_TYPE_NEED_CONFIRM: 'AllowType_Type_NeedConfirm';
  readonly ALLOW_TYPE_DENY_ANY: 'AllowType_Type_DenyAny';
  readonly FORBID_TYPE_NONE: 'AdminForbid_Type_None';
  readonly FORBID_TYPE_SEND_OUT: 'AdminForbid_Type_SendOut';
  readonly GRP_MBR_ROLE_OWNER: 'Owner';
  readonly GRP_MBR_ROLE_ADMIN: 'Admin';
  readonly GRP_MBR_ROLE_MEMBER: 'Member';
  readonly JOIN_OPTIONS_FREE_ACCESS: 'FreeAccess';
  readonly JOIN_OPTIONS_NEED_PERMISSION: 'NeedPermission';
  readonly JOIN_OPTIONS_DISABLE_APPLY: 'DisableApply';
}

/** Any event name. */
export type EventName = EventNames[keyof EventNames];
/** `'C2C' | 'GROUP' | '@TIM#SYSTEM'`. */
export type ConversationType = Types['CONV_C2C'] | Types['CONV_GROUP'] | Types['CONV_SYSTEM'];
/** Message element types. Group system notices are received only. */
export type MessageType =
  | Types['MSG_TEXT']
  | Types['MSG_CUSTOM']
  | Types['MSG_IMAGE']
  | Types['MSG_FILE']
  | Types['MSG_GRP_TIP']
  | Types['MSG_GRP_SYS_NOTICE'];
export type GroupType = Types['GRP_WORK'] | Types['GRP_PUBLIC'] | Types['GRP_MEETING'] | Types['GRP_AVCHATROOM'];
export type NetState =
  | Types['NET_STATE_CONNECTED']
  | Types['NET_STATE_CONNECTING']
  | Types['NET_STATE_DISCONNECTED'];
/** setMessageRemindType's settings (`TIM.TYPES.MSG_REMIND_*`). */
export type MessageRemindType =
  | Types['MSG_REMIND_ACPT_AND_NOTE']
  | Types['MSG_REMIND_ACPT_NOT_NOTE']
  | Types['MSG_REMIND_DISCARD'];
export type KickedOutType = Types['KICKED_OUT_MULT_ACCOUNT'] | Types['KICKED_OUT_USERSIG_EXPIRED'];
export type Gender = Types['GENDER_UNKNOWN'] | Types['GENDER_FEMALE'] | Types['GENDER_MALE'];
export type AllowType =
  | Types['ALLOW_TYPE_ALLOW_ANY']
  | Types['ALLOW_TYPE_NEED_CONFIRM']
  | Types['ALLOW_TYPE_DENY_ANY'];
export type ForbidType = Types['FORBID_TYPE_NONE'] | Types['FORBID_TYPE_SEND_OUT'];
/** A group member's role. */
export type GroupMemberRole = Types['GRP_MBR_ROLE_OWNER'] | Types['GRP_MBR_ROLE_ADMIN'] | Types['GRP_MBR_ROLE_MEMBER'];
export type GroupJoinOption = Types['JOIN_OPTIONS_FREE_ACCESS'] | Types['JOIN_OPTIONS_NEED_PERMISSION'] | Types['JOIN_OPTIONS_DISABLE_APPLY'];
/** updateGroupProfile's options: the fields given are set (at least one), the rest stay.
 * joinOption NeedPermission is refused (2100): this server has no approval step. */
export interface UpdateGroupProfileOptions {
  groupID: string;
  name?: string;
  introduction?: string;
  notification?: string;
  avatar?: string;
  joinOption?: GroupJoinOption;
  muteAllMembers?: boolean;
}

/**
 * A conversation ID: `C2C<userID>`, `GROUP<groupID>` or exactly `@TIM#SYSTEM`. Anything else is
 * refused with code 2503 (INVALID_CONVERSATION_ID).
 */
export type ConversationID = `C2C${string}` | `GROUP${string}` | '@TIM#SYSTEM';

/**
 * Error codes this SDK rejects with. The ones Tencent's SDK documents keep their values:
 * 2024 not logged in, 2025 repeated login, 3001 not ready after a failed login, 3005 not ready
 * after logout, 2500 conversation not found, 2501 user not found, 2502 unknown conversation type,
 * 2503 invalid conversation ID, 2800 network error, 2801 timeout, 2805 no network, 2903 internal,
 * 70001 UserSig expired, 70003 UserSig invalid, 70013 UserSig for another user, 70014 UserSig for
 * another SDKAppID, 70020 unknown SDKAppID, 80002 text too long, 2721 a profile value over its
 * limit or not one of its types, 2722 no profile field, 2740 / 2741 a bad blacklist userIDList,
 * 2742 blacklisting oneself, 20007 a C2C message to a user who blacklisted the sender, 20016 revoke time limit passed. Ours: 2100 invalid parameter,
 * 2504 message not found, 2505 not the sender of the message, 2904 instance destroyed, 2905 a Tencent method tim-wasm does not have
 * yet, 2906 `TIM.create` outside a browser, 60003 malformed frame, 60005 frame too large, 60006
 * unsupported protocol version, 60017 a blacklist over 1,000 users.
 */
export type ErrorCode =
  | 2024 | 2025 | 2100 | 2500 | 2501 | 2502 | 2503 | 2504 | 2505
  | 2721 | 2722 | 2740 | 2741 | 2742
  | 2800 | 2801 | 2805 | 2903 | 2904 | 2905 | 2906 | 3001 | 3005
  | 20007
  | 60003 | 60005 | 60006 | 60017
  | 70001 | 70003 | 70013 | 70014 | 70020
  | 80002 | 20016;

// ---------------------------------------------------------------------------------------------
// Shapes

/** What every successful call resolves to. */
export interface imResponse<T> {
  code: 0;
  data: T;
}

/**
 * What every failed call rejects with: a real `Error` (so `instanceof Error` holds and it has a
 * stack) carrying a numeric `code`, a `message` saying what was wrong, and `data`.
 */
export interface TimError extends Error {
  code: ErrorCode | number;
  message: string;
  data: Record<string, unknown>;
}
/** The documented name of the rejection value. */
export type imError = TimError;

export interface TextPayload {
  text: string;
  /** An @ message's mentions (createTextAtMessage): userIDs or `TIM.TYPES.MSG_AT_ALL`. */
  atUserList?: string[];
}

/** The payload of a custom message (`TIM.TYPES.MSG_CUSTOM`): three strings the app defines. */
export interface CustomPayload {
  data: string;
  description: string;
  extension: string;
}

/**
 * The payload of an image message (`TIM.TYPES.MSG_IMAGE`). `imageInfoArray` holds the original,
 * big and thumbnail (`type` 0, 1, 2: the same bytes here), each with a URL that works for the
 * logged-in user while the message is in their view; empty until sendMessage uploaded it.
 */
export interface ImagePayload {
  /** The upload's fileID ('' until uploaded). */
  uuid: string;
  /** 1 JPG, 2 GIF, 3 PNG, 4 BMP, 255 other (WebP included). */
  imageFormat: 1 | 2 | 3 | 4 | 255 | number;
  imageInfoArray: ImageInfo[];
}

export interface ImageInfo {
  /** 0 original, 1 big, 2 thumbnail. */
  type: 0 | 1 | 2;
  url: string;
  /** Bytes. */
  size: number;
  width: number;
  height: number;
}

/** The payload of a file message (`TIM.TYPES.MSG_FILE`); `fileUrl` '' until uploaded. */
export interface FilePayload {
  uuid: string;
  fileName: string;
  /** Bytes. */
  fileSize: number;
  /** A download (the server sends it as an attachment), for the logged-in user. */
  fileUrl: string;
  /** 2: it can be downloaded. */
  downloadFlag: number;
}

/** The payload of a group system notice (`TIM.TYPES.MSG_GRP_SYS_NOTICE`) in `@TIM#SYSTEM`. */
export interface GroupSystemNoticePayload {
  /** 4 removed from the group, 5 group dismissed, 6 group created, 7 added to the group, 8 quit. */
  operationType: 4 | 5 | 6 | 7 | 8 | number;
  groupProfile: { groupID: string; name: string };
  operatorID: string;
}

export type MessageFlow = 'in' | 'out';
export type MessageStatus = 'unSend' | 'success' | 'fail';
export type MessagePriority = 'High' | 'Normal' | 'Low' | 'Lowest';

/** A message: text, custom, image, file, or a group system notice in `@TIM#SYSTEM`; narrow on `type`. */
export type Message = TextMessage | CustomMessage | ImageMessage | FileMessage | GroupSystemNoticeMessage;

export interface TextMessage extends MessageBase {
  type: Types['MSG_TEXT'];
  payload: TextPayload;
}

export interface CustomMessage extends MessageBase {
  type: Types['MSG_CUSTOM'];
  payload: CustomPayload;
}

export interface ImageMessage extends MessageBase {
  type: Types['MSG_IMAGE'];
  payload: ImagePayload;
}

export interface FileMessage extends MessageBase {
  type: Types['MSG_FILE'];
  payload: FilePayload;
}

export interface GroupSystemNoticeMessage extends MessageBase {
  type: Types['MSG_GRP_SYS_NOTICE'];
  payload: GroupSystemNoticePayload;
}

export interface MessageBase {
  /** Unique within its conversation; made by the sending client. */
  ID: string;
  conversationID: ConversationID;
  conversationType: ConversationType;
  /** The recipient: a userID (C2C) or a groupID (GROUP). */
  to: string;
  /** The sender's userID. */
  from: string;
  /** `out` when the logged-in user sent it, `in` otherwise. */
  flow: MessageFlow;
  /** Server time, unix seconds (the client's time until the server accepted it). */
  time: number;
  /** Client time at creation, unix seconds. */
  clientTime: number;
  /** Position in the conversation, from 1; 0 until sent. */
  sequence: number;
  status: MessageStatus;
  isRead: boolean;
  isRevoked: boolean;
  /** A C2C message of the user's the peer sent a read receipt for. */
  isPeerRead: boolean;
  /** Created with `needReadReceipt: true`: readers may send a read receipt (sendMessageReadReceipt). */
  needReadReceipt: boolean;
  /** The receipts so far (counts fixed at the send: the C2C peer, or the group's other members). */
  readReceiptInfo: ReadReceiptInfo;
  /** The sender's nick and avatar as they were when it was sent ('' when never set). */
  nick: string;
  avatar: string;
  priority: MessagePriority;
  cloudCustomData: string;
}

/** A message's read receipts: C2C `isPeerRead`, groups `readCount` / `unreadCount`. */
export interface ReadReceiptInfo {
  isPeerRead: boolean;
  readCount: number;
  unreadCount: number;
}

/** One entry of MESSAGE_READ_RECEIPT_RECEIVED. */
export interface MessageReadReceipt {
  groupID: string;
  messageID: string;
  readCount: number;
  unreadCount: number;
}

/**
 * The newest visible message of a conversation. A conversation with no visible message has
 * `lastTime` 0, `lastSequence` 0, `fromAccount` '', `messageForShow` '', `payload` null, `type` ''.
 */
export interface LastMessage {
  lastTime: number;
  lastSequence: number;
  fromAccount: string;
  messageForShow: string;
  payload: TextPayload | CustomPayload | ImagePayload | FilePayload | GroupSystemNoticePayload | null;
  type: MessageType | '';
  isRevoked: boolean;
}

/**
 * A user's profile (Tencent's Profile, without custom fields). A user who never set a field has
 * '' strings, 0 numbers, `Gender_Type_Unknown`, `AllowType_Type_NeedConfirm` and
 * `AdminForbid_Type_None`.
 */
/** One group member (getGroupMemberList, getGroupMemberProfile). */
export interface GroupMember {
  userID: string;
  nick: string;
  avatar: string;
  role: GroupMemberRole;
  /** Unix seconds. */
  joinTime: number;
  /** No name cards, mutes or custom fields here: always empty. */
  nameCard: string;
  muteUntil: number;
  memberCustomField: unknown[];
}

export interface GroupMemberListResult {
  memberList: GroupMember[];
}

export interface Profile {
  userID: string;
  nick: string;
  gender: Gender;
  /** uint32, e.g. 20000101. */
  birthday: number;
  /** At most 16 bytes. */
  location: string;
  selfSignature: string;
  allowType: AllowType;
  language: number;
  /** The avatar URL. */
  avatar: string;
  /** Bit 0: 1 = do not receive messages. */
  messageSettings: number;
  adminForbidType: ForbidType;
  level: number;
  role: number;
  /** Unix seconds of the last change; 0 when never changed. */
  lastUpdatedTime: number;
}

/** updateMyProfile's options: the fields to set (at least one: 2722); the others stay. */
export type UpdateMyProfileOptions = Partial<Omit<Profile, 'userID' | 'lastUpdatedTime'>>;

/** A C2C conversation's peer: their nick and avatar as of the last list load or message. */
export interface UserProfile {
  userID: string;
  nick: string;
  avatar: string;
}

export interface GroupProfile {
  groupID: string;
  name: string;
  type: GroupType | '';
  avatar: string;
}

/** A group, as getGroupList / getGroupProfile / createGroup give it. */
export interface Group {
  groupID: string;
  name: string;
  type: GroupType;
  ownerID: string;
  memberNum: number;
  createTime: number;
  avatar: string;
  introduction: string;
  notification: string;
  /** The user's role; '' when not a member. */
  selfInfo: { role: GroupMemberRole | '' };
  /** The group's join option and whether all members are muted (updateGroupProfile); absent
   * only for a group a local cache kept from an older SDK version. */
  joinOption?: GroupJoinOption;
  muteAllMembers?: boolean;
  /** Ours: false once the user quit, was removed, or the group was dismissed. */
  isMember: boolean;
  /** Ours: the group was dismissed. */
  dismissed: boolean;
}

/** An unread group message that @-mentions the user (a conversation's `groupAtInfoList`). */
export interface GroupAtInfo {
  groupID: string;
  messageSequence: number;
  /** One entry: `TIM.TYPES.CONV_AT_ME`, `CONV_AT_ALL` or `CONV_AT_ALL_AT_ME`. */
  atTypeArray: Array<1 | 2 | 3>;
}

export interface Conversation {
  conversationID: ConversationID;
  type: ConversationType;
  unreadCount: number;
  lastMessage: LastMessage;
  /** The peer of a C2C conversation (absent for others). */
  userProfile?: UserProfile;
  /** The group of a GROUP conversation (absent for others). */
  groupProfile?: GroupProfile;
  /** Pinned (pinConversation): listed first. A deletion unpins. */
  isPinned: boolean;
  /** Unix seconds of the peer's last read receipt; 0 when none. */
  peerReadTime: number;
  remark: string;
  /**
   * setMessageRemindType's setting (`AcceptAndNotify` by default), kept through a deletion. A
   * muted conversation still counts its unread messages; the total leaves it out.
   */
  messageRemindType: MessageRemindType;
  markList: string[];
  customData: string;
  /** setConversationDraft's text ('' when none): this tab's only, never sent; a deletion drops it. */
  draftText: string;
  /**
   * The unread messages of a group conversation that @-mention the user (createTextAtMessage),
   * oldest first; empty for other conversations. Reading the conversation (setMessageRead,
   * setAllMessageRead) or deleting it empties it; a fresh login shows the same.
   */
  groupAtInfoList: GroupAtInfo[];
}

// ---------------------------------------------------------------------------------------------
// Options and call arguments

export interface CreateOptions {
  /**
   * The app's SDKAppID: a positive integer, or a string of digits (as configs read from
   * environment variables are); anything else makes `TIM.create` return null.
   */
  SDKAppID: number | `${number}`;
  /**
   * WebSocket URL of the tim-wasm server (ours; Tencent's SDK has a fixed endpoint). Defaults to
   * `ws(s)://<page host>/ws`; a URL with no path, like `ws://127.0.0.1:8080`, gets `/ws` appended.
   */
  server?: string;
  /** Request timeout in milliseconds (ours); default 15000. A call that times out rejects 2801. */
  timeout?: number;
  /**
   * Keep the conversation list, recent messages and unsent deletions in IndexedDB, per
   * (SDKAppID, userID), shared by the tabs of the same user (ours); default true.
   */
  cache?: boolean;
  /**
   * deleteConversation while disconnected (or whose answer was lost) applies locally at once and is
   * sent when the connection is back, resolving with `pending: true` (ours); default true. With
   * false it rejects with the documented network error (2805, or 2800 when the answer was lost).
   */
  offlineDeletion?: boolean;
}

export interface LoginOptions {
  userID: string;
  userSig: string;
}

export interface CreateTextMessageOptions {
  /** The recipient: a userID (C2C) or a groupID (GROUP). */
  to: string;
  /** `TIM.TYPES.CONV_C2C` or `TIM.TYPES.CONV_GROUP`; `@TIM#SYSTEM` cannot be sent to (2502). */
  conversationType: ConversationType;
  payload: TextPayload;
  /** Ask readers for read receipts (sendMessageReadReceipt; MESSAGE_READ_BY_PEER / MESSAGE_READ_RECEIPT_RECEIVED). */
  needReadReceipt?: boolean;
}

export interface CreateCustomMessageOptions {
  /** The recipient: a userID (C2C) or a groupID (GROUP). */
  to: string;
  conversationType: ConversationType;
  /** A string left out is ''. Together at most 12 KB (sendMessage rejects 80002). */
  payload: { data?: string; description?: string; extension?: string };
  /** Ask readers for read receipts (sendMessageReadReceipt; MESSAGE_READ_BY_PEER / MESSAGE_READ_RECEIPT_RECEIVED). */
  needReadReceipt?: boolean;
}

export interface CreateFileMessageOptions {
  /** The recipient: a userID (C2C) or a groupID (GROUP). */
  to: string;
  conversationType: ConversationType;
  /** A File or Blob, or an `<input type=file>` element (its first file, taken at creation). */
  payload: { file: Blob | HTMLInputElement };
  /** Called while sendMessage uploads, with the share sent so far, 0 to 1 (1 last). */
  onProgress?: (percent: number) => void;
}

/** The same options; the server takes PNG, JPEG, GIF, WebP and BMP images (2252 otherwise). */
export type CreateImageMessageOptions = CreateFileMessageOptions;

export interface CreateTextAtMessageOptions {
  /** A groupID: @ messages are for groups only (2100 otherwise). */
  to: string;
  conversationType: Types['CONV_GROUP'];
  /** At most 30 entries in atUserList, `TIM.TYPES.MSG_AT_ALL` included. */
  payload: { text: string; atUserList: string[] };
  /** Ask readers for read receipts (sendMessageReadReceipt; MESSAGE_READ_BY_PEER / MESSAGE_READ_RECEIPT_RECEIVED). */
  needReadReceipt?: boolean;
}

export interface GetMessageListOptions {
  conversationID: ConversationID | string;
  /** Continue from the page before this message (the `nextReqMessageID` of the last answer). */
  nextReqMessageID?: string;
  /** Messages per page; default 15. */
  count?: number;
}

export interface SetMessageReadOptions {
  conversationID: ConversationID | string;
}

export interface SetAllMessageReadOptions {
  /** Default `TIM.TYPES.READ_ALL_MSG` (every conversation, `@TIM#SYSTEM` too). */
  scope?: Types['READ_ALL_MSG'] | Types['READ_ALL_C2C_MSG'] | Types['READ_ALL_GROUP_MSG'];
}

export interface PinConversationOptions {
  conversationID: ConversationID | string;
  isPinned: boolean;
}

/** A group's setting (`groupID`) or one-to-one peers' (`userIDList`, 1 to 30). */
export interface GroupRemindTypeOptions {
  groupID: string;
  userIDList?: never;
  messageRemindType: MessageRemindType;
}
export interface UsersRemindTypeOptions {
  userIDList: string[];
  groupID?: never;
  messageRemindType: MessageRemindType;
}
export type SetMessageRemindTypeOptions = GroupRemindTypeOptions | UsersRemindTypeOptions;

export interface SetConversationDraftOptions {
  conversationID: ConversationID | string;
  /** '' clears the draft. */
  draftText: string;
}

/** The batch form of deleteConversation. */
export interface DeleteConversationListOptions {
  /** 1 to 100 distinct conversation IDs; more is refused with 2100, never truncated. */
  conversationIDList: string[];
  /**
   * Default true: this user's history of each conversation is deleted on the server too. With
   * false only the list entries go and the server keeps the history.
   */
  clearHistoryMessage?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Results

export interface LoginResult {
  repeatLogin: boolean;
  /**
   * True when the server was unreachable and the SDK started from this user's local cache (only
   * after an earlier successful login in this browser); it keeps reconnecting by itself (ours).
   */
  offline?: boolean;
}
export type EmptyResult = Record<string, never>;
/** revokeMessage / modifyMessage: the message as stored now. */
export interface MessageResult {
  message: Message;
}

/**
 * getMessageReadReceiptList: the messages with their `readReceiptInfo` as it is now: Tencent's
 * `imResponse.data.messageList` (C2C: `readReceiptInfo.isPeerRead`; groups: `readCount` /
 * `unreadCount`), nothing else in `data`.
 */
export interface MessageReadReceiptListResult {
  messageList: Message[];
}

/**
 * deleteMessage, sendMessageReadReceipt: the messages given. (Tencent documents no field of
 * sendMessageReadReceipt's `data`: its samples only wait for `{ code: 0 }`.)
 */
export interface DeleteMessageResult {
  messageList: Message[];
}

export interface SendMessageResult {
  /** The sent message: `status` 'success', `sequence` and `time` set by the server. */
  message: Message;
}
export interface ConversationListResult {
  /** Sorted: pinned first, then newest last message first. */
  conversationList: Conversation[];
  isSyncCompleted: boolean;
}
export interface ConversationProfileResult {
  conversation: Conversation;
}
export interface MessageListResult {
  /** Oldest first. */
  messageList: Message[];
  /** Pass back for the previous page; '' when there is none. */
  nextReqMessageID: string;
  isCompleted: boolean;
}
export interface DeleteConversationResult {
  conversationID: ConversationID;
  /**
   * True when the deletion is applied and kept locally but the server has not confirmed it yet
   * (offline, or the answer was lost); it is sent on reconnect and applied exactly once (ours).
   */
  pending?: boolean;
}
/** Why one ID of a batch was not deleted: 2500 not in the list, 2503 not a conversation ID. */
export interface FailedConversation {
  conversationID: string;
  code: ErrorCode | number;
  message: string;
}
export interface DeleteConversationListResult {
  /** The IDs actually deleted. */
  conversationIDList: ConversationID[];
  /** One entry per other ID. */
  failedList: FailedConversation[];
}
export interface PinConversationResult {
  conversationID: ConversationID;
}
/** setMessageRemindType for peers: every ID is checked first, so none fails alone (ours). */
export interface SetMessageRemindTypeUsersResult {
  successUserIDList: string[];
  failureUserIDList: Array<{ userID: string; code: number; message: string }>;
}
export interface ClearHistoryMessageResult {
  conversationID: ConversationID;
}
export interface GroupResult {
  group: Group;
}
export interface JoinGroupResult {
  status: 'JoinedSuccess';
  group: Group;
}
export interface GroupIDResult {
  groupID: string;
}
export interface GroupListResult {
  groupList: Group[];
}
export interface GroupMemberChangeResult {
  successUserIDList: string[];
  failureUserIDList: string[];
  existedUserIDList: string[];
  group: Group;
}
export interface CreateGroupOptions {
  /** Default `TIM.TYPES.GRP_WORK` ('Private'). */
  type?: GroupType;
  /** 1 to 30 bytes. */
  name: string;
  /** A custom group ID (1 to 48 bytes; not starting with `@TGS`); default: the server makes one. */
  groupID?: string;
  memberList?: Array<{ userID: string } | string>;
}
export interface GroupMemberChangeOptions {
  groupID: string;
  userIDList: string[];
}

// ---------------------------------------------------------------------------------------------
// Events

export interface NetStateChangeData {
  state: NetState;
}
export interface KickedOutData {
  type: KickedOutType;
}
export interface ErrorEventData {
  code: ErrorCode | number;
  message: string;
}

/** The `data` each event carries, by event name. */
export interface EventDataMap {
  sdkStateReady: EmptyResult;
  sdkStateNotReady: EmptyResult;
  sdkDestroy: EmptyResult;
  onMessageReceived: Message[];
  /** The whole sorted list. */
  onConversationListUpdated: Conversation[];
  onTotalUnreadMessageCountUpdated: number;
  netStateChange: NetStateChangeData;
  kickedOut: KickedOutData;
  error: ErrorEventData;
  onGroupListUpdated: Group[];
  receiveGroupSystemNotice: { message: Message; type: number };
  onProfileUpdated: Profile[];
  blacklistUpdated: string[];
  onMessageRevoked: Message[];
  onMessageModified: Message[];
  onMessageReadByPeer: Message[];
  onMessageReadReceiptReceived: MessageReadReceipt[];
}

/** What a handler receives. */
export interface TimEvent<E extends EventName = EventName> {
  name: E;
  data: EventDataMap[E];
}
export type EventHandler<E extends EventName = EventName> = (event: TimEvent<E>) => void;

/** `setLogLevel`'s levels, as Tencent's: 0 all (default), 1 release, 2 warn, 3 error, 4 none. */
export type LogLevel = 0 | 1 | 2 | 3 | 4;

// ---------------------------------------------------------------------------------------------
// The instance

/**
 * An SDK instance. Every method but `on`, `off` and `createTextMessage` returns a real Promise
 * resolving `{ code: 0, data }` and rejecting with a {@link TimError}. Calls other than login,
 * logout, destroy, on and off reject 2024 before login, 3005 after logout, 3001 after a failed login.
 */
export interface TimInstance {
  /**
   * Logs in. Resolves once the server accepted the UserSig; `SDK_READY` follows once the
   * conversation list is loaded. Rejects with the server's code for a bad UserSig (70001, 70003,
   * 70013, 70014, 70020), 2100 for bad arguments, 2025 when already logged in.
   */
  login(options: LoginOptions): Promise<imResponse<LoginResult>>;
  /** Logs out; emits `SDK_NOT_READY`. */
  logout(): Promise<imResponse<EmptyResult>>;
  /** Logs out if needed and releases the instance; emits `SDK_DESTROY`. `TIM.create` then makes a new one. */
  destroy(): Promise<imResponse<EmptyResult>>;

  on<E extends EventName>(eventName: E, handler: EventHandler<E>, context?: unknown): void;
  off<E extends EventName>(eventName: E, handler: EventHandler<E>, context?: unknown): void;
  /** Like `on`, for the next event of that name only (`off` removes it before then). */
  once<E extends EventName>(eventName: E, handler: EventHandler<E>, context?: unknown): void;
  /** Whether the SDK is ready (between SDK_READY and SDK_NOT_READY): calls then work. */
  isReady(): boolean;
  /** The logged-in user's ID; '' when no one is logged in. */
  getLoginUser(): string;
  /** Unix seconds on the server's clock (from the login answer; the local clock before login). */
  getServerTime(): number;
  /** The unread total of the conversation list; 0 when not logged in. */
  getTotalUnreadMessageCount(): number;
  /**
   * The SDK's console log, for every instance of the page: 0 everything (the default: connect,
   * login, each request and answer, pushes applied, cache writes), 1 release (connect, login,
   * reconnects, failures), 2 warnings and errors, 3 errors, 4 nothing. Lines start "tim-wasm: ".
   * Any other value is refused with a console warning and the level stays.
   */
  setLogLevel(level: LogLevel): void;

  /** Makes an unsent message. Throws a {@link TimError}: 2100 for bad arguments, 2024 before login. */
  createTextMessage(options: CreateTextMessageOptions): Message;
  /** A custom message (`TIMCustomElem`), delivered and stored like text. Throws 2100 for bad arguments. */
  createCustomMessage(options: CreateCustomMessageOptions): CustomMessage;
  /** A group text message mentioning `atUserList`. Throws 2100 for bad arguments or a C2C target. */
  createTextAtMessage(options: CreateTextAtMessageOptions): TextMessage;
  /**
   * An image message. Throws 2100 without a file. sendMessage uploads it first (`onProgress`),
   * then sends; an upload refused rejects with the server's code (2253 over the size limit,
   * 2252 not an image, 2800 no answer) and the message is `fail`ed, resendable.
   */
  createImageMessage(options: CreateImageMessageOptions): ImageMessage;
  /** A file message, uploaded by sendMessage like an image (2402 over the size limit, 60031 a program). */
  createFileMessage(options: CreateFileMessageOptions): FileMessage;
  /** Sends a message made by a creator. Text or custom payloads over 12 KB reject 80002. */
  sendMessage(message: Message): Promise<imResponse<SendMessageResult>>;
  /**
   * Sends again a message whose send failed (`status` 'fail'), under the same ID: the server
   * stores it once even if the failed send had reached it. Any other message rejects 2100.
   */
  resendMessage(message: Message): Promise<imResponse<SendMessageResult>>;

  /**
   * The SDK's own list, as Tencent's SDK answers: loaded from the server at login (and after a
   * reconnect that could not catch up from the event log), kept current by pushes; no server
   * round trip. `isSyncCompleted` is false while an offline start shows only the cache.
   */
  getConversationList(): Promise<imResponse<ConversationListResult>>;
  /** Rejects 2503 for an invalid ID, 2500 when the conversation is not in the list. */
  getConversationProfile(conversationID: ConversationID | string): Promise<imResponse<ConversationProfileResult>>;
  getMessageList(options: GetMessageListOptions): Promise<imResponse<MessageListResult>>;
  /**
   * Revokes a message the caller sent, for everyone (`isRevoked` becomes true in every history and
   * lastMessage; MESSAGE_REVOKED on every session of both sides, the caller's too). Rejects 2505 for
   * someone else's message, 20016 after the app's revoke time limit (120 s by default), 2504 when
   * the conversation holds no such message. Revoking twice resolves again.
   */
  revokeMessage(message: Message): Promise<imResponse<MessageResult>>;
  /**
   * Deletes up to 30 messages of one conversation for the caller only: gone from history on every
   * session and after a reload; the peer keeps them. All or nothing: 2504 when one is not in the
   * caller's view, 2100 for an empty list, over 30, or messages of different conversations.
   */
  deleteMessage(messageList: Message[]): Promise<imResponse<DeleteMessageResult>>;
  /**
   * Sends the message's changed `payload.text` as its new text, for everyone (MESSAGE_MODIFIED on
   * every session). Sender only (2505); 2504 for a revoked message; 80002 over 12 KB.
   */
  modifyMessage(message: Message): Promise<imResponse<MessageResult>>;
  /**
   * The reader marks up to 30 received messages of one conversation read for their senders:
   * each message created with `needReadReceipt` counts once per reader; the sender's sessions get
   * MESSAGE_READ_BY_PEER (C2C) or MESSAGE_READ_RECEIPT_RECEIVED (groups). Messages no longer in
   * the reader's view (a deleted conversation or message), their own and those not asking are
   * skipped. Rejects 2100 for an empty list, over 30, or messages of different conversations;
   * 2503 for a bad conversation ID. The reader's unread count does not change. Resolves with the
   * messages given.
   */
  sendMessageReadReceipt(messageList: Message[]): Promise<imResponse<DeleteMessageResult>>;
  /**
   * Up to 30 messages of one conversation as the server has them now, with their
   * `readReceiptInfo`; those not in the caller's view are left out. 2100 / 2503 as above.
   */
  getMessageReadReceiptList(messageList: Message[]): Promise<imResponse<MessageReadReceiptListResult>>;
  /** Marks every message of the conversation read. */
  setMessageRead(options: SetMessageReadOptions): Promise<imResponse<EmptyResult>>;
  /** Marks every conversation of the scope read, on every session of the user; 2100 for an unknown scope. */
  setAllMessageRead(options?: SetAllMessageReadOptions): Promise<imResponse<EmptyResult>>;
  /**
   * Pins (or unpins) a conversation of the list, on every session of the user: pinned ones come
   * first. At most 50 pinned (60020 beyond); 2500 for a conversation not in the list, 2503 for an
   * invalid ID, 2100 without a boolean `isPinned`.
   */
  pinConversation(options: PinConversationOptions): Promise<imResponse<PinConversationResult>>;
  /**
   * Sets how a group's or peers' conversations notify (`TIM.TYPES.MSG_REMIND_*`), on every
   * session of the user, whether or not the conversation is in the list; a deletion keeps it.
   * A group answers `{ group }` (10007 not a member, 10010 no such group); peers
   * `{ successUserIDList, failureUserIDList }`. 2100 for a bad setting or list (1 to 30 IDs).
   */
  /**
   * Keeps a draft on a conversation of the list, in this tab only (never sent, as Tencent's web
   * SDK); CONVERSATION_LIST_UPDATED follows. 2500 for a conversation not in the list, 2503 for an
   * invalid ID, 2100 without a string `draftText`.
   */
  setConversationDraft(options: SetConversationDraftOptions): Promise<imResponse<PinConversationResult>>;
  setMessageRemindType(options: GroupRemindTypeOptions): Promise<imResponse<GroupResult>>;
  setMessageRemindType(options: UsersRemindTypeOptions): Promise<imResponse<SetMessageRemindTypeUsersResult>>;
  setMessageRemindType(options: SetMessageRemindTypeOptions): Promise<imResponse<GroupResult | SetMessageRemindTypeUsersResult>>;

  /**
   * Deletes the conversation from this user's list and deletes this user's history of it on the
   * server (the peer keeps theirs). A later message brings the conversation back holding only the
   * new messages. Rejects 2503 for anything that is not a valid conversation ID (where Tencent's SDK
   * throws synchronously), 2500 when the conversation is not in the list. A rejected call changes
   * nothing.
   */
  deleteConversation(conversationID: ConversationID | string): Promise<imResponse<DeleteConversationResult>>;
  /**
   * The batch form, in one round trip: resolves with the IDs deleted and a failure per other ID;
   * rejects 2500 (with the same `data`) when nothing was deleted, 2503 when no ID is valid, 2100 for
   * an empty list, over 100 IDs, duplicates, non-strings or a non-boolean `clearHistoryMessage`.
   */
  deleteConversation(options: DeleteConversationListOptions): Promise<imResponse<DeleteConversationListResult>>;

  /**
   * Keeps the conversation but deletes this user's history of it (server and cache), blanks its
   * lastMessage and marks it read. Rejects 2503 for an invalid ID, 2500 when it is not in the list.
   */
  clearHistoryMessage(conversationID: ConversationID | string): Promise<imResponse<ClearHistoryMessageResult>>;
  /** The caller becomes the owner; memberList users are added at once (they get a notice). */
  createGroup(options: CreateGroupOptions): Promise<imResponse<GroupResult>>;
  /** Public and ChatRoom groups only (joined at once); 10013 when already a member. */
  joinGroup(options: { groupID: string }): Promise<imResponse<JoinGroupResult>>;
  /** 10009 for the owner (dismiss instead), 10007 when not a member. */
  quitGroup(groupID: string): Promise<imResponse<GroupIDResult>>;
  /** Owner only (10007). */
  dismissGroup(groupID: string): Promise<imResponse<GroupIDResult>>;
  getGroupList(): Promise<imResponse<GroupListResult>>;
  getGroupProfile(options: { groupID: string }): Promise<imResponse<GroupResult>>;
  addGroupMember(options: GroupMemberChangeOptions): Promise<imResponse<GroupMemberChangeResult>>;
  deleteGroupMember(options: GroupMemberChangeOptions): Promise<imResponse<GroupMemberChangeResult>>;
  /** A member asks (10007 otherwise): the members in join order; count default 15, at most 100. */
  getGroupMemberList(options: { groupID: string; count?: number; offset?: number }): Promise<imResponse<GroupMemberListResult>>;
  /** The members among userIDList (1 to 500 IDs; others are left out). */
  getGroupMemberProfile(options: { groupID: string; userIDList: string[] }): Promise<imResponse<GroupMemberListResult>>;
  /** The owner makes a member an admin or a member again (not in Private groups; 10007 otherwise, 10010 no such group). */
  setGroupMemberRole(options: { groupID: string; userID: string; role: Types['GRP_MBR_ROLE_ADMIN'] | Types['GRP_MBR_ROLE_MEMBER'] }): Promise<imResponse<GroupResult>>;
  /** The owner hands the group to another member and becomes a member. */
  changeGroupOwner(options: { groupID: string; newOwnerID: string }): Promise<imResponse<GroupResult>>;
  /** The owner or an admin; the members get a group notice. */
  updateGroupProfile(options: UpdateGroupProfileOptions): Promise<imResponse<GroupResult>>;
  getMyProfile(): Promise<imResponse<Profile>>;
  /** The known users among the first 100 given (unknown ones are left out); empty list: 2100. */
  getUserProfile(options: { userIDList: string[] }): Promise<imResponse<Profile[]>>;
  /** Each value within Tencent's limits (2721); PROFILE_UPDATED on every session of the user. */
  updateMyProfile(options: UpdateMyProfileOptions): Promise<imResponse<Profile>>;
  /** The user IDs blacklisted, in the order added. */
  getBlacklist(): Promise<imResponse<string[]>>;
  /** Their C2C messages to the caller are refused (20007); data: the IDs newly added (2740, 2742). */
  addToBlacklist(options: { userIDList: string[] }): Promise<imResponse<string[]>>;
  /** data: the IDs that were in the list (2741). */
  removeFromBlacklist(options: { userIDList: string[] }): Promise<imResponse<string[]>>;
}

/** The default export. */
export interface TIMStatic {
  /**
   * Returns the instance for this SDKAppID (the same one until it is destroyed) at once, or null
   * when `SDKAppID` is not a positive integer (or a string of digits). The wasm module loads on the
   * first call; the instance's calls wait for it. Outside a browser (Node, server-side rendering)
   * it throws an Error with code 2906.
   */
  create(options: CreateOptions): TimInstance | null;
  readonly EVENT: EventNames;
  readonly TYPES: Types;
  readonly VERSION: string;
}

declare const TIM: TIMStatic;
export default TIM;
export { TIM };
export declare const EVENT: EventNames;
export declare const TYPES: Types;
export declare const VERSION: string;
/**
 * Whether tim-wasm has this instance method yet (ours; `import { isSupported } from 'tim-wasm'`).
 * Every method name of Tencent's API is callable on an instance; the ones not there yet reject (or
 * throw) with code 2905.
 */
export declare function isSupported(methodName: string): boolean;
