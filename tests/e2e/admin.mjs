// Helpers for the multi-client sync tests: the admin REST API from node (fetch, with an admin
// UserSig made by usersig.mjs), the `tim-server app` CLI, and ways of reading what a browser
// session holds locally (from the events it emitted, without asking the server).
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { ROOT, sleep, findConv, texts } from './harness.mjs';
import { genUserSig } from './usersig.mjs';

export const SERVER_BIN = process.env.TIM_SERVER_BIN || join(ROOT, 'target/debug/tim-server');
export const ADMIN = 'administrator';

export const EV = {
  LIST: 'onConversationListUpdated',
  TOTAL: 'onTotalUnreadMessageCountUpdated',
  RECEIVED: 'onMessageReceived',
  NET: 'netStateChange',
};

// ---------------------------------------------------------------------------------------------
// Admin REST API

/** An admin UserSig for the server's demo app. */
export function adminSig(server, identifier = ADMIN) {
  return genUserSig({ sdkAppID: server.sdkAppID, key: server.secretKey, userID: identifier });
}

/**
 * POST /v4/<api> Tencent-style. `body` is JSON-encoded unless `raw` (a string) is given; the
 * query can be overridden field by field (`null` leaves a field out). Returns { status, json }.
 */
export async function rest(server, api, body = {}, { raw, query = {} } = {}) {
  const q = {
    sdkappid: String(server.sdkAppID),
    identifier: ADMIN,
    usersig: adminSig(server),
    random: String(Math.floor(Math.random() * 4294967296)),
    contenttype: 'json',
    ...query,
  };
  for (const k of Object.keys(q)) if (q[k] === null) delete q[k];
  const res = await fetch(`${server.url}/v4/${api}?${new URLSearchParams(q)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    assert.fail(`POST /v4/${api}: answer is not JSON (HTTP ${res.status}): ${text.slice(0, 300)}`);
  }
  return { status: res.status, json };
}

/** Calls and asserts the OK envelope; returns the answer. */
export async function restOk(server, api, body, opts) {
  const { status, json } = await rest(server, api, body, opts);
  assert.equal(status, 200, `POST /v4/${api}: HTTP 200`);
  assert.equal(json.ActionStatus, 'OK', `POST /v4/${api} ${JSON.stringify(body)} should succeed: ${JSON.stringify(json)}`);
  assert.equal(json.ErrorCode, 0);
  assert.equal(json.ErrorInfo, '');
  return json;
}

/** Calls and asserts HTTP 200 with ActionStatus FAIL and `code`; returns the answer. */
export async function restFails(server, code, api, body, opts) {
  const { status, json } = await rest(server, api, body, opts);
  const what = `POST /v4/${api} ${opts?.raw !== undefined ? JSON.stringify(opts.raw) : JSON.stringify(body)}${opts?.query ? ` query ${JSON.stringify(opts.query).slice(0, 120)}` : ''}`;
  assert.equal(status, 200, `${what}: always HTTP 200, got ${status}`);
  assert.equal(json.ActionStatus, 'FAIL', `${what} should fail with ${code}: ${JSON.stringify(json)}`);
  assert.equal(json.ErrorCode, code, `${what}: ErrorCode ${json.ErrorCode} (${json.ErrorInfo}), expected ${code}`);
  assert.equal(typeof json.ErrorInfo, 'string');
  assert.ok(json.ErrorInfo.length > 0, `${what}: ErrorInfo says what was wrong`);
  return json;
}

export async function getSync(server) {
  return (await restOk(server, 'tim_wasm_app/get_settings', {})).Settings.SyncConversationDeletion;
}

/** The app's revoke time limit in seconds, through the REST API. */
export async function getRevokeLimit(server) {
  return (await restOk(server, 'tim_wasm_app/get_settings', {})).Settings.RevokeTimeLimit;
}

/** Switches the app's "sync conversation deletion" setting through the REST API. */
export async function setSync(server, on) {
  const json = await restOk(server, 'tim_wasm_app/set_settings', { SyncConversationDeletion: on });
  assert.equal(json.Settings.SyncConversationDeletion, on, 'set_settings answers with the saved settings');
  assert.deepEqual(Object.keys(json.Settings).sort(), ['RevokeTimeLimit', 'SyncConversationDeletion'], 'and all of them');
  return json;
}

// ---------------------------------------------------------------------------------------------
// CLI

/** Runs `tim-server ...args`; resolves { code, stdout, stderr }. */
export function cli(...args) {
  return new Promise((resolve) => {
    execFile(SERVER_BIN, args, { cwd: ROOT, timeout: 20_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// What a browser session holds locally

/**
 * The session's local conversation list: the data of the last CONVERSATION_LIST_UPDATED it
 * emitted (the SDK emits one on every change of its list), or [] if none.
 */
export function localList(user) {
  const es = user.eventsSince(0, EV.LIST);
  return es.length ? es[es.length - 1].data : [];
}

/** The last TOTAL_UNREAD_MESSAGE_COUNT_UPDATED value the session emitted (0 if none). */
export function localTotal(user) {
  const es = user.eventsSince(0, EV.TOTAL);
  return es.length ? es[es.length - 1].data : 0;
}

/** A list reduced to what every session must agree on, sorted by ID. */
export function summary(list) {
  return list
    .map((c) => ({ id: c.conversationID, unread: c.unreadCount, lastSeq: c.lastMessage.lastSequence, last: c.lastMessage.messageForShow }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export const unreadSum = (list) => list.reduce((n, c) => n + c.unreadCount, 0);

/** IDs of a list. */
export const ids = (list) => list.map((c) => c.conversationID).sort();

/**
 * Waits `ms` and asserts that `user` emitted no event matching `bad` since `mark`.
 * Used where the documented behaviour is that nothing happens.
 */
export async function assertQuiet(user, mark, ms, bad, what) {
  await sleep(ms);
  const seen = user.events.slice(mark).filter(bad);
  assert.deepEqual(
    seen.map((e) => ({ name: e.name, data: JSON.stringify(e.data).slice(0, 300) })),
    [],
    `${user.userID}: ${what} (within ${ms} ms)`,
  );
}

/**
 * A push barrier: `sender` (a session of the same user as the observers) sends `text` to `to`;
 * resolves once every observer shows it as the last message of C2C<to>. Pushes reach a
 * session in the order of the user's event log, so anything logged before it has arrived too.
 * Changes no unread count.
 */
export async function ownBarrier(sender, observers, to, text) {
  const seen = observers.map((o) =>
    o.nextEvent(EV.LIST, (d) => findConv(d, `C2C${to}`)?.lastMessage.messageForShow === text),
  );
  const sent = await sender.send(to, text);
  await Promise.all(seen);
  return sent;
}

/** MESSAGE_RECEIVED events since `mark` that carry the message with `id`, counted per message. */
export function receivedCount(user, mark, id) {
  return user
    .eventsSince(mark, EV.RECEIVED)
    .reduce((n, e) => n + e.data.filter((m) => m.ID === id).length, 0);
}

/**
 * One round of the deletion-vs-message race (commit order decides): `deleter` deletes
 * `conversationID` while `sender` sends `text` to `to`, each after its delay in ms. Once
 * `barrier()` says every push reached the sessions, a fresh login (`fresh`) shows the server's
 * state, and every session of `sessions` (`[name, user]`, the deleter among them) must agree with
 * it: list, unread total and history. Returns which committed first.
 */
export async function raceRound({ round, deleter, conversationID, sender, to, text, delayDel, delaySend, barrier, fresh, sessions }) {
  const [del, sent] = await Promise.all([
    deleter.page.evaluate(async ([ms, id]) => {
      await new Promise((r) => setTimeout(r, ms));
      return window.__call('deleteConversation', [id]);
    }, [delayDel, conversationID]),
    sender.page.evaluate(async ([ms, peer, message]) => {
      await new Promise((r) => setTimeout(r, ms));
      return window.__sendText(peer, message);
    }, [delaySend, to, text]),
  ]);
  assert.ok(del.ok, `round ${round}: deleteConversation resolved: ${JSON.stringify(del)}`);
  assert.ok(sent.ok, `round ${round}: the send resolved: ${JSON.stringify(sent)}`);
  const raceMsg = sent.value.data.message;
  // every push logged so far has reached the sessions once they show a later one
  await barrier();

  // the server's state, through a fresh login (page reload: a new SDK instance)
  await fresh.reload();
  await fresh.login();
  const server = summary(await fresh.conversationList());
  const serverHist = texts((await fresh.messages(conversationID)).messageList);
  const kept = server.find((c) => c.id === conversationID);
  if (kept) {
    // deletion committed first: the message brought it back holding only itself
    assert.deepEqual(serverHist, [text], `round ${round}: only the racing message is left`);
    assert.equal(kept.unread, 1, `round ${round}: one unread`);
    assert.equal(kept.lastSeq, raceMsg.sequence);
  } else {
    // message committed first: it went with the deletion
    assert.deepEqual(serverHist, [], `round ${round}: history empty`);
  }
  for (const [who, a] of sessions) {
    const local = localList(a);
    assert.deepEqual(summary(local), server, `round ${round}: ${who}'s list equals the server's (${kept ? 'deletion' : 'message'} first)`);
    assert.equal(localTotal(a), unreadSum(local), `round ${round}: ${who}'s last total matches its list`);
    assert.deepEqual(texts((await a.messages(conversationID)).messageList), serverHist, `round ${round}: ${who}'s getMessageList`);
  }
  return kept ? 'deletionFirst' : 'messageFirst';
}
