// Multi-client sync of conversation deletion (issue 3), in real browsers: two browser contexts logged in as
// alice (A1, A2) plus the peers, against a real tim-server on a real SQLite file. Each suite
// runs its own server (a fresh database: the users and the app setting start clean).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openUser, texts, findConv, sleep } from './harness.mjs';
import { NetCut } from './netcut.mjs';
import {
  EV, setSync, getSync, restOk, cli, localList, localTotal, summary, unreadSum, ids,
  assertQuiet, ownBarrier, receivedCount, raceRound,
} from './admin.mjs';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  if (browser) await browser.close();
});

/** A fresh server for one suite; `ctx.server` inside its tests. */
function useServer() {
  const ctx = { server: null, users: [] };
  before(async () => {
    ctx.server = await new Server().start();
  });
  after(async () => {
    for (const u of ctx.users) await u.close().catch(() => {});
    if (ctx.server) await ctx.server.dispose();
  });
  ctx.open = async (userID, options) => {
    const u = await openUser(browser, ctx.server, userID);
    ctx.users.push(u);
    await u.login(options ? { options } : undefined);
    return u;
  };
  return ctx;
}

/**
 * bob (and others) send texts to alice; resolves once every alice session has emitted
 * MESSAGE_RECEIVED for each and the CONVERSATION_LIST_UPDATED that shows it (same dispatch,
 * emitted after it). A TOTAL_UNREAD_MESSAGE_COUNT_UPDATED of that dispatch comes after both:
 * tests that check a total wait for it explicitly.
 */
async function sendToAlice(from, textsToSend, alices) {
  const sent = [];
  for (const text of textsToSend) {
    const got = alices.flatMap((a) => [
      a.nextEvent(EV.RECEIVED, (d) => d.some((m) => m.payload.text === text)),
      a.nextEvent(EV.LIST, (d) => findConv(d, `C2C${from.userID}`)?.lastMessage.messageForShow === text),
    ]);
    sent.push(await from.send('alice', text));
    await Promise.all(got);
  }
  return sent;
}

/** A promise for `user`'s next TOTAL_UNREAD_MESSAGE_COUNT_UPDATED with value `n`. */
const totalBecomes = (user, n, timeout) => user.nextEvent(EV.TOTAL, (d) => d === n, timeout);

/** Marks the page so that a reload would be noticed. */
async function markPage(user) {
  await user.page.evaluate(() => {
    window.__notReloaded = true;
  });
}
async function assertNotReloaded(user) {
  assert.equal(await user.page.evaluate(() => window.__notReloaded === true), true, `${user.userID}: the page was not reloaded`);
}

describe('setting ON: a deletion on A1 reaches A2 at once, without reload', () => {
  const ctx = useServer();

  it('A2 emits CONVERSATION_LIST_UPDATED without C2Cbob and TOTAL_UNREAD_MESSAGE_COUNT_UPDATED with the new total; its history is empty', async () => {
    await setSync(ctx.server, true);
    assert.equal(await getSync(ctx.server), true);
    const a1 = await ctx.open('alice');
    const a2 = await ctx.open('alice');
    const bob = await ctx.open('bob');
    const carol = await ctx.open('carol');
    const four = [a1, a2].map((a) => totalBecomes(a, 4));
    await sendToAlice(bob, ['b1', 'b2', 'b3'], [a1, a2]);
    await sendToAlice(carol, ['c1'], [a1, a2]);
    await Promise.all(four);
    for (const a of [a1, a2]) {
      assert.equal(findConv(localList(a), 'C2Cbob')?.unreadCount, 3, 'bob\'s three messages are unread');
      assert.equal(localTotal(a), 4, 'total unread before: 3 (bob) + 1 (carol)');
    }
    await markPage(a2);
    const mark = a2.mark();
    const listed = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob'));
    const total = a2.nextEvent(EV.TOTAL, () => true);

    assert.deepEqual(await a1.ok('deleteConversation', 'C2Cbob'), { conversationID: 'C2Cbob' });

    const list = (await listed).data;
    assert.deepEqual(ids(list), ['C2Ccarol'], 'A2\'s list now holds only carol');
    assert.equal(findConv(list, 'C2Ccarol').unreadCount, 1);
    assert.equal((await total).data, 1, 'A2: the new total unread is 1 (carol\'s)');
    assert.deepEqual(a2.eventsSince(mark, EV.NET), [], 'A2 did not reconnect');
    await assertNotReloaded(a2);

    const page = await a2.messages('C2Cbob');
    assert.deepEqual(page.messageList, [], 'A2: getMessageList(C2Cbob) is empty');
    assert.equal(page.isCompleted, true);
    await a2.fails(2500, 'getConversationProfile', 'C2Cbob');
    // the deleter agrees, and the server's list (a fresh getConversationList) too
    assert.deepEqual(ids(await a1.conversationList()), ['C2Ccarol']);
    assert.deepEqual(ids(await a2.conversationList()), ['C2Ccarol']);
    // the peer keeps everything
    assert.deepEqual(texts((await bob.messages('C2Calice')).messageList), ['b1', 'b2', 'b3']);
  });
});

describe('setting OFF (the default): the other session is not told', () => {
  const ctx = useServer();

  it('A2 gets no CONVERSATION_LIST_UPDATED for it, and its getConversationList still has it; a reload or a fresh login does not list it', async () => {
    assert.equal(await getSync(ctx.server), false, 'off by default');
    const a1 = await ctx.open('alice');
    const a2 = await ctx.open('alice');
    const bob = await ctx.open('bob');
    const carol = await ctx.open('carol');
    const three = totalBecomes(a2, 3);
    await sendToAlice(bob, ['b1', 'b2'], [a1, a2]);
    await sendToAlice(carol, ['c1'], [a1, a2]);
    await three;
    assert.equal(localTotal(a2), 3);

    const mark = a2.mark();
    await a1.ok('deleteConversation', 'C2Cbob');
    assert.equal(findConv(localList(a1), 'C2Cbob'), undefined, 'gone on A1');
    await assertQuiet(
      a2, mark, 1500,
      (e) => (e.name === EV.LIST && !findConv(e.data, 'C2Cbob')) || e.name === EV.TOTAL,
      'no CONVERSATION_LIST_UPDATED without C2Cbob and no TOTAL_UNREAD_MESSAGE_COUNT_UPDATED',
    );
    // A later push to A2 (alice's own message from A1) arrives after anything logged before it:
    // A2's list event for it still holds C2Cbob with its unread messages.
    await ownBarrier(a1, [a2], 'carol', 'a1 to carol');
    assert.deepEqual(
      a2.eventsSince(mark).filter((e) => (e.name === EV.LIST && !findConv(e.data, 'C2Cbob')) || e.name === EV.TOTAL),
      [],
      'still nothing about the deletion after a later push',
    );
    const stale = localList(a2);
    assert.deepEqual(ids(stale), ['C2Cbob', 'C2Ccarol'], 'A2 still shows C2Cbob');
    assert.equal(findConv(stale, 'C2Cbob').unreadCount, 2);
    assert.equal(localTotal(a2), 3);

    // getConversationList answers from A2's own list, as the documented SDK does: with the setting
    // off, A2 is not told, so it still lists C2Cbob (and no list or unread event comes of asking).
    const asked = a2.mark();
    const listed = await a2.ok('getConversationList');
    assert.deepEqual(ids(listed.conversationList), ['C2Cbob', 'C2Ccarol'], 'getConversationList on A2 still has it');
    assert.equal(findConv(listed.conversationList, 'C2Cbob').unreadCount, 2);
    assert.equal(listed.isSyncCompleted, true);
    await sleep(300);
    assert.deepEqual(a2.eventsSince(asked).filter((e) => e.name === EV.LIST || e.name === EV.TOTAL), [], 'asking changes nothing');
    // The server's history of it is gone for alice all the same.
    assert.deepEqual((await a2.messages('C2Cbob')).messageList, [], 'and no history on the server');

    // A reload of A2 is a new login: the list comes from the server, without it.
    await a2.reload();
    await a2.login();
    assert.deepEqual(ids(await a2.conversationList()), ['C2Ccarol'], 'a reload does not list it');

    // a fresh login in a new browser context
    const fresh = await ctx.open('alice');
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Ccarol'], 'a fresh login does not list it');
    assert.deepEqual((await fresh.messages('C2Cbob')).messageList, []);
  });
});

describe('setting switched on a running server: applies to sessions already connected', () => {
  const ctx = useServer();

  it('`tim-server app set` on the live database: the next deletion syncs, and after `false` the next does not', async () => {
    const { server } = ctx;
    const a1 = await ctx.open('alice');
    const a2 = await ctx.open('alice');
    const bob = await ctx.open('bob');
    const mark = a2.mark();

    let r = await cli('app', 'set', '--db', server.db, '--sdkappid', String(server.sdkAppID), '--sync-conversation-deletion', 'true');
    assert.equal(r.code, 0, `app set: ${r.stderr}`);
    assert.equal(r.stdout.trim(), `SDKAppID=${server.sdkAppID} admin=administrator syncConversationDeletion=true`);
    r = await cli('app', 'get', '--db', server.db, '--sdkappid', String(server.sdkAppID));
    assert.equal(r.stdout.trim(), `SDKAppID=${server.sdkAppID} admin=administrator syncConversationDeletion=true`);
    assert.equal(await getSync(server), true, 'the REST API sees the CLI\'s change');

    await sendToAlice(bob, ['b1'], [a1, a2]);
    let gone = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob'));
    await a1.ok('deleteConversation', 'C2Cbob');
    await gone;

    r = await cli('app', 'set', '--db', server.db, '--sdkappid', String(server.sdkAppID), '--sync-conversation-deletion', 'false');
    assert.equal(r.code, 0, `app set: ${r.stderr}`);
    assert.match(r.stdout, /syncConversationDeletion=false/);
    await sendToAlice(bob, ['b2'], [a1, a2]);
    const mark2 = a2.mark();
    await a1.ok('deleteConversation', 'C2Cbob');
    await assertQuiet(a2, mark2, 1500, (e) => e.name === EV.LIST && !findConv(e.data, 'C2Cbob'), 'no sync after switching it off');
    await ownBarrier(a1, [a2], 'bob', 'a1 to bob');
    assert.equal(a2.eventsSince(mark2, EV.LIST).filter((e) => !findConv(e.data, 'C2Cbob')).length, 0);
    assert.deepEqual(a2.eventsSince(mark, EV.NET), [], 'A2 stayed connected throughout');

    // bad input: nothing changes
    r = await cli('app', 'set', '--db', server.db, '--sdkappid', String(server.sdkAppID), '--sync-conversation-deletion', 'yes');
    assert.equal(r.code, 1, 'a value other than true/false exits 1');
    assert.ok(r.stderr.length > 0, 'with the reason on stderr');
    r = await cli('app', 'set', '--db', server.db, '--sdkappid', '999', '--sync-conversation-deletion', 'true');
    assert.equal(r.code, 1, 'an unknown SDKAppID exits 1');
    assert.equal(await getSync(server), false, 'unchanged');
  });
});

describe('offline catch-up: a session that was offline applies what it missed exactly once', () => {
  const ctx = useServer();
  let proxy, a1, a2, bob, bob2;
  after(async () => {
    if (proxy) await proxy.close();
  });

  it('A2 behind a cut proxy misses a deletion and a message; on reconnect both are applied, each once', async () => {
    const { server } = ctx;
    await setSync(server, true);
    proxy = await new NetCut(Number(new URL(server.url).port)).start();
    a1 = await ctx.open('alice');
    a2 = await ctx.open('alice', { SDKAppID: server.sdkAppID, server: proxy.wsURL });
    assert.equal(proxy.open, 1, 'A2\'s WebSocket goes through the proxy');
    bob = await ctx.open('bob');
    bob2 = await ctx.open('bob2');
    const two = totalBecomes(a2, 2);
    const before = await sendToAlice(bob, ['b1', 'b2'], [a1, a2]);
    await two;

    // cut A2 off
    const mark = a2.mark();
    const disconnected = a2.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    const connecting = a2.nextEvent(EV.NET, (d) => d.state === 'connecting');
    await proxy.cut();
    await disconnected;
    await connecting; // it tries again by itself (and is refused while the proxy is down)

    // meanwhile: A1 deletes C2Cbob, bob2 writes to alice
    await a1.ok('deleteConversation', 'C2Cbob');
    const offline = (await sendToAlice(bob2, ['while you were away'], [a1]))[0];
    assert.equal(a2.eventsSince(mark).filter((e) => e.name !== EV.NET).length, 0, 'A2 heard nothing while offline');
    assert.equal(findConv(localList(a2), 'C2Cbob')?.unreadCount, 2, 'A2 still shows C2Cbob while offline');

    // back online: A2 reconnects by itself
    const connected = a2.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    const listed = a2.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob') && !!findConv(d, 'C2Cbob2'), 30_000);
    const total = a2.nextEvent(EV.TOTAL, (d) => d === 1, 30_000);
    const accepted = proxy.accepted;
    await proxy.restore();
    await connected;
    assert.ok(proxy.accepted > accepted, 'the reconnect went through the proxy');
    const list = (await listed).data;
    assert.deepEqual(ids(list), ['C2Cbob2'], 'C2Cbob gone, C2Cbob2 present');
    assert.equal(findConv(list, 'C2Cbob2').unreadCount, 1);
    assert.equal(findConv(list, 'C2Cbob2').lastMessage.messageForShow, 'while you were away');
    assert.equal((await total).data, 1, 'total unread: only the new message');
    const states = a2.eventsSince(mark, EV.NET).map((e) => e.data.state);
    assert.equal(states[0], 'disconnected');
    assert.equal(states.at(-1), 'connected');
    assert.deepEqual([...new Set(states)].sort(), ['connected', 'connecting', 'disconnected']);

    // a later message to the same conversation proves the stream is live and in order; then count
    const twoAgain = totalBecomes(a2, 2);
    await sendToAlice(bob2, ['after reconnect'], [a1, a2]);
    await twoAgain;
    assert.equal(receivedCount(a2, mark, offline.ID), 1, 'MESSAGE_RECEIVED for the missed message exactly once');
    for (const m of before) assert.equal(receivedCount(a2, mark, m.ID), 0, `old message ${m.payload.text} not replayed`);
    const received = a2.eventsSince(mark, EV.RECEIVED).flatMap((e) => texts(e.data));
    assert.deepEqual(received, ['while you were away', 'after reconnect'], 'each message once, in order');
    assert.equal(localTotal(a2), 2);
    assert.deepEqual(summary(localList(a2)), summary(localList(a1)), 'A2\'s list matches A1\'s');
    assert.deepEqual(summary(await a2.conversationList()), summary(localList(a1)), 'and the server\'s');
    assert.deepEqual((await a2.messages('C2Cbob')).messageList, [], 'C2Cbob history gone on A2');
    assert.deepEqual(texts((await a2.messages('C2Cbob2')).messageList), ['while you were away', 'after reconnect']);
  });

  it('offline again: a deletion followed by a new message in the same conversation ends with only that message', async () => {
    assert.equal(localTotal(a2), 2);
    const mark = a2.mark();
    const disconnected = a2.nextEvent(EV.NET, (d) => d.state === 'disconnected');
    await proxy.cut();
    await disconnected;
    await a1.ok('deleteConversation', 'C2Cbob2'); // 2 unread go
    const [revived] = await sendToAlice(bob2, ['after the deletion'], [a1]);
    const [bobBack] = await sendToAlice(bob, ['bob again'], [a1]);
    assert.equal(a2.eventsSince(mark).filter((e) => e.name !== EV.NET).length, 0, 'A2 heard nothing while offline');

    const connected = a2.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
    const listed = a2.nextEvent(
      EV.LIST,
      (d) => findConv(d, 'C2Cbob2')?.lastMessage.messageForShow === 'after the deletion' && !!findConv(d, 'C2Cbob'),
      30_000,
    );
    await proxy.restore();
    await connected;
    const list = (await listed).data;
    assert.equal(unreadSum(list), 2, 'one unread in each conversation');
    assert.deepEqual(summary(list), summary(localList(a1)), 'A2 ends where A1 is');
    assert.equal(findConv(list, 'C2Cbob2').unreadCount, 1, 'only the message after the deletion is unread');
    assert.equal(findConv(list, 'C2Cbob').unreadCount, 1);
    // exactly once each, checked after a later push
    await ownBarrier(a1, [a2], 'zed', 'barrier');
    assert.equal(receivedCount(a2, mark, revived.ID), 1);
    assert.equal(receivedCount(a2, mark, bobBack.ID), 1);
    assert.deepEqual(a2.eventsSince(mark, EV.RECEIVED).flatMap((e) => texts(e.data)), ['after the deletion', 'bob again', 'barrier']);
    // 2 unread before (both C2Cbob2's), 2 after (one each): the total may not change at all
    assert.equal(localTotal(a2), 2, 'the last total A2 reported');
    assert.deepEqual(texts((await a2.messages('C2Cbob2')).messageList), ['after the deletion']);
    assert.deepEqual(summary(await a2.conversationList()), summary(localList(a1)), 'and the server agrees');
  });
});

describe('a deletion racing a new message ends the same everywhere', () => {
  const ctx = useServer();

  it('A1 deletes C2Cbob while bob sends: A1, A2 and a fresh login agree, as docs/protocol.md rules', async (t) => {
    const { server } = ctx;
    await setSync(server, true);
    const a1 = await ctx.open('alice');
    const a2 = await ctx.open('alice');
    const bob = await ctx.open('bob');
    const fresh = await ctx.open('alice');
    const outcomes = { messageFirst: 0, deletionFirst: 0 };
    const ROUNDS = 8;
    for (let round = 1; round <= ROUNDS; round++) {
      // C2Cbob exists with something unread on every session
      await sendToAlice(bob, [`pre ${round}`], [a1, a2]);
      const raceText = `race ${round}`;
      // fire both at once, without awaiting either first; vary which one leaves a little later
      const delayBob = round % 3 === 0 ? 2 : 0;
      const delayDel = round % 3 === 1 ? 2 : 0;
      outcomes[await raceRound({
        round, deleter: a1, conversationID: 'C2Cbob', sender: bob, to: 'alice', text: raceText,
        delayDel, delaySend: delayBob, fresh,
        barrier: () => ownBarrier(a1, [a2], 'zed', `barrier ${round}`),
        sessions: [['A1 (deleter)', a1], ['A2', a2]],
      })]++;
      assert.equal(localTotal(a1), localTotal(a2));
    }
    t.diagnostic(`race outcomes over ${ROUNDS} rounds: ${JSON.stringify(outcomes)}`);
    // and after it all, a fresh context (nothing cached) agrees too
    const last = await ctx.open('alice');
    assert.deepEqual(summary(await last.conversationList()), summary(localList(a1)));
    assert.deepEqual(summary(localList(a2)), summary(localList(a1)));
    assert.equal(localTotal(a2), localTotal(a1));
  });
});

describe('admin REST deletion with the setting on', () => {
  const ctx = useServer();

  it('recentcontact/delete reaches every live session of From_Account (no session made it)', async () => {
    const { server } = ctx;
    await setSync(server, true);
    const a1 = await ctx.open('alice');
    const a2 = await ctx.open('alice');
    const bob = await ctx.open('bob');
    await sendToAlice(bob, ['b1'], [a1, a2]);
    const gone = [a1, a2].map((a) => a.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob')));
    const zero = [a1, a2].map((a) => a.nextEvent(EV.TOTAL, (d) => d === 0));
    await restOk(server, 'recentcontact/delete', { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 1 });
    await Promise.all([...gone, ...zero]);
    for (const a of [a1, a2]) assert.deepEqual((await a.messages('C2Cbob')).messageList, []);
  });
});
