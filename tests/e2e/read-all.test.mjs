// Issue 16: setAllMessageRead({ scope }) reads every conversation of the scope with one call, on
// every session of the user (A2 follows A1 at once, whatever the deletion-sync setting), and
// for good (a fresh login agrees); an unknown scope is refused with 2100 and nothing read.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, groupSend } from './harness.mjs';

const env = useEnv(before, after);

const unreadOf = (list) => Object.fromEntries(list.map((c) => [c.conversationID, c.unreadCount]));

describe('setAllMessageRead', () => {
  it('reads the scope on every session of the user, and only the scope', async () => {
    const open = async (id) => {
      const u = await openUser(env.browser, env.server, id);
      await u.login();
      return u;
    };
    const [a1, a2, bob, carol] = [await open('ra_alice'), await open('ra_alice'), await open('ra_bob'), await open('ra_carol')];
    await bob.ok('createGroup', { type: 'Public', name: 'Reads', groupID: 'ra_g', memberList: ['ra_alice'] });
    // The notice that bob added her (in @TIM#SYSTEM), 2 from bob, 1 from carol, 2 in the group:
    // alice's total is 6 on both sessions.
    const six = [a1, a2].map((a) => a.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 6));
    await bob.send('ra_alice', 'b1');
    await bob.send('ra_alice', 'b2');
    await carol.send('ra_alice', 'c1');
    for (const text of ['g1', 'g2']) assert.equal((await groupSend(bob, 'ra_g', text)).code, 0, text);
    await Promise.all(six);

    // Bad input first: refused, nothing read.
    await a1.fails(2100, 'setAllMessageRead', { scope: 'C2C' });
    assert.equal(await a1.page.evaluate(() => window.tim.getTotalUnreadMessageCount()), 6);

    // One-to-one only: the group keeps its 2 and the notices their 1, on A1 at once and on A2 by push.
    const threeOnA2 = a2.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 3);
    const c2c = await a1.page.evaluate(() => window.TIM.TYPES.READ_ALL_C2C_MSG);
    assert.deepEqual(await a1.ok('setAllMessageRead', { scope: c2c }), {});
    assert.deepEqual(unreadOf(await a1.conversationList()), { 'C2Cra_bob': 0, 'C2Cra_carol': 0, GROUPra_g: 2, '@TIM#SYSTEM': 1 });
    await threeOnA2;
    assert.deepEqual(unreadOf(await a2.conversationList()), { 'C2Cra_bob': 0, 'C2Cra_carol': 0, GROUPra_g: 2, '@TIM#SYSTEM': 1 });
    // The peers' own counts are theirs.
    assert.equal(findConv(await bob.conversationList(), 'C2Cra_alice')?.unreadCount ?? 0, 0);

    // Everything (no options: the documented default).
    const zeroOnA2 = a2.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 0);
    await a1.ok('setAllMessageRead');
    assert.equal(await a1.page.evaluate(() => window.tim.getTotalUnreadMessageCount()), 0);
    await zeroOnA2;
    assert.equal(await a2.page.evaluate(() => window.tim.getTotalUnreadMessageCount()), 0);

    // For good: a fresh login agrees.
    const fresh = await openUser(env.browser, env.server, 'ra_alice');
    await fresh.login({ options: { SDKAppID: env.server.sdkAppID, cache: false } });
    assert.deepEqual(unreadOf(await fresh.conversationList()), { 'C2Cra_bob': 0, 'C2Cra_carol': 0, GROUPra_g: 0, '@TIM#SYSTEM': 0 });
    for (const u of [a1, a2, bob, carol, fresh]) await u.close();
  });
});
