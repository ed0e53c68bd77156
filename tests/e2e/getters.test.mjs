// Issue 16: the documented synchronous getters and `once`: isReady(), getLoginUser(),
// getServerTime() (the server's clock: the page's clock is set wrong on purpose),
// getTotalUnreadMessageCount(), each right before the module has loaded, before login, while
// logged in and after logout; once(event, handler) fires for one event only, and off removes it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, until } from './harness.mjs';

const env = useEnv(before, after);

const getters = (page) =>
  page.evaluate(() => ({
    ready: window.tim.isReady(),
    user: window.tim.getLoginUser(),
    serverTime: window.tim.getServerTime(),
    unread: window.tim.getTotalUnreadMessageCount(),
    pageTime: Math.floor(Date.now() / 1000),
  }));

describe('synchronous getters and once', () => {
  it('answer before the module loaded, before login, logged in and after logout', async () => {
    const u = await openUser(env.browser, env.server, 'get_alice');
    // Right after TIM.create, before the wasm has loaded: the stand-in answers.
    const early = await u.page.evaluate((SDKAppID) => {
      const tim = window.TIM.create({ SDKAppID: SDKAppID + 11 });
      const out = {
        ready: tim.isReady(),
        user: tim.getLoginUser(),
        serverTime: tim.getServerTime(),
        unread: tim.getTotalUnreadMessageCount(),
        now: Math.floor(Date.now() / 1000),
      };
      return tim.destroy().then(() => out);
    }, env.server.sdkAppID);
    assert.deepEqual({ ...early, serverTime: undefined, now: undefined }, { ready: false, user: '', unread: 0, serverTime: undefined, now: undefined });
    assert.ok(Math.abs(early.serverTime - early.now) <= 1, JSON.stringify(early));

    await u.create();
    const before = await getters(u.page);
    assert.deepEqual({ ready: before.ready, user: before.user, unread: before.unread }, { ready: false, user: '', unread: 0 });

    await u.login();
    const peer = await openUser(env.browser, env.server, 'get_bob');
    await peer.login();
    const two = u.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 2);
    await peer.send('get_alice', 'one');
    await peer.send('get_alice', 'two');
    await two;
    const inside = await getters(u.page);
    assert.deepEqual({ ready: inside.ready, user: inside.user, unread: inside.unread }, { ready: true, user: 'get_alice', unread: 2 });
    await u.ok('setMessageRead', { conversationID: 'C2Cget_bob' });
    assert.equal(await u.page.evaluate(() => window.tim.getTotalUnreadMessageCount()), 0);

    await u.ok('logout');
    const out = await getters(u.page);
    assert.deepEqual({ ready: out.ready, user: out.user, unread: out.unread }, { ready: false, user: '', unread: 0 });
    await u.close();
    await peer.close();
  });

  it("getServerTime is the server's clock, not the page's", async () => {
    const u = await openUser(env.browser, env.server, 'get_clock');
    // The page believes it is 1 January 2001.
    const wrong = Date.UTC(2001, 0, 1) / 1000;
    await u.page.clock.setFixedTime(new Date(wrong * 1000));
    await u.create();
    assert.equal(await u.page.evaluate(() => window.tim.getServerTime()), wrong, 'the local clock before login');
    await u.login();
    const t = await getters(u.page);
    assert.equal(t.pageTime, wrong);
    const real = Math.floor(Date.now() / 1000); // node's clock, the server's machine
    assert.ok(Math.abs(t.serverTime - real) <= 5, `server time ${t.serverTime}, real ${real}`);
    await u.close();
  });

  it('once fires for the next event only; off removes a once handler before it fires', async () => {
    const u = await openUser(env.browser, env.server, 'get_once');
    // Registered before the module has loaded, too.
    await u.page.evaluate((SDKAppID) => {
      window.seen = { ready: 0, once: [], removed: 0, always: 0 };
      const tim = window.TIM.create({ SDKAppID });
      tim.once(window.TIM.EVENT.SDK_READY, () => window.seen.ready++);
    }, env.server.sdkAppID);
    await u.login();
    await u.page.evaluate(() => {
      const E = window.TIM.EVENT.MESSAGE_RECEIVED;
      window.tim.once(E, (e) => window.seen.once.push(e.data[0].payload.text));
      const removed = () => window.seen.removed++;
      window.tim.once(E, removed);
      window.tim.off(E, removed);
      window.tim.on(E, () => window.seen.always++);
    });
    const peer = await openUser(env.browser, env.server, 'get_peer');
    await peer.login();
    // One event each (sent one after the other, so they are not coalesced into one event).
    for (const text of ['first', 'second']) {
      const got = u.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === text));
      await peer.send('get_once', text);
      await got;
    }
    await until(async () => (await u.page.evaluate(() => window.seen.always)) === 2, 'both events handled');
    assert.deepEqual(await u.page.evaluate(() => window.seen), { ready: 1, once: ['first'], removed: 0, always: 2 });
    // A second login's SDK_READY does not call the spent once handler.
    await u.ok('logout');
    await u.login();
    assert.equal(await u.page.evaluate(() => window.seen.ready), 1);
    await u.close();
    await peer.close();
  });
});
