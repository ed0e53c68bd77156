// Pure helpers of the demo chat: times, day separators, names, initials, error words.
// No DOM here, so node can import this module to test it.

const pad = (n) => String(n).padStart(2, '0');
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const dayStart = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();

/** hh:mm, 24 h, local time, of unix seconds. */
export function clock(sec) {
  const d = new Date(sec * 1000);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A date without the time: "5 Mar", or "5 Mar 2025" when not this year. */
export function date(sec, now = Date.now()) {
  const d = new Date(sec * 1000);
  const sameYear = d.getFullYear() === new Date(now).getFullYear();
  return `${d.getDate()} ${MONTHS[d.getMonth()]}${sameYear ? '' : ` ${d.getFullYear()}`}`;
}

/** The time shown in the conversation list: today hh:mm, yesterday "Yesterday", older the date. */
export function listTime(sec, now = Date.now()) {
  if (!sec) return '';
  const days = Math.round((dayStart(new Date(now)) - dayStart(new Date(sec * 1000))) / 86_400_000);
  if (days <= 0) return clock(sec);
  if (days === 1) return 'Yesterday';
  return date(sec, now);
}

/** The label of the day separator above the first message of a day. */
export function dayLabel(sec, now = Date.now()) {
  const days = Math.round((dayStart(new Date(now)) - dayStart(new Date(sec * 1000))) / 86_400_000);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return date(sec, now);
}

/** A key per local day, to know where a separator goes. */
export function dayKey(sec) {
  const d = new Date(sec * 1000);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

/** Up to two letters for an avatar: "eve" -> "E", "Ada Lovelace" -> "AL", "team-rust" -> "TR". */
export function initials(name) {
  const words = String(name || '?').trim().split(/[\s_.\-@]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const letters = words.length === 1 ? [...words[0]].slice(0, 1) : [[...words[0]][0], [...words[1]][0]];
  return letters.join('').toUpperCase();
}

/** A stable hue for a name, so a person keeps their avatar colour. */
export function hue(name) {
  let h = 0;
  for (const ch of String(name)) h = (h * 31 + ch.codePointAt(0)) >>> 0;
  return h % 360;
}

/** File sizes in words. */
export function bytes(n) {
  if (!(n >= 0)) return '';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** What the SDK's codes mean, in words a person reads (docs/errors.md). */
const WORDS = {
  2024: 'You are not logged in',
  2025: 'Already logged in',
  2100: 'That input is not valid',
  2500: 'This conversation is not in your list (already deleted?)',
  2501: 'No such user or group',
  2502: 'Unknown conversation type',
  2503: 'That is not a valid conversation ID (C2C<userID>, GROUP<groupID> or @TIM#SYSTEM)',
  2504: 'That message was not found (deleted or revoked?)',
  2505: 'Only the sender can do that to a message',
  2800: 'The connection failed before the server answered',
  2801: 'The server did not answer in time',
  2805: 'Not connected to the server',
  2721: 'That profile value is not valid (a nick or avatar URL is at most 500 bytes)',
  2722: 'There is nothing to change',
  2903: 'Something went wrong inside the SDK or server',
  2904: 'The SDK instance was destroyed',
  2905: 'This SDK cannot do that yet',
  3001: 'The last login failed; log in again',
  3005: 'You are logged out',
  20007: 'This person does not accept messages from you',
  2742: 'You cannot block yourself',
  20016: 'Too late to revoke: the time allowed after sending has passed',
  60020: 'At most 50 chats can be pinned; unpin one first',
  10007: 'You are not allowed to do that in this group (a private group is joined by invitation)',
  10009: 'The owner cannot leave the group; dismiss it instead',
  10010: 'No group with that ID (or it was dismissed)',
  10013: 'You are already a member of this group',
  10015: 'That is not a valid group ID (1 to 48 bytes of any text, no control characters)',
  10021: 'That group ID is taken',
  70001: 'Your login ticket (UserSig) expired',
  70003: 'Your login ticket (UserSig) is not valid',
  70013: 'That login ticket (UserSig) belongs to another user',
  70014: 'That login ticket (UserSig) belongs to another app',
  70020: 'The server does not know this app (SDKAppID)',
  80002: 'The message is too long (at most 12 KB)',
};

/** "<words> (code N)" for an SDK rejection; the Error's own message for anything else. */
export function errorText(e) {
  if (e && typeof e.code === 'number') {
    const words = WORDS[e.code] || e.message || 'Failed';
    return `${words} (code ${e.code})`;
  }
  return (e && e.message) || String(e);
}

/** The conversation ID's parts: { type: 'C2C' | 'GROUP' | '@TIM#SYSTEM', to }. */
export function parseConversationID(id) {
  if (id === '@TIM#SYSTEM') return { type: '@TIM#SYSTEM', to: '' };
  if (id.startsWith('C2C')) return { type: 'C2C', to: id.slice(3) };
  if (id.startsWith('GROUP')) return { type: 'GROUP', to: id.slice(5) };
  return { type: '', to: id };
}

/**
 * The name a person sees for a conversation. `groupNames` (groupID -> name, from the group list)
 * fills in a group whose conversation carries only its ID; `people` (userID -> { nick, avatar },
 * from getUserProfile and received messages) a peer's newer nick.
 */
export function conversationName(c, groupNames = null, people = null) {
  if (!c) return '';
  if (c.type === '@TIM#SYSTEM' || c.conversationID === '@TIM#SYSTEM') return 'System notices';
  if (c.remark) return c.remark;
  if (c.userProfile) {
    const known = people && people.get(c.userProfile.userID);
    return (known && known.nick) || c.userProfile.nick || c.userProfile.userID;
  }
  if (c.groupProfile) {
    const { groupID, name } = c.groupProfile;
    const known = groupNames && groupNames.get(groupID);
    return name && name !== groupID ? name : known || name || groupID;
  }
  return parseConversationID(c.conversationID).to;
}

const NOTICE = {
  4: (g, by) => `You were removed from ${g}${by}`,
  5: (g, by) => `${g} was dismissed${by}`,
  6: (g) => `You created ${g}`,
  7: (g, by) => `You were added to ${g}${by}`,
  8: (g) => `You left ${g}`,
};

/** The text of a group system notice (TIMGroupSystemNoticeElem). */
export function noticeText(payload) {
  const g = payload?.groupProfile ? `“${payload.groupProfile.name || payload.groupProfile.groupID}”` : 'a group';
  const by = payload?.operatorID ? ` by ${payload.operatorID}` : '';
  const f = NOTICE[payload?.operationType];
  return f ? f(g, by) : `Group notice about ${g}`;
}

/** A URL an <img> may show as an avatar ('' for anything else: a profile field is free text). */
export function avatarURL(s) {
  return typeof s === 'string' && /^(https?:\/\/|data:image\/)/i.test(s.trim()) ? s.trim() : '';
}

/**
 * setMessageRemindType's options for a conversation, in Tencent's documented shape:
 * `{ userIDList: [userID] }` for a one-to-one chat, `{ groupID }` for a group, and the
 * `messageRemindType` (TIM.TYPES.MSG_REMIND_*). null for a conversation that has no such setting.
 */
export function remindOptions(conversationID, messageRemindType) {
  const { type, to } = parseConversationID(conversationID);
  if (type === 'C2C') return { userIDList: [to], messageRemindType };
  if (type === 'GROUP') return { groupID: to, messageRemindType };
  return null;
}

/** Seconds after sending during which the demo offers to revoke: Tencent's default limit (an app may set another; the server decides, 20016). */
export const REVOKE_WINDOW = 120;

/** Whether to offer "Revoke" for a message: the user's own, sent, not revoked, recent enough. */
export function revocable(m, now = Date.now()) {
  return !!m && m.flow === 'out' && m.status === 'success' && !m.isRevoked && now / 1000 - m.time < REVOKE_WINDOW;
}

/**
 * The mark a group conversation's unread @-mentions (its `groupAtInfoList`) put in the list:
 * '[@me]' when one names the user (`TIM.TYPES.CONV_AT_ME` or `CONV_AT_ALL_AT_ME`), '[@all]' when
 * they only @-mention everyone (`CONV_AT_ALL`), else ''. `types` is `TIM.TYPES`.
 */
export function atMark(groupAtInfoList, types) {
  const kinds = (groupAtInfoList || []).flatMap((a) => a.atTypeArray || []);
  if (kinds.some((k) => k === types.CONV_AT_ME || k === types.CONV_AT_ALL_AT_ME)) return '[@me]';
  if (kinds.includes(types.CONV_AT_ALL)) return '[@all]';
  return '';
}

/**
 * The people a group message typed in the composer @-mentions, for createTextAtMessage's
 * `atUserList`: each "@userID" that starts a word (trailing punctuation left out), "@all" as
 * `allID` (`TIM.TYPES.MSG_AT_ALL`); without duplicates, at most 30 (the SDK's limit).
 */
export function mentions(text, allID) {
  const out = [];
  for (const [, word] of String(text).matchAll(/(?:^|\s)@(\S+)/gu)) {
    const id = word.replace(/[,.;:!?)]+$/u, '');
    const entry = id.toLowerCase() === 'all' ? allID : id;
    if (id && !out.includes(entry)) out.push(entry);
  }
  return out.slice(0, 30);
}

/**
 * What an own message created with `needReadReceipt` says of its readers: a one-to-one chat
 * 'Sent' then 'Read' (`isPeerRead`, MESSAGE_READ_BY_PEER); a group 'Sent', 'Read by N of M',
 * 'Read by all' (`readReceiptInfo`, MESSAGE_READ_RECEIPT_RECEIVED). '' for any other message.
 */
export function receiptText(m, isGroup) {
  if (!m || m.flow !== 'out' || !m.needReadReceipt || m.isRevoked || m.status !== 'success') return '';
  const info = m.readReceiptInfo || {};
  if (!isGroup) return m.isPeerRead || info.isPeerRead ? 'Read' : 'Sent';
  const read = info.readCount || 0;
  const all = read + (info.unreadCount || 0);
  if (!all) return '';
  if (!read) return 'Sent';
  return read >= all ? 'Read by all' : `Read by ${read} of ${all}`;
}
