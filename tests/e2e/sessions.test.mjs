// Several sessions of one user, UserSig expiry while connected, and message paging.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv } from './harness.mjs';
import { shortLivedUserSig } from './usersig.mjs';

const env = useEnv(before, after);

describe('sessions', () => {
  it('two sessions of the same user (two browser contexts) both receive a message', async () => {
    const { server, browser } = env;
    const alice1 = await openUser(browser, server, 'alice');
    const alice2 = await openUser(browser, server, 'alice'); // another context: another "device"
    const bob = await openUser(browser, server, 'bob');
    await alice1.login();
    await alice2.login();
    await bob.login();
    const got1 = alice1.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'to both'));
    const got2 = alice2.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'to both'));
    const sent = await bob.send('alice', 'to both');
    const [e1, e2] = await Promise.all([got1, got2]);
    for (const e of [e1, e2]) {
      const m = e.data.find((x) => x.payload.text === 'to both');
      assert.equal(m.ID, sent.ID);
      assert.equal(m.from, 'bob');
      assert.equal(m.flow, 'in');
    }
    // both list it as unread
    for (const a of [alice1, alice2]) {
      const c = findConv(await a.conversationList(), 'C2Cbob');
      assert.equal(c.unreadCount, 1);
    }
    // two tabs of the same context (same browser profile) too
    const alice3 = await openUser(browser, server, 'alice', { context: alice1.context });
    await alice3.login();
    const got3 = [alice1, alice2, alice3].map((a) => a.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'to all three')));
    await bob.send('alice', 'to all three');
    await Promise.all(got3);

    // alice's own message from session 1 reaches session 2 (history and conversation list)
    const listed = alice2.nextEvent('onConversationListUpdated', (d) => findConv(d, 'C2Cbob')?.lastMessage.messageForShow === 'from tab 1');
    await alice1.send('bob', 'from tab 1');
    const c = findConv((await listed).data, 'C2Cbob');
    assert.equal(c.lastMessage.fromAccount, 'alice');
    const hist = await alice2.messages('C2Cbob');
    const own = hist.messageList.find((m) => m.payload.text === 'from tab 1');
    assert.ok(own, 'session 2 has the message session 1 sent');
    assert.equal(own.flow, 'out');
    assert.deepEqual(texts(hist.messageList), ['to both', 'to all three', 'from tab 1']);

    // logging out one session leaves the others working
    await alice3.ok('logout');
    const got4 = [alice1, alice2].map((a) => a.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'after one left')));
    await bob.send('alice', 'after one left');
    await Promise.all(got4);
    await alice3.close();
    await alice1.close();
    await alice2.close();
    await bob.close();
  });

  it('KICKED_OUT { type: "userSigExpired" } when the UserSig expires during the session', async () => {
    const { server, browser } = env;
    const u = await openUser(browser, server, 'shortlived');
    const sig = shortLivedUserSig({ sdkAppID: server.sdkAppID, key: server.secretKey, userID: 'shortlived' }, 3);
    const kicked = u.nextEvent('kickedOut', () => true, 15_000);
    const t0 = Date.now();
    await u.login({ userSig: sig });
    assert.ok(Array.isArray(await u.conversationList()), 'works while the UserSig is valid');
    const e = await kicked;
    assert.deepEqual(e.data, { type: 'userSigExpired' });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1500, `kicked out only once the UserSig expired (after ${elapsed} ms)`);
    // afterwards, calls are refused with a coded error, not left hanging
    const r = await u.call('getConversationList');
    assert.equal(r.ok, false, 'no session after being kicked out');
    assert.equal(r.isError, true);
    assert.equal(typeof r.code, 'number');
    // logging in again with a fresh UserSig works
    const again = await u.call('login', { userID: 'shortlived', userSig: server.sig('shortlived') });
    assert.ok(again.ok, `login after being kicked out: ${JSON.stringify(again)}`);
    await u.close();
  });

  it('getMessageList pages backwards with count, nextReqMessageID and isCompleted', async () => {
    const { server, browser } = env;
    const carol = await openUser(browser, server, 'carol');
    const dave = await openUser(browser, server, 'dave');
    await carol.login();
    await dave.login();
    const all = [];
    for (let i = 1; i <= 7; i++) {
      const sender = i % 2 ? carol : dave;
      all.push(await sender.send(i % 2 ? 'dave' : 'carol', `m${i}`));
    }
    const want = all.map((m) => m.payload.text);

    // default count (15) returns everything
    const whole = await carol.messages('C2Cdave');
    assert.deepEqual(texts(whole.messageList), want);
    assert.equal(whole.isCompleted, true);
    assert.equal(whole.nextReqMessageID, '');

    // pages of 3: m5..m7, m2..m4, m1
    const p1 = await carol.messages('C2Cdave', { count: 3 });
    assert.deepEqual(texts(p1.messageList), ['m5', 'm6', 'm7'], 'newest page first, oldest first within it');
    assert.equal(p1.isCompleted, false);
    assert.equal(typeof p1.nextReqMessageID, 'string');
    assert.notEqual(p1.nextReqMessageID, '');
    const p2 = await carol.messages('C2Cdave', { count: 3, nextReqMessageID: p1.nextReqMessageID });
    assert.deepEqual(texts(p2.messageList), ['m2', 'm3', 'm4']);
    assert.equal(p2.isCompleted, false);
    const p3 = await carol.messages('C2Cdave', { count: 3, nextReqMessageID: p2.nextReqMessageID });
    assert.deepEqual(texts(p3.messageList), ['m1']);
    assert.equal(p3.isCompleted, true);
    assert.equal(p3.nextReqMessageID, '');
    // together: every message exactly once, sequences increasing
    const seqs = [...p3.messageList, ...p2.messageList, ...p1.messageList].map((m) => m.sequence);
    assert.deepEqual(seqs, all.map((m) => m.sequence));
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs);

    // dave sees the same history from his side with the same IDs
    const d = await dave.messages('C2Ccarol', { count: 15 });
    assert.deepEqual(d.messageList.map((m) => m.ID), all.map((m) => m.ID));
    assert.deepEqual(d.messageList.map((m) => m.flow), all.map((_, i) => (i % 2 ? 'out' : 'in')));

    // a page of exactly the rest
    const p7 = await carol.messages('C2Cdave', { count: 7 });
    assert.deepEqual(texts(p7.messageList), want);

    // deleting clears paging too: nothing before the watermark comes back, whatever the cursor
    await carol.ok('deleteConversation', 'C2Cdave');
    const after = await carol.messages('C2Cdave', { count: 3 });
    assert.deepEqual(after.messageList, []);
    assert.equal(after.isCompleted, true);
    const stale = await carol.call('getMessageList', { conversationID: 'C2Cdave', count: 3, nextReqMessageID: p1.nextReqMessageID });
    if (stale.ok) {
      assert.deepEqual(stale.value.data.messageList, [], 'an old cursor does not reach deleted history');
    } else {
      assert.equal(stale.isError, true);
      assert.equal(typeof stale.code, 'number');
    }
    assert.deepEqual(texts((await dave.messages('C2Ccarol')).messageList), want, 'dave keeps everything');
    await carol.close();
    await dave.close();
  });
});
