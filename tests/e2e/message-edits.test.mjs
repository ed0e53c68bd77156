// Issue 16: revokeMessage, modifyMessage and deleteMessage in headless Chromium against a real
// server. A revoke / modification is the sender's, reaches every session of both sides
// (MESSAGE_REVOKED / MESSAGE_MODIFIED), an offline session once after its reconnect, and every
// history fetch; deleteMessage is the caller's alone, gone after a reload and on other sessions.
// With deletion: a peer who deleted the conversation gets nothing back, and a conversation
// deleted and brought back by a new message shows none of the old state.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, texts, sleep, groupSend } from './harness.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

const open = async (id, options) => {
  const u = await openUser(env.browser, env.server, id);
  await u.login(options ? { options } : undefined);
  return u;
};
const revokedIDs = (list) => list.filter((m) => m.isRevoked).map((m) => m.ID);

describe('revokeMessage', () => {
  it('the sender revokes for everyone, every session hears it once, an offline one after reconnect', async () => {
    const proxy = await new NetCut(Number(new URL(env.server.url).port)).start();
    const a1 = await open('rv_alice');
    const a2 = await open('rv_alice');
    const bob = await open('rv_bob');
    const bobOffline = await open('rv_bob', { SDKAppID: env.server.sdkAppID, server: proxy.wsURL });
    const arrived = bob.nextEvent('onMessageReceived');
    const m1 = await a1.send('rv_bob', 'oops');
    await a1.send('rv_bob', 'keep');
    await arrived;

    // Not the sender: refused with 2505, nothing changes.
    const bobsCopy = (await bob.messages('C2Crv_alice')).messageList.find((m) => m.ID === m1.ID);
    await bob.fails(2505, 'revokeMessage', bobsCopy);
    await a1.fails(2504, 'revokeMessage', { ...m1, ID: 'no-such-message' });
    await a1.fails(2503, 'revokeMessage', { ...m1, conversationID: 'bogus' });

    const down = bobOffline.nextEvent('netStateChange', (d) => d.state === 'disconnected');
    await proxy.cut();
    await down;
    const events = [a1, a2, bob].map((u) => u.nextEvent('onMessageRevoked', (d) => d.length === 1 && d[0].ID === m1.ID));
    const data = await a1.ok('revokeMessage', m1);
    assert.equal(data.message.ID, m1.ID);
    assert.equal(data.message.isRevoked, true);
    for (const e of await Promise.all(events)) assert.equal(e.data[0].isRevoked, true);
    // The last message ('keep') is not the revoked one: the list shows it as before.
    assert.equal(findConv(await bob.conversationList(), 'C2Crv_alice').lastMessage.isRevoked, false);
    for (const [u, conv] of [[a1, 'C2Crv_bob'], [bob, 'C2Crv_alice']]) {
      assert.deepEqual(revokedIDs((await u.messages(conv)).messageList), [m1.ID], u.userID);
    }
    // Revoking again resolves the same and tells nobody again.
    const mark = bob.mark();
    assert.equal((await a1.ok('revokeMessage', m1)).message.isRevoked, true);
    await sleep(300);
    assert.equal(bob.eventsSince(mark, 'onMessageRevoked').length, 0);

    // The offline session catches up exactly once.
    const offlineMark = bobOffline.mark();
    const caught = bobOffline.nextEvent('onMessageRevoked', (d) => d[0].ID === m1.ID, 15_000);
    await proxy.restore();
    await caught;
    await sleep(500);
    assert.equal(bobOffline.eventsSince(offlineMark, 'onMessageRevoked').length, 1);
    assert.deepEqual(revokedIDs((await bobOffline.messages('C2Crv_alice')).messageList), [m1.ID]);

    // A fresh login (no cache) sees it too, and a last message that is revoked says so.
    const last = await a1.send('rv_bob', 'last one');
    await a1.ok('revokeMessage', last);
    const fresh = await open('rv_bob', { SDKAppID: env.server.sdkAppID, cache: false });
    assert.equal(findConv(await fresh.conversationList(), 'C2Crv_alice').lastMessage.isRevoked, true);
    for (const u of [a1, a2, bob, bobOffline, fresh]) await u.close();
    await proxy.cut();
  });

  it('after the app\'s time limit: 20016; the limit is the app\'s setting', async () => {
    const alice = await open('rt_alice');
    const bob = await open('rt_bob');
    const m = await alice.send('rt_bob', 'old');
    const out = env.server.cli('app', 'set', '--sdkappid', String(env.server.sdkAppID), '--revoke-time-limit', '0');
    assert.match(out, /revokeTimeLimit=0/);
    // Sent at least a second ago: over a limit of 0 s.
    await sleep(1100);
    await alice.fails(20016, 'revokeMessage', m);
    assert.equal(revokedIDs((await bob.messages('C2Crt_alice')).messageList).length, 0);
    assert.match(env.server.cli('app', 'set', '--sdkappid', String(env.server.sdkAppID), '--revoke-time-limit', '120'), /revokeTimeLimit=120/);
    assert.equal((await alice.ok('revokeMessage', m)).message.isRevoked, true);
    for (const u of [alice, bob]) await u.close();
  });

  it('in a group: the sender revokes for every member, a member who deleted the group conversation hears nothing', async () => {
    const alice = await open('rg_alice');
    const bob = await open('rg_bob');
    const carol = await open('rg_carol');
    await alice.ok('createGroup', { type: 'Private', name: 'Revokers', groupID: 'rg_team', memberList: [{ userID: 'rg_bob' }, { userID: 'rg_carol' }] });
    const arrived = [bob, carol].map((u) => u.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'group oops')));
    const sent = await groupSend(alice, 'rg_team', 'group oops');
    assert.equal(sent.ok, true, JSON.stringify(sent));
    await Promise.all(arrived);
    const m = sent.message;
    const bobsCopy = (await bob.messages('GROUPrg_team')).messageList.find((x) => x.ID === m.ID);
    await bob.fails(2505, 'revokeMessage', bobsCopy);

    await carol.ok('deleteConversation', 'GROUPrg_team');
    const carolMark = carol.mark();
    const heard = [alice, bob].map((u) => u.nextEvent('onMessageRevoked', (d) => d[0].ID === m.ID));
    const data = await alice.ok('revokeMessage', m);
    assert.equal(data.message.isRevoked, true);
    for (const e of await Promise.all(heard)) assert.equal(e.data[0].conversationID, 'GROUPrg_team');
    for (const u of [alice, bob]) {
      assert.deepEqual(revokedIDs((await u.messages('GROUPrg_team')).messageList), [m.ID], u.userID);
    }
    await sleep(400);
    assert.equal(carol.eventsSince(carolMark, 'onMessageRevoked').length, 0, 'carol deleted it: nothing back');
    assert.equal(findConv(await carol.conversationList(), 'GROUPrg_team'), undefined);
    for (const u of [alice, bob, carol]) await u.close();
  });

  it('with deletion: the peer who deleted gets nothing back; the deleter\'s view does not change; a revived conversation is clean', async () => {
    const alice = await open('rd_alice');
    const bob = await open('rd_bob');
    const arrived = bob.nextEvent('onMessageReceived');
    const m1 = await alice.send('rd_bob', 'first');
    await arrived;
    await bob.ok('deleteConversation', 'C2Crd_alice');
    const mark = bob.mark();
    await alice.ok('revokeMessage', m1);
    await sleep(400);
    assert.equal(bob.eventsSince(mark, 'onMessageRevoked').length, 0);
    assert.equal(findConv(await bob.conversationList(), 'C2Crd_alice'), undefined);

    // The sender deleted too: her modification changes nothing she sees.
    const m2 = await alice.send('rd_bob', 'second');
    await alice.ok('deleteConversation', 'C2Crd_bob');
    const aliceMark = alice.mark();
    await alice.ok('modifyMessage', { ...m2, payload: { text: 'second, fixed' } });
    await sleep(400);
    assert.equal(alice.eventsSince(aliceMark, 'onMessageModified').length, 0);
    assert.equal(findConv(await alice.conversationList(), 'C2Crd_bob'), undefined);

    // Bob deletes, Alice writes again: the conversation comes back holding only the new message.
    await bob.ok('deleteConversation', 'C2Crd_alice');
    const back = bob.nextEvent('onMessageReceived');
    await alice.send('rd_bob', 'fresh');
    await back;
    const page = (await bob.messages('C2Crd_alice')).messageList;
    assert.deepEqual(texts(page), ['fresh']);
    assert.deepEqual(revokedIDs(page), []);
    for (const u of [alice, bob]) await u.close();
  });
});

describe('modifyMessage', () => {
  it('the sender changes the text for everyone; MESSAGE_MODIFIED everywhere; history agrees', async () => {
    const alice = await open('md_alice');
    const bob = await open('md_bob');
    const arrived = bob.nextEvent('onMessageReceived');
    const m = await alice.send('md_bob', 'teh typo');
    await arrived;
    const bobsCopy = (await bob.messages('C2Cmd_alice')).messageList[0];
    await bob.fails(2505, 'modifyMessage', { ...bobsCopy, payload: { text: 'hijack' } });
    const events = [alice, bob].map((u) => u.nextEvent('onMessageModified', (d) => d[0].ID === m.ID));
    const list = bob.nextEvent('onConversationListUpdated', (l) => findConv(l, 'C2Cmd_alice')?.lastMessage.messageForShow === 'the typo');
    const data = await alice.ok('modifyMessage', { ...m, payload: { text: 'the typo' } });
    assert.equal(data.message.payload.text, 'the typo');
    for (const e of await Promise.all(events)) assert.equal(e.data[0].payload.text, 'the typo');
    await list;
    assert.deepEqual(texts((await bob.messages('C2Cmd_alice')).messageList), ['the typo']);
    await alice.fails(80002, 'modifyMessage', { ...m, payload: { text: 'x'.repeat(12 * 1024 + 1) } });
    await alice.ok('revokeMessage', m);
    await alice.fails(2504, 'modifyMessage', { ...m, payload: { text: 'after revoke' } });
    for (const u of [alice, bob]) await u.close();
  });
});

describe('deleteMessage', () => {
  it('for the caller only, on every session, after a reload; all or nothing', async () => {
    const a1 = await open('dm_alice');
    const a2 = await open('dm_alice');
    const bob = await open('dm_bob');
    const arrived = a1.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'three'));
    const sent = [];
    for (const t of ['one', 'two', 'three']) sent.push(await bob.send('dm_alice', t));
    await arrived;
    const mine = (await a1.messages('C2Cdm_bob')).messageList;
    await a1.fails(2100, 'deleteMessage', []);
    await a1.fails(2100, 'deleteMessage', Array(31).fill(mine[0]));
    await a1.fails(2504, 'deleteMessage', [mine[0], { ...mine[1], ID: 'unknown-id' }]);
    assert.deepEqual(texts((await a1.messages('C2Cdm_bob')).messageList), ['one', 'two', 'three']);

    const data = await a1.ok('deleteMessage', [mine[0], mine[2]]);
    assert.deepEqual(data.messageList.map((m) => m.ID), [mine[0].ID, mine[2].ID]);
    assert.deepEqual(texts((await a1.messages('C2Cdm_bob')).messageList), ['two']);
    assert.deepEqual(texts((await a2.messages('C2Cdm_bob')).messageList), ['two']);
    assert.deepEqual(texts((await bob.messages('C2Cdm_alice')).messageList), ['one', 'two', 'three']);
    await a1.reload();
    await a1.login();
    assert.deepEqual(texts((await a1.messages('C2Cdm_bob')).messageList), ['two']);
    assert.equal(findConv(await a1.conversationList(), 'C2Cdm_bob').lastMessage.messageForShow, 'two');
    // Deleting again is fine.
    await a1.ok('deleteMessage', [mine[0]]);
    for (const u of [a1, a2, bob]) await u.close();
  });
});
