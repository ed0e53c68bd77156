// DOM builders of the demo chat: conversation rows, messages with day separators, avatars.
import { clock, dayKey, dayLabel, listTime, initials, hue, bytes, conversationName, noticeText, avatarURL, receiptText } from './format.js';

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const { testid, dataset, ...rest } = props;
  const e = Object.assign(document.createElement(tag), rest);
  if (testid) e.dataset.testid = testid;
  if (dataset) Object.assign(e.dataset, dataset);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// Small marks as inline SVG: emoji fonts are not everywhere (headless browsers, some Linux desktops).
const ICONS = {
  pin: 'M9 2h6l-1 6 3 3v2h-4v7l-1 2-1-2v-7H7v-2l3-3z',
  muted: 'M12 3a5 5 0 0 0-5 5v4l-2 3h14l-2-3V8a5 5 0 0 0-5-5zm-2 14a2 2 0 0 0 4 0zM3 3l18 18-1.4 1.4L1.6 4.4z',
  file: 'M6 2h8l5 5v15H6zm7 1.5V8h4.5zM8 12h8v1.5H8zm0 3h8v1.5H8z',
};

/** An inline SVG mark with a tooltip and a spoken name. */
export function icon(name, label, testid) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  if (testid) svg.dataset.testid = testid;
  const title = document.createElementNS(NS, 'title');
  title.textContent = label;
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', ICONS[name]);
  svg.append(title, path);
  return svg;
}

/**
 * Fills an avatar element: the picture at `url` (a profile's avatar) when there is one and it
 * loads, else initials on a colour of the name.
 */
export function paintAvatar(node, name, { group = false, url = '' } = {}) {
  const src = avatarURL(url);
  node.style.setProperty('--hue', String(hue(name)));
  node.classList.toggle('group', group);
  if (src && node.dataset.src === src && node.querySelector('img')) return; // already shown: no flicker
  node.dataset.src = src;
  node.textContent = initials(name);
  if (!src) return;
  const img = el('img', { src, alt: '' });
  img.addEventListener('load', () => node.dataset.src === src && node.replaceChildren(img));
  img.addEventListener('error', () => {
    node.dataset.src = '';
  });
}

/** What the list shows as a conversation's last message. */
export function lastText(c) {
  const m = c.lastMessage || {};
  if (m.isRevoked) return 'Message revoked';
  if (m.messageForShow) return m.messageForShow;
  if (m.type === 'TIMGroupSystemNoticeElem') return noticeText(m.payload);
  if (m.type === 'TIMImageElem') return '[Image]';
  if (m.type === 'TIMFileElem') return '[File]';
  return m.lastTime ? '' : 'No messages';
}

/** The avatar URL of a conversation's peer or group. */
export function conversationAvatar(c, people = null) {
  if (!c) return '';
  if (c.userProfile) return (people && people.get(c.userProfile.userID)?.avatar) || c.userProfile.avatar || '';
  return (c.groupProfile && c.groupProfile.avatar) || '';
}

/**
 * One row of the conversation list. `actions` has open(id) and remove(id); `isMuted(c)` says
 * whether its messageRemindType silences it; `atMark(c)` is its unread @-mentions' mark
 * ('[@me]', '[@all]' or '').
 */
export function conversationRow(c, { me, openID, actions, groupNames, people, isMuted, atMark }) {
  const id = c.conversationID;
  const name = conversationName(c, groupNames, people);
  const muted = isMuted(c);
  const avatar = el('span', { className: 'avatar', ariaHidden: 'true' });
  paintAvatar(avatar, name, { group: c.type === 'GROUP', url: conversationAvatar(c, people) });
  const m = c.lastMessage || {};
  // A draft (setConversationDraft) shows instead of the last message, except in the open chat.
  const draft = id !== openID && c.draftText ? c.draftText : '';
  const fromMe = m.fromAccount && m.fromAccount === me;
  const fromOther = c.type === 'GROUP' && m.fromAccount && !fromMe ? `${m.fromAccount}: ` : '';
  const at = atMark(c);
  const unread = el('span', {
    className: `badge${muted ? ' muted-badge' : ''}`,
    textContent: String(c.unreadCount),
    testid: `unread-${id}`,
    title: `${c.unreadCount} unread`,
  });
  unread.hidden = !c.unreadCount;
  const open = el(
    'button',
    { type: 'button', className: 'conv-open', testid: `open-${id}`, ariaCurrent: id === openID ? 'true' : 'false' },
    avatar,
    el(
      'span',
      { className: 'conv-main' },
      el(
        'span',
        { className: 'conv-top' },
        el('span', { className: 'conv-name', textContent: name, testid: `name-${id}` }),
        c.isPinned ? icon('pin', 'Pinned', `pinned-${id}`) : null,
        muted ? icon('muted', 'Muted', `muted-${id}`) : null,
        el('time', { className: 'conv-time', textContent: listTime(m.lastTime), testid: `time-${id}`, dateTime: m.lastTime ? new Date(m.lastTime * 1000).toISOString() : '' }),
      ),
      el(
        'span',
        { className: 'conv-bottom' },
        el(
          'span',
          { className: 'conv-last' },
          at ? el('span', { className: 'at-mark', textContent: at, testid: `at-${id}` }) : null,
          draft
            ? el('span', { className: 'last-draft', textContent: 'Draft: ' })
            : fromMe
              ? el('span', { className: 'last-from', textContent: 'You: ' })
              : fromOther
                ? el('span', { className: 'last-from', textContent: fromOther })
                : null,
          el('span', { textContent: draft || lastText(c), testid: `last-${id}` }),
        ),
        unread,
      ),
    ),
  );
  const atWords = at === '[@me]' ? ', mentions you' : at ? ', mentions everyone' : '';
  open.setAttribute('aria-label', `${name}${c.unreadCount ? `, ${c.unreadCount} unread` : ''}${atWords}${c.isPinned ? ', pinned' : ''}${muted ? ', muted' : ''}`);
  open.addEventListener('click', () => actions.open(id));
  const del = el('button', { type: 'button', className: 'conv-delete ghost', textContent: '✕', title: `Delete the chat with ${name}`, testid: `delete-${id}` });
  del.setAttribute('aria-label', `Delete the chat with ${name}`);
  del.addEventListener('click', () => actions.remove(id));
  const li = el('li', { className: `conv-row${id === openID ? ' open' : ''}${c.isPinned ? ' pinned' : ''}`, testid: `conv-${id}`, dataset: { conversationId: id } }, open, del);
  return li;
}

/**
 * The items of the open conversation: day separators and messages. `entries` are
 * { message, status: 'sent' | 'sending' | 'failed', error?, progress? }, oldest first;
 * `canRevoke(message)` says whether to offer "Revoke"; `mentionsMe(message)` whether it
 * @-mentions the user; `people` has newer nicks and avatars.
 */
export function messageItems(entries, { isGroup, canRevoke, mentionsMe, actions, people }) {
  const out = [];
  let day = '';
  for (const entry of entries) {
    const m = entry.message;
    const k = dayKey(m.time);
    if (k !== day) {
      day = k;
      out.push(
        el('li', { className: 'day-sep', role: 'separator', testid: 'day-sep' }, el('span', { textContent: dayLabel(m.time) })),
      );
    }
    out.push(messageItem(entry, { isGroup, canRevoke, mentionsMe, actions, people }));
  }
  return out;
}

/** A message's content; `preview` (an object URL of the chosen file) shows an image still uploading. */
function body(m, preview) {
  if (m.isRevoked) return el('span', { className: 'text revoked', textContent: m.flow === 'out' ? 'You revoked this message' : 'This message was revoked' });
  switch (m.type) {
    case 'TIMTextElem':
      return el('span', { className: 'text', textContent: m.payload.text });
    case 'TIMGroupSystemNoticeElem':
      return el('span', { className: 'text notice', textContent: noticeText(m.payload) });
    case 'TIMImageElem': {
      const info = (m.payload.imageInfoArray || [])[0] || {};
      if (!info.url && preview) return el('img', { src: preview, alt: 'Image being sent', className: 'image sending', testid: 'msg-preview' });
      if (!info.url) return el('span', { className: 'text', textContent: '[Image]' });
      const img = el('img', { src: info.url, alt: 'Image', loading: 'lazy', className: 'image', testid: 'msg-image' });
      if (info.width && info.height) {
        img.width = Math.min(240, info.width);
        img.height = Math.round((img.width / info.width) * info.height);
      }
      return el('a', { href: info.url, target: '_blank', rel: 'noopener' }, img);
    }
    case 'TIMFileElem':
      return el(
        'a',
        { className: 'file', href: m.payload.fileUrl || '#', target: '_blank', rel: 'noopener', download: m.payload.fileName || '', testid: 'msg-file' },
        icon('file', 'File'),
        el('span', { textContent: ` ${m.payload.fileName || 'file'}` }),
        el('span', { className: 'muted', textContent: ` ${bytes(m.payload.fileSize)}` }),
      );
    default:
      return el('span', { className: 'text', textContent: `[${m.type}]` });
  }
}

/** A group message's sender: their avatar and nick (the message's own, or a newer one). */
function sender(m, people) {
  const known = people && people.get(m.from);
  const nick = (known && known.nick) || m.nick || m.from;
  const avatar = el('span', { className: 'avatar tiny', ariaHidden: 'true' });
  paintAvatar(avatar, nick, { url: (known && known.avatar) || m.avatar });
  return el('span', { className: 'sender' }, avatar, el('span', { className: 'from', title: m.from, textContent: nick, testid: 'msg-from' }));
}

function messageItem(entry, { isGroup, canRevoke, mentionsMe, actions, people }) {
  const m = entry.message;
  const status = m.isRevoked ? 'revoked' : entry.status;
  const meta = el('span', { className: 'meta' }, el('time', { textContent: clock(m.time), dateTime: new Date(m.time * 1000).toISOString(), testid: 'msg-time' }));
  // Read receipts of an own message that asked for them (needReadReceipt).
  const receipt = entry.status === 'sent' ? receiptText(m, isGroup) : '';
  if (receipt) meta.append(el('span', { className: `receipt${receipt === 'Sent' ? '' : ' read'}`, textContent: ` · ${receipt}`, testid: 'msg-receipt' }));
  if (entry.status === 'sending') {
    meta.append(el('span', { className: 'state', textContent: entry.progress !== undefined ? ` · Uploading ${Math.round(entry.progress * 100)}%` : ' · Sending…', testid: 'msg-state' }));
  } else if (entry.status === 'failed') {
    meta.append(el('span', { className: 'state failed', textContent: ' · Not sent', title: entry.error || '', testid: 'msg-state' }));
    const retry = el('button', { type: 'button', className: 'link', textContent: 'Retry', testid: 'retry-btn' });
    retry.setAttribute('aria-label', `Retry sending: ${m.payload?.text || 'message'}`);
    retry.addEventListener('click', () => actions.retry(m.ID));
    meta.append(' ', retry);
  } else if (canRevoke(m)) {
    const revoke = el('button', { type: 'button', className: 'link', textContent: 'Revoke', testid: 'revoke-btn' });
    revoke.setAttribute('aria-label', `Revoke: ${m.payload?.text || 'this message'}`);
    revoke.addEventListener('click', () => actions.revoke(m.ID));
    meta.append(' ', revoke);
  }
  const li = el(
    'li',
    { className: `msg ${m.flow}${m.flow === 'in' && !m.isRevoked && mentionsMe(m) ? ' mentions-me' : ''}`, testid: 'msg', dataset: { id: m.ID, status } },
    isGroup && m.flow === 'in' ? sender(m, people) : null,
    el('div', { className: 'bubble' }, body(m, entry.preview), entry.progress !== undefined && entry.status === 'sending' ? el('progress', { max: 1, value: entry.progress }) : null),
    meta,
  );
  if (entry.status === 'failed' && entry.error) li.append(el('span', { className: 'error-text small', textContent: entry.error, testid: 'msg-error' }));
  return li;
}
