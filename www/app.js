// The tim-wasm demo chat: plain ES module, no build step, using only the documented TIM API.
import TIM from '/pkg/index.js';

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.append(c);
  return e;
};

let tim = null;
let me = '';
let openID = ''; // the conversation shown on the right
const wired = new WeakSet(); // instances whose events this page listens to

// ---------------------------------------------------------------------------------------------
// result panel: what the last call's Promise settled to

function showResult(call, promise) {
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

function showError(what, e) {
  const out = $('result');
  out.classList.add('error');
  out.textContent = `${what} → ${e && e.code !== undefined ? `error ${e.code}: ${e.message}` : String(e)}`;
}

// ---------------------------------------------------------------------------------------------
// rendering

function renderConversations(list) {
  const ul = $('conversation-list');
  ul.replaceChildren(
    ...list.map((c) => {
      const id = c.conversationID;
      const unread = el('span', { className: `badge${c.unreadCount ? '' : ' zero'}`, textContent: String(c.unreadCount) });
      unread.dataset.testid = `unread-${id}`;
      const last = el('span', { className: 'conv-last', textContent: c.lastMessage.messageForShow || '(no messages)' });
      last.dataset.testid = `last-${id}`;
      const name = el('span', { className: 'conv-name', textContent: c.userProfile?.userID || id });
      const li = el('li', { className: id === openID ? 'open' : '' }, el('div', { className: 'conv-head' }, name, unread), last);
      li.dataset.testid = `conv-${id}`;
      li.dataset.conversationId = id;
      li.addEventListener('click', () => openConversation(id));
      return li;
    }),
  );
  $('no-conversations').hidden = list.length > 0;
}

function messageItem(m) {
  const time = new Date(m.time * 1000).toLocaleTimeString();
  const li = el('li', { className: m.flow }, el('span', { className: 'text', textContent: m.payload.text }), el('span', { className: 'meta', textContent: `${m.from} · ${time} · #${m.sequence}` }));
  li.dataset.testid = 'msg';
  li.dataset.id = m.ID;
  return li;
}

function renderMessages(list) {
  $('message-list').replaceChildren(...list.map(messageItem));
  scrollDown();
}

function appendMessages(list) {
  const ul = $('message-list');
  for (const m of list) {
    if (!ul.querySelector(`li[data-id="${CSS.escape(m.ID)}"]`)) ul.append(messageItem(m));
  }
  scrollDown();
}

function scrollDown() {
  const ul = $('message-list');
  ul.scrollTop = ul.scrollHeight;
}

function setOpen(id) {
  openID = id;
  $('open-title').textContent = id ? `Conversation ${id}` : 'No conversation open';
  $('delete-open-btn').disabled = !id;
  for (const li of $('conversation-list').children) li.classList.toggle('open', li.dataset.conversationId === id);
  if (!id) $('message-list').replaceChildren();
}

// ---------------------------------------------------------------------------------------------
// actions

async function openConversation(id) {
  setOpen(id);
  if (id.startsWith(TIM.TYPES.CONV_C2C)) $('send-to').value = id.slice(TIM.TYPES.CONV_C2C.length);
  try {
    const { data } = await tim.getMessageList({ conversationID: id, count: 15 });
    if (openID === id) renderMessages(data.messageList);
    await tim.setMessageRead({ conversationID: id });
  } catch (e) {
    showError(`open ${id}`, e);
  }
}

async function login(userID) {
  const res = await fetch(`/api/demo/usersig?userID=${encodeURIComponent(userID)}`);
  if (!res.ok) throw new Error(`GET /api/demo/usersig: HTTP ${res.status} ${await res.text()}`);
  const { SDKAppID, userSig } = await res.json();
  tim = TIM.create({ SDKAppID });
  if (!tim) throw new Error(`TIM.create refused SDKAppID ${SDKAppID}`);
  if (!wired.has(tim)) {
    wired.add(tim);
    tim.on(TIM.EVENT.SDK_READY, onReady);
    tim.on(TIM.EVENT.CONVERSATION_LIST_UPDATED, (e) => renderConversations(e.data));
    tim.on(TIM.EVENT.TOTAL_UNREAD_MESSAGE_COUNT_UPDATED, (e) => {
      $('total-unread').textContent = String(e.data);
      $('total-unread').classList.toggle('zero', e.data === 0);
    });
    tim.on(TIM.EVENT.MESSAGE_RECEIVED, (e) => {
      const here = e.data.filter((m) => m.conversationID === openID);
      if (here.length) {
        appendMessages(here);
        tim.setMessageRead({ conversationID: openID }).catch(() => {});
      }
    });
    tim.on(TIM.EVENT.NET_STATE_CHANGE, (e) => {
      $('net-state').textContent = e.data.state;
      $('net-state').classList.toggle('connected', e.data.state === TIM.TYPES.NET_STATE_CONNECTED);
    });
    tim.on(TIM.EVENT.KICKED_OUT, (e) => {
      showError('kicked out', { code: e.data.type, message: 'log in again' });
      showLoggedOut();
    });
    tim.on(TIM.EVENT.ERROR, (e) => showError('SDK error', e.data));
  }
  await showResult(`login({ userID: ${JSON.stringify(userID)} })`, tim.login({ userID, userSig }));
  me = userID;
  $('me').textContent = me;
  $('login-panel').hidden = true;
  $('chat').hidden = false;
  document.title = `${me} · tim-wasm demo`;
}

async function onReady() {
  const { data } = await tim.getConversationList();
  renderConversations(data.conversationList);
  const total = data.conversationList.reduce((n, c) => n + c.unreadCount, 0);
  $('total-unread').textContent = String(total);
  $('total-unread').classList.toggle('zero', total === 0);
}

function showLoggedOut() {
  me = '';
  setOpen('');
  renderConversations([]);
  $('chat').hidden = true;
  $('login-panel').hidden = false;
  $('net-state').textContent = 'offline';
  $('net-state').classList.remove('connected');
}

async function deleteConversation(id) {
  const call = `deleteConversation(${JSON.stringify(id)})`;
  try {
    const { data } = await showResult(call, tim.deleteConversation(id));
    if (data.conversationID === openID) setOpen('');
  } catch {
    // shown in the result panel
  }
}

// ---------------------------------------------------------------------------------------------
// wiring

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const userID = $('user-id').value.trim();
  $('login-btn').disabled = true;
  try {
    await login(userID);
  } catch (e) {
    if (!(e && e.code !== undefined)) showError(`login as ${userID}`, e); // SDK rejections are shown already
  } finally {
    $('login-btn').disabled = false;
  }
});

$('logout-btn').addEventListener('click', async () => {
  try {
    await showResult('logout()', tim.logout());
  } catch {
    // shown
  }
  showLoggedOut();
});

$('send-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const to = $('send-to').value.trim();
  const text = $('send-text').value;
  let message;
  try {
    message = tim.createTextMessage({ to, conversationType: TIM.TYPES.CONV_C2C, payload: { text } });
  } catch (e) {
    showError('createTextMessage', e);
    return;
  }
  try {
    const { data } = await showResult('sendMessage()', tim.sendMessage(message));
    $('send-text').value = '';
    if (data.message.conversationID === openID) appendMessages([data.message]);
    else await openConversation(data.message.conversationID);
  } catch {
    // shown in the result panel
  }
});

$('delete-open-btn').addEventListener('click', () => {
  if (openID) deleteConversation(openID);
});

$('delete-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  deleteConversation($('delete-id').value);
});

// Ready for input (tests wait for this).
document.body.dataset.ready = 'true';
