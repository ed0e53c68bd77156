// Issue 6 in real browsers: the IndexedDB cache, reconnecting, and deletions that are never lost.
// - Reload with the server down: the cached list (without a deleted conversation) and messages.
// - Delete while the server is down (offline start), close and reopen the page, start the server on
//   the same port and database: the outbox reaches the server by itself, applied exactly once
//   (checked in the user's event log on the server, the admin REST list, a second device).
// - The connection killed mid-request (frametap.mjs: cut right after the deleteConversation frame
//   reached the server, or right before): pending: true, exactly one deletion after the reconnect,
//   a new message from the peer during the cut survives the replay.
// - offlineDeletion: false gives the documented network errors and changes nothing.
// - NET_STATE_CHANGE on a cut.
// Pages come from AppSite (appsite.mjs), the app's own origin, so they load while tim-server is down.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, texts, findConv, until, sleep } from './harness.mjs';
import { EV, setSync, restOk, localList, localTotal, summary, ids } from './admin.mjs';
import { AppSite, openSiteUser, loginOnline, loginOffline, readCache } from './appsite.mjs';
import { rawSendEach, rawJobs, eventLog, deletionsOf } from './rawws.mjs';
import { FrameTap } from './frametap.mjs';
import { isRequest, opOf } from './wire.mjs';

let browser, site;
before(async () => {
  browser = await launchBrowser();
  site = await new AppSite().start();
});
after(async () => {
  if (browser) await browser.close();
  if (site) await site.close();
});

/** A fresh tim-server (own database) for one suite, with helpers; pages come from the AppSite. */
function useWorld({ sync = false } = {}) {
  const w = { server: null, site: null, probe: null, contexts: [] };
  before(async () => {
    w.server = await new Server().start();
    w.site = site.forServer(w.server);
    if (sync) await setSync(w.server, true);
    w.probe = await w.open('probe'); // raw protocol clients run in this page
  });
  after(async () => {
    for (const c of w.contexts) await c.close().catch(() => {});
    if (w.server) await w.server.dispose();
  });
  /** A page for `userID` in `context` (a new browser context, i.e. a new device, if none). */
  w.open = async (userID, { context, site: s } = {}) => {
    const ctx = context || (await browser.newContext());
    if (!context) w.contexts.push(ctx);
    return openSiteUser(browser, s || w.site, userID, { context: ctx });
  };
  /** Peers send alice texts: [[from, text], ...], in order. */
  w.send = async (pairs, to = 'alice') => {
    const out = [];
    for (const [userID, text] of pairs) out.push(...(await rawSendEach(w.probe.page, w.server, [{ userID, to, text }])));
    return out;
  };
  /** `userID`'s history of `conversationID` on the server (a raw getMessageList). */
  w.history = async (userID, conversationID) => {
    const [answers] = await rawJobs(w.probe.page, w.server.wsURL, w.server.sdkAppID, [
      { userID, userSig: w.server.sig(userID), requests: [{ op: 'getMessageList', args: { conversationID, count: 100 } }] },
    ]);
    assert.equal(answers[1].t, 'reply', JSON.stringify(answers[1]));
    return answers[1].value.messages.map((m) => m.body.text);
  };
  /** The peers in alice's list on the server (admin REST recentcontact/get_list). */
  w.restList = async (userID = 'alice') =>
    (await restOk(w.server, 'recentcontact/get_list', { From_Account: userID })).SessionItem.map((s) => s.To_Account).sort();
  /** The newest entry of the user's event log. */
  w.latestEvent = async (userID = 'alice') => (await eventLog(w.probe.page, w.server, userID, 0)).latestEvent;
  /** conversationDeleted entries for `id` in the user's log after `after`. */
  w.deletions = async (id, after, userID = 'alice') => deletionsOf(await eventLog(w.probe.page, w.server, userID, after), id);
  /** A fresh device (new context, nothing cached) logged in as alice: the server's list and histories. */
  w.fresh = async () => {
    const u = await w.open('alice');
    await loginOnline(u);
    return u;
  };
  return w;
}

const netStates = (user, mark) => user.eventsSince(mark, EV.NET).map((e) => e.data.state);
const collapse = (states) => states.filter((s, i) => i === 0 || states[i - 1] !== s);

/** How many times `id` left `user`'s list (CONVERSATION_LIST_UPDATED with it, then one without) since `mark`. */
function removals(user, mark, id) {
  const before = user.events.slice(0, mark).filter((e) => e.name === EV.LIST);
  let had = before.length ? !!findConv(before.at(-1).data, id) : false;
  let n = 0;
  for (const e of user.eventsSince(mark, EV.LIST)) {
    const has = !!findConv(e.data, id);
    if (had && !has) n++;
    had = has;
  }
  return n;
}

/** Waits until the SDK's outbox in IndexedDB is empty (everything reached the server). */
async function outboxDrained(user, sdkAppID, timeout = 30_000) {
  await until(async () => (await readCache(user, sdkAppID))?.outbox.length === 0, `${user.userID}: the outbox to drain`, { timeout });
}

// ---------------------------------------------------------------------------------------------

describe('reload with the server down: the cache shows the list without the deleted conversation', () => {
  const w = useWorld();
  let ctx, alice;

  before(async () => {
    await w.send([['bob', 'b1'], ['bob', 'b2'], ['carol', 'c1'], ['carol', 'c2'], ['dave', 'd1']]);
    alice = await w.open('alice');
    ctx = alice.context;
    const five = alice.nextEvent(EV.TOTAL, (d) => d === 5);
    await loginOnline(alice);
    await five;
    // recent messages reach the cache: fetched (carol), pushed live (erin), sent (alice to dave)
    assert.deepEqual(texts((await alice.messages('C2Ccarol')).messageList), ['c1', 'c2']);
    assert.deepEqual(texts((await alice.messages('C2Cbob')).messageList), ['b1', 'b2']);
    const erin = alice.nextEvent(EV.LIST, (d) => !!findConv(d, 'C2Cerin'));
    await w.send([['erin', 'e1']]);
    await erin;
    await alice.send('dave', 'a to dave');
  });

  it('alice deletes C2Cbob, the server stops, the page reloads: login resolves offline: true, SDK_READY, the cached list without C2Cbob and the cached messages', async () => {
    assert.deepEqual(await alice.ok('deleteConversation', 'C2Cbob'), { conversationID: 'C2Cbob' });
    // the cache no longer holds C2Cbob's entry or messages (the deletion's own write)
    await until(async () => {
      const c = await readCache(alice, w.server.sdkAppID);
      return c && !c.conversations.some((x) => x.conversationID === 'C2Cbob');
    }, 'the cache to drop C2Cbob', { timeout: 5000 });
    const cache = await readCache(alice, w.server.sdkAppID);
    assert.deepEqual(cache.messages.filter((m) => m.conversationID === 'C2Cbob'), [], 'C2Cbob\'s cached messages are gone');
    assert.deepEqual(cache.outbox, [], 'an answered deletion leaves nothing in the outbox');

    await w.server.stop();
    await alice.reload();
    const events = await loginOffline(alice, {});
    const names = events.map((e) => e.name);
    assert.ok(names.includes(EV.LIST), `CONVERSATION_LIST_UPDATED from the cache before SDK_READY: ${names}`);
    const list = events.filter((e) => e.name === EV.LIST).at(-1).data;
    assert.deepEqual(ids(list), ['C2Ccarol', 'C2Cdave', 'C2Cerin'], 'the cached list, without C2Cbob');
    assert.equal(findConv(list, 'C2Ccarol').unreadCount, 2);
    assert.equal(findConv(list, 'C2Cerin').lastMessage.messageForShow, 'e1');
    assert.equal(findConv(list, 'C2Cdave').lastMessage.messageForShow, 'a to dave');
    assert.equal(events.filter((e) => e.name === EV.TOTAL).at(-1)?.data, 4, 'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED from the cache: 2 + 1 + 1');
    const states = events.filter((e) => e.name === EV.NET).map((e) => e.data.state);
    assert.deepEqual(states, ['connecting', 'disconnected'], 'NET_STATE_CHANGE: the login tried, then offline');
    assert.equal(names.at(-1), 'sdkStateReady');

    // cached messages, while offline
    assert.deepEqual(texts((await alice.messages('C2Ccarol')).messageList), ['c1', 'c2'], 'fetched messages are cached');
    assert.deepEqual(texts((await alice.messages('C2Cerin')).messageList), ['e1'], 'pushed messages are cached');
    assert.equal(texts((await alice.messages('C2Cdave')).messageList).at(-1), 'a to dave', 'sent messages are cached');
    assert.deepEqual((await alice.messages('C2Cbob')).messageList, [], 'nothing of C2Cbob comes back from the cache');
    const page = await alice.messages('C2Ccarol', { count: 1 });
    assert.deepEqual(texts(page.messageList), ['c2'], 'paging works on the cache');
    assert.equal(page.isCompleted, false);
    assert.deepEqual(texts((await alice.messages('C2Ccarol', { count: 1, nextReqMessageID: page.nextReqMessageID })).messageList), ['c1']);
  });

  it('getConversationList while offline resolves with the cached list (what an app calls on SDK_READY)', async () => {
    const r = await alice.call('getConversationList');
    assert.ok(r.ok, `getConversationList after an offline start should serve the cache, rejected ${r.code} ${r.message}`);
    assert.deepEqual(ids(r.value.data.conversationList), ['C2Ccarol', 'C2Cdave', 'C2Cerin']);
  });

  it('the server comes back: the SDK reconnects by itself; C2Cbob stays gone everywhere', async () => {
    const mark = alice.mark();
    const connected = alice.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    await w.server.restart();
    await connected;
    assert.equal(netStates(alice, mark).at(-1), 'connected');
    assert.deepEqual(ids(await alice.conversationList()), ['C2Ccarol', 'C2Cdave', 'C2Cerin']);
    assert.equal(findConv(localList(alice), 'C2Cbob'), undefined);
    assert.deepEqual((await alice.messages('C2Cbob')).messageList, []);
    assert.deepEqual(await w.restList(), ['carol', 'dave', 'erin']);
    assert.deepEqual(await w.history('bob', 'C2Calice'), ['b1', 'b2'], 'bob keeps his history');
  });

  it('a page closed right after deleteConversation resolved (online), reopened with the server down: still gone', async () => {
    // The Promise is the app's only signal that the deletion is done: the page may go right after.
    const navigated = alice.page.waitForURL('about:blank');
    await alice.page
      .evaluate(async () => {
        const r = await window.tim.deleteConversation('C2Cdave');
        location.href = 'about:blank';
        return r.data;
      })
      .catch(() => {}); // the navigation may end the evaluation before its answer
    await navigated;
    assert.deepEqual(await w.restList(), ['carol', 'erin'], 'the deletion was answered by the server');
    await w.server.stop();
    await alice.reload();
    const events = await loginOffline(alice);
    const list = events.filter((e) => e.name === EV.LIST).at(-1)?.data ?? [];
    assert.deepEqual(ids(list), ['C2Ccarol', 'C2Cerin'], 'the cache does not bring C2Cdave back');
    assert.deepEqual((await alice.messages('C2Cdave')).messageList, [], 'nor its messages');
    await w.server.restart();
  });
});

// ---------------------------------------------------------------------------------------------

describe('delete while the server is down, close and reopen the page, the server comes back', () => {
  const w = useWorld({ sync: true }); // each server-side deletion is then logged: exactly-once is countable
  let ctx, alice, since;

  before(async () => {
    await w.send([['bob', 'b1'], ['bob', 'b2'], ['carol', 'c1']]);
    alice = await w.open('alice');
    ctx = alice.context;
    await loginOnline(alice);
    await until(() => localList(alice).length === 2, 'alice\'s list');
    since = await w.latestEvent();
  });

  it('offline start, deleteConversation resolves { pending: true } at once with its events; after close/reopen and the restart it reaches the server exactly once', async () => {
    const down = alice.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await w.server.stop();
    await down;
    await alice.reload();
    await loginOffline(alice);
    assert.deepEqual(ids(localList(alice)), ['C2Cbob', 'C2Ccarol']);

    const gone = alice.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob'));
    const total = alice.nextEvent(EV.TOTAL, (d) => d === 1);
    const t0 = Date.now();
    const data = await alice.ok('deleteConversation', 'C2Cbob');
    const took = Date.now() - t0;
    assert.deepEqual(data, { conversationID: 'C2Cbob', pending: true }, 'resolves with pending: true');
    assert.ok(took < 2000, `resolves at once (took ${took} ms)`);
    assert.deepEqual(ids((await gone).data), ['C2Ccarol'], 'CONVERSATION_LIST_UPDATED without it');
    assert.equal((await total).data, 1, 'TOTAL_UNREAD_MESSAGE_COUNT_UPDATED: only carol\'s');
    assert.deepEqual((await alice.messages('C2Cbob')).messageList, []);
    let cache = await readCache(alice, w.server.sdkAppID);
    assert.equal(cache.outbox.length, 1, 'one deletion kept in the outbox');
    assert.equal(cache.outbox[0].conversationID, 'C2Cbob');
    assert.equal(cache.outbox[0].upToSeq, 2, 'covering what alice had seen (b1, b2)');
    await alice.fails(2500, 'deleteConversation', 'C2Cbob'); // deleting it again: not in the list

    // close the page; a new page of the same browser context (same IndexedDB), offline again
    await alice.page.close();
    alice = await w.open('alice', { context: ctx });
    await loginOffline(alice);
    assert.deepEqual(ids(localList(alice)), ['C2Ccarol'], 'the reopened page does not show it');
    cache = await readCache(alice, w.server.sdkAppID);
    assert.equal(cache.outbox.length, 1, 'the outbox survived the page');

    // the server comes back on the same port and database; the page reconnects by itself
    const connected = alice.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    await w.server.restart();
    await connected;
    await outboxDrained(alice, w.server.sdkAppID);

    // the server's state: deleted exactly once; bob's history intact
    assert.deepEqual(await w.restList(), ['carol'], 'admin REST get_list: only carol');
    assert.equal((await w.deletions('C2Cbob', since)).length, 1, 'exactly one conversationDeleted for C2Cbob in alice\'s event log');
    assert.deepEqual(await w.history('bob', 'C2Calice'), ['b1', 'b2'], 'bob keeps his history');
    const fresh = await w.fresh();
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Ccarol'], 'a second device does not list it');
    assert.deepEqual((await fresh.messages('C2Cbob')).messageList, [], 'nor its history');
    assert.deepEqual(summary(localList(alice)), summary(await fresh.conversationList()));

    // later: bob writes again; alice's conversation comes back with only that message, on both
    const back = [alice, fresh].map((a) => a.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cbob')?.lastMessage.messageForShow === 'b3'));
    await w.send([['bob', 'b3']]);
    await Promise.all(back);
    for (const a of [alice, fresh]) {
      assert.deepEqual(texts((await a.messages('C2Cbob')).messageList), ['b3']);
      assert.equal(findConv(localList(a), 'C2Cbob').unreadCount, 1);
    }
    assert.equal((await w.deletions('C2Cbob', since)).length, 1, 'still one deletion (no late replay)');
  });
});

// ---------------------------------------------------------------------------------------------

describe('the connection killed mid-request: pending, then exactly one deletion', () => {
  const w = useWorld({ sync: true });
  let tap, a1, a2;

  before(async () => {
    tap = await new FrameTap(Number(new URL(w.server.url).port)).start();
    a1 = await w.open('alice', { site: site.forServer(w.server, tap.wsURL) });
    await loginOnline(a1);
    assert.equal(tap.open, 1, 'A1 talks to the server through the tap');
    a2 = await w.open('alice'); // a second device, direct
    await loginOnline(a2);
  });
  after(async () => {
    if (tap) await tap.close();
  });

  /** A1 online again (a test that failed midway may have left the tap cut). */
  async function a1Online() {
    if (!tap.up) {
      const back = a1.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
      await tap.restore();
      await back;
    }
    await outboxDrained(a1, w.server.sdkAppID);
  }

  /** `peer` writes alice once; both sessions show it. */
  async function conversationWith(peer, text) {
    const seen = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => findConv(d, `C2C${peer}`)?.lastMessage.messageForShow === text));
    await w.send([[peer, text]]);
    await Promise.all(seen);
  }

  /** Cuts A1 on its deleteConversation frame (delivered or not) and deletes; returns the result. */
  async function deleteWithCut(id, deliver) {
    const cut = tap.cutOn((text) => isRequest('deleteConversation')(text) && text.includes(id), { deliver });
    const down = a1.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    const r = await a1.call('deleteConversation', id);
    const frame = JSON.parse(await cut);
    await down;
    return { r, frame };
  }

  for (const deliver of [true, false]) {
    it(`sendMessage in flight when the connection drops (frame ${deliver ? 'delivered' : 'lost'}): retried after the reconnect with the same ID, stored exactly once`, async () => {
      await a1Online();
      const text = `in flight ${deliver ? 'delivered' : 'lost'}`;
      const cut = tap.cutOn((t) => isRequest('sendMessage')(t) && t.includes(text), { deliver });
      const sending = a1.page.evaluate(([to, x]) => window.__sendText(to, x), ['carl', text]);
      await cut;
      await sleep(300); // A1 has seen the drop and is reconnecting
      await tap.restore();
      const r = await sending;
      assert.ok(r.ok, `sendMessage resolved after the reconnect: ${JSON.stringify(r)}`);
      assert.equal(r.value.data.message.ID, r.created.ID, 'the same message, by its ID');
      assert.equal(r.value.data.message.status, 'success');
      const carl = await w.history('carl', 'C2Calice');
      assert.equal(carl.filter((t) => t === text).length, 1, `stored once: ${JSON.stringify(carl)}`);
    });
  }

  it('on a plain cut, NET_STATE_CHANGE is disconnected, connecting, connected', async () => {
    await a1Online();
    const mark = a1.mark();
    const down = a1.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await tap.cut();
    await down;
    const connecting = a1.nextEvent(EV.NET, (d) => d.state === 'connecting');
    await tap.restore(); // back before the first retry (0.35 to 0.65 s later)
    await connecting;
    await a1.nextEvent(EV.NET, (d) => d.state === 'connected', 15_000);
    assert.deepEqual(netStates(a1, mark), ['disconnected', 'connecting', 'connected']);

    // a longer cut: retries repeat "connecting", never another "disconnected"
    const m2 = a1.mark();
    const down2 = a1.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await tap.cut();
    await down2;
    await sleep(2500);
    const back = a1.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    await tap.restore();
    await back;
    assert.deepEqual(collapse(netStates(a1, m2)), ['disconnected', 'connecting', 'connected'], `states: ${netStates(a1, m2)}`);
  });

  it('deleting while cut off (not mid-request) resolves pending at once; on reconnect the server deletes it once', async () => {
    await a1Online();
    await conversationWith('bob0', 'x1');
    const since = await w.latestEvent();
    const m2 = a2.mark();
    const down = a1.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await tap.cut();
    await down;
    const gone = a1.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob0'));
    assert.deepEqual(await a1.ok('deleteConversation', 'C2Cbob0'), { conversationID: 'C2Cbob0', pending: true });
    await gone;
    assert.ok((await w.restList()).includes('bob0'), 'not on the server yet');
    const removed = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob0'), 30_000);
    await tap.restore();
    await removed;
    await outboxDrained(a1, w.server.sdkAppID);
    assert.equal((await w.deletions('C2Cbob0', since)).length, 1, 'one conversationDeleted in alice\'s log');
    assert.equal(removals(a2, m2, 'C2Cbob0'), 1, 'A2 saw it go once');
    assert.ok(!(await w.restList()).includes('bob0'));
  });

  for (const deliver of [true, false]) {
    const how = deliver ? 'the frame reached the server, its answer was lost' : 'the frame was lost before the server';
    it(`${how}: resolves pending: true; after the reconnect exactly one deletion; a later message brings it back alone`, async () => {
      await a1Online();
      const peer = deliver ? 'bob1' : 'bob2';
      const id = `C2C${peer}`;
      await conversationWith(peer, 'old');
      const since = await w.latestEvent();
      const m1 = a1.mark();
      const m2 = a2.mark();
      const gone = a1.nextEvent(EV.LIST, (d) => !findConv(d, id));
      const { r, frame } = await deleteWithCut(id, deliver);
      assert.ok(r.ok, `deleteConversation resolves: ${JSON.stringify(r)}`);
      assert.deepEqual(r.value.data, { conversationID: id, pending: true }, 'the answer was lost: pending');
      assert.equal(opOf(frame), 'deleteConversation');
      await gone;
      if (deliver) {
        await until(async () => !(await w.restList()).includes(peer), 'the server to have applied the delivered frame');
      } else {
        assert.ok((await w.restList()).includes(peer), 'the server never saw it');
      }
      const connected = a1.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
      await tap.restore();
      await connected;
      await outboxDrained(a1, w.server.sdkAppID);
      await until(() => !findConv(localList(a2), id), 'A2 to drop it');
      await sleep(300);
      assert.equal((await w.deletions(id, since)).length, 1, 'exactly one conversationDeleted in alice\'s event log');
      assert.equal(removals(a2, m2, id), 1, 'A2 emitted one CONVERSATION_LIST_UPDATED removing it');
      assert.ok(!(await w.restList()).includes(peer), 'gone on the server');
      assert.deepEqual(collapse(netStates(a1, m1)), ['disconnected', 'connecting', 'connected']);

      const back = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => findConv(d, id)?.lastMessage.messageForShow === 'new'));
      await w.send([[peer, 'new']]);
      await Promise.all(back);
      for (const a of [a1, a2]) {
        assert.deepEqual(texts((await a.messages(id)).messageList), ['new'], 'only the new message');
        assert.equal(findConv(localList(a), id).unreadCount, 1);
      }
      const fresh = await w.fresh();
      assert.deepEqual(texts((await fresh.messages(id)).messageList), ['new']);
      assert.deepEqual(summary(await fresh.conversationList()), summary(localList(a1)), 'A1 agrees with the server');
      assert.deepEqual(summary(localList(a2)), summary(localList(a1)), 'A2 agrees too');
      await fresh.close();
    });

    it(`${how}, then the peer writes during the cut: the replay deletes only what alice had seen (the new message stays)`, async () => {
      await a1Online();
      const peer = deliver ? 'bob3' : 'bob4';
      const id = `C2C${peer}`;
      await conversationWith(peer, 'seen');
      const since = await w.latestEvent();
      const { r } = await deleteWithCut(id, deliver);
      assert.deepEqual(r.value?.data, { conversationID: id, pending: true }, JSON.stringify(r));
      if (deliver) await until(async () => !(await w.restList()).includes(peer), 'the server to have applied the delivered frame');
      // A1 is cut off; the peer writes: alice never saw this message, no deletion of hers meant it
      const a2Sees = a2.nextEvent(EV.LIST, (d) => findConv(d, id)?.lastMessage.messageForShow === 'during');
      await w.send([[peer, 'during']]);
      await a2Sees;
      const connected = a1.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
      await tap.restore();
      await connected;
      await outboxDrained(a1, w.server.sdkAppID);
      await sleep(500);
      const fresh = await w.fresh();
      const serverConv = findConv(await fresh.conversationList(), id);
      const serverHist = texts((await fresh.messages(id)).messageList);
      await fresh.close();
      assert.ok(serverConv, `the server must still list ${id} (the message came after what the deletion covered); history ${JSON.stringify(serverHist)}`);
      assert.deepEqual(serverHist, ['during'], 'only the message alice had not seen');
      assert.equal(serverConv.unreadCount, 1);
      for (const a of [a1, a2]) {
        const who = a === a1 ? 'A1' : 'A2';
        assert.equal(findConv(localList(a), id)?.lastMessage.messageForShow, 'during', `${who} shows it`);
        assert.deepEqual(texts((await a.messages(id)).messageList), ['during'], `${who}: only the new message`);
      }
      assert.ok((await w.deletions(id, since)).length <= 1, 'never two deletions logged');
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('offlineDeletion: false', () => {
  const w = useWorld();
  let tap, a;

  before(async () => {
    tap = await new FrameTap(Number(new URL(w.server.url).port)).start();
    await w.send([['bob', 'b1']]);
    a = await w.open('alice', { site: site.forServer(w.server, tap.wsURL) });
    await loginOnline(a, { offlineDeletion: false });
  });
  after(async () => {
    if (tap) await tap.close();
  });

  it('deleteConversation while disconnected rejects 2805 and changes nothing; with the answer lost it rejects 2800', async () => {
    const down = a.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await tap.cut();
    await down;
    const mark = a.mark();
    await a.fails(2805, 'deleteConversation', 'C2Cbob');
    await sleep(300);
    assert.deepEqual(a.eventsSince(mark).filter((e) => e.name === EV.LIST || e.name === EV.TOTAL), [], 'no list or total event');
    assert.equal(findConv(localList(a), 'C2Cbob')?.unreadCount, 1, 'still listed, still unread');
    assert.deepEqual((await readCache(a, w.server.sdkAppID)).outbox, [], 'nothing kept for later');
    const back = a.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    await tap.restore();
    await back;
    await sleep(300);
    assert.deepEqual(await w.restList(), ['bob'], 'the server still has it');
    assert.ok(findConv(await a.conversationList(), 'C2Cbob'));

    // the frame lost on the way: the documented 2800, nothing applied anywhere
    const m2 = a.mark();
    const cut = tap.cutOn(isRequest('deleteConversation'), { deliver: false });
    await a.fails(2800, 'deleteConversation', 'C2Cbob');
    await cut;
    await sleep(300);
    assert.deepEqual(a.eventsSince(m2).filter((e) => e.name === EV.LIST && !findConv(e.data, 'C2Cbob')), [], 'not dropped locally');
    assert.deepEqual((await readCache(a, w.server.sdkAppID)).outbox, []);
    const back2 = a.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    await tap.restore();
    await back2;
    assert.deepEqual(await w.restList(), ['bob'], 'the server still has it');
    assert.deepEqual(ids(await a.conversationList()), ['C2Cbob']);
    assert.equal(localTotal(a), 1);
  });
});
