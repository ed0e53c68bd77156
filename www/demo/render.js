// DOM builders of the demo chat: conversation rows, messages with day separators, avatars.
import { clock, dayKey, dayLabel, listTime, initials, hue, bytes, conversationName, noticeText } from './format.js';

export const $ = (id) => document.getElementById(id);

export function el(tag, props = {}, ...children) {
  const { testid, dataset, ...rest } = props;
  const e = Object.assign(document.createElement(tag), rest);
  if (testid) e.dataset.testid = testid;
  if (dataset) Object.assign(e.dataset, dataset);
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** Fills an avatar element with initials on a colour of the name. */
export function paintAvatar(node, name, { group = false } = {}) {
  node.textContent = initials(name);
  node.style.setProperty('--hue', String(hue(name)));
  node.classList.toggle('group', group);
}

const MUTED = 'AcceptNotNotify'; // TIM.TYPES.MSG_REMIND_ACPT_NOT_NOTE in Tencent's SDK

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

/** One row of the conversation list. `actions` has open(id) and remove(id). */
export function conversationRow(c, { me, openID, actions, groupNames }) {
  const id = c.conversationID;
  const name = conversationName(c, groupNames);
  const muted = c.messageRemindType === MUTED;
  const avatar = el('span', { className: 'avatar', ariaHidden: 'true' });
  paintAvatar(avatar, name, { group: c.type === 'GROUP' });
  const m = c.lastMessage || {};
  const fromMe = m.fromAccount && m.fromAccount === me;
  const fromOther = c.type === 'GROUP' && m.fromAccount && !fromMe ? `${m.fromAccount}: ` : '';
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
        c.isPinned ? el('span', { className: 'icon', textContent: '📌', title: 'Pinned', testid: `pinned-${id}` }) : null,
        muted ? el('span', { className: 'icon', textContent: '🔕', title: 'Muted', testid: `muted-${id}` }) : null,
        el('time', { className: 'conv-time', textContent: listTime(m.lastTime), testid: `time-${id}`, dateTime: m.lastTime ? new Date(m.lastTime * 1000).toISOString() : '' }),
      ),
      el(
        'span',
        { className: 'conv-bottom' },
        el(
          'span',
          { className: 'conv-last' },
          fromMe ? el('span', { className: 'last-from', textContent: 'You: ' }) : fromOther ? el('span', { className: 'last-from', textContent: fromOther }) : null,
          el('span', { textContent: lastText(c), testid: `last-${id}` }),
        ),
        unread,
      ),
    ),
  );
  open.setAttribute('aria-label', `${name}${c.unreadCount ? `, ${c.unreadCount} unread` : ''}${c.isPinned ? ', pinned' : ''}`);
  open.addEventListener('click', () => actions.open(id));
  const del = el('button', { type: 'button', className: 'conv-delete ghost', textContent: '✕', title: `Delete the chat with ${name}`, testid: `delete-${id}` });
  del.setAttribute('aria-label', `Delete the chat with ${name}`);
  del.addEventListener('click', () => actions.remove(id));
  const li = el('li', { className: `conv-row${id === openID ? ' open' : ''}`, testid: `conv-${id}`, dataset: { conversationId: id } }, open, del);
  return li;
}

/**
 * The items of the open conversation: day separators and messages. `entries` are
 * { message, status: 'sent' | 'sending' | 'failed', error?, progress? }, oldest first.
 */
export function messageItems(entries, { isGroup, canRevoke, actions }) {
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
    out.push(messageItem(entry, { isGroup, canRevoke, actions }));
  }
  return out;
}

function body(m) {
  if (m.isRevoked) return el('span', { className: 'text revoked', textContent: m.flow === 'out' ? 'You revoked this message' : 'This message was revoked' });
  switch (m.type) {
    case 'TIMTextElem':
      return el('span', { className: 'text', textContent: m.payload.text });
    case 'TIMGroupSystemNoticeElem':
      return el('span', { className: 'text notice', textContent: noticeText(m.payload) });
    case 'TIMImageElem': {
      const info = (m.payload.imageInfoArray || [])[0] || {};
      if (!info.url) return el('span', { className: 'text', textContent: '[Image]' });
      const img = el('img', { src: info.url, alt: 'Image', loading: 'lazy', className: 'image' });
      if (info.width && info.height) {
        img.width = Math.min(240, info.width);
        img.height = Math.round((img.width / info.width) * info.height);
      }
      return el('a', { href: info.url, target: '_blank', rel: 'noopener' }, img);
    }
    case 'TIMFileElem':
      return el(
        'a',
        { className: 'file', href: m.payload.fileUrl || '#', target: '_blank', rel: 'noopener', download: m.payload.fileName || '' },
        el('span', { textContent: `📄 ${m.payload.fileName || 'file'}` }),
        el('span', { className: 'muted', textContent: ` ${bytes(m.payload.fileSize)}` }),
      );
    default:
      return el('span', { className: 'text', textContent: `[${m.type}]` });
  }
}

function messageItem(entry, { isGroup, canRevoke, actions }) {
  const m = entry.message;
  const status = m.isRevoked ? 'revoked' : entry.status;
  const meta = el('span', { className: 'meta' }, el('time', { textContent: clock(m.time), dateTime: new Date(m.time * 1000).toISOString(), testid: 'msg-time' }));
  if (entry.status === 'sending') {
    meta.append(el('span', { className: 'state', textContent: entry.progress !== undefined ? ` · Uploading ${Math.round(entry.progress * 100)}%` : ' · Sending…', testid: 'msg-state' }));
  } else if (entry.status === 'failed') {
    meta.append(el('span', { className: 'state failed', textContent: ' · Not sent', title: entry.error || '', testid: 'msg-state' }));
    const retry = el('button', { type: 'button', className: 'link', textContent: 'Retry', testid: 'retry-btn' });
    retry.setAttribute('aria-label', `Retry sending: ${m.payload?.text || 'message'}`);
    retry.addEventListener('click', () => actions.retry(m.ID));
    meta.append(' ', retry);
  } else if (m.flow === 'out' && canRevoke && !m.isRevoked) {
    const revoke = el('button', { type: 'button', className: 'link', textContent: 'Revoke', testid: 'revoke-btn' });
    revoke.addEventListener('click', () => actions.revoke(m.ID));
    meta.append(' ', revoke);
  }
  const li = el(
    'li',
    { className: `msg ${m.flow}`, testid: 'msg', dataset: { id: m.ID, status } },
    isGroup && m.flow === 'in' ? el('span', { className: 'from', textContent: m.nick || m.from }) : null,
    el('div', { className: 'bubble' }, body(m), entry.progress !== undefined && entry.status === 'sending' ? el('progress', { max: 1, value: entry.progress }) : null),
    meta,
  );
  if (entry.status === 'failed' && entry.error) li.append(el('span', { className: 'error-text small', textContent: entry.error, testid: 'msg-error' }));
  return li;
}
