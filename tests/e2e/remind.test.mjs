// Issue 16: setMessageRemindType({ groupID | userIDList, messageRemindType }). The conversation
// carries messageRemindType (AcceptAndNotify by default) at once on the setting session and on
// every other session of the user, one cut off meanwhile catching up once it is back. A muted
// conversation keeps counting unread messages; the total leaves it out (as Tencent documents).
// The setting outlives a deletion (the conversation a new message brings back is still muted, and
// a fresh login agrees); bad arguments are refused with codes, nothing changed; a group answers
// with the group.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, groupSend } from './harness.mjs';
import { EV, localList } from './admin.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

const remind = (list, id) => findConv(list, id)?.messageRemindType;
const total = async (u) => (await u.call('getTotalUnreadMessageCount')).value;

describe('setMessageRemindType', () => {
  let proxy;
  after(async () => {
    if (proxy) await proxy.close();
  });

  it('mutes on every session, keeps counting unread, catches up after a cut, outlives a deletion', async () => {
    const { server, browser } = env;
    proxy = await new NetCut(Number(new URL(server.url).port)).start();
    const open = async (id, options) => {
      const u = await openUser(browser, server, id);
      await u.login({ options });
      return u;
    };
    const a1 = await open('rm_alice');
    const a2 = await open('rm_alice', { SDKAppID: server.sdkAppID, server: proxy.wsURL });
    const [bob, carol] = [await open('rm_bob'), await open('rm_carol')];
    const types = await a1.page.evaluate(() => {
      const T = window.TIM.TYPES;
      return [T.MSG_REMIND_ACPT_AND_NOTE, T.MSG_REMIND_ACPT_NOT_NOTE, T.MSG_REMIND_DISCARD];
    });
    assert.deepEqual(types, ['AcceptAndNotify', 'AcceptNotNotify', 'Discard']);
    const listed = a2.nextEvent(EV.LIST, (d) => d.length === 2);
    await bob.send('rm_alice', 'b1');
    await carol.send('rm_alice', 'c1');
    await listed;
    const list = await a1.conversationList();
    assert.equal(remind(list, 'C2Crm_bob'), 'AcceptAndNotify', 'the default');
    assert.equal(await total(a1), 2);

    // Bad input: coded, nothing changes.
    const MUTE = 'AcceptNotNotify';
    await a1.fails(2100, 'setMessageRemindType', { userIDList: ['rm_bob'] });
    await a1.fails(2100, 'setMessageRemindType', { userIDList: ['rm_bob'], messageRemindType: 'Mute' });
    await a1.fails(2100, 'setMessageRemindType', { userIDList: [], messageRemindType: MUTE });
    await a1.fails(2100, 'setMessageRemindType', { messageRemindType: MUTE });
    await a1.fails(2100, 'setMessageRemindType', { groupID: 'g', userIDList: ['rm_bob'], messageRemindType: MUTE });
    const many = Array.from({ length: 31 }, (_, i) => `rm_u${i}`);
    await a1.fails(2100, 'setMessageRemindType', { userIDList: many, messageRemindType: MUTE });
    await a1.fails(2100, 'setMessageRemindType', { userIDList: [''], messageRemindType: MUTE });
    await a1.fails(10010, 'setMessageRemindType', { groupID: 'rm_nogroup', messageRemindType: MUTE });
    assert.ok((await a1.conversationList()).every((c) => c.messageRemindType === 'AcceptAndNotify'));

    // Mute bob: at once on A1 (its list and total), on A2 by push.
    const a2Muted = a2.nextEvent(EV.LIST, (d) => remind(d, 'C2Crm_bob') === MUTE);
    const a2Total = a2.nextEvent(EV.TOTAL, (n) => n === 1);
    const data = await a1.ok('setMessageRemindType', { userIDList: ['rm_bob'], messageRemindType: MUTE });
    assert.deepEqual(data, { successUserIDList: ['rm_bob'], failureUserIDList: [] });
    assert.equal(remind(await a1.conversationList(), 'C2Crm_bob'), MUTE);
    assert.equal(await total(a1), 1, 'the total leaves the muted conversation out');
    await a2Muted;
    await a2Total;
    const profile = await a1.ok('getConversationProfile', 'C2Crm_bob');
    assert.equal(profile.conversation.messageRemindType, MUTE);

    // Muted still counts its own unread messages.
    const counted = a1.nextEvent(EV.LIST, (d) => findConv(d, 'C2Crm_bob')?.unreadCount === 2);
    await bob.send('rm_alice', 'b2');
    await counted;
    assert.equal(await total(a1), 1);

    // A2 cut off while A1 unmutes bob and mutes carol: back online, it catches up, once.
    const down = a2.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await proxy.cut();
    await down;
    await a1.ok('setMessageRemindType', { userIDList: ['rm_bob'], messageRemindType: 'AcceptAndNotify' });
    await a1.ok('setMessageRemindType', { userIDList: ['rm_carol', 'rm_dan'], messageRemindType: MUTE });
    assert.equal(remind(localList(a2), 'C2Crm_bob'), MUTE, 'A2 offline: unchanged');
    const mark = a2.mark();
    const back = a2.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    const caught = a2.nextEvent(EV.LIST, (d) => remind(d, 'C2Crm_carol') === MUTE && remind(d, 'C2Crm_bob') === 'AcceptAndNotify', 30_000);
    await proxy.restore();
    await back;
    await caught;
    const carolMutedSteps = a2
      .eventsSince(mark, EV.LIST)
      .map((e) => remind(e.data, 'C2Crm_carol') === MUTE)
      .filter((m, i, all) => m && !all[i - 1]).length;
    assert.equal(carolMutedSteps, 1, 'carol muted once on A2');
    assert.equal(await total(a2), 2, 'bob counts again, carol no longer');

    // Deleting carol's conversation keeps the setting: her next message brings it back muted.
    await a1.ok('deleteConversation', 'C2Crm_carol');
    const again = a1.nextEvent(EV.LIST, (d) => !!findConv(d, 'C2Crm_carol'));
    await carol.send('rm_alice', 'c2');
    await again;
    const back1 = localList(a1);
    assert.equal(remind(back1, 'C2Crm_carol'), MUTE);
    assert.equal(findConv(back1, 'C2Crm_carol').unreadCount, 1);

    // A group: the answer is the group; its conversation carries the setting.
    await a1.ok('createGroup', { type: 'Private', name: 'Mute me', groupID: 'rm_team', memberList: ['rm_bob'] });
    const g = await a1.ok('setMessageRemindType', { groupID: 'rm_team', messageRemindType: 'Discard' });
    assert.equal(g.group.groupID, 'rm_team');
    assert.equal(g.group.name, 'Mute me');
    const groupListed = a1.nextEvent(EV.LIST, (d) => !!findConv(d, 'GROUPrm_team'));
    assert.equal((await groupSend(bob, 'rm_team', 'g1')).ok, true);
    await groupListed;
    assert.equal(remind(localList(a1), 'GROUPrm_team'), 'Discard');
    await carol.fails(10007, 'setMessageRemindType', { groupID: 'rm_team', messageRemindType: MUTE });

    // For good: a fresh login agrees.
    const fresh = await open('rm_alice', { SDKAppID: server.sdkAppID, cache: false });
    const freshList = await fresh.conversationList();
    assert.equal(remind(freshList, 'C2Crm_carol'), MUTE);
    assert.equal(remind(freshList, 'C2Crm_bob'), 'AcceptAndNotify');
    assert.equal(remind(freshList, 'GROUPrm_team'), 'Discard');
    for (const u of [a1, a2, bob, carol, fresh]) await u.close();
  });
});
