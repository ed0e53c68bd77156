// Issue 16: pinConversation({ conversationID, isPinned }). A pinned conversation comes first in
// getConversationList and in CONVERSATION_LIST_UPDATED (isPinned true), on every session of the
// user: a session cut off while it happened catches up once it is back. A deletion unpins (the
// conversation a new message brings back is not pinned); bad arguments and unknown
// conversations are refused with codes, nothing changed; a fresh login agrees.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv } from './harness.mjs';
import { EV, localList } from './admin.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

const order = (list) => list.map((c) => `${c.conversationID}${c.isPinned ? '*' : ''}`);

describe('pinConversation', () => {
  let proxy;
  after(async () => {
    if (proxy) await proxy.close();
  });

  it('pins first on every session, catches up after a cut, and a deletion unpins', async () => {
    const { server, browser } = env;
    proxy = await new NetCut(Number(new URL(server.url).port)).start();
    const open = async (id, options) => {
      const u = await openUser(browser, server, id);
      await u.login({ options });
      return u;
    };
    const a1 = await open('pin_alice');
    const a2 = await open('pin_alice', { SDKAppID: server.sdkAppID, server: proxy.wsURL });
    const [bob, carol] = [await open('pin_bob'), await open('pin_carol')];
    const listed = a2.nextEvent(EV.LIST, (d) => d.length === 2);
    await bob.send('pin_alice', 'b1');
    await carol.send('pin_alice', 'c1');
    await listed;
    assert.deepEqual(order(await a1.conversationList()), ['C2Cpin_carol', 'C2Cpin_bob']);

    // Bad input and unknown conversations: coded, nothing changes.
    await a1.fails(2100, 'pinConversation', { conversationID: 'C2Cpin_bob' });
    await a1.fails(2100, 'pinConversation', { conversationID: 'C2Cpin_bob', isPinned: 'yes' });
    await a1.fails(2503, 'pinConversation', { conversationID: 'pin_bob', isPinned: true });
    await a1.fails(2500, 'pinConversation', { conversationID: 'C2Cpin_nobody', isPinned: true });
    assert.deepEqual(order(await a1.conversationList()), ['C2Cpin_carol', 'C2Cpin_bob']);

    // Pin bob: first at once on A1 (and in its event), on A2 by push.
    const a1Event = a1.nextEvent(EV.LIST, (d) => d[0]?.conversationID === 'C2Cpin_bob' && d[0].isPinned);
    const a2Event = a2.nextEvent(EV.LIST, (d) => d[0]?.conversationID === 'C2Cpin_bob' && d[0].isPinned);
    assert.deepEqual(await a1.ok('pinConversation', { conversationID: 'C2Cpin_bob', isPinned: true }), { conversationID: 'C2Cpin_bob' });
    assert.deepEqual(order(await a1.conversationList()), ['C2Cpin_bob*', 'C2Cpin_carol']);
    await a1Event;
    await a2Event;
    // A newer message does not pass a pinned conversation.
    const newer = a1.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cpin_carol')?.lastMessage.messageForShow === 'c2');
    await carol.send('pin_alice', 'c2');
    await newer;
    assert.deepEqual(order(await a1.conversationList()), ['C2Cpin_bob*', 'C2Cpin_carol']);
    const profile = await a1.ok('getConversationProfile', 'C2Cpin_bob');
    assert.equal(profile.conversation.isPinned, true);

    // A2 cut off while A1 pins carol and unpins bob: back online, it catches up, once.
    const down = a2.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await proxy.cut();
    await down;
    await a1.ok('pinConversation', { conversationID: 'C2Cpin_carol', isPinned: true });
    await a1.ok('pinConversation', { conversationID: 'C2Cpin_bob', isPinned: false });
    assert.deepEqual(order(await a1.conversationList()), ['C2Cpin_carol*', 'C2Cpin_bob']);
    assert.deepEqual(order(await a2.conversationList()), ['C2Cpin_bob*', 'C2Cpin_carol'], 'A2 offline: unchanged');
    const mark = a2.mark();
    const back = a2.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    const caught = a2.nextEvent(EV.LIST, (d) => order(d).join() === 'C2Cpin_carol*,C2Cpin_bob', 30_000);
    await proxy.restore();
    await back;
    await caught;
    // Each pin change shows once: carol pinned in one step, never pinned twice or unpinned again.
    const carolPinnedSteps = a2
      .eventsSince(mark, EV.LIST)
      .map((e) => !!findConv(e.data, 'C2Cpin_carol')?.isPinned)
      .filter((p, i, all) => p && !all[i - 1]).length;
    assert.equal(carolPinnedSteps, 1, 'carol pinned once on A2');
    assert.deepEqual(order(await a2.conversationList()), ['C2Cpin_carol*', 'C2Cpin_bob']);

    // Deleting carol unpins her: her next message brings the conversation back unpinned. A2
    // (deletion sync off: it keeps the conversation) hears of the unpinning all the same.
    const unpinnedOnA2 = a2.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cpin_carol')?.isPinned === false);
    await a1.ok('deleteConversation', 'C2Cpin_carol');
    await unpinnedOnA2;
    const again = a1.nextEvent(EV.LIST, (d) => !!findConv(d, 'C2Cpin_carol'));
    await carol.send('pin_alice', 'c3');
    await again;
    assert.deepEqual(order(await a1.conversationList()), ['C2Cpin_carol', 'C2Cpin_bob']);

    // For good: a fresh login agrees (bob pinned again first).
    const bobFirstOnA2 = a2.nextEvent(EV.LIST, (d) => order(d).join() === 'C2Cpin_bob*,C2Cpin_carol');
    await a1.ok('pinConversation', { conversationID: 'C2Cpin_bob', isPinned: true });
    await bobFirstOnA2;
    const fresh = await open('pin_alice', { SDKAppID: server.sdkAppID, cache: false });
    assert.deepEqual(order(await fresh.conversationList()), ['C2Cpin_bob*', 'C2Cpin_carol']);
    assert.deepEqual(order(localList(a2)), ['C2Cpin_bob*', 'C2Cpin_carol']);
    for (const u of [a1, a2, bob, carol, fresh]) await u.close();
  });
});
