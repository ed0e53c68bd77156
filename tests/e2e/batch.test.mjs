// Issue 5 in real browsers: the batch form of deleteConversation (1, 2, 100 and 101 IDs; mixed valid /
// unknown / invalid IDs; nothing deleted), clearHistoryMessage false vs true, clearHistoryMessage(id),
// and exact unread counts on two sessions of alice (A1 deletes, A2 follows through the server's
// pushes with the app's sync setting on) and after a reload. One tim-server on a real SQLite file;
// 110 peers (p000..p109) each send alice one message through raw protocol clients in a page.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openUser, texts, findConv, sleep } from './harness.mjs';
import { EV, setSync, localList, localTotal, summary, unreadSum, ids } from './admin.mjs';
import { rawSendEach, rawJobs } from './rawws.mjs';

const PEERS = Array.from({ length: 110 }, (_, i) => `p${String(i).padStart(3, '0')}`);
const C2C = (u) => `C2C${u}`;
const range = (from, to) => PEERS.slice(from, to).map(C2C); // [from, to)

let server, browser, probe, a1, a2;
let a2StormCount = null;
const opened = [];

async function open(userID) {
  const u = await openUser(browser, server, userID);
  opened.push(u);
  return u;
}

/** Raw sends (each its own login): [userID, text] pairs to alice, in order per sender. */
async function sendToAlice(pairs) {
  const out = [];
  for (const [userID, text] of pairs) out.push(...(await rawSendEach(probe.page, server, [{ userID, to: 'alice', text }])));
  return out;
}

/** `user`'s history of a conversation as the server has it (a raw getMessageList as `user`). */
async function serverHistory(userID, conversationID) {
  const [answers] = await rawJobs(probe.page, server.wsURL, server.sdkAppID, [
    { userID, userSig: server.sig(userID), requests: [{ op: 'getMessageList', args: { conversationID, count: 100 } }] },
  ]);
  const page = answers[1];
  assert.equal(page.t, 'reply', `${userID}: getMessageList(${conversationID}): ${JSON.stringify(page)}`);
  return page.value.messages.map((m) => m.body.text);
}

/** A fresh alice (new browser context, nothing cached): the server's list, summarised. */
async function serverList() {
  const fresh = await open('alice');
  await fresh.login();
  const list = await fresh.conversationList();
  await fresh.close();
  opened.splice(opened.indexOf(fresh), 1);
  return list;
}

const ABSENT_LAST_MESSAGE = { lastTime: 0, lastSequence: 0, fromAccount: '', messageForShow: '', payload: null, type: '', isRevoked: false };

before(async () => {
  server = await new Server().start();
  browser = await launchBrowser();
  probe = await open('probe'); // a page for raw protocol clients; never logs in with the SDK
  await setSync(server, true);
  // 110 conversations with one unread message each, plus bob / carol / dave / erin
  const sent = await rawSendEach(
    probe.page,
    server,
    PEERS.map((p) => ({ userID: p, to: 'alice', text: `hello from ${p}` })),
    { concurrency: 12 },
  );
  assert.equal(sent.length, 110);
  await sendToAlice([['bob', 'b1'], ['bob', 'b2'], ['carol', 'c1'], ['carol', 'c2'], ['dave', 'd1'], ['dave', 'd2'], ['erin', 'e1']]);
  a1 = await open('alice');
  a2 = await open('alice');
  for (const a of [a1, a2]) {
    const total = a.nextEvent(EV.TOTAL, (d) => d === 117);
    await a.login();
    await total;
    assert.equal(localList(a).length, 114, 'every conversation is listed at login');
  }
});

after(async () => {
  for (const u of opened) await u.close().catch(() => {});
  if (browser) await browser.close();
  if (server) await server.dispose();
});

describe('deleteConversation({ conversationIDList }): sizes 1, 2, 100 and 101', () => {
  it('a batch of 1 and a batch of 2 resolve with the IDs deleted and an empty failedList; both sessions drop them with the exact total', async () => {
    let a2Gone = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cp000'));
    let totals = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, () => true));
    assert.deepEqual(await a1.ok('deleteConversation', { conversationIDList: ['C2Cp000'] }), {
      conversationIDList: ['C2Cp000'],
      failedList: [],
    });
    assert.equal(findConv(localList(a1), 'C2Cp000'), undefined, 'A1 dropped it');
    await a2Gone;
    for (const t of totals) assert.equal((await t).data, 116, 'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 117 - 1');

    a2Gone = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cp001') && !findConv(d, 'C2Cp002'));
    const a1Total = a1.nextEvent(EV.TOTAL, () => true);
    // A2 hears one push per deleted conversation: it may pass through 115 on the way
    const a2Total = a2.nextEvent(EV.TOTAL, (d) => d === 114);
    const m1 = a1.mark();
    const two = await a1.ok('deleteConversation', { conversationIDList: ['C2Cp001', 'C2Cp002'], clearHistoryMessage: true });
    assert.deepEqual([...two.conversationIDList].sort(), ['C2Cp001', 'C2Cp002']);
    assert.deepEqual(two.failedList, []);
    assert.equal((await a1Total).data, 114, 'A1: TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 116 - 2, at once');
    await a2Gone;
    await a2Total;
    await sleep(300);
    assert.deepEqual(a1.eventsSince(m1, EV.TOTAL).map((e) => e.data), [114], 'A1: one total event for the batch');
    assert.equal(a1.eventsSince(m1, EV.LIST).length, 1, 'A1: one list event for the batch');
    for (const a of [a1, a2]) {
      assert.equal(localList(a).length, 111);
      assert.equal(localTotal(a), unreadSum(localList(a)));
    }
    const list = await serverList();
    assert.deepEqual(summary(list), summary(localList(a1)), 'the server (a fresh login) agrees with A1');
    assert.deepEqual(summary(localList(a2)), summary(localList(a1)), 'A2 agrees with A1');
    assert.deepEqual((await a1.messages('C2Cp001')).messageList, [], 'history gone for alice');
    assert.deepEqual(await serverHistory('p001', 'C2Calice'), ['hello from p001'], 'the peer keeps it');
  });

  it('101 IDs (and an empty list, a duplicate, a non-string, a non-boolean flag): 2100, nothing deleted, no event', async () => {
    const before = summary(localList(a1));
    const m1 = a1.mark();
    const m2 = a2.mark();
    const r = await a1.fails(2100, 'deleteConversation', { conversationIDList: range(3, 104) });
    assert.match(r.message, /100/, `the message names the limit: ${r.message}`);
    assert.match(r.message, /101/, `and the count given: ${r.message}`);
    await a1.fails(2100, 'deleteConversation', { conversationIDList: [] });
    await a1.fails(2100, 'deleteConversation', { conversationIDList: ['C2Cp003', 'C2Cp004', 'C2Cp003'] });
    await a1.fails(2100, 'deleteConversation', { conversationIDList: ['C2Cp003', 42] });
    await a1.fails(2100, 'deleteConversation', { conversationIDList: ['C2Cp003'], clearHistoryMessage: 'yes' });
    await a1.fails(2100, 'deleteConversation', { conversationIDList: ['C2Cp003'], clearHistoryMessage: 1 });
    await sleep(500);
    const changed = (u, m) => u.eventsSince(m).filter((e) => e.name === EV.LIST || e.name === EV.TOTAL);
    assert.deepEqual(changed(a1, m1), [], 'A1: no list or total event');
    assert.deepEqual(changed(a2, m2), [], 'A2: no list or total event');
    assert.deepEqual(summary(await a1.conversationList()), before, 'the server\'s list is unchanged (not the first 100 deleted)');
    assert.deepEqual(texts((await a1.messages('C2Cp003')).messageList), ['hello from p003']);
    assert.deepEqual(texts((await a1.messages('C2Cp103')).messageList), ['hello from p103']);
  });

  it('100 IDs: all deleted in one call, ONE CONVERSATION_LIST_UPDATED on the deleting session, exact totals on both sessions', async (t) => {
    const hundred = range(3, 103);
    assert.equal(hundred.length, 100);
    const m1 = a1.mark();
    const m2 = a2.mark();
    const a2Gone = a2.nextEvent(EV.LIST, (d) => hundred.every((id) => !findConv(d, id)), 20_000);
    const a2Total = a2.nextEvent(EV.TOTAL, (d) => d === 14, 20_000);
    const started = Date.now();
    const data = await a1.ok('deleteConversation', { conversationIDList: hundred });
    const took = Date.now() - started;
    assert.deepEqual([...data.conversationIDList].sort(), hundred, 'every ID deleted');
    assert.deepEqual(data.failedList, []);
    await sleep(800); // any straggling event would show within this window
    const lists = a1.eventsSince(m1, EV.LIST);
    assert.equal(lists.length, 1, `A1 emitted ${lists.length} CONVERSATION_LIST_UPDATED for the batch, not one`);
    assert.deepEqual(ids(lists[0].data), ids(localList(a1)));
    assert.equal(lists[0].data.length, 11, 'bob, carol, dave, erin and p103..p109 remain');
    const totals = a1.eventsSince(m1, EV.TOTAL);
    assert.deepEqual(totals.map((e) => e.data), [14], 'one TOTAL_UNREAD_MESSAGE_COUNT_UPDATED with the exact new total (114 - 100)');
    await a2Gone;
    assert.equal((await a2Total).data, 14, 'A2: TOTAL_UNREAD_MESSAGE_COUNT_UPDATED with the exact new total');
    await sleep(300);
    assert.equal(localTotal(a2), 14, 'A2\'s last total is the exact one');
    const a2Lists = a2.eventsSince(m2, EV.LIST).length;
    a2StormCount = a2Lists;
    t.diagnostic(`batch of 100: ${took} ms round trip; A2 (following through 100 pushes) emitted ${a2Lists} CONVERSATION_LIST_UPDATED`);
    assert.deepEqual(summary(localList(a2)), summary(localList(a1)), 'A2 agrees with A1');
    const list = await serverList();
    assert.deepEqual(summary(list), summary(localList(a1)), 'the server (a fresh login) agrees');
    assert.equal(unreadSum(list), 14);
    assert.deepEqual((await a1.messages('C2Cp050')).messageList, []);
    assert.deepEqual(await serverHistory('p050', 'C2Calice'), ['hello from p050'], 'the peer keeps its history');
  });

  // Issue 5 says "deleting 100 conversations emits one CONVERSATION_LIST_UPDATED, not 100"; the
  // deleting session does (above). The other session hears 100 conversationDeleted pushes (one per
  // conversation, docs/protocol.md); the SDK gathers pushes over 30 ms before emitting, so a burst
  // gives one event (a loaded machine may split it: a small bound, never one per push).
  it('the other session (A2) also emits a bounded number of CONVERSATION_LIST_UPDATED for a batch of 100', () => {
    assert.ok(a2StormCount !== null, 'measured by the previous test');
    assert.ok(a2StormCount <= 5, `A2 emitted ${a2StormCount} CONVERSATION_LIST_UPDATED for one batch deletion on A1`);
  });
});

describe('per-ID outcomes', () => {
  it('mixed valid / unknown / already deleted / invalid IDs: resolves with the IDs deleted and a failedList entry (2500 / 2503) for each other', async () => {
    const a2Gone = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cp103') && !findConv(d, 'C2Cp104'));
    const twelve = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, (d) => d === 12));
    const list = ['bogus', 'C2Cp103', 'C2Cnobody', 'C2Cp000', 'GROUPnope', 'C2C', 'C2Cp104'];
    const data = await a1.ok('deleteConversation', { conversationIDList: list });
    assert.deepEqual([...data.conversationIDList].sort(), ['C2Cp103', 'C2Cp104']);
    const failed = [...data.failedList].sort((a, b) => (a.conversationID < b.conversationID ? -1 : 1));
    assert.deepEqual(
      failed.map((f) => [f.conversationID, f.code]),
      [['C2C', 2503], ['C2Cnobody', 2500], ['C2Cp000', 2500], ['GROUPnope', 2500], ['bogus', 2503]],
      'one entry per ID not deleted: 2500 not in the list, 2503 not a conversation ID',
    );
    for (const f of failed) {
      assert.equal(typeof f.message, 'string');
      assert.ok(f.message.length > 0, `${f.conversationID}: the entry says why`);
      assert.deepEqual(Object.keys(f).sort(), ['code', 'conversationID', 'message']);
    }
    await a2Gone;
    await Promise.all(twelve); // TOTAL_UNREAD_MESSAGE_COUNT_UPDATED 14 - 2 on both sessions
    await sleep(200);
    for (const a of [a1, a2]) assert.equal(localTotal(a), 12, 'the last total is 14 - 2');
    assert.deepEqual(summary(await a1.conversationList()), summary(localList(a2)));
  });

  it('nothing deleted: rejects 2500 with data.failedList (and 2503 when no ID is valid); nothing changes', async () => {
    const before = summary(localList(a1));
    const m1 = a1.mark();
    const r = await a1.fails(2500, 'deleteConversation', { conversationIDList: ['C2Cnobody', 'C2Cp000', 'bogus'] });
    assert.deepEqual(r.data.conversationIDList, [], 'data.conversationIDList is empty');
    assert.deepEqual(
      r.data.failedList.map((f) => [f.conversationID, f.code]).sort(),
      [['C2Cnobody', 2500], ['C2Cp000', 2500], ['bogus', 2503]],
    );
    const r2 = await a1.fails(2503, 'deleteConversation', { conversationIDList: ['bogus', 'C2C'] });
    assert.deepEqual(r2.data.failedList.map((f) => [f.conversationID, f.code]).sort(), [['C2C', 2503], ['bogus', 2503]]);
    await sleep(300);
    assert.deepEqual(a1.eventsSince(m1).filter((e) => e.name === EV.LIST || e.name === EV.TOTAL), []);
    assert.deepEqual(summary(await a1.conversationList()), before, 'the server\'s list is unchanged');
  });
});

describe('clearHistoryMessage: false vs true', () => {
  it('false: the entry goes, a later message brings it back with the old history; true (and the default): only the new message', async () => {
    const gone = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob') && !findConv(d, 'C2Ccarol'));
    const eight = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, (d) => d === 8));
    assert.deepEqual(await a1.ok('deleteConversation', { conversationIDList: ['C2Cbob'], clearHistoryMessage: false }), {
      conversationIDList: ['C2Cbob'],
      failedList: [],
    });
    assert.deepEqual(await a1.ok('deleteConversation', { conversationIDList: ['C2Ccarol'], clearHistoryMessage: true }), {
      conversationIDList: ['C2Ccarol'],
      failedList: [],
    });
    await gone;
    await Promise.all(eight); // 12 - 2 (bob) - 2 (carol)


    // new messages bring all three back (p000 was deleted by the default flag: true)
    const back = [a1, a2].map((a) =>
      a.nextEvent(EV.LIST, (d) => ['C2Cbob', 'C2Ccarol', 'C2Cp000'].every((id) => findConv(d, id))),
    );
    const eleven = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, (d) => d === 11));
    await sendToAlice([['bob', 'b3'], ['carol', 'c3'], ['p000', 'p000 again']]);
    await Promise.all(back);
    await Promise.all(eleven); // 8 + 3 new
    for (const a of [a1, a2]) {
      const who = a === a1 ? 'A1' : 'A2';
      const list = localList(a);
      assert.equal(findConv(list, 'C2Cbob').unreadCount, 1, `${who}: only b3 is unread (the deletion read b1, b2)`);
      assert.equal(findConv(list, 'C2Cbob').lastMessage.messageForShow, 'b3');
      assert.equal(findConv(list, 'C2Ccarol').unreadCount, 1);
      assert.deepEqual(texts((await a.messages('C2Cbob')).messageList), ['b1', 'b2', 'b3'], `${who}: clearHistoryMessage false kept the history`);
      assert.deepEqual(texts((await a.messages('C2Ccarol')).messageList), ['c3'], `${who}: clearHistoryMessage true: only the new message`);
      assert.deepEqual(texts((await a.messages('C2Cp000')).messageList), ['p000 again'], `${who}: the default is true`);
    }
    const fresh = await open('alice');
    await fresh.login();
    assert.deepEqual(texts((await fresh.messages('C2Cbob')).messageList), ['b1', 'b2', 'b3'], 'a fresh login sees the same');
    assert.deepEqual(texts((await fresh.messages('C2Ccarol')).messageList), ['c3']);
    assert.deepEqual(summary(await fresh.conversationList()), summary(localList(a1)));
    assert.equal(localTotal(a1), 11, '8 + 3 new');
    assert.equal(localTotal(a2), 11);
    assert.deepEqual(await serverHistory('carol', 'C2Calice'), ['c1', 'c2', 'c3'], 'the peer keeps everything');
  });
});

describe('clearHistoryMessage(conversationID)', () => {
  it('keeps the conversation with unread 0 and a blank lastMessage, history gone on both sessions (pushed with the sync setting off too)', async () => {
    await setSync(server, false); // historyCleared is pushed whatever the setting
    const dave = findConv(localList(a1), 'C2Cdave');
    assert.equal(dave.unreadCount, 2);
    const before = localTotal(a1);
    assert.equal(before, 11);
    const cleared = [a1, a2].map((a) =>
      a.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cdave')?.unreadCount === 0 && findConv(d, 'C2Cdave').lastMessage.lastSequence === 0),
    );
    const totals = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, () => true));
    assert.deepEqual(await a1.ok('clearHistoryMessage', 'C2Cdave'), { conversationID: 'C2Cdave' });
    for (const [i, p] of cleared.entries()) {
      const c = findConv((await p).data, 'C2Cdave');
      assert.deepEqual(c.lastMessage, ABSENT_LAST_MESSAGE, `${i ? 'A2' : 'A1'}: lastMessage blank`);
    }
    for (const p of totals) assert.equal((await p).data, 9, 'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: 11 - 2');
    for (const a of [a1, a2]) {
      assert.deepEqual((await a.messages('C2Cdave')).messageList, [], 'the history is gone');
      const p = await a.ok('getConversationProfile', 'C2Cdave');
      assert.equal(p.conversation.unreadCount, 0);
      assert.deepEqual(p.conversation.lastMessage, ABSENT_LAST_MESSAGE);
    }
    assert.ok(findConv(await a1.conversationList(), 'C2Cdave'), 'still in the server\'s list');
    assert.deepEqual(await serverHistory('dave', 'C2Calice'), ['d1', 'd2'], 'dave keeps his');
    await a1.fails(2500, 'clearHistoryMessage', 'C2Cnobody');
    await a1.fails(2500, 'clearHistoryMessage', 'C2Cp050');
    await a1.fails(2503, 'clearHistoryMessage', 'bogus');

    // a new message shows alone
    const back = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cdave')?.lastMessage.messageForShow === 'd3'));
    await sendToAlice([['dave', 'd3']]);
    await Promise.all(back);
    for (const a of [a1, a2]) {
      assert.equal(findConv(localList(a), 'C2Cdave').unreadCount, 1);
      assert.deepEqual(texts((await a.messages('C2Cdave')).messageList), ['d3']);
    }
    await setSync(server, true);
  });

  it('after a reload each session shows the server\'s list and totals, from its cache first (no stale count survives)', async () => {
    const server_ = summary(await serverList());
    assert.equal(unreadSum(await a1.conversationList()), 10);
    for (const a of [a1, a2]) {
      await a.reload();
      const firstList = a.nextEvent(EV.LIST, () => true);
      const firstTotal = a.nextEvent(EV.TOTAL, () => true);
      await a.login();
      assert.deepEqual(summary((await firstList).data), server_, `${a === a1 ? 'A1' : 'A2'}: the first list after the reload (the cache) is the server's`);
      assert.equal((await firstTotal).data, 10, 'and so is the first total');
      await sleep(300);
      assert.deepEqual(summary(localList(a)), server_);
      assert.equal(localTotal(a), 10);
    }
  });
});
