// Multi-session behaviour that needs the server's help: reconnecting with catch-up after the
// server restarts under open pages, and the per-app "sync conversation deletion across clients"
// setting (off by default; switched on with the CLI while the server runs).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv, sleep } from './harness.mjs';

const env = useEnv(before, after);

describe('reconnect and catch-up', () => {
  it('open pages reconnect after a server restart and get what was sent meanwhile exactly once', async () => {
    const { server, browser } = env;
    const alice = await openUser(browser, server, 'alice');
    await alice.login();
    const lost = alice.nextEvent('netStateChange', (d) => d.state !== 'connected');
    await server.stop();
    const { data } = await lost;
    assert.ok(['connecting', 'disconnected'].includes(data.state), `state after the server went away: ${data.state}`);
    await sleep(1500); // let alice's backoff grow a little so the message below is likely missed, not pushed
    const back = alice.nextEvent('netStateChange', (d) => d.state === 'connected', 30_000);
    const got = alice.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'while you were away'), 30_000);
    await server.start();
    const carol = await openUser(browser, server, 'carol');
    await carol.login();
    const sent = await carol.send('alice', 'while you were away');
    await back;
    await got;
    // exactly once, and the state agrees with the server's
    await sleep(300);
    const deliveries = alice.events
      .filter((e) => e.name === 'onMessageReceived')
      .flatMap((e) => e.data)
      .filter((m) => m.ID === sent.ID);
    assert.equal(deliveries.length, 1, `delivered once, got ${deliveries.length}`);
    const c = findConv(await alice.conversationList(), 'C2Ccarol');
    assert.ok(c, 'the conversation is listed');
    assert.equal(c.unreadCount, 1);
    assert.deepEqual(texts((await alice.messages('C2Ccarol')).messageList), ['while you were away']);
    // and the session keeps working live
    const live = alice.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'live again'));
    await carol.send('alice', 'live again');
    await live;
    await alice.close();
    await carol.close();
  });
});

describe('sync conversation deletion across clients', () => {
  let alice1, alice2, bob;

  before(async () => {
    const { server, browser } = env;
    alice1 = await openUser(browser, server, 'amy');
    alice2 = await openUser(browser, server, 'amy');
    bob = await openUser(browser, server, 'ben');
    await alice1.login();
    await alice2.login();
    await bob.login();
  });

  after(async () => {
    for (const u of [alice1, alice2, bob]) if (u) await u.close();
  });

  async function bothHave(text) {
    const got = [alice1, alice2].map((a) => a.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === text)));
    await bob.send('amy', text);
    await Promise.all(got);
  }

  it('off (the default): the other session is not told, but the deletion holds on its next login', async () => {
    assert.match(env.server.cli('app', 'get', '--sdkappid', String(env.server.sdkAppID)), /syncConversationDeletion=false/);
    await bothHave('one');
    await alice1.ok('deleteConversation', 'C2Cben');
    assert.equal(findConv(await alice1.conversationList(), 'C2Cben'), undefined);
    await alice2.reload();
    await alice2.login();
    assert.equal(findConv(await alice2.conversationList(), 'C2Cben'), undefined, 'gone on the other session after a fresh login');
    assert.deepEqual((await alice2.messages('C2Cben')).messageList, []);
  });

  it('on: the other session drops the conversation at once, with its history and unread count', async () => {
    const out = env.server.cli('app', 'set', '--sdkappid', String(env.server.sdkAppID), '--sync-conversation-deletion', 'true');
    assert.match(out, /syncConversationDeletion=true/);
    await bothHave('two');
    await bothHave('three');
    const c2 = findConv(await alice2.conversationList(), 'C2Cben');
    assert.deepEqual(texts((await alice2.messages('C2Cben')).messageList), ['two', 'three'], 'only what came after the first deletion');
    assert.equal(c2.unreadCount, 2);

    const listed = alice2.nextEvent('onConversationListUpdated', (d) => !findConv(d, 'C2Cben'));
    const total = alice2.nextEvent('onTotalUnreadMessageCountUpdated', (d) => d === 0);
    await alice1.ok('deleteConversation', 'C2Cben');
    await listed;
    await total;
    assert.equal(findConv(await alice2.conversationList(), 'C2Cben'), undefined);
    assert.deepEqual((await alice2.messages('C2Cben')).messageList, [], 'the other session\'s cached history is gone too');
    await alice2.fails(2500, 'deleteConversation', 'C2Cben');
    // ben keeps everything
    assert.deepEqual(texts((await bob.messages('C2Camy')).messageList), ['one', 'two', 'three']);
  });

  it('amy\'s own message from one session brings the conversation back on the other, with only that message', async () => {
    const back = alice1.nextEvent('onConversationListUpdated', (d) => findConv(d, 'C2Cben')?.lastMessage.messageForShow === 'from session 2');
    const gotBen = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'from session 2'));
    await alice2.send('ben', 'from session 2');
    await back;
    await gotBen;
    for (const a of [alice1, alice2]) {
      assert.deepEqual(texts((await a.messages('C2Cben')).messageList), ['from session 2']);
      assert.equal(findConv(await a.conversationList(), 'C2Cben').unreadCount, 0, 'an own message is not unread');
    }
    env.server.cli('app', 'set', '--sdkappid', String(env.server.sdkAppID), '--sync-conversation-deletion', 'false');
  });
});
