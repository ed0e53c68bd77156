// Deletion semantics with two (and three) users in separate browser contexts, against one server
// process and its SQLite file, across page reloads, fresh logins and a server restart.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv } from './harness.mjs';

const env = useEnv(before, after);

/** Asserts the documented Conversation shape of a C2C conversation. */
function assertConversationShape(c, peer) {
  assert.equal(c.conversationID, `C2C${peer}`);
  assert.equal(c.type, 'C2C');
  assert.equal(typeof c.unreadCount, 'number');
  assert.deepEqual(c.userProfile, { userID: peer, nick: '', avatar: '' });
  assert.equal(c.isPinned, false);
  assert.equal(c.peerReadTime, 0);
  assert.equal(c.remark, '');
  assert.equal(c.messageRemindType, 'AcceptAndNotify', 'the default');
  assert.deepEqual(c.markList, []);
  assert.equal(c.customData, '');
  const lm = c.lastMessage;
  assert.deepEqual(Object.keys(lm).sort(), ['fromAccount', 'isRevoked', 'lastSequence', 'lastTime', 'messageForShow', 'payload', 'type'].sort());
}

/** Asserts the documented Message shape. */
function assertMessageShape(m, { from, to, flow, text }) {
  const want = {
    type: 'TIMTextElem',
    payload: { text },
    conversationID: `C2C${flow === 'in' ? from : to}`,
    conversationType: 'C2C',
    to,
    from,
    flow,
    status: 'success',
    isRevoked: false,
    isPeerRead: false,
    nick: '',
    avatar: '',
    priority: 'Normal',
    cloudCustomData: '',
  };
  for (const [k, v] of Object.entries(want)) assert.deepEqual(m[k], v, `message.${k}`);
  assert.equal(typeof m.ID, 'string');
  assert.ok(m.ID.length > 0);
  assert.ok(Number.isInteger(m.time) && m.time > 1.6e9 && m.time < 4e9, `time is unix seconds: ${m.time}`);
  assert.ok(Number.isInteger(m.clientTime), 'clientTime');
  assert.ok(Number.isInteger(m.sequence) && m.sequence >= 1, `sequence: ${m.sequence}`);
  assert.equal(typeof m.isRead, 'boolean');
}

function assertSorted(list) {
  for (let i = 1; i < list.length; i++) {
    assert.ok(
      list[i - 1].lastMessage.lastTime >= list[i].lastMessage.lastTime,
      `conversation list sorted newest first: ${list.map((c) => `${c.conversationID}@${c.lastMessage.lastTime}`)}`,
    );
  }
}

describe('deleteConversation: per-user history deletion that sticks', () => {
  let alice, bob;
  const sentBefore = [];

  it('alice and bob exchange messages; both see the conversation, with correct shapes and unread counts', async () => {
    const { server, browser } = env;
    alice = await openUser(browser, server, 'alice');
    bob = await openUser(browser, server, 'bob');
    await alice.login();
    await bob.login();
    // every shape check below is on real traffic
    for (const [from, to, text] of [
      ['bob', 'alice', 'b1: hi alice'],
      ['alice', 'bob', 'a1: hi bob'],
      ['bob', 'alice', 'b2: how are you'],
      ['bob', 'alice', 'b3: still there?'],
    ]) {
      const sender = from === 'alice' ? alice : bob;
      const receiver = from === 'alice' ? bob : alice;
      const got = receiver.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === text));
      const sent = await sender.send(to, text);
      assertMessageShape(sent, { from, to, flow: 'out', text });
      sentBefore.push(sent);
      const ev = await got;
      const m = ev.data.find((x) => x.payload.text === text);
      assertMessageShape(m, { from, to, flow: 'in', text });
      assert.equal(m.ID, sent.ID, 'the receiver sees the sender\'s message ID');
      assert.equal(m.sequence, sent.sequence);
    }
    const seqs = sentBefore.map((m) => m.sequence);
    assert.deepEqual([...seqs].sort((a, b) => a - b), seqs, `sequences increase: ${seqs}`);
    assert.equal(new Set(seqs).size, seqs.length, 'sequences are distinct');

    const aliceList = await alice.conversationList();
    const ac = findConv(aliceList, 'C2Cbob');
    assert.ok(ac, 'alice lists C2Cbob');
    assertConversationShape(ac, 'bob');
    assert.equal(ac.unreadCount, 3, 'alice has 3 unread from bob');
    assert.equal(ac.lastMessage.messageForShow, 'b3: still there?');
    assert.deepEqual(ac.lastMessage.payload, { text: 'b3: still there?' });
    assert.equal(ac.lastMessage.fromAccount, 'bob');
    assert.equal(ac.lastMessage.type, 'TIMTextElem');
    assert.equal(ac.lastMessage.lastSequence, sentBefore[3].sequence);
    assert.equal(ac.lastMessage.lastTime, sentBefore[3].time);

    const bc = findConv(await bob.conversationList(), 'C2Calice');
    assert.ok(bc, 'bob lists C2Calice');
    assertConversationShape(bc, 'alice');
    assert.equal(bc.unreadCount, 1, 'bob has 1 unread from alice');

    const profile = await alice.ok('getConversationProfile', 'C2Cbob');
    assert.deepEqual(profile.conversation, ac, 'getConversationProfile gives the listed conversation');

    const page = await alice.messages('C2Cbob');
    assert.deepEqual(texts(page.messageList), sentBefore.map((m) => m.payload.text), 'history, oldest first');
    assert.equal(page.isCompleted, true);
    assert.equal(page.nextReqMessageID, '');
  });

  it('alice deletes C2Cbob: resolves { conversationID }, list and history gone for alice, events fire', async () => {
    const listUpdated = alice.nextEvent('onConversationListUpdated', (d) => !findConv(d, 'C2Cbob'));
    const unread = alice.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 0);
    const data = await alice.ok('deleteConversation', 'C2Cbob');
    assert.deepEqual(data, { conversationID: 'C2Cbob' });
    assert.deepEqual((await listUpdated).data, [], 'CONVERSATION_LIST_UPDATED carries the whole (now empty) list');
    assert.equal((await unread).data, 0, 'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED drops the 3 unread');

    assert.equal(findConv(await alice.conversationList(), 'C2Cbob'), undefined, 'not in getConversationList');
    const page = await alice.messages('C2Cbob');
    assert.deepEqual(page.messageList, [], 'getMessageList is empty');
    assert.equal(page.isCompleted, true);
    await alice.fails(2500, 'getConversationProfile', 'C2Cbob');
    await alice.fails(2500, 'deleteConversation', 'C2Cbob');
  });

  it('bob\'s conversation and history are intact', async () => {
    const bc = findConv(await bob.conversationList(), 'C2Calice');
    assert.ok(bc, 'bob still lists C2Calice');
    assert.equal(bc.lastMessage.messageForShow, 'b3: still there?');
    const page = await bob.messages('C2Calice');
    assert.deepEqual(texts(page.messageList), sentBefore.map((m) => m.payload.text));
  });

  it('still gone for alice after a page reload and a fresh login', async () => {
    await alice.reload();
    await alice.login();
    assert.equal(findConv(await alice.conversationList(), 'C2Cbob'), undefined);
    assert.deepEqual((await alice.messages('C2Cbob')).messageList, []);
  });

  it('still gone after the server restarts on the same database file', async () => {
    await alice.close();
    await bob.close();
    await env.server.restart();
    alice = await openUser(env.browser, env.server, 'alice');
    bob = await openUser(env.browser, env.server, 'bob');
    await alice.login();
    await bob.login();
    assert.equal(findConv(await alice.conversationList(), 'C2Cbob'), undefined, 'alice: still deleted');
    assert.deepEqual((await alice.messages('C2Cbob')).messageList, [], 'alice: history still gone');
    assert.deepEqual(texts((await bob.messages('C2Calice')).messageList), sentBefore.map((m) => m.payload.text), 'bob: intact');
  });

  it('a new message from bob brings the conversation back holding only the new message', async () => {
    const got = alice.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'b4: after delete'));
    const listUpdated = alice.nextEvent('onConversationListUpdated', (d) => !!findConv(d, 'C2Cbob'));
    const unread = alice.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 1);
    const sent = await bob.send('alice', 'b4: after delete');
    const ev = await got;
    assert.deepEqual(texts(ev.data), ['b4: after delete'], 'MESSAGE_RECEIVED carries only the new message');
    const list = (await listUpdated).data;
    const c = findConv(list, 'C2Cbob');
    assertConversationShape(c, 'bob');
    assert.equal(c.unreadCount, 1, 'unread counts only the new message');
    assert.equal(c.lastMessage.messageForShow, 'b4: after delete');
    assert.equal((await unread).data, 1);

    const page = await alice.messages('C2Cbob');
    assert.deepEqual(texts(page.messageList), ['b4: after delete'], 'only the new message, no old history');
    assert.equal(page.isCompleted, true);
    assert.equal(page.messageList[0].ID, sent.ID);
    // bob keeps everything
    assert.deepEqual(texts((await bob.messages('C2Calice')).messageList), [...sentBefore.map((m) => m.payload.text), 'b4: after delete']);
  });

  it('after reload, restart and in a new browser context alice still sees only the new message', async () => {
    await alice.reload();
    await alice.login();
    assert.deepEqual(texts((await alice.messages('C2Cbob')).messageList), ['b4: after delete'], 'after reload');
    await alice.close();
    await bob.close();
    await env.server.restart();
    alice = await openUser(env.browser, env.server, 'alice'); // a new context: nothing cached
    await alice.login();
    const c = findConv(await alice.conversationList(), 'C2Cbob');
    assert.ok(c, 'the revived conversation survives a restart');
    assert.equal(c.unreadCount, 1);
    assert.deepEqual(texts((await alice.messages('C2Cbob')).messageList), ['b4: after delete'], 'after restart');
    // alice can reply: deletion never blocks future chat
    bob = await openUser(env.browser, env.server, 'bob');
    await bob.login();
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'a2: back'));
    await alice.send('bob', 'a2: back');
    await got;
    assert.deepEqual(texts((await alice.messages('C2Cbob')).messageList), ['b4: after delete', 'a2: back']);
    await alice.close();
    await bob.close();
  });
});

describe('CONVERSATION_LIST_UPDATED, TOTAL_UNREAD_MESSAGE_COUNT_UPDATED and unread counts', () => {
  it('track receive, read and delete across two conversations', async () => {
    const { server, browser } = env;
    const dan = await openUser(browser, server, 'dan');
    const erin = await openUser(browser, server, 'erin');
    const fay = await openUser(browser, server, 'fay');
    await dan.login();
    await erin.login();
    await fay.login();

    // erin sends 2, fay sends 1
    let total = dan.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 2);
    let list = dan.nextEvent('onConversationListUpdated', (d) => findConv(d, 'C2Cerin')?.unreadCount === 2);
    await erin.send('dan', 'e1');
    await erin.send('dan', 'e2');
    assert.equal((await total).data, 2);
    let l = (await list).data;
    assert.equal(l.length, 1);
    assert.equal(findConv(l, 'C2Cerin').lastMessage.messageForShow, 'e2');

    total = dan.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 3);
    list = dan.nextEvent('onConversationListUpdated', (d) => d.length === 2);
    await fay.send('dan', 'f1');
    assert.equal((await total).data, 3);
    l = (await list).data;
    assert.deepEqual(l.map((c) => c.conversationID).sort(), ['C2Cerin', 'C2Cfay']);
    assertSorted(l);
    assert.equal(findConv(l, 'C2Cfay').unreadCount, 1);
    assert.equal(findConv(l, 'C2Cerin').unreadCount, 2);

    // a message dan sends does not count as unread for dan
    const mark = dan.mark();
    await dan.send('fay', 'd1');
    const afterSend = findConv(await dan.conversationList(), 'C2Cfay');
    assert.equal(afterSend.unreadCount, 1, 'own message is not unread');
    assert.equal(afterSend.lastMessage.messageForShow, 'd1');
    assert.deepEqual(dan.eventsSince(mark, 'onTotalUnreadMessageCountUpdated').filter((e) => e.data !== 3), [], 'total unread unchanged by sending');

    // reading fay's conversation: total 2
    total = dan.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 2);
    assert.deepEqual(await dan.ok('setMessageRead', { conversationID: 'C2Cfay' }), {});
    assert.equal((await total).data, 2);
    assert.equal(findConv(await dan.conversationList(), 'C2Cfay').unreadCount, 0);

    // deleting erin's conversation (2 unread): total 0, list holds only fay
    total = dan.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 0);
    list = dan.nextEvent('onConversationListUpdated', (d) => !findConv(d, 'C2Cerin'));
    await dan.ok('deleteConversation', 'C2Cerin');
    assert.equal((await total).data, 0);
    l = (await list).data;
    assert.deepEqual(l.map((c) => c.conversationID), ['C2Cfay']);

    // deleting a conversation with nothing unread changes the list, not the total
    const mark2 = dan.mark();
    list = dan.nextEvent('onConversationListUpdated', (d) => d.length === 0);
    await dan.ok('deleteConversation', 'C2Cfay');
    await list;
    const totals = dan.eventsSince(mark2, 'onTotalUnreadMessageCountUpdated');
    assert.ok(totals.every((e) => e.data === 0), `total stays 0: ${JSON.stringify(totals)}`);

    // the counts survive a fresh login: erin writes again, only that one is unread
    await dan.reload();
    await dan.login();
    assert.deepEqual(await dan.conversationList(), []);
    total = dan.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 1);
    await erin.send('dan', 'e3');
    await total;
    const c = findConv(await dan.conversationList(), 'C2Cerin');
    assert.equal(c.unreadCount, 1);
    assert.deepEqual(texts((await dan.messages('C2Cerin')).messageList), ['e3']);
    // erin's side: her own 3 messages, nothing lost
    assert.deepEqual(texts((await erin.messages('C2Cdan')).messageList), ['e1', 'e2', 'e3']);

    await dan.close();
    await erin.close();
    await fay.close();
  });
});
