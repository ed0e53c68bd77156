// Issue 13's paging in a real browser: the server answers getConversationList and a reconnect's
// catch-up in bounded pages (here 7 conversations and 5 events a page: `serve --list-page 7
// --catch-up-page 5`), and the SDK asks for the next pages itself. The JS API is unchanged:
// getConversationList gives every conversation, SDK_READY comes once the whole list is in, and a
// reconnect that missed several pages applies each missed message once, in order.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openUser, texts, findConv } from './harness.mjs';
import { FrameTap } from './frametap.mjs';
import { rawSendEach } from './rawws.mjs';
import { isRequest } from './wire.mjs';
import { EV } from './admin.mjs';

const LIST_PAGE = 7;
const CATCH_UP_PAGE = 5;
const PEERS = Array.from({ length: 30 }, (_, i) => `pg${String(i).padStart(2, '0')}`);
const READY = 'sdkStateReady';

let server, browser, probe, tap;
const opened = [];

before(async () => {
  server = await new Server({ args: ['--list-page', String(LIST_PAGE), '--catch-up-page', String(CATCH_UP_PAGE)] }).start();
  browser = await launchBrowser();
  probe = await openUser(browser, server, 'probe'); // a page for raw protocol clients
  opened.push(probe);
  // 30 conversations for alice, one unread message each, sent one after another (newest last).
  await rawSendEach(probe.page, server, PEERS.map((p) => ({ userID: p, to: 'alice', text: `hi from ${p}` })), { concurrency: 1 });
  tap = await new FrameTap(Number(new URL(server.url).port)).start();
});

after(async () => {
  for (const u of opened) await u.close().catch(() => {});
  if (tap) await tap.close();
  if (browser) await browser.close();
  if (server) await server.dispose();
});

const totalUnread = (user) => user.page.evaluate(() => window.tim.getTotalUnreadMessageCount());
const sentOps = (from, op) => tap.seen.slice(from).filter(isRequest(op)).length;

describe('getConversationList and the catch-up in pages', () => {
  let alice;

  it('logs in over several list pages: SDK_READY after the last, and getConversationList has all 30', async () => {
    alice = await openUser(browser, server, 'alice');
    opened.push(alice);
    const seenBefore = tap.seen.length;
    await alice.login({ options: { SDKAppID: server.sdkAppID, server: tap.wsURL } });
    // 30 conversations in pages of 7: the first page and four more asked for.
    assert.equal(sentOps(seenBefore, 'getConversationList'), 1);
    assert.equal(sentOps(seenBefore, 'getMoreConversations'), Math.ceil(PEERS.length / LIST_PAGE) - 1);
    // The list was whole before SDK_READY: the last list update before it holds all 30.
    const ready = alice.events.findIndex((e) => e.name === READY);
    assert.ok(ready >= 0, 'SDK_READY fired');
    const listsBefore = alice.events.slice(0, ready).filter((e) => e.name === EV.LIST);
    assert.ok(listsBefore.length > 0, 'CONVERSATION_LIST_UPDATED before SDK_READY');
    assert.equal(listsBefore.at(-1).data.length, PEERS.length, 'the whole list, not a page of it, before SDK_READY');
    assert.equal(alice.events.slice(0, ready).filter((e) => e.name === READY).length, 0);

    const list = await alice.conversationList();
    assert.deepEqual(
      list.map((c) => c.conversationID),
      PEERS.map((p) => `C2C${p}`).reverse(),
      'every conversation once, newest first, as one unpaged answer had them',
    );
    for (const c of list) assert.equal(c.unreadCount, 1, `${c.conversationID} unread`);
    assert.equal(await totalUnread(alice), PEERS.length);
  });

  it('a reconnect that missed three pages of events applies each missed message once, in order', async () => {
    const mark = alice.mark();
    const disconnected = alice.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await tap.cut();
    await disconnected;
    // 12 messages while alice is away, 12 events: pages of 5, 5 and 2.
    const away = Array.from({ length: 12 }, (_, i) => ({ userID: PEERS[i % 3], to: 'alice', text: `away ${i}` }));
    await rawSendEach(probe.page, server, away, { concurrency: 1 });
    assert.equal(alice.eventsSince(mark, EV.RECEIVED).length, 0, 'nothing heard while offline');

    const seenBefore = tap.seen.length;
    const connected = alice.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    const caughtUp = alice.nextEvent(EV.LIST, (d) => findConv(d, `C2C${PEERS[2]}`)?.lastMessage.messageForShow === 'away 11', 30_000);
    await tap.restore();
    await connected;
    await caughtUp;
    assert.equal(sentOps(seenBefore, 'login'), 1, 'one reconnect');
    assert.equal(sentOps(seenBefore, 'getMissed'), 2, 'the login answered the first page; two more asked for');
    assert.equal(sentOps(seenBefore, 'getMoreConversations'), 0, 'no list reload: the log covered it');

    // A later message proves the live stream goes on after the catch-up, in order.
    const later = alice.nextEvent(EV.RECEIVED, (d) => texts(d).includes('after'));
    await rawSendEach(probe.page, server, [{ userID: PEERS[5], to: 'alice', text: 'after' }]);
    await later;
    const received = alice.eventsSince(mark, EV.RECEIVED).flatMap((e) => texts(e.data));
    assert.deepEqual(received, [...away.map((m) => m.text), 'after'], 'each missed message once, in order, then the live one');

    const list = await alice.conversationList();
    assert.equal(list.length, PEERS.length);
    for (let i = 0; i < 3; i++) assert.equal(findConv(list, `C2C${PEERS[i]}`).unreadCount, 5, `${PEERS[i]}: 1 + 4 away`);
    assert.equal(findConv(list, `C2C${PEERS[5]}`).unreadCount, 2);
    assert.equal(await totalUnread(alice), PEERS.length + 12 + 1);
  });

  it('a fresh login elsewhere lists the same 30 conversations as the session that caught up', async () => {
    const fresh = await openUser(browser, server, 'alice');
    opened.push(fresh);
    await fresh.login();
    const summary = (l) => l.map((c) => [c.conversationID, c.unreadCount, c.lastMessage.messageForShow]);
    assert.deepEqual(summary(await fresh.conversationList()), summary(await alice.conversationList()));
  });
});
