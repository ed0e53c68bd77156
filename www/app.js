// The tim-wasm demo chat: plain ES modules, no build step, written only against the documented
// TIM web API (pkg/index.d.ts). Features the SDK may not have (mute, image and file messages,
// profiles, ...) are detected, and their controls appear only when the SDK has them.
import TIM, { isSupported } from '/pkg/index.js';
import { $, el, icon, paintAvatar, conversationRow, conversationAvatar, messageItems } from './demo/render.js';
import { conversationName, errorText, parseConversationID, remindOptions, revocable, atMark, mentions } from './demo/format.js';
import { remembered, remember, forget, demoUserSig } from './demo/session.js';
import { ask } from './demo/confirm.js';

const PAGE = 15; // messages per getMessageList page
// Tencent's messageRemindType values (TIM.TYPES.MSG_REMIND_*); a muted chat still receives.
const MUTED = TIM.TYPES.MSG_REMIND_ACPT_NOT_NOTE || 'AcceptNotNotify';
const NOTIFY = TIM.TYPES.MSG_REMIND_ACPT_AND_NOTE || 'AcceptAndNotify';
const DISCARD = TIM.TYPES.MSG_REMIND_DISCARD || 'Discard';
const isMuted = (c) => !!c && (c.messageRemindType === MUTED || c.messageRemindType === DISCARD);
/** '[@me]' / '[@all]' for a group conversation with unread @-mentions of the user (groupAtInfoList). */
const atMarkOf = (c) => atMark(c.groupAtInfoList, TIM.TYPES);

let tim = null;
let me = '';
const wired = new WeakSet();
const state = {
  list: [], // the SDK's sorted conversation list
  net: 'connecting', // connected | connecting | disconnected
  everConnected: false,
  offlineStart: false, // login resolved from the cache with the server unreachable
  queuedDeletions: 0, // deleteConversation results with pending: true, sent on reconnect
  deleting: new Set(), // conversation IDs this page is deleting right now
};
/** groupID -> name, from getGroupList / GROUP_LIST_UPDATED / createGroup / joinGroup. */
const groupNames = new Map();
/** userID -> { nick, avatar }: getUserProfile answers and live messages, newer than the list's. */
const people = new Map();
/** The user's own profile (getMyProfile / PROFILE_UPDATED), or null. */
let myProfile = null;
/** The userIDs this user blocked (getBlacklist / BLACKLIST_UPDATED). */
let blocked = new Set();
/** The open conversation, or null. */
let view = null;
/** IDs of received messages this page sent a read receipt for (sendMessageReadReceipt). */
let acked = new Set();

// Tencent's method names all exist on the instance (the missing ones reject with 2905):
// isSupported says which ones tim-wasm really has.
const has = (method) => !!tim && isSupported(method);
const features = () => ({
  pin: has('pinConversation'),
  mute: has('setMessageRemindType'),
  revoke: has('revokeMessage'),
  profile: has('updateMyProfile'),
  block: has('addToBlacklist') && has('removeFromBlacklist'),
  readAll: has('setAllMessageRead'),
  image: has('createImageMessage'),
  file: has('createFileMessage'),
  draft: has('setConversationDraft'),
  resend: has('resendMessage'),
  receipts: has('sendMessageReadReceipt'),
  at: has('createTextAtMessage'),
});

// ---------------------------------------------------------------------------------------------
// The developer panel: every SDK call and what its Promise settled to

function record(call, promise) {
  const out = $('result');
  out.textContent = `${call} → pending…`;
  out.classList.remove('error');
  return promise.then(
    (imResponse) => {
      out.textContent = `${call} → resolved\n${JSON.stringify({ code: imResponse.code, data: imResponse.data }, null, 2)}`;
      return imResponse;
    },
    (imError) => {
      out.classList.add('error');
      out.textContent = `${call} → rejected\n${JSON.stringify({ code: imError.code, message: imError.message, data: imError.data }, null, 2)}`;
      throw imError;
    },
  );
}

/** A status line that says what just happened; errors in words with their code. */
function say(id, text, { error = false } = {}) {
  const p = $(id);
  p.textContent = text;
  p.classList.toggle('error-text', error);
}

// ---------------------------------------------------------------------------------------------
// Views: login, chat; on phones one pane at a time

function showLogin(message = '') {
  $('chat').hidden = true;
  $('login-view').hidden = false;
  say('login-error', message, { error: !!message });
  document.title = 'tim-wasm chat';
  $('user-id').focus();
}

function showChat() {
  $('login-view').hidden = true;
  $('chat').hidden = false;
  renderMe();
  document.title = `${me} · tim-wasm chat`;
  const f = features();
  $('profile-btn').hidden = !f.profile;
  $('features').textContent =
    `TIM.VERSION ${TIM.VERSION}. Detected in this SDK: ` +
    Object.entries(f).map(([k, v]) => `${k} ${v ? 'yes' : 'no (hidden)'}`).join(', ') + '.';
}

/** Who is logged in: their nick (userID beside it) and avatar once the profile is known. */
function renderMe() {
  const nick = (myProfile && myProfile.nick) || '';
  $('me').textContent = nick || me;
  $('me').title = me;
  $('me-id').textContent = nick && nick !== me ? me : '';
  paintAvatar($('me-avatar'), nick || me, { url: myProfile ? myProfile.avatar : '' });
}

function setNet(netState) {
  state.net = netState;
  if (netState === TIM.TYPES.NET_STATE_CONNECTED) {
    state.everConnected = true;
    if (state.queuedDeletions) {
      say('list-status', `Back online: ${plural(state.queuedDeletions, 'queued deletion')} sent to the server.`);
      state.queuedDeletions = 0;
    }
    ackReceipts();
  }
  renderNet();
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function unsentCount() {
  return view ? view.entries.filter((e) => e.status === 'failed').length : 0;
}

function renderNet() {
  const s = state.net;
  const first = !state.everConnected && !state.offlineStart; // the first connection, not a lost one
  const label =
    s === TIM.TYPES.NET_STATE_CONNECTED ? 'Connected' : s === TIM.TYPES.NET_STATE_CONNECTING ? (first ? 'Connecting…' : 'Offline · reconnecting…') : 'Offline';
  const net = $('net-state');
  net.textContent = label;
  net.dataset.state = s;
  const queued = [];
  if (state.queuedDeletions) queued.push(`${plural(state.queuedDeletions, 'deletion')} queued`);
  const unsent = unsentCount();
  if (unsent) queued.push(`${plural(unsent, 'message')} not sent (retry ${unsent === 1 ? 'it' : 'them'})`);
  let text = '';
  if (s !== TIM.TYPES.NET_STATE_CONNECTED) {
    text = first
      ? 'Connecting to the server.'
      : `Offline: showing what this browser cached${s === TIM.TYPES.NET_STATE_CONNECTING ? '; reconnecting by itself' : ''}.`;
    text += queued.length ? ` ${queued.join(', ')}: sent when the connection returns.` : ' Nothing queued.';
  } else if (unsent) {
    text = `${queued.join(', ')}.`;
  }
  const banner = $('net-banner');
  banner.textContent = text;
  banner.hidden = !text;
  banner.dataset.state = s;
}

// ---------------------------------------------------------------------------------------------
// The conversation list

/** Re-renders `render()` into a container, keeping the keyboard focus on the same control. */
function keepingFocus(container, render) {
  const a = document.activeElement;
  const inside = a && container.contains(a) ? { testid: a.dataset.testid, id: a.closest('[data-id]')?.dataset.id } : null;
  render();
  if (!inside || !inside.testid) return;
  const scope = inside.id ? container.querySelector(`[data-id="${CSS.escape(inside.id)}"]`) : container;
  const again = scope && scope.querySelector(`[data-testid="${CSS.escape(inside.testid)}"]`);
  if (again) again.focus({ preventScroll: true });
}

function renderList() {
  keepingFocus($('conversation-list'), renderListNow);
}

function renderListNow() {
  const ul = $('conversation-list');
  const openID = view ? view.id : '';
  // pinned first (the SDK sorts so already; kept stable here)
  const list = [...state.list.filter((c) => c.isPinned), ...state.list.filter((c) => !c.isPinned)];
  ul.replaceChildren(...list.map((c) => conversationRow(c, { me, openID, groupNames, people, isMuted, atMark: atMarkOf, actions: { open: openConversation, remove: confirmDelete } })));
  $('no-conversations').hidden = list.length > 0;
  $('conv-count').textContent = list.length ? `(${list.length})` : '';
  const total = has('getTotalUnreadMessageCount') ? tim.getTotalUnreadMessageCount() : list.reduce((n, c) => n + (c.unreadCount || 0), 0);
  renderTotal(total);
  if (view) renderHead();
}

function renderTotal(total) {
  const b = $('total-unread');
  b.textContent = String(total);
  b.hidden = total === 0;
  b.title = `${total} unread in all chats`;
  $('read-all-btn').hidden = total === 0 || !features().readAll;
  if (me) document.title = `${total ? `(${total}) ` : ''}${me} · tim-wasm chat`;
}

function findConversation(id) {
  return state.list.find((c) => c.conversationID === id) || null;
}

function onListUpdated(list) {
  state.list = list;
  if (view) {
    const c = findConversation(view.id);
    if (c) {
      view.inList = true;
      if (c.unreadCount) markRead(); // a message came in while it is open
    }
    else if (view.inList) {
      const here = state.deleting.has(view.id); // this page's own deletion says its outcome itself
      closeConversation();
      if (!here) say('list-status', 'That chat was deleted in another tab or on another device.');
    }
  }
  renderList();
}

// ---------------------------------------------------------------------------------------------
// The open conversation

function renderHead() {
  const c = findConversation(view.id);
  const { type, to } = parseConversationID(view.id);
  const name = c ? conversationName(c, groupNames, people) : (people.get(to) && people.get(to).nick) || view.draftName || to;
  $('open-title').textContent = name;
  const isBlocked = type === 'C2C' && blocked.has(to);
  $('open-sub').textContent =
    type === 'GROUP'
      ? `Group · ID ${to}`
      : type === TIM.TYPES.CONV_SYSTEM
        ? 'Group notices'
        : `${name !== to ? to : 'Direct chat'}${isBlocked ? ' · Blocked: their messages do not reach you' : ''}`;
  paintAvatar($('open-avatar'), name, { group: type === 'GROUP', url: c ? conversationAvatar(c, people) : people.get(to)?.avatar });

  const f = features();
  const inList = !!c;
  for (const b of ['clear-btn', 'delete-open-btn']) {
    $(b).disabled = !inList;
    $(b).title = inList ? '' : 'Not in your list yet: send a message first';
  }
  $('pin-btn').hidden = !f.pin;
  $('pin-btn').disabled = !inList;
  $('pin-btn').textContent = c && c.isPinned ? 'Unpin' : 'Pin';
  $('pin-btn').setAttribute('aria-pressed', String(!!(c && c.isPinned)));
  $('mute-btn').hidden = !f.mute || type === TIM.TYPES.CONV_SYSTEM;
  $('mute-btn').disabled = !inList;
  const muted = isMuted(c);
  $('mute-btn').textContent = muted ? 'Unmute' : 'Mute';
  $('open-marks').replaceChildren(...(c && c.isPinned ? [icon('pin', 'Pinned', 'open-pinned')] : []), ...(muted ? [icon('muted', 'Muted', 'open-muted')] : []));
  $('mute-btn').setAttribute('aria-pressed', String(muted));
  $('block-btn').hidden = !f.block || type !== 'C2C';
  $('block-btn').textContent = isBlocked ? 'Unblock' : 'Block';
  $('block-btn').setAttribute('aria-pressed', String(isBlocked));
  const system = type === TIM.TYPES.CONV_SYSTEM;
  $('send-form').hidden = system;
  $('send-label').textContent = `Message ${name}`;
  $('send-text').placeholder = type === 'GROUP' && f.at ? `Message ${name} (@userID, @all mention)` : `Message ${name}`;
  $('image-btn').hidden = !f.image || system;
  $('file-btn').hidden = !f.file || system;
}

function atBottom(s) {
  return s.scrollHeight - s.scrollTop - s.clientHeight < 40;
}

/** Re-renders the messages; `scroll`: 'bottom', 'keep' (stay where the reader is) or 'prepend'. */
function renderMessages(scroll = 'keep') {
  const s = $('message-scroll');
  const fromBottom = s.scrollHeight - s.scrollTop;
  const wasAtBottom = atBottom(s);
  const isGroup = view.id.startsWith(TIM.TYPES.CONV_GROUP);
  keepingFocus($('message-list'), () =>
    $('message-list').replaceChildren(
      ...messageItems(view.entries, { isGroup, people, mentionsMe, canRevoke: (m) => features().revoke && revocable(m), actions: { retry, revoke: confirmRevoke } }),
    ),
  );
  renderOlder();
  if (scroll === 'bottom' || (scroll === 'keep' && wasAtBottom)) {
    s.scrollTop = s.scrollHeight;
    $('jump-btn').hidden = true;
  } else if (scroll === 'prepend') {
    s.scrollTop = s.scrollHeight - fromBottom;
  }
  renderNet();
}

function renderOlder() {
  const box = $('older');
  if (view.loadingOlder) box.replaceChildren(el('span', { textContent: 'Loading older messages…' }));
  else if (view.completed) box.replaceChildren(el('span', { textContent: view.entries.length ? 'Start of the conversation' : 'No messages yet. Say hello!' }));
  else {
    const b = el('button', { type: 'button', className: 'link', textContent: 'Load older messages', testid: 'load-older' });
    b.addEventListener('click', loadOlder);
    box.replaceChildren(b);
  }
}

function addEntries(messages, status = 'sent') {
  for (const message of messages) {
    const i = view.entries.findIndex((e) => e.message.ID === message.ID);
    if (i >= 0) view.entries[i] = { ...view.entries[i], message, status };
    else view.entries.push({ message, status });
  }
}

async function openConversation(id, { draftName = '', status = '' } = {}) {
  if (view && view.id === id) {
    $('app').dataset.view = 'chat';
    $('send-text').focus();
    return;
  }
  keepDraft();
  view = { id, entries: [], next: '', completed: false, loadingOlder: false, inList: !!findConversation(id), draftName };
  $('send-text').value = (findConversation(id) || {}).draftText || '';
  $('pane-empty').hidden = true;
  $('pane-open').hidden = false;
  $('app').dataset.view = 'chat';
  autosize(); // once shown: a hidden composer has no height to measure (phones)
  say('pane-status', status);
  say('send-error', '');
  $('jump-btn').hidden = true;
  renderHead();
  renderList();
  renderMessages('bottom');
  $('send-text').focus();
  const mine = view;
  lookUpPeer(id);
  try {
    const { data } = await record(`getMessageList({ conversationID: ${JSON.stringify(id)}, count: ${PAGE} })`, tim.getMessageList({ conversationID: id, count: PAGE }));
    if (view !== mine) return;
    const pendingHere = view.entries; // messages sent before the page arrived stay, after it
    view.entries = [];
    addEntries(data.messageList);
    for (const e of pendingHere) if (!view.entries.some((x) => x.message.ID === e.message.ID)) view.entries.push(e);
    view.next = data.nextReqMessageID;
    view.completed = data.isCompleted || !data.nextReqMessageID;
    renderMessages('bottom');
    fillViewport();
    ackReceipts();
  } catch (e) {
    if (view !== mine) return;
    view.completed = true;
    renderMessages('bottom');
    if (view.inList) say('pane-status', `Could not load the messages: ${errorText(e)}`, { error: true });
  }
  markRead();
}

/** A one-to-one chat's peer: their current nick and avatar (getUserProfile), for the header and list. */
async function lookUpPeer(id) {
  const { type, to } = parseConversationID(id);
  if (type !== 'C2C' || !has('getUserProfile')) return;
  try {
    const { data } = await tim.getUserProfile({ userIDList: [to] });
    for (const p of data) learnPerson(p.userID, p);
  } catch {
    // the conversation's own userProfile (or the userID) is shown instead
  }
}

/** Remembers a person's nick and avatar; re-renders what shows them when they changed. */
function learnPerson(userID, { nick = '', avatar = '' }) {
  const known = people.get(userID);
  if (known && known.nick === nick && known.avatar === avatar) return;
  people.set(userID, { nick, avatar });
  renderList();
  if (view) renderMessages('keep');
}

/** The open conversation is read (the tab is shown): marks it so when the list says it has unread messages. */
function markRead() {
  const c = view && findConversation(view.id);
  if (!c || !c.unreadCount || view.marking || document.visibilityState !== 'visible') return;
  const mine = view;
  mine.marking = true;
  tim
    .setMessageRead({ conversationID: mine.id })
    .catch((e) => view === mine && say('pane-status', `Could not mark as read: ${errorText(e)}`, { error: true }))
    .finally(() => {
      mine.marking = false;
    });
}

/** Loads older pages until the messages fill the pane (or there are none left). */
function fillViewport() {
  const s = $('message-scroll');
  if (view && !view.completed && s.scrollHeight <= s.clientHeight + 1) loadOlder();
}

async function loadOlder() {
  if (!view || view.completed || view.loadingOlder) return;
  const mine = view;
  view.loadingOlder = true;
  renderOlder();
  try {
    const opts = { conversationID: view.id, nextReqMessageID: view.next, count: PAGE };
    const { data } = await record(`getMessageList(${JSON.stringify(opts)})`, tim.getMessageList(opts));
    if (view !== mine) return;
    const known = new Set(view.entries.map((e) => e.message.ID));
    view.entries = [...data.messageList.filter((m) => !known.has(m.ID)).map((message) => ({ message, status: 'sent' })), ...view.entries];
    view.next = data.nextReqMessageID;
    view.completed = data.isCompleted || !data.nextReqMessageID;
    view.loadingOlder = false;
    renderMessages('prepend');
    fillViewport();
    ackReceipts();
  } catch (e) {
    if (view !== mine) return;
    view.loadingOlder = false;
    renderOlder();
    say('pane-status', `Could not load older messages: ${errorText(e)}`, { error: true });
  }
}

function closeConversation() {
  keepDraft();
  view = null;
  $('send-text').value = '';
  $('pane-open').hidden = true;
  $('pane-empty').hidden = false;
  $('app').dataset.view = 'list';
  $('message-list').replaceChildren();
  renderList();
}

function onMessages(messages) {
  for (const m of messages) if (m.flow === 'in' && m.nick) learnPerson(m.from, m);
  if (!view) return;
  const here = messages.filter((m) => m.conversationID === view.id);
  if (!here.length) return;
  const s = $('message-scroll');
  const stay = atBottom(s);
  addEntries(here);
  renderMessages(stay ? 'bottom' : 'keep');
  if (!stay) $('jump-btn').hidden = false;
  markRead();
  ackReceipts();
}

/** Whether a message @-mentions the user (its atUserList names them or everyone). */
function mentionsMe(m) {
  const list = (m.payload && m.payload.atUserList) || [];
  return list.includes(me) || list.includes(TIM.TYPES.MSG_AT_ALL);
}

/**
 * Read receipts for the peer's messages of the open conversation that ask for one
 * (needReadReceipt), once each, while the page is shown: sendMessageReadReceipt takes up to 30
 * messages of one conversation. Not sent while offline: the next connection sends them.
 */
function ackReceipts() {
  if (!view || !features().receipts || document.visibilityState !== 'visible' || state.net !== TIM.TYPES.NET_STATE_CONNECTED) return;
  const mine = view;
  const asking = view.entries.map((e) => e.message).filter((m) => m.flow === 'in' && m.needReadReceipt && !m.isRevoked && !acked.has(m.ID));
  for (let i = 0; i < asking.length; i += 30) {
    const batch = asking.slice(i, i + 30);
    for (const m of batch) acked.add(m.ID);
    record(`sendMessageReadReceipt([${batch.length} message${batch.length === 1 ? '' : 's'}])`, tim.sendMessageReadReceipt(batch)).catch((e) => {
      for (const m of batch) acked.delete(m.ID);
      const lost = e.code >= 2800 && e.code < 2900; // the connection went: sent again on reconnect
      if (view === mine && !lost) say('pane-status', `Could not send read receipts: ${errorText(e)}`, { error: true });
    });
  }
}

/** Changes messages of the open conversation: `ids` are [messageID, arg]; `patch(message, arg)` gives the new one. */
function patchMessages(ids, patch) {
  if (!view) return;
  let changed = false;
  for (const [id, arg] of ids) {
    const entry = view.entries.find((x) => x.message.ID === id);
    if (!entry) continue;
    entry.message = patch(entry.message, arg);
    changed = true;
  }
  if (changed) renderMessages('keep');
}

/** MESSAGE_READ_BY_PEER: the one-to-one peer read these own messages. */
function onReadByPeer(messages) {
  patchMessages(messages.map((m) => [m.ID, m]), (m, read) => ({ ...m, isPeerRead: true, readReceiptInfo: { ...m.readReceiptInfo, ...read.readReceiptInfo, isPeerRead: true } }));
}

/** MESSAGE_READ_RECEIPT_RECEIVED: `[{ groupID, messageID, readCount, unreadCount }]` of own group messages. */
function onGroupReceipts(receipts) {
  patchMessages(receipts.map((r) => [r.messageID, r]), (m, { readCount, unreadCount }) => ({ ...m, readReceiptInfo: { ...m.readReceiptInfo, readCount, unreadCount } }));
}

function onRevoked(messages) {
  if (!view) return;
  let changed = false;
  for (const m of messages) {
    const entry = view.entries.find((x) => x.message.ID === m.ID);
    if (entry) {
      entry.message = { ...entry.message, isRevoked: true };
      changed = true;
    }
  }
  if (changed) renderMessages('keep');
}

/** MESSAGE_MODIFIED: a message of the open conversation got a new text from its sender. */
function onModified(messages) {
  if (!view) return;
  let changed = false;
  for (const m of messages) {
    const entry = view.entries.find((x) => x.message.ID === m.ID);
    if (entry) {
      entry.message = m;
      changed = true;
    }
  }
  if (changed) renderMessages('keep');
}

// The list's times ("09:05", "Yesterday") move on with the clock, and "Revoke" goes when it is too late.
setInterval(() => {
  if (!me) return;
  renderList();
  if (view) renderMessages('keep');
}, 60_000);

// ---------------------------------------------------------------------------------------------
// Sending: text, and images / files when the SDK has them; sending / failed (retry) states

function target() {
  const { type, to } = parseConversationID(view.id);
  return { to, conversationType: type === 'GROUP' ? TIM.TYPES.CONV_GROUP : TIM.TYPES.CONV_C2C };
}

/**
 * What is typed in the composer stays with its conversation when another one opens (Tencent's
 * setConversationDraft: this tab only); the list shows it. Nothing to keep for a chat not yet
 * listed (2500), and a failure only loses the draft, so it is not an error for the user.
 */
function keepDraft() {
  const c = view && features().draft && findConversation(view.id);
  const draftText = $('send-text').value;
  if (!c || (c.draftText || '') === draftText) return;
  record(`setConversationDraft({ conversationID: ${JSON.stringify(c.conversationID)}, draftText })`, tim.setConversationDraft({ conversationID: c.conversationID, draftText })).catch(() => {});
}

async function send(message, extra = {}, { resend = false } = {}) {
  const mine = view;
  const entry = { message, status: 'sending', ...extra };
  const i = view.entries.findIndex((e) => e.message.ID === message.ID);
  if (i >= 0) view.entries[i] = entry;
  else view.entries.push(entry);
  renderMessages('bottom');
  try {
    const { data } = resend
      ? await record('resendMessage(message)', tim.resendMessage(message))
      : await record('sendMessage(message)', tim.sendMessage(message));
    entry.message = data.message;
    entry.status = 'sent';
    delete entry.progress;
    if (entry.preview) URL.revokeObjectURL(entry.preview);
    delete entry.preview;
    if (view === mine) say('send-error', '');
  } catch (e) {
    entry.status = 'failed';
    entry.error = errorText(e);
    if (view === mine) say('send-error', `Not sent: ${entry.error}`, { error: true });
  }
  if (view === mine) renderMessages('keep');
}

function sendText() {
  const box = $('send-text');
  const text = box.value;
  if (!text.trim() || !view) return;
  let message;
  const f = features();
  // Every text message asks its readers for a read receipt; "@userID" / "@all" in a group mention them.
  const atUserList = f.at && view.id.startsWith(TIM.TYPES.CONV_GROUP) ? mentions(text, TIM.TYPES.MSG_AT_ALL) : [];
  const options = { ...target(), ...(f.receipts ? { needReadReceipt: true } : {}) };
  try {
    message = atUserList.length
      ? tim.createTextAtMessage({ ...options, payload: { text, atUserList } })
      : tim.createTextMessage({ ...options, payload: { text } });
  } catch (e) {
    say('send-error', `Not sent: ${errorText(e)}`, { error: true });
    return;
  }
  box.value = '';
  autosize();
  send(message);
}

function retry(messageID) {
  const entry = view && view.entries.find((e) => e.message.ID === messageID);
  if (!entry) return;
  // An image or file uploads again (unless its upload had gone through): its progress and preview.
  const upload = entry.message.type === 'TIMImageElem' || entry.message.type === 'TIMFileElem';
  const extra = upload ? { progress: 0, preview: entry.preview } : {};
  // resendMessage: the failed message again, same ID, stored once however often it is retried.
  send(entry.message, extra, { resend: features().resend });
}

/** Revoke, confirmed: it changes the message for everyone in the chat. */
function confirmRevoke(messageID) {
  const mine = view;
  const entry = view && view.entries.find((e) => e.message.ID === messageID);
  if (!entry) return;
  const { type } = parseConversationID(view.id);
  const text = entry.message.payload?.text;
  ask({
    title: 'Revoke this message?',
    text: `${text ? `“${text.length > 80 ? `${text.slice(0, 80)}…` : text}”: ` : ''}everyone in this chat (${
      type === 'GROUP' ? 'all members' : `you and ${$('open-title').textContent}`
    }) then sees “This message was revoked” instead. It cannot be undone.`,
    ok: 'Revoke',
    final: [2504, 2505, 20016], // gone, not yours, too late: trying again cannot help
    returnFocus: $('send-text'),
    action: async () => {
      const { data } = await record('revokeMessage(message)', tim.revokeMessage(entry.message));
      entry.message = data.message;
      if (view === mine) {
        renderMessages('keep');
        say('pane-status', 'Message revoked.');
      }
    },
  });
}

function sendFile(kind, input) {
  const file = input.files && input.files[0];
  if (!file || !view) return;
  const create = kind === 'image' ? 'createImageMessage' : 'createFileMessage';
  let message;
  // An image shows at once from the chosen file while it uploads.
  const entryRef = { progress: 0, preview: kind === 'image' ? URL.createObjectURL(file) : undefined };
  try {
    message = tim[create]({
      ...target(),
      payload: { file: input },
      onProgress: (p) => {
        const e = view && view.entries.find((x) => x.message.ID === message.ID);
        if (e && e.status === 'sending') {
          e.progress = p;
          renderMessages('keep');
        }
      },
    });
  } catch (e) {
    say('send-error', `Not sent: ${errorText(e)}`, { error: true });
    return;
  } finally {
    input.value = '';
  }
  send(message, entryRef);
}

function autosize() {
  const box = $('send-text');
  box.style.height = 'auto';
  box.style.height = `${Math.min(box.scrollHeight + box.offsetHeight - box.clientHeight, 120)}px`; // + its borders
}

// ---------------------------------------------------------------------------------------------
// Delete, clear history, pin, mute: confirmed in a <dialog>, the result shown where it was asked

function whoKeeps(id) {
  const { type, to } = parseConversationID(id);
  if (type === 'C2C') return `${to} keeps theirs`;
  if (type === 'GROUP') return 'the other members keep theirs';
  return 'nobody else is affected';
}

function confirmDelete(id) {
  const c = findConversation(id);
  const name = c ? conversationName(c, groupNames) : id;
  const system = id === TIM.TYPES.CONV_SYSTEM;
  ask({
    title: system ? 'Delete the system notices?' : `Delete the chat with ${name}?`,
    text: system
      ? 'This deletes the conversation and your notices in it. The next notice brings it back.'
      : `This deletes the conversation and your history of it; ${whoKeeps(id)}. It cannot be undone. A new message brings the conversation back, holding only the new message.`,
    ok: 'Delete',
    action: async () => {
      state.deleting.add(id);
      const { data } = await record(`deleteConversation(${JSON.stringify(id)})`, tim.deleteConversation(id)).finally(() => state.deleting.delete(id));
      if (view && view.id === data.conversationID) closeConversation();
      if (data.pending) {
        state.queuedDeletions += 1;
        say('list-status', `Deleted the chat with ${name} here. Offline: the deletion is queued and reaches the server when the connection returns.`);
        renderNet();
      } else {
        say('list-status', `Deleted the chat with ${name}. Your history of it is gone${system ? '' : `; ${whoKeeps(id)}`}.`);
      }
      $('new-chat-btn').focus();
    },
  });
}

function confirmClear(id) {
  const c = findConversation(id);
  const name = c ? conversationName(c, groupNames) : id;
  ask({
    title: `Clear your history with ${name}?`,
    text: `This deletes your messages of this conversation (here and on the server); the chat stays in your list and ${whoKeeps(id)}.`,
    ok: 'Clear history',
    action: async () => {
      await record(`clearHistoryMessage(${JSON.stringify(id)})`, tim.clearHistoryMessage(id));
      if (view && view.id === id) {
        view.entries = [];
        view.completed = true;
        renderMessages('bottom');
        say('pane-status', 'History cleared.');
      }
    },
  });
}

/** Says an action's outcome in the open conversation's status line, or the list's when it was closed meanwhile. */
function sayAbout(id, text, options) {
  if (view && view.id === id) say('pane-status', text, options);
  else say('list-status', text, options);
}

async function togglePin() {
  const c = view && findConversation(view.id);
  if (!c) return;
  const opts = { conversationID: c.conversationID, isPinned: !c.isPinned };
  const name = conversationName(c, groupNames, people);
  try {
    await record(`pinConversation(${JSON.stringify(opts)})`, tim.pinConversation(opts));
    sayAbout(c.conversationID, c.isPinned ? 'Unpinned.' : 'Pinned to the top of the list.');
  } catch (e) {
    sayAbout(c.conversationID, `Could not ${c.isPinned ? 'unpin' : 'pin'}${view && view.id === c.conversationID ? '' : ` the chat with ${name}`}: ${errorText(e)}`, { error: true });
  }
}

async function toggleMute() {
  const c = view && findConversation(view.id);
  if (!c) return;
  const muted = isMuted(c);
  const opts = remindOptions(c.conversationID, muted ? NOTIFY : MUTED);
  if (!opts) return;
  try {
    await record(`setMessageRemindType(${JSON.stringify(opts)})`, tim.setMessageRemindType(opts));
    sayAbout(c.conversationID, muted ? 'Notifications on.' : 'Muted: no notifications from this chat.');
  } catch (e) {
    sayAbout(c.conversationID, `Could not ${muted ? 'unmute' : 'mute'}: ${errorText(e)}`, { error: true });
  }
}

/** Block (confirmed: it refuses their messages) or unblock the open one-to-one chat's peer. */
function toggleBlock() {
  const { type, to } = view ? parseConversationID(view.id) : {};
  if (type !== 'C2C') return;
  const id = view.id;
  const name = $('open-title').textContent;
  const done = (text) => {
    sayAbout(id, text);
    if (view && view.id === id) renderHead();
  };
  if (blocked.has(to)) {
    record(`removeFromBlacklist({ userIDList: [${JSON.stringify(to)}] })`, tim.removeFromBlacklist({ userIDList: [to] })).then(
      ({ data }) => {
        blocked = new Set(blocked);
        for (const u of data) blocked.delete(u);
        done(`Unblocked ${name}: their messages reach you again.`);
      },
      (e) => sayAbout(id, `Could not unblock: ${errorText(e)}`, { error: true }),
    );
    return;
  }
  ask({
    title: `Block ${name}?`,
    text: `${name} can no longer send you messages: theirs are refused (they are told so). You keep this chat and its history, and can unblock them here at any time.`,
    ok: 'Block',
    returnFocus: $('block-btn'),
    action: async () => {
      const { data } = await record(`addToBlacklist({ userIDList: [${JSON.stringify(to)}] })`, tim.addToBlacklist({ userIDList: [to] }));
      blocked = new Set([...blocked, ...data]);
      done(`Blocked ${name}.`);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// New chat: a person by userID, or a group (join an existing one or create a public one)

const newChat = $('new-chat-dialog');

function newChatKind() {
  return newChat.querySelector('input[name="kind"]:checked').value;
}

function showKind() {
  const kind = newChatKind();
  for (const d of newChat.querySelectorAll('[data-kind]')) d.hidden = d.dataset.kind !== kind;
  $('new-chat-ok').textContent = kind === 'user' ? 'Start chat' : kind === 'join' ? 'Join group' : 'Create group';
  say('new-chat-error', '');
}

for (const r of newChat.querySelectorAll('input[name="kind"]')) r.addEventListener('change', showKind);
$('new-chat-cancel').addEventListener('click', () => newChat.close());

$('new-chat-btn').addEventListener('click', () => {
  for (const id of ['new-user-id', 'join-group-id', 'create-group-name', 'create-group-id']) $(id).value = '';
  showKind();
  newChat.showModal();
  $(newChatKind() === 'user' ? 'new-user-id' : newChatKind() === 'join' ? 'join-group-id' : 'create-group-name').focus();
});

$('new-chat-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const kind = newChatKind();
  const ok = $('new-chat-ok');
  say('new-chat-error', '');
  try {
    ok.disabled = true;
    if (kind === 'user') {
      const userID = $('new-user-id').value.trim();
      if (!userID) throw new Error('Enter the userID of the person to chat with');
      if (userID === me) throw new Error('That is you: enter someone else’s userID');
      newChat.close();
      await openConversation(`C2C${userID}`, { draftName: userID });
    } else if (kind === 'join') {
      const groupID = $('join-group-id').value.trim();
      if (!groupID) throw new Error('Enter the ID of the group to join');
      let status = '';
      let name = groupID;
      try {
        const { data } = await record(`joinGroup({ groupID: ${JSON.stringify(groupID)} })`, tim.joinGroup({ groupID }));
        name = data.group.name || groupID;
        learnGroups([data.group]);
        status = `You joined “${name}”. You see the messages sent from now on.`;
      } catch (e) {
        if (e.code !== 10013) throw e;
        status = 'You are already a member of this group.';
      }
      newChat.close();
      await openConversation(`GROUP${groupID}`, { draftName: name, status });
    } else {
      const name = $('create-group-name').value.trim();
      const groupID = $('create-group-id').value.trim();
      if (!name) throw new Error('Give the group a name');
      const opts = { type: TIM.TYPES.GRP_PUBLIC, name, ...(groupID ? { groupID } : {}) };
      const { data } = await record(`createGroup(${JSON.stringify(opts)})`, tim.createGroup(opts));
      const g = data.group;
      learnGroups([g]);
      newChat.close();
      await openConversation(`GROUP${g.groupID}`, { draftName: g.name, status: `Created the public group “${g.name}”. Others join it with the group ID ${g.groupID}.` });
    }
  } catch (e) {
    say('new-chat-error', errorText(e), { error: true });
  } finally {
    ok.disabled = false;
  }
});

// ---------------------------------------------------------------------------------------------
// Your profile: the nick (and avatar) others see instead of your userID

const profileDialog = $('profile-dialog');

$('profile-btn').addEventListener('click', () => {
  $('profile-nick').value = (myProfile && myProfile.nick) || '';
  $('profile-avatar').value = (myProfile && myProfile.avatar) || '';
  $('profile-id').textContent = me;
  say('profile-error', '');
  profileDialog.showModal();
  $('profile-nick').focus();
});
$('profile-cancel').addEventListener('click', () => profileDialog.close());

$('profile-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const ok = $('profile-ok');
  const opts = { nick: $('profile-nick').value.trim(), avatar: $('profile-avatar').value.trim() };
  say('profile-error', '');
  ok.disabled = true;
  try {
    const { data } = await record(`updateMyProfile(${JSON.stringify(opts)})`, tim.updateMyProfile(opts));
    showProfile(data);
    profileDialog.close();
    say('list-status', opts.nick ? `Your nick is “${opts.nick}” now.` : 'Your nick is cleared: others see your userID.');
  } catch (e) {
    say('profile-error', `Not saved: ${errorText(e)}`, { error: true });
  } finally {
    ok.disabled = false;
  }
});

// Mark all read: every chat, on every device of the user (setAllMessageRead).
$('read-all-btn').addEventListener('click', async () => {
  try {
    await record('setAllMessageRead()', tim.setAllMessageRead());
    say('list-status', 'All chats marked read.');
    $('new-chat-btn').focus();
  } catch (e) {
    say('list-status', `Could not mark all read: ${errorText(e)}`, { error: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Log in (and again at once after a reload), log out

async function login(session, { fromStorage = false } = {}) {
  me = session.userID;
  // ?server=ws://host:port points the SDK at a chat server other than this page's host.
  const server = new URLSearchParams(location.search).get('server');
  tim = TIM.create({ SDKAppID: session.SDKAppID, ...(server ? { server } : {}) });
  if (!tim) throw new Error(`TIM.create refused SDKAppID ${session.SDKAppID}`);
  wire(tim);
  state.everConnected = false;
  state.offlineStart = false;
  state.list = [];
  setNet(TIM.TYPES.NET_STATE_CONNECTING);
  showChat();
  renderList();
  try {
    const { data } = await record(`login({ userID: ${JSON.stringify(session.userID)} })`, tim.login({ userID: session.userID, userSig: session.userSig }));
    remember(session);
    if (data.offline) {
      state.offlineStart = true;
      if (state.net !== TIM.TYPES.NET_STATE_CONNECTED) renderNet();
    }
  } catch (e) {
    // A remembered ticket that expired (or is for a server that was reset): get a new one, once.
    if (fromStorage && [70001, 70003, 70013, 70014, 70020].includes(e.code)) {
      const fresh = await demoUserSig(session.userID);
      return login(fresh);
    }
    throw e;
  }
}

function learnGroups(groups) {
  for (const g of groups) if (g && g.groupID && g.name) groupNames.set(g.groupID, g.name);
  if (state.list.some((c) => c.type === TIM.TYPES.CONV_GROUP)) renderList();
}

function wire(t) {
  if (wired.has(t)) return;
  wired.add(t);
  t.on(TIM.EVENT.GROUP_LIST_UPDATED, (e) => learnGroups(e.data));
  t.on(TIM.EVENT.SDK_READY, async () => {
    t.getGroupList().then(({ data }) => learnGroups(data.groupList), () => {});
    try {
      const { data } = await t.getConversationList();
      onListUpdated(data.conversationList);
    } catch (e) {
      say('list-status', `Could not load your chats: ${errorText(e)}`, { error: true });
    }
  });
  t.on(TIM.EVENT.SDK_READY, () => {
    if (isSupported('getMyProfile')) t.getMyProfile().then(({ data }) => showProfile(data), () => {});
    if (isSupported('getBlacklist')) t.getBlacklist().then(({ data }) => showBlocked(data), () => {});
  });
  if (TIM.EVENT.BLACKLIST_UPDATED) t.on(TIM.EVENT.BLACKLIST_UPDATED, (e) => showBlocked(e.data));
  if (TIM.EVENT.PROFILE_UPDATED) t.on(TIM.EVENT.PROFILE_UPDATED, (e) => e.data.forEach((p) => p.userID === me && showProfile(p)));
  t.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, (e) => onListUpdated(e.data));
  t.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => renderTotal(e.data));
  t.on(TIM.EVENT.MESSAGE_RECEIVED, (e) => onMessages(e.data));
  if (TIM.EVENT.MESSAGE_REVOKED) t.on(TIM.EVENT.MESSAGE_REVOKED, (e) => onRevoked(e.data));
  if (TIM.EVENT.MESSAGE_MODIFIED) t.on(TIM.EVENT.MESSAGE_MODIFIED, (e) => onModified(e.data));
  if (TIM.EVENT.MESSAGE_READ_BY_PEER) t.on(TIM.EVENT.MESSAGE_READ_BY_PEER, (e) => onReadByPeer(e.data));
  if (TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED) t.on(TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED, (e) => onGroupReceipts(e.data));
  t.on(TIM.EVENT.NET_STATE_CHANGE, (e) => setNet(e.data.state));
  t.on(TIM.EVENT.KICKED_OUT, (e) => {
    forget();
    leave();
    showLogin(
      e.data.type === TIM.TYPES.KICKED_OUT_USERSIG_EXPIRED
        ? 'You were logged out: your login ticket expired. Log in again.'
        : `You were logged out (${e.data.type}). Log in again.`,
    );
  });
}

function showProfile(profile) {
  if (!me || !profile) return;
  myProfile = profile;
  renderMe();
}

function showBlocked(userIDs) {
  if (!me) return;
  blocked = new Set(userIDs);
  if (view) renderHead();
}

function leave() {
  me = '';
  myProfile = null;
  blocked = new Set();
  acked = new Set();
  people.clear();
  state.list = [];
  state.queuedDeletions = 0;
  if (view) closeConversation();
  renderList();
  say('list-status', '');
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const userID = $('user-id').value.trim();
  if (!userID) return;
  $('login-btn').disabled = true;
  say('login-error', '');
  try {
    await login(await demoUserSig(userID));
  } catch (e) {
    leave();
    showLogin(`Could not log in as ${userID}: ${errorText(e)}`);
  } finally {
    $('login-btn').disabled = false;
  }
});

$('logout-btn').addEventListener('click', async () => {
  forget();
  try {
    await record('logout()', tim.logout());
  } catch (e) {
    say('login-error', `Logged out here; the SDK said: ${errorText(e)}`, { error: true });
  }
  leave();
  showLogin();
});

// ---------------------------------------------------------------------------------------------
// Wiring of the open conversation and the keyboard

$('send-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  sendText();
});
$('send-text').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
    ev.preventDefault();
    sendText();
  }
});
$('send-text').addEventListener('input', autosize);
$('back-btn').addEventListener('click', () => {
  const id = view && view.id;
  closeConversation();
  const row = id && document.querySelector(`[data-testid="open-${CSS.escape(id)}"]`);
  (row || $('new-chat-btn')).focus();
});
$('delete-open-btn').addEventListener('click', () => view && confirmDelete(view.id));
$('clear-btn').addEventListener('click', () => view && confirmClear(view.id));
$('pin-btn').addEventListener('click', togglePin);
$('mute-btn').addEventListener('click', toggleMute);
$('block-btn').addEventListener('click', toggleBlock);
$('image-btn').addEventListener('click', () => $('image-input').click());
$('file-btn').addEventListener('click', () => $('file-input').click());
$('image-input').addEventListener('change', () => sendFile('image', $('image-input')));
$('file-input').addEventListener('change', () => sendFile('file', $('file-input')));
// A tab in the background has not been read: the open chat is marked read, and its read
// receipts go, when the page is shown again.
document.addEventListener('visibilitychange', () => {
  markRead();
  ackReceipts();
});
$('message-scroll').addEventListener('scroll', () => {
  const s = $('message-scroll');
  if (s.scrollTop < 60) loadOlder();
  if (atBottom(s)) $('jump-btn').hidden = true;
});
$('jump-btn').addEventListener('click', () => {
  const s = $('message-scroll');
  s.scrollTop = s.scrollHeight;
  $('jump-btn').hidden = true;
});
// Arrow keys move between chats in the list.
$('conversation-list').addEventListener('keydown', (ev) => {
  if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
  const buttons = [...document.querySelectorAll('#conversation-list .conv-open')];
  const i = buttons.indexOf(document.activeElement);
  if (i < 0) return;
  ev.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, i + (ev.key === 'ArrowDown' ? 1 : -1)))].focus();
});

// The developer panel's free-form deleteConversation (any input, to see the SDK's rejections).
$('delete-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const id = $('delete-id').value;
  say('dev-error', '');
  if (!tim) {
    say('dev-error', 'Log in first.', { error: true });
    return;
  }
  try {
    const { data } = await record(`deleteConversation(${JSON.stringify(id)})`, tim.deleteConversation(id));
    if (view && view.id === data.conversationID) closeConversation();
    say('dev-error', data.pending ? 'Deleted; queued until the connection returns.' : `Deleted ${data.conversationID}.`);
  } catch (e) {
    say('dev-error', errorText(e), { error: true });
  }
});

// ---------------------------------------------------------------------------------------------
// Start: a remembered session logs in again at once, so the SDK's cached list shows before the
// server answers (and with the server down, the SDK's offline login).

const saved = remembered();
if (saved) {
  login(saved, { fromStorage: true }).catch((e) => {
    leave();
    showLogin(`Could not log in again as ${saved.userID}: ${errorText(e)}`);
  });
} else {
  showLogin();
}

// Ready for input (tests wait for this).
document.body.dataset.ready = 'true';
