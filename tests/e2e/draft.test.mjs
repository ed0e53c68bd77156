// Issue 16: setConversationDraft({ conversationID, draftText }). Local only, as Tencent documents
// for the web: the conversation carries draftText ('' by default) in this tab, with
// CONVERSATION_LIST_UPDATED; another session of the user never sees it, nor does a fresh login
// (nothing was sent). A new message and a reconnect keep it, an empty text clears it, a deletion
// drops it; bad arguments and a conversation not in the list are refused with codes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, findConv } from './harness.mjs';
import { EV, localList } from './admin.mjs';

const env = useEnv(before, after);

const draftOf = (list, id) => findConv(list, id)?.draftText;

describe('setConversationDraft', () => {
  it('keeps a draft in this tab only, through messages, cleared by "" and by a deletion', async () => {
    const { server, browser } = env;
    const open = async (id, options) => {
      const u = await openUser(browser, server, id);
      await u.login({ options });
      return u;
    };
    const a1 = await open('dr_alice');
    const a2 = await open('dr_alice');
    const bob = await open('dr_bob');
    const listed = a1.nextEvent(EV.LIST, (d) => !!findConv(d, 'C2Cdr_bob'));
    const listed2 = a2.nextEvent(EV.LIST, (d) => !!findConv(d, 'C2Cdr_bob'));
    await bob.send('dr_alice', 'b1');
    await listed;
    await listed2;
    assert.equal(draftOf(await a1.conversationList(), 'C2Cdr_bob'), '', 'no draft by default');

    await a1.fails(2100, 'setConversationDraft', { conversationID: 'C2Cdr_bob' });
    await a1.fails(2100, 'setConversationDraft', { conversationID: 'C2Cdr_bob', draftText: 5 });
    await a1.fails(2503, 'setConversationDraft', { conversationID: 'dr_bob', draftText: 'x' });
    await a1.fails(2500, 'setConversationDraft', { conversationID: 'C2Cdr_nobody', draftText: 'x' });
    assert.equal(draftOf(await a1.conversationList(), 'C2Cdr_bob'), '');
    assert.equal(findConv(await a1.conversationList(), 'C2Cdr_nobody'), undefined);

    const event = a1.nextEvent(EV.LIST, (d) => draftOf(d, 'C2Cdr_bob') === 'half a thought');
    const data = await a1.ok('setConversationDraft', { conversationID: 'C2Cdr_bob', draftText: 'half a thought' });
    assert.deepEqual(data, { conversationID: 'C2Cdr_bob' });
    await event;
    assert.equal(draftOf(await a1.conversationList(), 'C2Cdr_bob'), 'half a thought');
    const profile = await a1.ok('getConversationProfile', 'C2Cdr_bob');
    assert.equal(profile.conversation.draftText, 'half a thought');

    // A new message keeps it; the other session never had it.
    const newer = a1.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cdr_bob')?.lastMessage.messageForShow === 'b2');
    const newer2 = a2.nextEvent(EV.LIST, (d) => findConv(d, 'C2Cdr_bob')?.lastMessage.messageForShow === 'b2');
    await bob.send('dr_alice', 'b2');
    await newer;
    await newer2;
    assert.equal(draftOf(localList(a1), 'C2Cdr_bob'), 'half a thought');
    assert.equal(draftOf(await a2.conversationList(), 'C2Cdr_bob'), '', 'local to its tab');
    const fresh = await open('dr_alice', { SDKAppID: server.sdkAppID, cache: false });
    assert.equal(draftOf(await fresh.conversationList(), 'C2Cdr_bob'), '', 'never sent');

    // An empty text clears it.
    await a1.ok('setConversationDraft', { conversationID: 'C2Cdr_bob', draftText: '' });
    assert.equal(draftOf(await a1.conversationList(), 'C2Cdr_bob'), '');

    // A deletion drops it: the conversation a new message brings back has none.
    await a1.ok('setConversationDraft', { conversationID: 'C2Cdr_bob', draftText: 'again' });
    await a1.ok('deleteConversation', 'C2Cdr_bob');
    await a1.fails(2500, 'setConversationDraft', { conversationID: 'C2Cdr_bob', draftText: 'x' });
    const back = a1.nextEvent(EV.LIST, (d) => !!findConv(d, 'C2Cdr_bob'));
    await bob.send('dr_alice', 'b3');
    await back;
    assert.equal(draftOf(await a1.conversationList(), 'C2Cdr_bob'), '');
    for (const u of [a1, a2, bob, fresh]) await u.close();
  });
});
