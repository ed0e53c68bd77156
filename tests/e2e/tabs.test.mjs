// Issue 6, tabs: two pages of the same browser context (same origin, same IndexedDB, same
// BroadcastChannel) logged in as alice share one local state. With the app's sync setting OFF (so
// the server tells no other session), a deletion in tab 1 shows in tab 2 at once: the tab channel,
// not the server; another device (another context) is not told. Offline too: a deletion made with
// the server down shows in the other tab, neither tab shows it after a reload with the server down,
// and the shared outbox reaches the server exactly once although both tabs reconnect. Both tabs
// writing the cache at once leave it consistent.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, texts, findConv, until, sleep } from './harness.mjs';
import { EV, getSync, localList, localTotal, summary, ids, assertQuiet, restOk } from './admin.mjs';
import { AppSite, openSiteUser, loginOnline, loginOffline, readCache } from './appsite.mjs';
import { rawSendEach, eventLog, deletionsOf } from './rawws.mjs';

let browser, site, server, s, probe;
let ctx, t1, t2, device;
const contexts = [];

async function newContext() {
  const c = await browser.newContext();
  contexts.push(c);
  return c;
}

async function send(pairs) {
  for (const [userID, text] of pairs) await rawSendEach(probe.page, server, [{ userID, to: 'alice', text }]);
}

const restList = async () =>
  (await restOk(server, 'recentcontact/get_list', { From_Account: 'alice' })).SessionItem.map((x) => x.To_Account).sort();

before(async () => {
  browser = await launchBrowser();
  site = await new AppSite().start();
  server = await new Server().start();
  s = site.forServer(server);
  assert.equal(await getSync(server), false, 'the sync setting is off (the default)');
  probe = await openSiteUser(browser, s, 'probe', { context: await newContext() });
  await send([['bob', 'b1'], ['bob', 'b2'], ['carol', 'c1'], ['dave', 'd1'], ['dave', 'd2'], ['erin', 'e1']]);
  ctx = await newContext();
  t1 = await openSiteUser(browser, s, 'alice', { context: ctx });
  t2 = await openSiteUser(browser, s, 'alice', { context: ctx });
  device = await openSiteUser(browser, s, 'alice', { context: await newContext() });
  for (const u of [t1, t2, device]) {
    const six = u.nextEvent(EV.TOTAL, (d) => d === 6);
    await loginOnline(u);
    await six;
  }
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  if (browser) await browser.close();
  if (site) await site.close();
  if (server) await server.dispose();
});

describe('two tabs of alice in one browser', () => {
  it('a deletion in tab 1 shows in tab 2 at once with the sync setting off; another device is not told', async () => {
    const m2 = t2.mark();
    const md = device.mark();
    const gone = t2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob'), 2000);
    const total = t2.nextEvent(EV.TOTAL, (d) => d === 4, 2000);
    const t0 = Date.now();
    assert.deepEqual(await t1.ok('deleteConversation', 'C2Cbob'), { conversationID: 'C2Cbob' });
    const list = (await gone).data;
    const took = Date.now() - t0;
    assert.deepEqual(ids(list), ['C2Ccarol', 'C2Cdave', 'C2Cerin'], 'tab 2 emits CONVERSATION_LIST_UPDATED without C2Cbob');
    assert.equal((await total).data, 4, 'and TOTAL_UNREAD_MESSAGE_COUNT_UPDATED with the new total (6 - 2)');
    assert.ok(took < 2000, `at once (${took} ms)`);
    assert.deepEqual(t2.eventsSince(m2, EV.NET), [], 'tab 2 did not reconnect or reload');
    // the control: with sync off the server tells nobody, so the other device keeps showing it
    await assertQuiet(device, md, 1000, (e) => e.name === EV.LIST && !findConv(e.data, 'C2Cbob'), 'another device is not told (sync off): the tabs used their own channel');
    assert.deepEqual((await t2.messages('C2Cbob')).messageList, [], 'tab 2: no history');
    assert.deepEqual(summary(localList(t2)), summary(localList(t1)), 'the tabs agree');
  });

  it('the batch form with clearHistoryMessage false shows in tab 2 at once too', async () => {
    const md = device.mark();
    const gone = t2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Ccarol'), 2000);
    const total = t2.nextEvent(EV.TOTAL, () => true, 2000);
    const data = await t1.ok('deleteConversation', { conversationIDList: ['C2Ccarol'], clearHistoryMessage: false });
    assert.deepEqual(data, { conversationIDList: ['C2Ccarol'], failedList: [] });
    assert.deepEqual(ids((await gone).data), ['C2Cdave', 'C2Cerin']);
    assert.equal((await total).data, 3, 'tab 2: the new total (4 - 1)');
    await assertQuiet(device, md, 500, (e) => e.name === EV.LIST && !findConv(e.data, 'C2Ccarol'), 'another device is not told');
  });

  it('with the server down: a deletion in tab 1 is pending and shows in tab 2 at once; reloaded, neither tab shows it; the shared outbox reaches the server once', async () => {
    const since = (await eventLog(probe.page, server, 'alice', 0)).latestEvent;
    const downs = [t1, t2, device].map((u) => u.nextEvent(EV.NET, (d) => d.state === 'disconnected'));
    await server.stop();
    await Promise.all(downs);

    const gone = t2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cdave'), 2000);
    const total = t2.nextEvent(EV.TOTAL, (d) => d === 1, 2000);
    assert.deepEqual(await t1.ok('deleteConversation', 'C2Cdave'), { conversationID: 'C2Cdave', pending: true });
    assert.deepEqual(ids((await gone).data), ['C2Cerin'], 'tab 2 drops it at once, the server being down');
    assert.equal((await total).data, 1);
    assert.equal((await readCache(t2, server.sdkAppID)).outbox.length, 1, 'one shared outbox entry');

    // both tabs reloaded with the server down: the cache has neither C2Cbob (deleted online) nor C2Cdave
    for (const t of [t1, t2]) {
      await t.reload();
      const events = await loginOffline(t);
      const list = events.filter((e) => e.name === EV.LIST).at(-1)?.data ?? localList(t);
      assert.deepEqual(ids(list), ['C2Cerin'], `${t === t1 ? 'tab 1' : 'tab 2'} after the reload: only erin`);
      assert.deepEqual((await t.messages('C2Cdave')).messageList, []);
      assert.deepEqual((await t.messages('C2Cbob')).messageList, []);
    }
    assert.equal((await readCache(t1, server.sdkAppID)).outbox.length, 1, 'the outbox is still there');

    // the setting on (CLI on the database while the server is down), so each server-side deletion
    // is logged and pushed: the count below is the number of times the server applied it
    server.cli('app', 'set', '--sdkappid', String(server.sdkAppID), '--sync-conversation-deletion', 'true');
    const md = device.mark();
    const ups = [t1, t2].map((t) => t.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000));
    const deviceGone = device.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cdave'), 30_000);
    await server.restart();
    await Promise.all(ups); // both tabs reconnect and both may send the shared outbox
    await until(async () => (await readCache(t1, server.sdkAppID)).outbox.length === 0, 'the outbox to drain', { timeout: 30_000 });
    await deviceGone;
    await sleep(500);
    assert.equal(deletionsOf(await eventLog(probe.page, server, 'alice', since), 'C2Cdave').length, 1, 'the server applied it exactly once');
    const removed = device.eventsSince(md, EV.LIST).filter((e) => !findConv(e.data, 'C2Cdave')).length;
    assert.ok(removed >= 1);
    assert.deepEqual(await restList(), ['erin'], 'the server: only erin');
    for (const t of [t1, t2]) assert.deepEqual(ids(await t.conversationList()), ['C2Cerin']);
    assert.deepEqual(texts((await t1.messages('C2Cerin')).messageList), ['e1']);
  });

  it('both tabs writing the cache at once leave it consistent: a reload with the server down shows the server\'s list', async () => {
    const peers = ['p1', 'p2', 'p3'];
    const done = [t1, t2].map((t) =>
      t.nextEvent(EV.LIST, (d) => peers.every((p) => findConv(d, `C2C${p}`)?.lastMessage.messageForShow === `${p} #10`), 30_000),
    );
    for (let i = 1; i <= 10; i++) {
      await rawSendEach(probe.page, server, peers.map((p) => ({ userID: p, to: 'alice', text: `${p} #${i}` })), { concurrency: 3 });
    }
    await Promise.all(done);
    // tab 2 reads p2 (the server pushes the read to tab 1 too, and tab 1 gets the tab note)
    const read = t1.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cp2')?.unreadCount === 0, 5000);
    await t2.ok('setMessageRead', { conversationID: 'C2Cp2' });
    await read;
    // tab 1 deletes p3 while tab 2 receives more
    const p1More = t2.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cp1')?.lastMessage.messageForShow === 'p1 #11', 10_000);
    await Promise.all([t1.ok('deleteConversation', 'C2Cp3'), rawSendEach(probe.page, server, [{ userID: 'p1', to: 'alice', text: 'p1 #11' }])]);
    await p1More;
    await until(() => !findConv(localList(t2), 'C2Cp3'), 'tab 2 to drop p3');
    const fresh = await openSiteUser(browser, s, 'alice', { context: await newContext() });
    await loginOnline(fresh);
    const serverList = summary(await fresh.conversationList());
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Cerin', 'C2Cp1', 'C2Cp2']);
    await sleep(500); // the last cache writes of both tabs
    await server.stop();
    for (const t of [t1, t2]) {
      await t.reload();
      const events = await loginOffline(t);
      const list = events.filter((e) => e.name === EV.LIST).at(-1)?.data;
      assert.ok(list, 'the cached list is shown');
      assert.deepEqual(summary(list), serverList, `${t === t1 ? 'tab 1' : 'tab 2'}: the cache holds the server's list, unread counts included`);
      assert.equal(localTotal(t), 12, 'p1: 11 unread, p2: 0, erin: 1');
    }
    const cache = await readCache(t1, server.sdkAppID);
    assert.deepEqual(cache.outbox, []);
    assert.deepEqual(
      cache.messages.map((m) => m.conversationID).sort().filter((id) => id === 'C2Cp3'),
      [],
      'no cached messages of the deleted conversation',
    );
    const p1 = cache.messages.find((m) => m.conversationID === 'C2Cp1');
    assert.deepEqual(p1.messages.map((m) => m.seq), [...Array(11).keys()].map((i) => i + 1), 'p1\'s pushed messages cached once each, in order');
    await server.restart();
  });
});
