// A group conversation's groupAtInfoList (issue 16), with the real SDK in headless Chromium
// against one server process: bob @-mentions alice (CONV_AT_ME), everyone (CONV_AT_ALL) or both
// (CONV_AT_ALL_AT_ME) with createTextAtMessage; alice's conversation lists those unread messages
// in CONVERSATION_LIST_UPDATED, getConversationList and getConversationProfile, and a fresh login
// shows the same; setMessageRead / setAllMessageRead (on every session of the user) and
// deleteConversation empty it, for good. A revoked @ message leaves everyone's list (live, on the
// MESSAGE_REVOKED push, and after a fresh login); one a user deleted for herself (deleteMessage)
// leaves hers only (at once, and after a fresh login).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv, groupSend } from './harness.mjs';

const env = useEnv(before, after);
const GID = 'gat1';
const CONV = `GROUP${GID}`;

/** createTextAtMessage + sendMessage to the group in `user`'s page; the sent message. */
async function sendAt(user, text, atUserList, gid = GID) {
  const r = await user.page.evaluate(async ([to, text, atUserList]) => {
    try {
      const msg = window.tim.createTextAtMessage({ to, conversationType: window.TIM.TYPES.CONV_GROUP, payload: { text, atUserList } });
      const r = await window.tim.sendMessage(msg);
      return { ok: true, message: JSON.parse(JSON.stringify(r.data.message)) };
    } catch (e) {
      return window.__errorInfo(e);
    }
  }, [gid, text, atUserList]);
  assert.ok(r.ok, `${user.userID}: sending @ message ${JSON.stringify(text)}: ${JSON.stringify(r)}`);
  return r.message;
}

/** `[messageSequence, atType]` of each entry of the conversation's groupAtInfoList. */
function atList(conv, gid = GID) {
  assert.ok(conv, 'the conversation is listed');
  for (const a of conv.groupAtInfoList) {
    assert.equal(a.groupID, gid);
    assert.equal(a.atTypeArray.length, 1);
  }
  return conv.groupAtInfoList.map((a) => [a.messageSequence, a.atTypeArray[0]]);
}

const listed = async (user) => atList(findConv(await user.conversationList(), CONV));

/** A waiter for CONVERSATION_LIST_UPDATED whose group conversation's list satisfies `pred`. */
const listUpdated = (user, pred) =>
  user.nextEvent('onConversationListUpdated', (d) => {
    const c = d.find((x) => x.conversationID === CONV);
    return !!c && pred(c.groupAtInfoList.map((a) => [a.messageSequence, a.atTypeArray[0]]));
  });

const same = (want) => (got) => JSON.stringify(got) === JSON.stringify(want);

describe('groupAtInfoList', () => {
  it('lists the unread @ messages with Tencent\'s at types; a fresh login sees the same; a read empties it', async () => {
    const [alice, bob, carol] = await Promise.all(['gat_alice', 'gat_bob', 'gat_carol'].map((id) => openUser(env.browser, env.server, id)));
    for (const u of [alice, bob, carol]) await u.login();
    const T = await alice.page.evaluate(() => {
      const { CONV_AT_ME, CONV_AT_ALL, CONV_AT_ALL_AT_ME, MSG_AT_ALL } = window.TIM.TYPES;
      return { CONV_AT_ME, CONV_AT_ALL, CONV_AT_ALL_AT_ME, MSG_AT_ALL };
    });
    assert.deepEqual(T, { CONV_AT_ME: 1, CONV_AT_ALL: 2, CONV_AT_ALL_AT_ME: 3, MSG_AT_ALL: '__kImSDK_MesssageAtALL__' });
    await bob.ok('createGroup', { type: 'Public', name: 'At', groupID: GID, memberList: ['gat_alice', 'gat_carol'] });

    // A plain message: listed, nothing in the list.
    const plain = groupSend(bob, GID, 'hello');
    const first = listUpdated(alice, (l) => l.length === 0);
    assert.ok((await plain).ok);
    await first;

    // @alice: CONV_AT_ME, live.
    let upd = listUpdated(alice, (l) => l.length === 1);
    const m1 = await sendAt(bob, '@alice look', ['gat_alice']);
    const want1 = [[m1.sequence, T.CONV_AT_ME]];
    assert.deepEqual(atList((await upd).data.find((c) => c.conversationID === CONV)), want1);
    assert.deepEqual(await listed(alice), want1);

    // @all: CONV_AT_ALL for alice and carol; @carol and @all: CONV_AT_ALL_AT_ME for carol.
    upd = listUpdated(alice, (l) => l.length === 3);
    const carolUpd = listUpdated(carol, (l) => l.length === 2);
    const m2 = await sendAt(bob, '@all dinner', [T.MSG_AT_ALL]);
    const m3 = await sendAt(bob, '@carol @all again', ['gat_carol', T.MSG_AT_ALL]);
    const want3 = [[m1.sequence, T.CONV_AT_ME], [m2.sequence, T.CONV_AT_ALL], [m3.sequence, T.CONV_AT_ALL]];
    await upd;
    assert.deepEqual(await listed(alice), want3);
    const carolWant = [[m2.sequence, T.CONV_AT_ALL], [m3.sequence, T.CONV_AT_ALL_AT_ME]];
    await carolUpd;
    assert.deepEqual(await listed(carol), carolWant);
    // The sender's own mentions are not news to him.
    assert.deepEqual(await listed(bob), []);
    assert.deepEqual(
      atList((await alice.ok('getConversationProfile', CONV)).conversation),
      want3,
    );
    // A one-to-one conversation has an empty list.
    await bob.send('gat_alice', 'psst');
    const c2c = findConv(await alice.conversationList(), 'C2Cgat_bob');
    assert.deepEqual(c2c.groupAtInfoList, []);

    // A fresh login (a new page, no cache) shows the same: the server derives it.
    await alice.close();
    const alice2 = await openUser(env.browser, env.server, 'gat_alice');
    await alice2.login();
    assert.deepEqual(await listed(alice2), want3);

    // Read: empty, at once, on her other session too (its conversationRead push) and after a
    // fresh login; carol's stay.
    const aliceTab = await openUser(env.browser, env.server, 'gat_alice');
    await aliceTab.login();
    assert.deepEqual(await listed(aliceTab), want3);
    upd = listUpdated(alice2, (l) => l.length === 0);
    const otherSession = listUpdated(aliceTab, (l) => l.length === 0);
    await alice2.ok('setMessageRead', { conversationID: CONV });
    await upd;
    await otherSession;
    assert.deepEqual(await listed(aliceTab), []);
    await aliceTab.close();
    assert.deepEqual(await listed(alice2), []);
    assert.deepEqual(await listed(carol), carolWant);
    await alice2.close();
    const alice3 = await openUser(env.browser, env.server, 'gat_alice');
    await alice3.login();
    assert.deepEqual(await listed(alice3), []);

    // A new mention after the read is listed alone.
    upd = listUpdated(alice3, (l) => l.length === 1);
    const m4 = await sendAt(bob, '@alice once more', ['gat_alice']);
    await upd;
    assert.deepEqual(await listed(alice3), [[m4.sequence, T.CONV_AT_ME]]);

    // setAllMessageRead empties carol's.
    const carolRead = listUpdated(carol, (l) => l.length === 0);
    await carol.ok('setAllMessageRead');
    await carolRead;
    assert.deepEqual(await listed(carol), []);
    await carol.close();
    const carol2 = await openUser(env.browser, env.server, 'gat_carol');
    await carol2.login();
    assert.deepEqual(await listed(carol2), []);

    // Deleting the conversation drops the list; a new message brings it back with only what is new.
    await alice3.ok('deleteConversation', CONV);
    assert.equal(findConv(await alice3.conversationList(), CONV), undefined);
    const back = listUpdated(alice3, (l) => l.length === 0);
    assert.ok((await groupSend(bob, GID, 'plain again')).ok);
    await back;
    assert.deepEqual(await listed(alice3), []);
    await alice3.close();
    const alice4 = await openUser(env.browser, env.server, 'gat_alice');
    await alice4.login();
    assert.deepEqual(await listed(alice4), [], 'the mention before the deletion is gone for good');
    upd = listUpdated(alice4, (l) => l.length === 1);
    const m5 = await sendAt(bob, '@all last', [T.MSG_AT_ALL]);
    await upd;
    assert.deepEqual(await listed(alice4), [[m5.sequence, T.CONV_AT_ALL]]);
    await Promise.all([alice4, bob, carol2].map((u) => u.close()));
  });

  it('a revoked @ message leaves everyone\'s list; one deleted with deleteMessage leaves the deleter\'s', async () => {
    const gid = 'gat2';
    const conv = `GROUP${gid}`;
    const mine = async (user) => atList(findConv(await user.conversationList(), conv), gid);
    const updated = (user, n) =>
      user.nextEvent('onConversationListUpdated', (d) => {
        const c = d.find((x) => x.conversationID === conv);
        return !!c && c.groupAtInfoList.length === n;
      });
    const [alice, bob, carol] = await Promise.all(['gat_alice2', 'gat_bob2', 'gat_carol2'].map((id) => openUser(env.browser, env.server, id)));
    for (const u of [alice, bob, carol]) await u.login();
    const { CONV_AT_ME, MSG_AT_ALL } = await alice.page.evaluate(() => window.TIM.TYPES);
    await bob.ok('createGroup', { type: 'Public', name: 'At2', groupID: gid, memberList: ['gat_alice2', 'gat_carol2'] });
    let upd = [updated(alice, 3), updated(carol, 3)];
    const m1 = await sendAt(bob, '@alice @carol one', ['gat_alice2', 'gat_carol2'], gid);
    const m2 = await sendAt(bob, '@all two', [MSG_AT_ALL], gid);
    const m3 = await sendAt(bob, '@alice @carol three', ['gat_alice2', 'gat_carol2'], gid);
    await Promise.all(upd);

    // bob revokes @all: gone from both lists at once (MESSAGE_REVOKED), and from the server's.
    upd = [updated(alice, 2), updated(carol, 2)];
    await bob.ok('revokeMessage', m2);
    await Promise.all(upd);
    const both = [[m1.sequence, CONV_AT_ME], [m3.sequence, CONV_AT_ME]];
    assert.deepEqual(await mine(alice), both);
    assert.deepEqual(await mine(carol), both);

    // alice deletes m1 for herself: gone from her list at once and after a fresh login; carol
    // keeps it.
    upd = updated(alice, 1);
    await alice.ok('deleteMessage', [m1]);
    await upd;
    assert.deepEqual(await mine(alice), [[m3.sequence, CONV_AT_ME]]);
    await alice.close();
    const alice2 = await openUser(env.browser, env.server, 'gat_alice2');
    await alice2.login();
    assert.deepEqual(await mine(alice2), [[m3.sequence, CONV_AT_ME]]);
    await carol.close();
    const carol2 = await openUser(env.browser, env.server, 'gat_carol2');
    await carol2.login();
    assert.deepEqual(await mine(carol2), both, 'carol: the revoked @all is gone, her m1 stays');
    await Promise.all([alice2, bob, carol2].map((u) => u.close()));
  });
});
