// Issue 16: custom messages (createCustomMessage, TIMCustomElem), @ messages
// (createTextAtMessage, atUserList, TIM.TYPES.MSG_AT_ALL) and resendMessage, end to end: sent,
// stored and delivered like text, read back after a reload, bad arguments refused with their
// codes and nothing stored; a resend after a real network failure, and after a send that had
// reached the server, is stored and seen once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, assertTimError, until } from './harness.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

/**
 * In `user`'s page: `tim[creator](options)` kept as window.__msgs[key] (the very object, as apps
 * keep it), then `tim[send](it)` unless `send` is null. Returns the copies and outcomes.
 */
async function make(user, key, creator, options, send = 'sendMessage') {
  return user.page.evaluate(async ([key, creator, options, send]) => {
    window.__msgs ??= {};
    let msg;
    try {
      msg = window.tim[creator](options);
    } catch (e) {
      return { ...window.__errorInfo(e), threw: true };
    }
    window.__msgs[key] = msg;
    const created = JSON.parse(JSON.stringify(msg));
    if (!send) return { ok: true, created };
    return window.__sendKept(key, send, created);
  }, [key, creator, options, send]);
}

/** `tim[send](window.__msgs[key])` (sendMessage or resendMessage) in `user`'s page. */
async function sendKept(user, key, send) {
  return user.page.evaluate(([key, send]) => window.__sendKept(key, send), [key, send]);
}

async function open(id, options) {
  const u = await openUser(env.browser, env.server, id);
  await u.login(options ? { options: { SDKAppID: env.server.sdkAppID, ...options } } : undefined);
  await u.page.evaluate(() => {
    window.__sendKept = async (key, send, created) => {
      const msg = window.__msgs[key];
      try {
        const r = await window.tim[send](msg);
        return { ok: true, code: r.code, sent: JSON.parse(JSON.stringify(r.data.message)), kept: JSON.parse(JSON.stringify(msg)), created };
      } catch (e) {
        return { ...window.__errorInfo(e), kept: JSON.parse(JSON.stringify(msg)), created };
      }
    };
  });
  return u;
}

const countReceived = (user, id) =>
  user.events.filter((e) => e.name === 'onMessageReceived').flatMap((e) => e.data).filter((m) => m.ID === id).length;

describe('message kinds', () => {
  it('custom messages go, are stored and come back as TIMCustomElem with their three strings', async () => {
    const [alice, bob] = [await open('mk_alice'), await open('mk_bob')];
    const payload = { data: '{"order":42}', description: 'an order', extension: 'v1' };
    const custom = await alice.page.evaluate(() => window.TIM.TYPES.MSG_CUSTOM);
    assert.equal(custom, 'TIMCustomElem');

    // Bad arguments first: coded, nothing made or stored.
    for (const bad of [
      { to: 'mk_bob', conversationType: 'C2C' },
      { to: 'mk_bob', conversationType: 'C2C', payload: { data: 1 } },
      { to: 'mk_bob', conversationType: 'C2C', payload: { data: 'd', description: 2 } },
      { conversationType: 'C2C', payload },
    ]) {
      const r = await make(alice, 'bad', 'createCustomMessage', bad, null);
      assert.equal(r.threw, true, JSON.stringify(bad));
      assert.equal(r.code, 2100, JSON.stringify(bad));
      assertTimError(r, `createCustomMessage(${JSON.stringify(bad)})`);
    }
    const long = await make(alice, 'long', 'createCustomMessage', {
      to: 'mk_bob', conversationType: 'C2C', payload: { data: 'x'.repeat(6 * 1024), description: 'y'.repeat(6 * 1024 + 1) },
    });
    assert.equal(long.ok, false);
    assert.equal(long.code, 80002, 'data, description and extension count together against 12 KB');
    assert.equal(long.kept.status, 'fail');

    const r = await make(alice, 'c1', 'createCustomMessage', { to: 'mk_bob', conversationType: 'C2C', payload });
    assert.equal(r.created.type, 'TIMCustomElem');
    assert.deepEqual(r.created.payload, payload);
    assert.equal(r.created.status, 'unSend');
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.sent.ID, r.created.ID);
    assert.equal(r.kept.status, 'success');
    assert.deepEqual(r.sent.payload, payload);
    await until(() => countReceived(bob, r.sent.ID) === 1, 'bob receives the custom message');
    const inBob = bob.events.filter((e) => e.name === 'onMessageReceived').flatMap((e) => e.data).find((m) => m.ID === r.sent.ID);
    assert.equal(inBob.type, 'TIMCustomElem');
    assert.deepEqual(inBob.payload, payload);
    assert.equal(inBob.flow, 'in');

    const conv = findConv(await bob.conversationList(), 'C2Cmk_alice');
    assert.equal(conv.lastMessage.type, 'TIMCustomElem');
    assert.deepEqual(conv.lastMessage.payload, payload);
    assert.equal(conv.lastMessage.messageForShow, '[Custom Message]');
    assert.equal(conv.unreadCount, 1, 'the too long one was never stored');

    // After a reload: from the server (and the cache), the same.
    await bob.reload();
    await bob.login();
    const page = await bob.messages('C2Cmk_alice');
    assert.deepEqual(page.messageList.map((m) => [m.ID, m.type, m.payload]), [[r.sent.ID, 'TIMCustomElem', payload]]);
    assert.equal(findConv(await bob.conversationList(), 'C2Cmk_alice').lastMessage.type, 'TIMCustomElem');
    // Only data: the other strings are ''.
    const only = await make(alice, 'c2', 'createCustomMessage', { to: 'mk_bob', conversationType: 'C2C', payload: { data: 'd' } });
    assert.deepEqual(only.sent.payload, { data: 'd', description: '', extension: '' });
    for (const u of [alice, bob]) await u.close();
  });

  it('@ messages carry atUserList to every member; C2C and bad lists are refused', async () => {
    const [alice, bob, carol] = [await open('mk_alice2'), await open('mk_bob2'), await open('mk_carol2')];
    await alice.ok('createGroup', { type: 'Public', name: 'Ats', groupID: 'mk_g', memberList: ['mk_bob2', 'mk_carol2'] });
    const all = await alice.page.evaluate(() => window.TIM.TYPES.MSG_AT_ALL);
    assert.equal(all, '__kImSDK_MesssageAtALL__');

    const c2c = await make(alice, 'x', 'createTextAtMessage', { to: 'mk_bob2', conversationType: 'C2C', payload: { text: '@bob', atUserList: ['mk_bob2'] } }, null);
    assert.equal(c2c.threw, true);
    assert.equal(c2c.code, 2100, '@ messages are for groups only');
    const noList = await make(alice, 'x', 'createTextAtMessage', { to: 'mk_g', conversationType: 'GROUP', payload: { text: 'hi' } }, null);
    assert.equal(noList.code, 2100);
    // A bad entry is the server's to refuse: 2100, nothing stored.
    const badEntry = await make(alice, 'x', 'createTextAtMessage', { to: 'mk_g', conversationType: 'GROUP', payload: { text: 'hi', atUserList: [''] } });
    assert.equal(badEntry.code, 2100);
    const tooMany = Array.from({ length: 31 }, (_, i) => `u${i}`);
    const many = await make(alice, 'x', 'createTextAtMessage', { to: 'mk_g', conversationType: 'GROUP', payload: { text: 'hi', atUserList: tooMany } });
    assert.equal(many.code, 2100, 'at most 30 entries');

    const payload = { text: '@bob @all dinner?', atUserList: ['mk_bob2', all] };
    const r = await make(alice, 'at1', 'createTextAtMessage', { to: 'mk_g', conversationType: 'GROUP', payload });
    assert.equal(r.created.type, 'TIMTextElem');
    assert.deepEqual(r.created.payload, payload);
    assert.ok(r.ok, JSON.stringify(r));
    for (const u of [bob, carol]) {
      await until(() => countReceived(u, r.sent.ID) === 1, `${u.userID} receives the @ message`);
      const m = u.events.filter((e) => e.name === 'onMessageReceived').flatMap((e) => e.data).find((x) => x.ID === r.sent.ID);
      assert.deepEqual(m.payload, payload);
    }
    const history = await carol.messages('GROUPmk_g');
    assert.deepEqual(history.messageList.map((m) => m.payload), [payload], 'only the good one was stored');
    assert.deepEqual(findConv(await bob.conversationList(), 'GROUPmk_g').lastMessage.payload, payload);
    for (const u of [alice, bob, carol]) await u.close();
  });

  it('resendMessage sends a failed message again under its ID: stored and seen once', async () => {
    const proxy = await new NetCut(Number(new URL(env.server.url).port)).start();
    try {
      const alice = await open('mk_alice3', { server: proxy.wsURL, timeout: 1500 });
      const bob = await open('mk_bob3');
      const down = alice.nextEvent('netStateChange', (d) => d.state === 'disconnected');
      await proxy.cut();
      await down;
      const failed = await make(alice, 'r1', 'createCustomMessage', { to: 'mk_bob3', conversationType: 'C2C', payload: { data: 'offline' } });
      assert.equal(failed.ok, false, 'no network: the send fails');
      assert.equal(failed.kept.status, 'fail');
      const up = alice.nextEvent('netStateChange', (d) => d.state === 'connected', 30_000);
      await proxy.restore();
      await up;

      const ok = await make(alice, 'ok1', 'createTextMessage', { to: 'mk_bob3', conversationType: 'C2C', payload: { text: 'fine' } });
      assert.ok(ok.ok);
      const notFailed = await sendKept(alice, 'ok1', 'resendMessage');
      assert.equal(notFailed.code, 2100, 'only a failed message is resent');
      assertTimError(notFailed, 'resendMessage of a sent message');

      const resent = await sendKept(alice, 'r1', 'resendMessage');
      assert.ok(resent.ok, JSON.stringify(resent));
      assert.equal(resent.code, 0);
      assert.equal(resent.sent.ID, failed.created.ID, 'same ID');
      assert.equal(resent.kept.status, 'success');
      assert.deepEqual(resent.sent.payload, { data: 'offline', description: '', extension: '' });
      await until(() => countReceived(bob, resent.sent.ID) === 1, 'bob receives the resent message');

      // A resend after a send that did reach the server (its answer lost: status forced to
      // 'fail'): the server has it already, so the answer is the stored message, nothing new.
      await alice.page.evaluate(() => { window.__msgs.r1.status = 'fail'; });
      const again = await sendKept(alice, 'r1', 'resendMessage');
      assert.ok(again.ok, JSON.stringify(again));
      assert.equal(again.sent.sequence, resent.sent.sequence, 'the stored message, not a new one');
      const barrier = await make(alice, 'b1', 'createTextMessage', { to: 'mk_bob3', conversationType: 'C2C', payload: { text: 'after' } });
      await until(() => countReceived(bob, barrier.sent.ID) === 1, 'the barrier message');
      assert.equal(countReceived(bob, resent.sent.ID), 1, 'bob saw it once');
      const ids = (await bob.messages('C2Cmk_alice3')).messageList.map((m) => m.ID);
      assert.deepEqual(ids, [ok.sent.ID, resent.sent.ID, barrier.sent.ID], 'stored once, in the order the server took them');
      for (const u of [alice, bob]) await u.close();
    } finally {
      await proxy.close();
    }
  });
});
