// The admin REST API from node (fetch), with admin UserSigs made by usersig.mjs, against a real
// server; its effect on live browser sessions (A1, A2 logged in as alice) is checked in Chromium.
// Every refusal is HTTP 200 with ActionStatus FAIL, a documented ErrorCode, and nothing changed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv } from './harness.mjs';
import { genUserSig, forgedUserSig, expiredUserSig } from './usersig.mjs';
import {
  EV, restOk, restFails, getSync, setSync, ownBarrier, assertQuiet, ids, localList, summary,
} from './admin.mjs';

const env = useEnv(before, after);
const users = [];
after(async () => {
  for (const u of users) await u.close().catch(() => {});
});

async function open(id) {
  const u = await openUser(env.browser, env.server, id);
  users.push(u);
  await u.login();
  return u;
}

/** `from` sends texts to `to`; resolves once every session in `sessions` shows each one. */
async function sendAll(from, to, list, sessions) {
  const sent = [];
  for (const text of list) {
    const seen = sessions.map((s) => s.nextEvent(EV.LIST, (d) => findConv(d, `C2C${from.userID}`)?.lastMessage.messageForShow === text));
    sent.push(await from.send(to, text));
    await Promise.all(seen);
  }
  return sent;
}

/** alice's conversation list as the REST API gives it: To_Account of each item, in order. */
async function restList(user = 'alice') {
  const json = await restOk(env.server, 'recentcontact/get_list', { From_Account: user, TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 7 });
  return json.SessionItem.map((i) => i.To_Account);
}

describe('tim_wasm_app settings', () => {
  it('get_settings and set_settings: success, answered with the saved settings', async () => {
    const { server } = env;
    const got = await restOk(server, 'tim_wasm_app/get_settings', {});
    assert.deepEqual(got, {
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '',
      Settings: { SyncConversationDeletion: false, RevokeTimeLimit: 120 },
    }, 'the Tencent envelope plus Settings; off by default');
    await setSync(server, true);
    assert.equal(await getSync(server), true);
    // an empty body counts as {}; an empty object changes nothing
    assert.deepEqual((await restOk(server, 'tim_wasm_app/get_settings', undefined, { raw: '' })).Settings, { SyncConversationDeletion: true, RevokeTimeLimit: 120 });
    assert.deepEqual((await restOk(server, 'tim_wasm_app/set_settings', {})).Settings, { SyncConversationDeletion: true, RevokeTimeLimit: 120 });
    await setSync(server, false);
    assert.equal(await getSync(server), false);
    // random and contenttype are accepted but not required
    assert.equal((await restOk(server, 'tim_wasm_app/get_settings', {}, { query: { random: null, contenttype: null } })).Settings.SyncConversationDeletion, false);
  });
});

describe('refusals: each code, nothing changed', () => {
  let a1, a2, bob;
  const conv = [];

  before(async () => {
    await setSync(env.server, true);
    a1 = await open('alice');
    a2 = await open('alice');
    bob = await open('bob');
    conv.push(...(await sendAll(bob, 'alice', ['b1', 'b2'], [a1, a2])));
  });

  it('every refused request answers HTTP 200, ActionStatus FAIL and its documented ErrorCode', async () => {
    const { server } = env;
    const mark = a2.mark();
    const mark1 = a1.mark();
    const del = { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 1 };
    const off = { SyncConversationDeletion: false };
    const sig = (userID, o = {}) => genUserSig({ sdkAppID: server.sdkAppID, key: server.secretKey, userID, ...o });
    const cases = [
      // unknown SDKAppID (or none, or not a number): 70020
      [70020, 'tim_wasm_app/set_settings', off, { query: { sdkappid: '999' } }],
      [70020, 'recentcontact/delete', del, { query: { sdkappid: '999' } }],
      [70020, 'recentcontact/delete', del, { query: { sdkappid: null } }],
      [70020, 'tim_wasm_app/set_settings', off, { query: { sdkappid: 'abc' } }],
      // wrong admin UserSig: 70003 (forged, missing, garbage); expired 70001; another identifier's 70013
      [70003, 'tim_wasm_app/set_settings', off, { query: { usersig: forgedUserSig({ sdkAppID: server.sdkAppID, key: server.secretKey, userID: 'administrator' }) } }],
      [70003, 'recentcontact/delete', del, { query: { usersig: forgedUserSig({ sdkAppID: server.sdkAppID, key: server.secretKey, userID: 'administrator' }) } }],
      [70003, 'recentcontact/delete', del, { query: { usersig: null } }],
      [70003, 'tim_wasm_app/set_settings', off, { query: { usersig: 'not-a-usersig' } }],
      [70001, 'tim_wasm_app/set_settings', off, { query: { usersig: expiredUserSig({ sdkAppID: server.sdkAppID, key: server.secretKey, userID: 'administrator' }) } }],
      [70013, 'recentcontact/delete', del, { query: { usersig: sig('alice') } }],
      // a valid UserSig of a user who is not the admin identifier: 50003
      [50003, 'tim_wasm_app/set_settings', off, { query: { identifier: 'alice', usersig: sig('alice') } }],
      [50003, 'recentcontact/delete', del, { query: { identifier: 'alice', usersig: sig('alice') } }],
      [50003, 'recentcontact/get_list', { From_Account: 'alice' }, { query: { identifier: 'bob', usersig: sig('bob') } }],
      [50003, 'recentcontact/delete', del, { query: { identifier: null } }],
      // malformed JSON: 50002
      [50002, 'tim_wasm_app/set_settings', undefined, { raw: '{"SyncConversationDeletion": ' }],
      [50002, 'recentcontact/delete', undefined, { raw: "{From_Account: 'alice'}" }],
      [50002, 'tim_wasm_app/set_settings', undefined, { raw: '[false]' }],
      // unknown setting (even next to a valid one) and wrong value types: 50002
      [50002, 'tim_wasm_app/set_settings', { SyncConversationDeletion: false, SyncEverything: true }],
      [50002, 'tim_wasm_app/set_settings', { syncConversationDeletion: false }],
      [50002, 'tim_wasm_app/set_settings', { SyncConversationDeletion: 'false' }],
      [50002, 'tim_wasm_app/set_settings', { SyncConversationDeletion: 0 }],
      [50002, 'tim_wasm_app/set_settings', { SyncConversationDeletion: null }],
      [50002, 'tim_wasm_app/set_settings', { SyncConversationDeletion: 'yes' }],
      // unknown From_Account: 50001
      [50001, 'recentcontact/delete', { ...del, From_Account: 'nobody' }],
      [50001, 'recentcontact/get_list', { From_Account: 'nobody' }],
      // a group conversation alice does not have: 2500 (the SDK's code); Type 2 without ToGroupid,
      // other bad fields: 50002
      [2500, 'recentcontact/delete', { From_Account: 'alice', Type: 2, ToGroupid: 'g1', ClearRamble: 1 }],
      [50002, 'recentcontact/delete', { From_Account: 'alice', Type: 2, ClearRamble: 1 }],
      [50002, 'recentcontact/delete', { ...del, Type: 3 }],
      [50002, 'recentcontact/delete', { ...del, Type: '1' }],
      [50002, 'recentcontact/delete', { From_Account: 'alice', Type: 1, ClearRamble: 1 }],
      [50002, 'recentcontact/delete', { ...del, ClearRamble: 2 }],
      [50002, 'recentcontact/delete', { ...del, To_Account: 'b\u0001ob' }],
      [50002, 'recentcontact/delete', { Type: 1, To_Account: 'bob' }],
      [50002, 'recentcontact/get_list', {}],
      [50002, 'recentcontact/get_list', { From_Account: 'alice', StartIndex: 'x' }],
      // an unknown command
      [50002, 'recentcontact/drop_everything', del],
      // ours: deleting a conversation the user does not have, as the SDK does
      [2500, 'recentcontact/delete', { ...del, To_Account: 'zed' }],
    ];
    for (const [code, api, body, opts] of cases) {
      await restFails(server, code, api, body, opts);
    }

    // nothing changed: the setting, alice's list and history, and her sessions were not told
    assert.equal(await getSync(server), true, 'the setting is still on');
    assert.deepEqual(await restList('alice'), ['bob'], 'alice still has the conversation (REST)');
    assert.deepEqual(texts((await a1.messages('C2Cbob')).messageList), ['b1', 'b2'], 'and its history');
    assert.deepEqual(await restList('bob'), ['alice']);
    await ownBarrier(a1, [a2], 'carol', 'barrier');
    for (const [a, m] of [[a1, mark1], [a2, mark]]) {
      assert.deepEqual(a.eventsSince(m, EV.LIST).filter((e) => !findConv(e.data, 'C2Cbob')), [], `${a === a1 ? 'A1' : 'A2'} was not told of any deletion`);
      assert.equal(findConv(localList(a), 'C2Cbob').unreadCount, 2);
    }
  });

  it('recentcontact/delete ClearRamble 1, setting on: A1 and A2 drop the conversation at once; its history is gone', async () => {
    const { server } = env;
    const gone = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob')));
    const zero = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, (d) => d === 0));
    const json = await restOk(server, 'recentcontact/delete', { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 1 });
    assert.deepEqual(json, { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '' });
    await Promise.all([...gone, ...zero]);
    for (const a of [a1, a2]) {
      assert.deepEqual(ids(localList(a)), ['C2Ccarol']);
      assert.deepEqual((await a.messages('C2Cbob')).messageList, [], 'history gone');
    }
    assert.deepEqual(await restList('alice'), ['carol']);
    const fresh = await open('alice');
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Ccarol'], 'a fresh login does not list it');
    assert.deepEqual((await fresh.messages('C2Cbob')).messageList, []);
    assert.deepEqual(texts((await bob.messages('C2Calice')).messageList), ['b1', 'b2'], 'bob keeps his');
    // a second time: not in the list any more
    await restFails(server, 2500, 'recentcontact/delete', { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 1 });
    // a new message brings it back with only itself
    await sendAll(bob, 'alice', ['b3'], [a1, a2]);
    assert.deepEqual(texts((await a2.messages('C2Cbob')).messageList), ['b3']);
    assert.equal(findConv(localList(a2), 'C2Cbob').unreadCount, 1);
  });

  it('recentcontact/delete ClearRamble 0, setting on: the sessions drop the entry; the history comes back with the next message', async () => {
    const { server } = env;
    const gone = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob')));
    await restOk(server, 'recentcontact/delete', { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 0 });
    await Promise.all(gone);
    assert.deepEqual(await restList('alice'), ['carol']);
    await sendAll(bob, 'alice', ['b4'], [a1, a2]);
    assert.deepEqual(texts((await a2.messages('C2Cbob')).messageList), ['b3', 'b4'], 'the history stayed on the server');
    assert.deepEqual(await restList('alice'), ['bob', 'carol']);
    // the sessions' lists (unread counts included) agree with the server's
    const fresh = await open('alice');
    const server_ = summary(await fresh.conversationList());
    assert.deepEqual(summary(localList(a1)), server_, 'A1 agrees with a fresh login');
    assert.deepEqual(summary(localList(a2)), server_, 'A2 agrees with a fresh login');
  });

  it('recentcontact/delete with the setting off: the sessions are not told; the server no longer lists it', async () => {
    const { server } = env;
    await setSync(server, false);
    const mark = a2.mark();
    await restOk(server, 'recentcontact/delete', { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 1 });
    await assertQuiet(a2, mark, 1500, (e) => e.name === EV.LIST && !findConv(e.data, 'C2Cbob'), 'not told with the setting off');
    await ownBarrier(a1, [a2], 'carol', 'barrier 2');
    assert.ok(findConv(localList(a2), 'C2Cbob'), 'A2 still shows it');
    assert.ok(findConv(localList(a1), 'C2Cbob'), 'so does A1');
    assert.deepEqual(await restList('alice'), ['carol']);
    // getConversationList answers from the SDK's own list (as Tencent's does): still listed
    // there until the session loads the list again; the server's history is gone either way.
    assert.ok(findConv(await a2.conversationList(), 'C2Cbob'), "A2's getConversationList still lists it");
    assert.deepEqual((await a2.messages('C2Cbob')).messageList, []);
    const fresh = await open('alice');
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Ccarol'], 'a fresh login does not list it');
  });
});

describe('recentcontact/get_list', () => {
  it('answers Tencent\'s shape: SessionItem most recent first, CompleteFlag, TimeStamp, StartIndex, Top fields', async () => {
    const { server } = env;
    const dan = await open('dan');
    const sent = {};
    for (const peer of ['erin', 'fay', 'gus']) {
      const p = await open(peer);
      sent[peer] = await p.send('dan', `hi from ${peer}`);
    }
    sent.erin = await dan.send('erin', 'dan to erin'); // erin's conversation is now the newest
    const before = Math.floor(Date.now() / 1000);
    const json = await restOk(server, 'recentcontact/get_list', { From_Account: 'dan', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 7 });
    assert.deepEqual(Object.keys(json).sort(), ['ActionStatus', 'CompleteFlag', 'ErrorCode', 'ErrorDisplay', 'ErrorInfo', 'SessionItem', 'StartIndex', 'TimeStamp', 'TopStartIndex', 'TopTimeStamp'].sort());
    assert.deepEqual(json.SessionItem.map((i) => i.To_Account), ['erin', 'gus', 'fay'], 'most recent first');
    for (const item of json.SessionItem) {
      assert.deepEqual(Object.keys(item).sort(), ['MsgTime', 'To_Account', 'TopFlag', 'Type']);
      assert.equal(item.Type, 1);
      assert.equal(item.TopFlag, 0);
      assert.equal(item.MsgTime, sent[item.To_Account].time, `MsgTime of ${item.To_Account} is its newest message's time`);
    }
    assert.equal(json.CompleteFlag, 1);
    assert.equal(json.StartIndex, 0, 'no next page');
    assert.ok(Math.abs(json.TimeStamp - before) <= 5, `TimeStamp is the server time for a first page: ${json.TimeStamp}`);
    assert.ok(Math.abs(json.TopTimeStamp - before) <= 5);
    assert.equal(json.TopStartIndex, 0);
    // the paging fields: StartIndex is an offset; TimeStamp echoes
    const page2 = await restOk(server, 'recentcontact/get_list', { From_Account: 'dan', TimeStamp: 1234, StartIndex: 1 });
    assert.deepEqual(page2.SessionItem.map((i) => i.To_Account), ['gus', 'fay']);
    assert.equal(page2.TimeStamp, 1234);
    assert.equal(page2.CompleteFlag, 1);
    // the same list as the SDK's getConversationList
    assert.deepEqual((await dan.conversationList()).map((c) => c.conversationID), ['C2Cerin', 'C2Cgus', 'C2Cfay']);
    // a user with no conversations (a user since sending, with everything deleted)
    await dan.ok('deleteConversation', 'C2Cerin');
    await dan.ok('deleteConversation', 'C2Cgus');
    await dan.ok('deleteConversation', 'C2Cfay');
    const empty = await restOk(server, 'recentcontact/get_list', { From_Account: 'dan' });
    assert.deepEqual(empty.SessionItem, []);
    assert.equal(empty.CompleteFlag, 1);
  });
});
