// Issue 16, the blacklist: adding reaches every session of the user as BLACKLIST_UPDATED (data:
// the whole list); a blacklisted user's C2C message to the blacklister is refused with 20007
// and stored nowhere (neither party's list or history), the blacklister can still send to them,
// and removing restores delivery. Changed both through the SDK (addToBlacklist,
// removeFromBlacklist, getBlacklist) and through the admin REST API (sns/black_list_add,
// black_list_delete, black_list_get), which the server applies the same way.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv } from './harness.mjs';
import { restOk } from './admin.mjs';

const env = useEnv(before, after);

describe('blacklist', () => {
  it('refuses a blacklisted sender with 20007, stores nothing, and removal restores', async () => {
    const open = async (id) => {
      const u = await openUser(env.browser, env.server, id);
      await u.login();
      return u;
    };
    const [a1, a2, bob] = [await open('bl_alice'), await open('bl_alice'), await open('bl_bob')];
    assert.equal(await a1.page.evaluate(() => window.TIM.EVENT.BLACKLIST_UPDATED), 'blacklistUpdated');

    const updated = [a1, a2].map((a) => a.nextEvent('blacklistUpdated', (d) => d.length === 2));
    const added = await restOk(env.server, 'sns/black_list_add', { From_Account: 'bl_alice', To_Account: ['bl_bob', 'bl_carol'] });
    assert.deepEqual(added.Fail_Account, []);
    for (const { data } of await Promise.all(updated)) assert.deepEqual(data, ['bl_bob', 'bl_carol']);
    const listed = await restOk(env.server, 'sns/black_list_get', { From_Account: 'bl_alice', StartIndex: 0, MaxLimited: 10, LastSequence: 0 });
    assert.deepEqual(listed.BlackListItem.map((i) => i.To_Account), ['bl_bob', 'bl_carol']);

    // Bob's message is refused with Tencent's code and stored nowhere.
    const mark = a1.events.length;
    const refused = await bob.page.evaluate(() => window.__sendText('bl_alice', 'blocked'));
    assert.equal(refused.ok, false, JSON.stringify(refused));
    assert.equal(refused.code, 20007);
    assert.equal(findConv(await a1.conversationList(), 'C2Cbl_bob'), undefined);
    const fresh = await openUser(env.browser, env.server, 'bl_bob');
    await fresh.login({ options: { SDKAppID: env.server.sdkAppID, cache: false } });
    assert.equal(findConv(await fresh.conversationList(), 'C2Cbl_alice'), undefined, 'not even in the sender\'s list on the server');

    // The blacklister can still message them.
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'mine'));
    await a1.send('bl_bob', 'mine');
    await got;
    assert.equal(a1.eventsSince(mark, 'onMessageReceived').filter((e) => e.data.some((m) => m.payload.text === 'blocked')).length, 0);

    // Removing restores delivery.
    const removed = [a1, a2].map((a) => a.nextEvent('blacklistUpdated', (d) => d.length === 1));
    await restOk(env.server, 'sns/black_list_delete', { From_Account: 'bl_alice', To_Account: ['bl_bob'] });
    for (const { data } of await Promise.all(removed)) assert.deepEqual(data, ['bl_carol']);
    const arrived = a2.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'through'));
    await bob.send('bl_alice', 'through');
    await arrived;
    const { messageList } = await a1.messages('C2Cbl_bob');
    assert.deepEqual(messageList.map((m) => m.payload.text), ['mine', 'through']);
    for (const u of [a1, a2, bob, fresh]) await u.close();
  });

  it('addToBlacklist, getBlacklist and removeFromBlacklist from the SDK, with Tencent\'s shapes and codes', async () => {
    const open = async (id) => {
      const u = await openUser(env.browser, env.server, id);
      await u.login();
      return u;
    };
    const [me, other, dan] = [await open('bs_alice'), await open('bs_alice'), await open('bs_dan')];
    assert.deepEqual(await me.ok('getBlacklist'), []);
    const told = other.nextEvent('blacklistUpdated', (d) => d.length === 2);
    assert.deepEqual(await me.ok('addToBlacklist', { userIDList: ['bs_dan', 'bs_eve'] }), ['bs_dan', 'bs_eve']);
    assert.deepEqual((await told).data, ['bs_dan', 'bs_eve']);
    assert.deepEqual(await other.ok('getBlacklist'), ['bs_dan', 'bs_eve']);
    // Adding one already there adds nothing.
    assert.deepEqual(await me.ok('addToBlacklist', { userIDList: ['bs_dan'] }), []);
    const refused = await dan.page.evaluate(() => window.__sendText('bs_alice', 'blocked'));
    assert.equal(refused.code, 20007, JSON.stringify(refused));

    // Bad options: Tencent's codes, the list unchanged.
    await me.fails(2740, 'addToBlacklist', { userIDList: [] });
    await me.fails(2740, 'addToBlacklist', { userIDList: [7] });
    await me.fails(2742, 'addToBlacklist', { userIDList: ['bs_alice'] });
    await me.fails(2741, 'removeFromBlacklist', 'bs_dan');
    assert.deepEqual(await me.ok('getBlacklist'), ['bs_dan', 'bs_eve']);

    const back = other.nextEvent('blacklistUpdated', (d) => d.length === 1);
    assert.deepEqual(await me.ok('removeFromBlacklist', { userIDList: ['bs_dan', 'bs_zed'] }), ['bs_dan']);
    assert.deepEqual((await back).data, ['bs_eve']);
    const arrived = me.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'through'));
    await dan.send('bs_alice', 'through');
    await arrived;
    for (const u of [me, other, dan]) await u.close();
  });
});
