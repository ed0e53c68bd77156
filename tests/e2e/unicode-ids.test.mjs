// User and group IDs are any Unicode text up to the byte limit (issue 15): through the SDK in
// headless Chromium, login -> send -> getConversationList -> getMessageList ->
// deleteConversation with a Unicode user and a Unicode peer and group, checking the
// conversationIDs and results; the SDK refuses only control characters, empty and over-limit
// IDs (with the documented codes) before anything is sent.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv, groupSend } from './harness.mjs';

const env = useEnv(before, after);

const ME = '用户';
const PEER = '😀 é|mail@example.com';
const GID = '群组#é😀';
const C2C = `C2C${PEER}`;
const GROUP = `GROUP${GID}`;

describe('Unicode user and group IDs through the SDK', () => {
  let me, peer;

  it(`${ME} and ${PEER} log in and chat one to one`, async () => {
    const { server, browser } = env;
    me = await openUser(browser, server, ME);
    peer = await openUser(browser, server, PEER);
    await me.login();
    await peer.login();
    const got = peer.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'hi 😀'));
    const sent = await me.send(PEER, 'hi 😀');
    assert.equal(sent.conversationID, C2C);
    assert.equal(sent.to, PEER);
    assert.equal(sent.from, ME);
    assert.equal(sent.flow, 'out');
    const m = (await got).data.find((x) => x.payload.text === 'hi 😀');
    assert.equal(m.conversationID, `C2C${ME}`);
    assert.equal(m.from, ME);
    assert.equal(m.flow, 'in');
    await peer.send(ME, 'hello 用户');
  });

  it('the conversation list and the history name the Unicode peer', async () => {
    const c = findConv(await me.conversationList(), C2C);
    assert.ok(c, `${C2C} is listed`);
    assert.equal(c.type, 'C2C');
    assert.equal(c.userProfile.userID, PEER);
    const profile = await me.ok('getConversationProfile', C2C);
    assert.equal(profile.conversation.conversationID, C2C);
    const page = await me.messages(C2C);
    assert.deepEqual(texts(page.messageList), ['hi 😀', 'hello 用户']);
    assert.ok(page.messageList.every((x) => x.conversationID === C2C));
    assert.ok(findConv(await peer.conversationList(), `C2C${ME}`));
  });

  it('a Unicode group: created, messaged, listed, read', async () => {
    const data = await me.ok('createGroup', { type: 'Private', name: 'G', groupID: GID, memberList: [PEER] });
    assert.equal(data.group.groupID, GID);
    const got = peer.nextEvent('onMessageReceived', (d) => d.some((x) => x.payload.text === 'to the group'));
    const r = await groupSend(me, GID, 'to the group');
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.message.conversationID, GROUP);
    assert.equal(r.message.to, GID);
    const m = (await got).data.find((x) => x.payload.text === 'to the group');
    assert.equal(m.conversationID, GROUP);
    const c = findConv(await peer.conversationList(), GROUP);
    assert.ok(c, `${GROUP} is listed for ${PEER}`);
    assert.equal(c.type, 'GROUP');
    assert.equal(c.groupProfile.groupID, GID);
    assert.deepEqual(texts((await peer.messages(GROUP)).messageList), ['to the group']);
  });

  it('deleteConversation takes the Unicode IDs: gone for the deleter, kept by the other party, and not back after a reload', async () => {
    assert.deepEqual(await me.ok('deleteConversation', C2C), { conversationID: C2C });
    assert.deepEqual(await peer.ok('deleteConversation', { conversationIDList: [GROUP] }), { conversationIDList: [GROUP], failedList: [] });
    assert.equal(findConv(await me.conversationList(), C2C), undefined);
    assert.equal(findConv(await peer.conversationList(), GROUP), undefined);
    assert.deepEqual(texts((await me.messages(C2C)).messageList), []);
    assert.deepEqual(texts((await peer.messages(`C2C${ME}`)).messageList), ['hi 😀', 'hello 用户']);
    assert.deepEqual(texts((await me.messages(GROUP)).messageList), ['to the group']);
    await me.reload();
    await me.login();
    assert.equal(findConv(await me.conversationList(), C2C), undefined);
    assert.ok(findConv(await me.conversationList(), GROUP));
  });

  it('only control characters, empty and over-limit IDs are refused, with their codes', async () => {
    await me.fails(2503, 'deleteConversation', 'C2Ca\u0001b');
    await me.fails(2503, 'getMessageList', { conversationID: 'C2Ca\nb' });
    await me.fails(2503, 'deleteConversation', `C2C${'用'.repeat(22)}`); // 66 bytes > 64
    await me.fails(10015, 'createGroup', { type: 'Public', name: 'X', groupID: 'g\u001fx' });
    await me.fails(10015, 'joinGroup', { groupID: '群'.repeat(17) }); // 51 bytes > 48
    const bad = await openUser(env.browser, env.server, 'a\u0007b');
    assert.ok(await bad.create(), 'TIM.create gave an instance');
    await bad.fails(2100, 'login', { userID: 'a\u0007b', userSig: env.server.sig('a\u0007b') });
    await bad.fails(2100, 'login', { userID: '', userSig: 'x' });
    // A lone surrogate is not Unicode: it would reach Rust as U+FFFD, the same for 'a\uD800'
    // and 'a\uDC00' (two different JS strings, one ID): refused.
    await bad.fails(2100, 'login', { userID: 'a\uD800', userSig: env.server.sig('a\uD800') });
    await me.fails(2503, 'deleteConversation', 'C2Ca\uDC00');
    await me.fails(2503, 'getConversationProfile', 'C2Ca\uFFFD');
    await bad.close();
  });

  after(async () => {
    await me?.close();
    await peer?.close();
  });
});
