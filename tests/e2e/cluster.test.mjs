// The cluster end to end (issue 14): two tim-server processes on one private PostgreSQL and one
// nats-server (tests/e2e/cluster.mjs starts all of it on loopback), real Chromium pages on
// either node. alice's sessions sit on different nodes; what one node commits reaches the
// other's sessions over NATS, and the database is the truth for fresh logins.
//
// Without the PostgreSQL binaries or nats-server the file skips, saying so loudly
// (scripts/setup.sh --with-test-servers installs them).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, openUser, texts, findConv, until } from './harness.mjs';
import { NetCut } from './netcut.mjs';
import { EV, setSync, restOk, localList, localTotal, summary, unreadSum, ids, assertQuiet, ownBarrier, raceRound } from './admin.mjs';
import { readCache } from './appsite.mjs';
import { clusterTools, startCluster } from './cluster.mjs';

const tools = clusterTools();
if (tools.missing) process.stderr.write(`\n*** SKIPPED tests/e2e/cluster.test.mjs: ${tools.missing} ***\n\n`);

describe('two nodes on PostgreSQL and NATS', { skip: tools.missing || false }, () => {
  let cluster, browser, A, B;
  const users = [];
  before(async () => {
    cluster = await startCluster(tools, 2);
    [A, B] = cluster.nodes;
    browser = await launchBrowser();
  });
  after(async () => {
    for (const u of users) await u.close().catch(() => {});
    if (browser) await browser.close();
    if (cluster) await cluster.dispose();
  });

  /** `userID` logged in on `node` (a page of that node's origin, its own browser context). */
  const open = async (node, userID, options) => {
    const u = await openUser(browser, node, userID);
    users.push(u);
    await u.login(options ? { options } : undefined);
    return u;
  };

  /** `from` sends each text to `to`; resolves once every session in `sessions` shows it. */
  const sendTo = async (from, to, textsToSend, sessions) => {
    for (const text of textsToSend) {
      const got = sessions.flatMap((s) => [
        s.nextEvent(EV.RECEIVED, (d) => d.some((m) => m.payload.text === text)),
        s.nextEvent(EV.LIST, (d) => findConv(d, `C2C${from.userID}`)?.lastMessage.messageForShow === text),
      ]);
      await from.send(to, text);
      await Promise.all(got);
    }
  };

  it('sync on: bob on B reaches alice on A and B in real time; her deletion on A drops it on B at once; a fresh login on B does not list it', async () => {
    await setSync(B, true);
    const aliceA = await open(A, 'alice1');
    const aliceB = await open(B, 'alice1');
    const bob = await open(B, 'bob1');
    const carol = await open(A, 'carol1');
    const started = Date.now();
    await sendTo(bob, 'alice1', ['b1', 'b2'], [aliceA, aliceB]);
    await sendTo(carol, 'alice1', ['c1'], [aliceA, aliceB]);
    assert.ok(Date.now() - started < 5000, 'in real time');
    await until(() => localTotal(aliceB) === 3, 'alice on B: 3 unread');

    const mark = aliceB.mark();
    const gone = aliceB.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob1'));
    const total = aliceB.nextEvent(EV.TOTAL, (d) => d === 1);
    assert.deepEqual(await aliceA.ok('deleteConversation', 'C2Cbob1'), { conversationID: 'C2Cbob1' });
    assert.deepEqual(ids((await gone).data), ['C2Ccarol1'], 'alice on B drops it without reconnecting');
    await total;
    assert.deepEqual(aliceB.eventsSince(mark, EV.NET), [], 'no reconnect on B');
    assert.deepEqual((await aliceB.messages('C2Cbob1')).messageList, []);

    const fresh = await open(B, 'alice1');
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Ccarol1'], 'a fresh login on B does not list it');
    assert.deepEqual((await fresh.messages('C2Cbob1')).messageList, []);
    assert.deepEqual(texts((await bob.messages('C2Calice1')).messageList), ['b1', 'b2'], 'bob keeps his history');
  });

  it('a batch deletion on A (sync on) drops both conversations on B at once; a fresh login on B lists neither', async () => {
    await setSync(A, true);
    const aliceA = await open(A, 'alice5');
    const aliceB = await open(B, 'alice5');
    const bob = await open(B, 'bob5');
    const carol = await open(A, 'carol5');
    await sendTo(bob, 'alice5', ['b1'], [aliceA, aliceB]);
    await sendTo(carol, 'alice5', ['c1'], [aliceA, aliceB]);
    await ownBarrier(aliceB, [aliceA], 'zed5', 'kept');
    const gone = aliceB.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob5') && !findConv(d, 'C2Ccarol5'));
    const r = await aliceA.ok('deleteConversation', { conversationIDList: ['C2Cbob5', 'C2Ccarol5'], clearHistoryMessage: true });
    assert.deepEqual([...r.conversationIDList].sort(), ['C2Cbob5', 'C2Ccarol5']);
    assert.deepEqual(ids((await gone).data), ['C2Czed5'], 'alice on B keeps only zed5');
    const fresh = await open(B, 'alice5');
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Czed5'], 'a fresh login on B lists neither');
    for (const id of ['C2Cbob5', 'C2Ccarol5']) assert.deepEqual((await fresh.messages(id)).messageList, []);
  });

  it('sync off (set on A): the session on B is not told; a fresh login on B does not list it', async () => {
    await setSync(A, false);
    const aliceA = await open(A, 'alice2');
    const aliceB = await open(B, 'alice2');
    const bob = await open(B, 'bob2');
    await sendTo(bob, 'alice2', ['b1'], [aliceA, aliceB]);
    // The unread total of that dispatch comes after its list event: wait for it first.
    await until(() => localTotal(aliceB) === 1, 'alice on B: 1 unread');
    const mark = aliceB.mark();
    await aliceA.ok('deleteConversation', 'C2Cbob2');
    await assertQuiet(aliceB, mark, 1500, (e) => (e.name === EV.LIST && !findConv(e.data, 'C2Cbob2')) || e.name === EV.TOTAL, 'no word of the deletion');
    await ownBarrier(aliceA, [aliceB], 'zed2', 'barrier');
    assert.equal(aliceB.eventsSince(mark, EV.LIST).filter((e) => !findConv(e.data, 'C2Cbob2')).length, 0, 'still not told after a later push');
    assert.ok(findConv(localList(aliceB), 'C2Cbob2'), 'B still shows it');
    const fresh = await open(B, 'alice2');
    assert.deepEqual(ids(await fresh.conversationList()), ['C2Czed2'], 'a fresh login on B does not list it');
  });

  it('the offline outbox across nodes: deleted while cut off from A, the SDK reconnects to B and the deletion is applied once', async () => {
    await setSync(A, true);
    const proxy = await new NetCut(Number(new URL(A.url).port)).start();
    try {
      const aliceX = await open(A, 'alice3', { SDKAppID: A.sdkAppID, server: proxy.wsURL });
      const aliceB = await open(B, 'alice3');
      const bob = await open(A, 'bob3');
      await sendTo(bob, 'alice3', ['b1', 'b2'], [aliceX, aliceB]);
      const down = aliceX.nextEvent(EV.NET, (d) => d.state === 'disconnected');
      await proxy.cut();
      await down;
      assert.deepEqual(await aliceX.ok('deleteConversation', 'C2Cbob3'), { conversationID: 'C2Cbob3', pending: true });
      assert.equal((await readCache(aliceX, A.sdkAppID)).outbox.length, 1, 'kept in the outbox');
      const before = (await restOk(B, 'recentcontact/get_list', { From_Account: 'alice3' })).SessionItem.map((s) => s.To_Account);
      assert.deepEqual(before, ['bob3'], 'not on the server yet');

      // The "balancer" now sends the page to node B.
      proxy.targetPort = Number(new URL(B.url).port);
      const markB = aliceB.mark();
      const removed = aliceB.nextEvent(EV.LIST, (d) => !findConv(d, 'C2Cbob3'), 30_000);
      const connected = aliceX.nextEvent(EV.NET, (d) => d.state === 'connected', 30_000);
      await proxy.restore();
      await connected;
      await removed;
      await until(async () => (await readCache(aliceX, A.sdkAppID))?.outbox.length === 0, 'the outbox to drain', { timeout: 30_000 });
      await ownBarrier(aliceX, [aliceB], 'zed3', 'after the replay');
      const removals = aliceB.eventsSince(markB, EV.LIST).reduce(
        (acc, e) => ({ had: !!findConv(e.data, 'C2Cbob3'), n: acc.n + (acc.had && !findConv(e.data, 'C2Cbob3') ? 1 : 0) }),
        { had: true, n: 0 },
      ).n;
      assert.equal(removals, 1, 'alice on B saw it go once');
      const after = (await restOk(A, 'recentcontact/get_list', { From_Account: 'alice3' })).SessionItem.map((s) => s.To_Account);
      assert.deepEqual(after, ['zed3'], 'gone on the server');
      // Applied once, covering what alice had seen: a new message brings it back alone.
      await sendTo(bob, 'alice3', ['new'], [aliceX, aliceB]);
      for (const a of [aliceX, aliceB]) assert.deepEqual(texts((await a.messages('C2Cbob3')).messageList), ['new']);
    } finally {
      await proxy.close();
    }
  });

  it('the deletion-vs-message race across nodes, repeated: both sessions and a fresh login end in the same state', async (t) => {
    await setSync(B, true);
    const aliceA = await open(A, 'alice4');
    const aliceB = await open(B, 'alice4');
    const bob = await open(B, 'bob4');
    const fresh = await open(A, 'alice4');
    const outcomes = { messageFirst: 0, deletionFirst: 0 };
    const ROUNDS = 6;
    for (let round = 1; round <= ROUNDS; round++) {
      await sendTo(bob, 'alice4', [`pre ${round}`], [aliceA, aliceB]);
      const raceText = `race ${round}`;
      // Fired at once, one of them a little later: a send passes the group-commit writer,
      // so the deletion is held back more in some rounds to let either commit first.
      const delayBob = [0, 0, 2, 0, 0, 0][round - 1];
      const delayDel = [0, 30, 0, 60, 2, 15][round - 1];
      outcomes[await raceRound({
        round, deleter: aliceA, conversationID: 'C2Cbob4', sender: bob, to: 'alice4', text: raceText,
        delayDel, delaySend: delayBob, fresh,
        barrier: () => ownBarrier(aliceA, [aliceB], 'zed4', `barrier ${round}`),
        sessions: [['alice on A (deleter)', aliceA], ['alice on B', aliceB]],
      })]++;
    }
    t.diagnostic(`race outcomes over ${ROUNDS} rounds: ${JSON.stringify(outcomes)}`);
    const last = await open(B, 'alice4');
    assert.deepEqual(summary(await last.conversationList()), summary(localList(aliceA)));
    assert.deepEqual(summary(localList(aliceB)), summary(localList(aliceA)));
  });
});
