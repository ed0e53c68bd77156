// Issue 16: read receipts in headless Chromium against a real server. A message created with
// needReadReceipt: true carries it to the reader; sendMessageReadReceipt reaches every session of
// the sender (C2C: MESSAGE_READ_BY_PEER with isPeerRead; groups: MESSAGE_READ_RECEIPT_RECEIVED
// with the counts), an offline session exactly once after its reconnect; a receipt counts once;
// getMessageReadReceiptList answers the counts as they are. With deletion: a reader whose view no
// longer holds the message changes nothing, and bad arguments are refused with nothing changed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, sleep } from './harness.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

const open = async (id, options) => {
  const u = await openUser(env.browser, env.server, id);
  await u.login(options ? { options } : undefined);
  return u;
};

/** createTextMessage({ ..., needReadReceipt: true }) + sendMessage: { created, sent }. */
const sendAsking = async (user, to, conversationType, text) => {
  const r = await user.page.evaluate(async ([to, type, text]) => {
    const msg = window.tim.createTextMessage({ to, conversationType: type, payload: { text }, needReadReceipt: true });
    const created = JSON.parse(JSON.stringify(msg));
    const res = await window.tim.sendMessage(msg);
    return { created, sent: JSON.parse(JSON.stringify(res.data.message)) };
  }, [to, conversationType, text]);
  return r;
};

/** The reader's own copy of `id` (as getMessageList gives it). */
const copyOf = async (user, conversationID, id) =>
  (await user.messages(conversationID)).messageList.find((m) => m.ID === id);

describe('read receipts', () => {
  it('C2C: the reader\'s receipt reaches every session of the sender once, an offline one after reconnect', async () => {
    const proxy = await new NetCut(Number(new URL(env.server.url).port)).start();
    const a1 = await open('rr_alice');
    const aOffline = await open('rr_alice', { SDKAppID: env.server.sdkAppID, server: proxy.wsURL });
    const bob = await open('rr_bob');

    const arrived = bob.nextEvent('onMessageReceived', (d) => d[0].payload.text === 'read me');
    const { created, sent } = await sendAsking(a1, 'rr_bob', 'C2C', 'read me');
    assert.equal(created.needReadReceipt, true);
    assert.equal(sent.needReadReceipt, true);
    assert.deepEqual(sent.readReceiptInfo, { isPeerRead: false, readCount: 0, unreadCount: 1 });
    assert.equal(sent.isPeerRead, false);
    const received = (await arrived).data[0];
    assert.equal(received.needReadReceipt, true);
    const plain = await a1.send('rr_bob', 'no receipt asked');
    assert.equal(plain.needReadReceipt, false);

    // Bad arguments: refused, nothing changes.
    await bob.fails(2100, 'sendMessageReadReceipt', []);
    await bob.fails(2100, 'sendMessageReadReceipt', 'not a list');
    await bob.fails(2100, 'sendMessageReadReceipt', [received, { ...received, conversationID: 'C2Csomeone_else' }]);
    await bob.fails(2503, 'sendMessageReadReceipt', [{ ...received, conversationID: 'bogus' }]);
    await bob.fails(2100, 'getMessageReadReceiptList', []);
    assert.equal((await a1.ok('getMessageReadReceiptList', [sent])).messageList[0].readReceiptInfo.readCount, 0);

    const down = aOffline.nextEvent('netStateChange', (d) => d.state === 'disconnected');
    await proxy.cut();
    await down;
    const mark = a1.mark();
    const told = a1.nextEvent('onMessageReadByPeer', (d) => d.length === 1 && d[0].ID === sent.ID);
    // The message asking and one that did not: only the first is a receipt.
    const copyOfPlain = await copyOf(bob, 'C2Crr_alice', plain.ID);
    // Resolves with the messages given, as deleteMessage does.
    const given = await bob.ok('sendMessageReadReceipt', [received, copyOfPlain]);
    // Tencent's documented shape: `{ code: 0, data }` (its samples read nothing of `data`); ours
    // is `{ messageList }` alone.
    assert.deepEqual(Object.keys(given), ['messageList']);
    assert.deepEqual(given.messageList.map((m) => m.ID), [received.ID, copyOfPlain.ID]);
    const byPeer = (await told).data[0];
    assert.equal(byPeer.isPeerRead, true);
    assert.equal(byPeer.readReceiptInfo.isPeerRead, true);
    assert.equal(byPeer.conversationID, 'C2Crr_bob');

    // Tencent's `imResponse.data.messageList`, each message's `readReceiptInfo` holding
    // `isPeerRead` (C2C) and `readCount` / `unreadCount` (groups), nothing else in `data`.
    const listed = await a1.ok('getMessageReadReceiptList', [sent, plain]);
    assert.deepEqual(Object.keys(listed), ['messageList']);
    const list = listed.messageList;
    assert.deepEqual(list.map((m) => [m.ID, m.readReceiptInfo]), [
      [sent.ID, { isPeerRead: true, readCount: 1, unreadCount: 0 }],
      [plain.ID, { isPeerRead: false, readCount: 0, unreadCount: 0 }],
    ]);
    // The history says so too.
    assert.equal((await copyOf(a1, 'C2Crr_bob', sent.ID)).isPeerRead, true);
    // Again: counted once, nobody told again; the reader hears nothing of her own receipt.
    const bobMark = bob.mark();
    await bob.ok('sendMessageReadReceipt', [received]);
    await sleep(300);
    assert.equal(a1.eventsSince(mark, 'onMessageReadByPeer').length, 1);
    assert.equal(bob.eventsSince(bobMark, 'onMessageReadByPeer').length, 0);

    // The offline session catches up exactly once.
    const offlineMark = aOffline.mark();
    const caught = aOffline.nextEvent('onMessageReadByPeer', (d) => d[0].ID === sent.ID, 15_000);
    await proxy.restore();
    assert.equal((await caught).data[0].isPeerRead, true);
    await sleep(500);
    assert.equal(aOffline.eventsSince(offlineMark, 'onMessageReadByPeer').length, 1);
    for (const u of [a1, aOffline, bob]) await u.close();
    await proxy.cut();
  });

  it('groups: each member\'s receipt reaches the sender with the read and unread counts', async () => {
    const alice = await open('rg_alice');
    const bob = await open('rg_bob');
    const carol = await open('rg_carol');
    await alice.ok('createGroup', { type: 'Public', name: 'Receipts', groupID: 'rg_team', memberList: ['rg_bob', 'rg_carol'] });
    const got = [bob, carol].map((u) => u.nextEvent('onMessageReceived', (d) => d[0].payload.text === 'team, read this'));
    const { sent } = await sendAsking(alice, 'rg_team', 'GROUP', 'team, read this');
    assert.deepEqual(sent.readReceiptInfo, { isPeerRead: false, readCount: 0, unreadCount: 2 });
    const [forBob, forCarol] = (await Promise.all(got)).map((e) => e.data[0]);

    const first = alice.nextEvent('onMessageReadReceiptReceived', (d) => d[0].readCount === 1);
    await bob.ok('sendMessageReadReceipt', [forBob]);
    assert.deepEqual((await first).data, [{ groupID: 'rg_team', messageID: sent.ID, readCount: 1, unreadCount: 1 }]);
    const second = alice.nextEvent('onMessageReadReceiptReceived', (d) => d[0].readCount === 2);
    await carol.ok('sendMessageReadReceipt', [forCarol]);
    assert.deepEqual((await second).data, [{ groupID: 'rg_team', messageID: sent.ID, readCount: 2, unreadCount: 0 }]);
    const info = (await alice.ok('getMessageReadReceiptList', [sent])).messageList[0].readReceiptInfo;
    assert.deepEqual([info.readCount, info.unreadCount], [2, 0]);
    for (const u of [alice, bob, carol]) await u.close();
  });

  it('a reader who deleted the conversation changes nothing; the deleted view stays deleted', async () => {
    const alice = await open('rd_alice');
    const bob = await open('rd_bob');
    const arrived = bob.nextEvent('onMessageReceived');
    const { sent } = await sendAsking(alice, 'rd_bob', 'C2C', 'before the deletion');
    const received = (await arrived).data[0];
    await bob.ok('deleteConversation', 'C2Crd_alice');
    const mark = alice.mark();
    // Not an error: the message is not in Bob's view any more, so nothing happens.
    assert.deepEqual((await bob.ok('sendMessageReadReceipt', [received])).messageList[0].ID, received.ID);
    await sleep(300);
    assert.equal(alice.eventsSince(mark, 'onMessageReadByPeer').length, 0);
    assert.equal((await alice.ok('getMessageReadReceiptList', [sent])).messageList[0].readReceiptInfo.readCount, 0);
    assert.equal((await bob.conversationList()).length, 0);
    assert.deepEqual((await bob.ok('getMessageReadReceiptList', [received])).messageList, []);
    for (const u of [alice, bob]) await u.close();
  });
});
