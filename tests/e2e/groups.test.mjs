// Groups and the system notification conversation (issue 4), with the real SDK in headless
// Chromium against one server process: three users in a group (alice the owner, bob with two
// sessions, carol), group messages in real time, deleting GROUP<id> for one member only, quitting
// then deleting, the dismissal notice in @TIM#SYSTEM and its deletion, and each bad input.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, findConv, groupSend } from './harness.mjs';

const env = useEnv(before, after);

const GID = 'team1';
const GCONV = `GROUP${GID}`;
const SYSTEM = '@TIM#SYSTEM';

/** Sends to the group and asserts success; returns the sent message. */
async function groupSendOk(user, groupID, text) {
  const r = await groupSend(user, groupID, text);
  assert.ok(r.ok, `${user.userID}: sending ${JSON.stringify(text)} to group ${groupID} failed: ${JSON.stringify(r)}`);
  assert.equal(r.code, 0);
  return r.message;
}

/** A waiter for the message with `text` in MESSAGE_RECEIVED. */
const received = (user, text) => user.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload && m.payload.text === text));

/** A waiter for a group system notice of `type` about `groupID`. */
const notice = (user, type, groupID) =>
  user.nextEvent('receiveGroupSystemNotice', (d) => d.type === type && d.message.payload.groupProfile.groupID === groupID);

/** A waiter for a GROUP_LIST_UPDATED whose list does (or does not) hold `groupID`. */
const groupListHas = (user, groupID, has = true) =>
  user.nextEvent('onGroupListUpdated', (d) => d.some((g) => g.groupID === groupID) === has);

const groupIDs = async (user) => (await user.ok('getGroupList')).groupList.map((g) => g.groupID).sort();

/** Notice operationTypes of a message list, oldest first. */
const noticeTypes = (list) => list.map((m) => `${m.payload.operationType} ${m.payload.groupProfile.groupID}`);

/**
 * Everything `user` sees that group calls could change (conversation list, group list, histories
 * of `convs`), for before/after comparisons.
 */
async function view(user, convs) {
  const histories = {};
  for (const c of convs) histories[c] = (await user.messages(c)).messageList;
  return { list: await user.conversationList(), groups: (await user.ok('getGroupList')).groupList, histories };
}

/**
 * A barrier: alice sends `user` a C2C message and waits until it arrives. The server pushes one
 * user's news in the order it committed them, so anything sent to `user` before the barrier has
 * arrived by then too.
 */
async function barrier(from, user, tag) {
  const text = `barrier ${tag}`;
  const got = received(user, text);
  await from.send(user.userID, text);
  await got;
}

describe('groups: three users, real time, per-member deletion, system notices', () => {
  let alice, bob, bob2, carol;

  it('alice creates a Work group with bob and carol: GROUP_LIST_UPDATED and the INVITED notice in @TIM#SYSTEM', async () => {
    const { server, browser } = env;
    alice = await openUser(browser, server, 'alice');
    bob = await openUser(browser, server, 'bob');
    bob2 = await openUser(browser, server, 'bob');
    carol = await openUser(browser, server, 'carol');
    for (const u of [alice, bob, bob2, carol]) await u.login();

    const waits = [bob, bob2, carol].flatMap((u) => [groupListHas(u, GID), notice(u, 7, GID)]);
    const created = notice(alice, 6, GID);
    const aliceList = groupListHas(alice, GID);
    const data = await alice.ok('createGroup', {
      type: 'Private', name: 'Team', groupID: GID, memberList: [{ userID: 'bob' }, 'carol'],
    });
    const g = data.group;
    assert.equal(g.groupID, GID);
    assert.equal(g.name, 'Team');
    assert.equal(g.type, 'Private');
    assert.equal(g.ownerID, 'alice');
    assert.equal(g.memberNum, 3);
    assert.equal(g.selfInfo.role, 'Owner');
    const [, bobNotice] = await Promise.all(waits.slice(0, 2));
    await Promise.all([...waits.slice(2), created, aliceList]);

    const m = bobNotice.data.message;
    assert.equal(m.type, 'TIMGroupSystemNoticeElem');
    assert.equal(m.conversationID, SYSTEM);
    assert.equal(m.conversationType, SYSTEM);
    assert.equal(m.from, SYSTEM);
    assert.equal(m.flow, 'in');
    assert.deepEqual(m.payload, { operationType: 7, groupProfile: { groupID: GID, name: 'Team' }, operatorID: 'alice' });

    for (const u of [bob, bob2, carol]) {
      const sys = findConv(await u.conversationList(), SYSTEM);
      assert.ok(sys, `${u.userID}: @TIM#SYSTEM is listed`);
      assert.equal(sys.type, SYSTEM);
      assert.equal(sys.unreadCount, 1);
      assert.deepEqual(await groupIDs(u), [GID]);
    }
    const profile = (await carol.ok('getGroupProfile', { groupID: GID })).group;
    assert.equal(profile.memberNum, 3);
    assert.equal(profile.selfInfo.role, 'Member');
    assert.deepEqual(noticeTypes((await alice.messages(SYSTEM)).messageList), [`6 ${GID}`]);
  });

  it('group messages reach every member session in real time, with unread counts', async () => {
    const waits = [bob, bob2, carol].map((u) => received(u, 'a1: hello team'));
    const sent = await groupSendOk(alice, GID, 'a1: hello team');
    assert.equal(sent.conversationID, GCONV);
    assert.equal(sent.conversationType, 'GROUP');
    assert.equal(sent.to, GID);
    assert.equal(sent.flow, 'out');
    const got = await Promise.all(waits);
    for (const e of got) {
      const m = e.data.find((x) => x.payload.text === 'a1: hello team');
      assert.equal(m.conversationID, GCONV);
      assert.equal(m.conversationType, 'GROUP');
      assert.equal(m.from, 'alice');
      assert.equal(m.flow, 'in');
      assert.equal(m.sequence, sent.sequence);
    }

    // bob's own message reaches his other session too, and everyone else.
    const waits2 = [alice, bob2, carol].map((u) => received(u, 'b1: hi all'));
    await groupSendOk(bob, GID, 'b1: hi all');
    await Promise.all(waits2);

    const unread = async (u) => findConv(await u.conversationList(), GCONV)?.unreadCount;
    assert.equal(await unread(alice), 1);
    assert.equal(await unread(bob), 1);
    assert.equal(await unread(bob2), 1);
    assert.equal(await unread(carol), 2);
    const c = findConv(await carol.conversationList(), GCONV);
    assert.equal(c.type, 'GROUP');
    assert.deepEqual(c.groupProfile, { groupID: GID, name: 'Team', type: 'Private', avatar: '' });
    assert.equal(c.lastMessage.messageForShow, 'b1: hi all');
    assert.deepEqual(texts((await carol.messages(GCONV)).messageList), ['a1: hello team', 'b1: hi all']);
  });

  it('bob deletes GROUP<id>: gone for bob with its history, alice and carol untouched; the next message brings it back with only itself', async () => {
    const aliceBefore = await view(alice, [GCONV]);
    const carolBefore = await view(carol, [GCONV]);

    const data = await bob.ok('deleteConversation', GCONV);
    assert.deepEqual(data, { conversationID: GCONV });
    assert.equal(findConv(await bob.conversationList(), GCONV), undefined);
    assert.deepEqual((await bob.messages(GCONV)).messageList, []);
    assert.deepEqual(await groupIDs(bob), [GID], 'still a member');
    // It stays deleted across a reload and a fresh login.
    await bob.reload();
    await bob.login();
    assert.equal(findConv(await bob.conversationList(), GCONV), undefined);
    assert.deepEqual((await bob.messages(GCONV)).messageList, []);

    assert.deepEqual(await view(alice, [GCONV]), aliceBefore, "alice's view is untouched");
    assert.deepEqual(await view(carol, [GCONV]), carolBefore, "carol's view is untouched");

    const back = received(bob, 'c1: after the deletion');
    await groupSendOk(carol, GID, 'c1: after the deletion');
    await back;
    const entry = findConv(await bob.conversationList(), GCONV);
    assert.ok(entry, 'the next message brings it back');
    assert.equal(entry.unreadCount, 1);
    assert.deepEqual(texts((await bob.messages(GCONV)).messageList), ['c1: after the deletion']);
    assert.deepEqual(
      texts((await alice.messages(GCONV)).messageList),
      ['a1: hello team', 'b1: hi all', 'c1: after the deletion'],
    );
  });

  it('carol quits, then deletes the conversation: it stays gone after new messages', async () => {
    const quitNotice = notice(carol, 8, GID);
    const left = groupListHas(carol, GID, false);
    assert.deepEqual(await carol.ok('quitGroup', GID), { groupID: GID });
    await Promise.all([quitNotice, left]);
    assert.deepEqual(await groupIDs(carol), []);
    // The conversation stays until she deletes it, and nothing new reaches it.
    const mark = carol.mark();
    const bobGot = received(bob, 'a2: carol left');
    await groupSendOk(alice, GID, 'a2: carol left');
    await bobGot;
    await barrier(alice, carol, 1);
    assert.deepEqual(carol.eventsSince(mark, 'onMessageReceived').flatMap((e) => texts(e.data)), ['barrier 1']);
    assert.ok(findConv(await carol.conversationList(), GCONV), 'kept after quitting');
    assert.deepEqual(texts((await carol.messages(GCONV)).messageList), ['a1: hello team', 'b1: hi all', 'c1: after the deletion']);

    assert.deepEqual(await carol.ok('deleteConversation', GCONV), { conversationID: GCONV });
    const mark2 = carol.mark();
    await groupSendOk(alice, GID, 'a3: anyone?');
    await groupSendOk(bob, GID, 'b2: still here');
    await barrier(alice, carol, 2);
    assert.deepEqual(carol.eventsSince(mark2, 'onMessageReceived').flatMap((e) => texts(e.data)), ['barrier 2']);
    assert.equal(findConv(await carol.conversationList(), GCONV), undefined);
    assert.deepEqual((await carol.messages(GCONV)).messageList, []);
    await carol.reload();
    await carol.login();
    assert.equal(findConv(await carol.conversationList(), GCONV), undefined, 'gone after a fresh login too');
  });

  it('alice dismisses: bob gets the DISMISSED notice in @TIM#SYSTEM; deleting it; a new notice brings it back with only itself', async () => {
    // bob2 has held the group list since the group was made; bob reloaded since.
    const waits = [notice(bob, 5, GID), notice(bob2, 5, GID), groupListHas(bob2, GID, false), notice(alice, 5, GID)];
    assert.deepEqual(await alice.ok('dismissGroup', GID), { groupID: GID });
    await Promise.all(waits);
    assert.deepEqual(noticeTypes((await bob.messages(SYSTEM)).messageList), [`7 ${GID}`, `5 ${GID}`]);
    assert.equal(findConv(await bob.conversationList(), SYSTEM).unreadCount, 2);
    const p = (await bob.ok('getGroupProfile', { groupID: GID })).group;
    assert.equal(p.dismissed, true);
    assert.equal(p.isMember, false);
    assert.deepEqual(await groupIDs(bob), []);
    const aliceBefore = await view(alice, [GCONV, SYSTEM]);

    assert.deepEqual(await bob.ok('deleteConversation', SYSTEM), { conversationID: SYSTEM });
    assert.equal(findConv(await bob.conversationList(), SYSTEM), undefined);
    assert.deepEqual((await bob.messages(SYSTEM)).messageList, []);
    await bob.reload();
    await bob.login();
    assert.equal(findConv(await bob.conversationList(), SYSTEM), undefined, 'stays deleted');

    // A new notice (carol makes a group with bob) brings it back holding only itself.
    const back = notice(bob, 7, 'team2');
    await carol.ok('createGroup', { type: 'Public', name: 'Second', groupID: 'team2', memberList: ['bob'] });
    await back;
    const sys = findConv(await bob.conversationList(), SYSTEM);
    assert.ok(sys, '@TIM#SYSTEM is back');
    assert.equal(sys.unreadCount, 1);
    assert.deepEqual(noticeTypes((await bob.messages(SYSTEM)).messageList), ['7 team2']);
    assert.deepEqual(await view(alice, [GCONV, SYSTEM]), aliceBefore, "alice's notices are hers");
  });

  it('bad input: coded errors, nothing changed', async () => {
    await alice.ok('createGroup', { type: 'Public', name: 'Pub', groupID: 'pub1' });
    await bob.ok('joinGroup', { groupID: 'pub1' });
    await carol.ok('createGroup', { type: 'Private', name: 'Work', groupID: 'work2' });
    const convs = [GCONV, SYSTEM, 'GROUPpub1'];
    const before = { alice: await view(alice, convs), bob: await view(bob, convs), carol: await view(carol, convs) };
    const marks = { alice: alice.mark(), bob: bob.mark(), carol: carol.mark() };

    await bob.fails(10010, 'joinGroup', { groupID: 'nosuchgroup' });
    await bob.fails(10010, 'getGroupProfile', { groupID: 'nosuchgroup' });
    await bob.fails(10013, 'joinGroup', { groupID: 'pub1' });
    await carol.fails(10007, 'quitGroup', 'pub1');
    await alice.fails(10009, 'quitGroup', 'pub1');
    await alice.fails(10007, 'joinGroup', { groupID: 'work2' }); // Private: by invitation only
    for (const [who, group] of [[carol, GID], [bob, GID]]) {
      // carol left; for bob the group was dismissed
      const r = await groupSend(who, group, 'let me in');
      assert.equal(r.ok, false, `${who.userID}: sending to ${group} must fail`);
      assert.equal(r.code, 10007, `${who.userID} -> ${group}: ${r.code} ${r.message}`);
    }
    await alice.fails(10015, 'createGroup', { type: 'Public', name: 'X', groupID: '@TGS_mine' });
    await alice.fails(10015, 'createGroup', { type: 'Public', name: 'X', groupID: 'g'.repeat(49) });
    await bob.fails(10015, 'joinGroup', { groupID: 'g'.repeat(49) });
    await bob.fails(10015, 'quitGroup', 'bad\tid');

    for (const [name, u] of [['alice', alice], ['bob', bob], ['carol', carol]]) {
      assert.deepEqual(await view(u, convs), before[name], `${name}: nothing changed`);
      assert.deepEqual(u.eventsSince(marks[name], 'onGroupListUpdated'), [], `${name}: no GROUP_LIST_UPDATED`);
      assert.deepEqual(u.eventsSince(marks[name], 'receiveGroupSystemNotice'), [], `${name}: no notice`);
    }
  });

  after(async () => {
    for (const u of [alice, bob, bob2, carol]) if (u) await u.close();
  });
});

describe('GROUP_LIST_UPDATED after a page reload', () => {
  // The SDK syncs the group list at login (GROUP_LIST_UPDATED with it, as Tencent's SDK does), so a
  // reloaded page that loses its last group hears of it too (the refetched [] differs).
  it('a reloaded member hears that they were removed from their only group', async () => {
    const { server, browser } = env;
    const owner = await openUser(browser, server, 'olga');
    const member = await openUser(browser, server, 'max');
    try {
      await owner.login();
      await member.login();
      const joined = groupListHas(member, 'reload1');
      await owner.ok('createGroup', { type: 'Public', name: 'Reload', groupID: 'reload1', memberList: ['max'] });
      await joined;
      await member.reload();
      const synced = member.nextEvent('onGroupListUpdated', (d) => d.some((g) => g.groupID === 'reload1'), 3000);
      await member.login();
      const removed = member.nextEvent('onGroupListUpdated', (d) => d.length === 0, 3000);
      const kicked = notice(member, 4, 'reload1');
      await owner.ok('deleteGroupMember', { groupID: 'reload1', userIDList: ['max'] });
      await kicked; // the server's push did arrive
      assert.deepEqual(await groupIDs(member), [], 'getGroupList is right');
      await removed;
      await synced;
    } finally {
      await owner.close();
      await member.close();
    }
  });
});
