// Bad input: every call gets a clear coded rejection and nothing changes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv } from './harness.mjs';
import { genUserSig, forgedUserSig, expiredUserSig, malformedUserSigs } from './usersig.mjs';

const env = useEnv(before, after);

/** Every instance method but login/logout/destroy/on/off, with well-formed arguments. */
const GATED_CALLS = [
  ['getConversationList'],
  ['getConversationProfile', 'C2Cbob'],
  ['getMessageList', { conversationID: 'C2Cbob' }],
  ['setMessageRead', { conversationID: 'C2Cbob' }],
  ['deleteConversation', 'C2Cbob'],
  // readiness is checked before arguments (documented order), so bad arguments also give the readiness code
  ['deleteConversation', 42],
  ['sendMessage', {
    ID: 'x-1', type: 'TIMTextElem', payload: { text: 'hi' }, conversationID: 'C2Cbob', conversationType: 'C2C',
    to: 'bob', from: 'alice', flow: 'out', time: 0, clientTime: 0, sequence: 0, status: 'unSend', isRead: true,
    isRevoked: false, isPeerRead: false, nick: '', avatar: '', priority: 'Normal', cloudCustomData: '',
  }],
];

async function assertGated(user, code, when) {
  for (const [method, ...args] of GATED_CALLS) {
    await user.fails(code, method, ...args);
  }
  const r = await user.call('createTextMessage', { to: 'bob', conversationType: 'C2C', payload: { text: 'x' } });
  assert.equal(r.ok, false, `createTextMessage ${when} must throw`);
  assert.equal(r.threw, true, `createTextMessage ${when} throws synchronously (it returns a Message, not a Promise)`);
  assert.equal(r.code, code, `createTextMessage ${when}: got ${r.code} (${r.message}), expected ${code}`);
  assert.equal(r.isError, true);
}

describe('bad input', () => {
  let alice, bob;

  it('deleteConversation with a bad argument rejects with its code and changes nothing', async () => {
    const { server, browser } = env;
    alice = await openUser(browser, server, 'alice');
    bob = await openUser(browser, server, 'bob');
    await alice.login();
    await bob.login();
    const got = alice.nextEvent('onMessageReceived');
    await bob.send('alice', 'keep me');
    await got;
    await alice.send('bob', 'me too');

    const listBefore = await alice.conversationList();
    const historyBefore = await alice.messages('C2Cbob');
    const bobBefore = await bob.messages('C2Calice');
    assert.equal(listBefore.length, 1);
    assert.deepEqual(texts(historyBefore.messageList), ['keep me', 'me too']);

    const mark = alice.mark();
    const cases = [
      [2503, 'undefined', undefined],
      [2503, 'null', null],
      [2503, '42', 42],
      [2100, '{} (no conversationIDList)', {}],
      [2503, "''", ''],
      [2503, "'C2C' (empty userID)", 'C2C'],
      [2503, "'GROUP' (empty groupID)", 'GROUP'],
      [2503, "'abc' (no known prefix)", 'abc'],
      [2503, "'c2cbob' (prefix is case-sensitive)", 'c2cbob'],
      [2503, "'C2Cbo\\nb' (a control character)", 'C2Cbo\nb'],
      [2503, 'true', true],
      [2503, "['C2Cbob'] (an array)", ['C2Cbob']],
      [2500, "'C2Cnobody' (valid, not in the list)", 'C2Cnobody'],
      [2500, "'GROUPg1' (valid group conversation, not in the list)", 'GROUPg1'],
      [2500, "'@TIM#SYSTEM' (no system notices yet)", '@TIM#SYSTEM'],
    ];
    for (const [code, label, arg] of cases) {
      const r = await alice.call('deleteConversation', arg);
      assert.equal(r.ok, false, `deleteConversation(${label}) must reject, resolved ${JSON.stringify(r.value)}`);
      assert.equal(r.threw, undefined, `deleteConversation(${label}) rejects its Promise rather than throwing`);
      assert.equal(r.isPromise, true, `deleteConversation(${label}) returns a real Promise`);
      assert.equal(r.code, code, `deleteConversation(${label}): got ${r.code} (${r.message}), expected ${code}`);
      assert.equal(r.isError, true, `deleteConversation(${label}) rejects with an Error`);
      assert.ok(typeof r.message === 'string' && r.message.length > 0, 'message says what was wrong');
      assert.equal(typeof r.data, 'object');
    }
    // nothing changed, for alice or bob, and no list update was announced
    assert.deepEqual(await alice.conversationList(), listBefore, 'alice\'s list unchanged');
    assert.deepEqual(await alice.messages('C2Cbob'), historyBefore, 'alice\'s history unchanged');
    assert.deepEqual(await bob.messages('C2Calice'), bobBefore, 'bob\'s history unchanged');
    assert.deepEqual(alice.eventsSince(mark, 'onConversationListUpdated'), [], 'no CONVERSATION_LIST_UPDATED for a rejected call');
    // the session still works normally afterwards
    const got2 = alice.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'still here'));
    await bob.send('alice', 'still here');
    await got2;
  });

  it('other calls with bad arguments reject 2100 / 2502 / 2503 / 2500 / 80002', async () => {
    await alice.fails(2503, 'getConversationProfile', 'abc');
    await alice.fails(2503, 'getConversationProfile', 42);
    await alice.fails(2500, 'getConversationProfile', 'C2Cnobody');
    await alice.fails(2100, 'getMessageList', undefined);
    await alice.fails(2503, 'getMessageList', { conversationID: 'abc' });
    await alice.fails(2100, 'getMessageList', { conversationID: 'C2Cbob', count: -1 });
    await alice.fails(2100, 'getMessageList', { conversationID: 'C2Cbob', count: 'ten' });
    await alice.fails(2503, 'setMessageRead', { conversationID: 'nope' });
    await alice.fails(2100, 'setMessageRead', undefined);
    // createTextMessage throws synchronously with 2100
    for (const [label, arg, code = 2100] of [
      ['no options', undefined],
      ['no to', { conversationType: 'C2C', payload: { text: 'x' } }],
      ['empty to', { to: '', conversationType: 'C2C', payload: { text: 'x' } }],
      ['no payload', { to: 'bob', conversationType: 'C2C' }],
      ['text not a string', { to: 'bob', conversationType: 'C2C', payload: { text: 5 } }],
      ['unknown conversation type', { to: 'bob', conversationType: 'C3C', payload: { text: 'x' } }, 2502],
    ]) {
      const r = await alice.call('createTextMessage', arg);
      assert.equal(r.ok, false, `createTextMessage(${label}) must throw`);
      assert.equal(r.threw, true, `createTextMessage(${label}) throws synchronously`);
      assert.equal(r.code, code, `createTextMessage(${label}): got ${r.code} (${r.message}), expected ${code}`);
      assert.equal(r.isError, true);
    }
    await alice.fails(2100, 'sendMessage', undefined);
    await alice.fails(2100, 'sendMessage', { to: 'bob' });
    // text over 12 KB: sendMessage rejects 80002 (the documented contract: createTextMessage makes
    // the message, sendMessage's Promise carries the failure); nothing is stored
    const big = 'x'.repeat(12 * 1024 + 1);
    const r = await alice.page.evaluate(async (big) => {
      const out = {};
      // a message whose text grew after it was created
      const grown = window.tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: 'small' } });
      grown.payload.text = big;
      try {
        await window.tim.sendMessage(grown);
        out.grown = { ok: true };
      } catch (e) {
        out.grown = { ok: false, isError: e instanceof Error, code: e.code };
      }
      // a message created with too much text
      let msg;
      try {
        msg = window.tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: big } });
      } catch (e) {
        out.createThrew = { code: e.code, message: e.message };
        return out;
      }
      try {
        await window.tim.sendMessage(msg);
        out.sent = { ok: true };
      } catch (e) {
        out.sent = { ok: false, isError: e instanceof Error, code: e.code };
      }
      return out;
    }, big);
    assert.deepEqual(r.grown, { ok: false, isError: true, code: 80002 }, 'sendMessage of a message whose text grew over 12 KB');
    // exactly 12 KB is fine
    const okMsg = await alice.send('bob', 'y'.repeat(12 * 1024));
    assert.equal(okMsg.payload.text.length, 12 * 1024);
    assert.ok(!texts((await alice.messages('C2Cbob')).messageList).some((t) => t.length > 12 * 1024), 'no oversized text was stored');
    assert.equal(r.createThrew, undefined, `createTextMessage with 12 KB + 1 of text must return a Message (sendMessage rejects 80002), it threw ${JSON.stringify(r.createThrew)}`);
    assert.deepEqual(r.sent, { ok: false, isError: true, code: 80002 }, 'sendMessage of a message created with 12 KB + 1 of text');
  });

  it('login with bad arguments rejects 2100; while logged in 2025', async () => {
    const carl = await openUser(env.browser, env.server, 'carl');
    await carl.create();
    await carl.fails(2100, 'login', undefined);
    await carl.fails(2100, 'login', {});
    await carl.fails(2100, 'login', { userID: 'carl' });
    await carl.fails(2100, 'login', { userSig: env.server.sig('carl') });
    await carl.fails(2100, 'login', { userID: 42, userSig: env.server.sig('carl') });
    await carl.login();
    await carl.fails(2025, 'login', { userID: 'carl', userSig: env.server.sig('carl') });
    await carl.close();
  });

  it('every call before login rejects 2024, after logout 3005, after a failed login 3001', async () => {
    const u = await openUser(env.browser, env.server, 'gated');
    await u.create();
    await assertGated(u, 2024, 'before login');

    await u.fails(70003, 'login', { userID: 'gated', userSig: forgedUserSig({ sdkAppID: env.server.sdkAppID, key: env.server.secretKey, userID: 'gated' }) });
    await assertGated(u, 3001, 'after a failed login');

    await u.login();
    assert.ok(Array.isArray(await u.conversationList()), 'works when logged in');
    await u.ok('logout');
    await assertGated(u, 3005, 'after logout');
    await u.close();
  });

  it('login is refused for forged, expired, malformed UserSigs and ones for another user or app', async () => {
    const { server } = env;
    const u = await openUser(env.browser, server, 'mallory');
    await u.create();
    const me = { sdkAppID: server.sdkAppID, key: server.secretKey, userID: 'mallory' };
    const tryLogin = async (code, label, userSig, userID = 'mallory') => {
      const r = await u.call('login', { userID, userSig });
      assert.equal(r.ok, false, `login with ${label} must be refused, resolved ${JSON.stringify(r.value)}`);
      assert.equal(r.code, code, `login with ${label}: got ${r.code} (${r.message}), expected ${code}`);
      assert.equal(r.isError, true);
      assert.ok(r.message.length > 0);
    };
    await tryLogin(70003, 'a forged UserSig (wrong key)', forgedUserSig(me));
    await tryLogin(70001, 'an expired UserSig', expiredUserSig(me));
    for (const [label, sig] of Object.entries(malformedUserSigs(me))) {
      await tryLogin(70003, `a malformed UserSig (${label})`, sig);
    }
    await tryLogin(70013, "alice's UserSig (another user)", server.sig('alice'));
    // the server never trusts the claimed userID: mallory's own valid sig used to claim alice
    await tryLogin(70013, "mallory's UserSig claiming to be alice", genUserSig(me), 'alice');
    await tryLogin(70014, 'a UserSig for another SDKAppID', genUserSig({ ...me, sdkAppID: server.sdkAppID + 7 }));
    // none of the refusals left a session: calls still say "login failed"
    await u.fails(3001, 'getConversationList');
    // and the right UserSig still works on the same instance
    await u.login();
    await u.ok('logout');
    await u.close();

    // an SDKAppID the server does not know
    const v = await openUser(env.browser, server, 'victor');
    const unknownApp = server.sdkAppID + 1000;
    assert.ok(await v.create({ SDKAppID: unknownApp }));
    const r = await v.call('login', { userID: 'victor', userSig: genUserSig({ sdkAppID: unknownApp, key: server.secretKey, userID: 'victor' }) });
    assert.equal(r.ok, false);
    assert.equal(r.code, 70020, `unknown SDKAppID: got ${r.code} (${r.message})`);
    await v.close();
  });

  it('the server kept serving alice and bob through all of it', async () => {
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'after all that'));
    await alice.send('bob', 'after all that');
    await got;
    assert.ok(env.server.alive, 'server process alive');
    await alice.close();
    await bob.close();
  });
});
