// The demo chat's read receipts and @-mentions, through its UI in headless Chromium (issue 17):
// every text message asks for a receipt (needReadReceipt); the reader's page sends it when the
// message shows in the open chat (sendMessageReadReceipt), and the sender's message goes from
// "Sent" to "Read" (MESSAGE_READ_BY_PEER), in a group to "Read by 1 of 2" and "Read by all"
// (MESSAGE_READ_RECEIPT_RECEIVED), kept across a reload. "@userID" / "@all" typed in a group's
// composer is a createTextAtMessage: the mentioned person's list shows "[@me]" / "[@all]"
// (groupAtInfoList) until they open the chat. Screenshots: test-results/demo-receipts-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, resultPath, sleep } from './harness.mjs';
import * as format from '../../www/demo/format.js';
import { DESKTOP, PHONE, T, personAt, closed, connected, typeAndEnter, status, text } from './demo-ui.mjs';

const env = useEnv(before, after);
const person = (userID, viewport) => personAt(env, userID, viewport);
/** The message item (li) with this text, as a locator. */
const msg = (page, t) => page.locator(T('msg'), { has: page.locator('.text', { hasText: t }) });
/** Waits until the own message with this text says `want` of its readers ("Sent", "Read", …). */
const receiptIs = (page, t, want) =>
  page.waitForFunction(
    ([t, w]) =>
      [...document.querySelectorAll('[data-testid="msg"].out')].some(
        (li) => li.querySelector('.text')?.textContent === t && li.querySelector('[data-testid="msg-receipt"]')?.textContent === ` · ${w}`,
      ),
    [t, want],
  );
const receiptOf = (page, t) => msg(page, t).locator(T('msg-receipt')).textContent();
/** Nothing is wider than the viewport (no sideways scrolling at phone width). */
const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('demo chat: read receipts and @-mentions', () => {
  it('formats receipts, mentions and the list\'s @ mark', () => {
    const TYPES = { CONV_AT_ME: 1, CONV_AT_ALL: 2, CONV_AT_ALL_AT_ME: 3 };
    const at = (...kinds) => kinds.map((k) => ({ groupID: 'g', messageSequence: 1, atTypeArray: [k] }));
    assert.equal(format.atMark([], TYPES), '');
    assert.equal(format.atMark(undefined, TYPES), '');
    assert.equal(format.atMark(at(2), TYPES), '[@all]');
    assert.equal(format.atMark(at(2, 1), TYPES), '[@me]');
    assert.equal(format.atMark(at(3), TYPES), '[@me]');
    assert.deepEqual(format.mentions('@bob, look at @all and mail@example.com; @bob again, @用户!', 'ALL'), ['bob', 'ALL', '用户']);
    assert.deepEqual(format.mentions('no mentions @', 'ALL'), []);
    assert.equal(format.mentions(Array.from({ length: 40 }, (_, i) => `@u${i}`).join(' '), 'ALL').length, 30);
    const out = { flow: 'out', status: 'success', needReadReceipt: true, isRevoked: false, isPeerRead: false, readReceiptInfo: { isPeerRead: false, readCount: 0, unreadCount: 2 } };
    assert.equal(format.receiptText(out, false), 'Sent');
    assert.equal(format.receiptText({ ...out, isPeerRead: true }, false), 'Read');
    assert.equal(format.receiptText(out, true), 'Sent');
    assert.equal(format.receiptText({ ...out, readReceiptInfo: { readCount: 1, unreadCount: 1 } }, true), 'Read by 1 of 2');
    assert.equal(format.receiptText({ ...out, readReceiptInfo: { readCount: 2, unreadCount: 0 } }, true), 'Read by all');
    assert.equal(format.receiptText({ ...out, readReceiptInfo: { readCount: 0, unreadCount: 0 } }, true), '', 'nobody else in the group');
    assert.equal(format.receiptText({ ...out, needReadReceipt: false }, false), '', 'did not ask');
    assert.equal(format.receiptText({ ...out, flow: 'in' }, false), '', 'not ours');
    assert.equal(format.receiptText({ ...out, status: 'fail' }, false), '', 'not sent');
    assert.equal(format.receiptText({ ...out, isRevoked: true }, false), '', 'revoked');
  });

  it('one-to-one: "Sent" until the peer opens the chat, then "Read" on the sender\'s page, live and after a reload', async () => {
    const alice = await person('rr_ann', DESKTOP);
    const bob = await person('rr_ben', PHONE);
    const a = alice.page;
    const b = bob.page;

    // ann writes first; ben's phone shows the list, the chat not open: not read
    await a.click(T('new-chat-btn'));
    await a.fill(T('new-user-id'), 'rr_ben');
    await a.keyboard.press('Enter');
    await closed(a, 'new-chat-dialog');
    await typeAndEnter(a, 'are you there?');
    await receiptIs(a, 'are you there?', 'Sent');
    await typeAndEnter(a, 'second question');
    await receiptIs(a, 'second question', 'Sent');
    await b.waitForFunction(() => document.querySelector('[data-testid="unread-C2Crr_ann"]')?.textContent === '2');
    await sleep(500);
    assert.equal(await receiptOf(a, 'are you there?'), ' · Sent', 'a listed message is not read');
    await a.screenshot({ path: resultPath('demo-receipts-sent.png') });

    // ben opens the chat: his page sends the receipts; ann's messages say "Read", at once
    await b.click(T('open-C2Crr_ann'));
    await b.waitForFunction(() => document.querySelectorAll('[data-testid="msg"].in').length === 2);
    for (const t of ['are you there?', 'second question']) await receiptIs(a, t, 'Read');
    assert.equal(await msg(a, 'are you there?').locator('.receipt.read').count(), 1);
    await a.screenshot({ path: resultPath('demo-receipts-read.png') });
    // his own reply asks too, and ann's page (the chat open) reads it at once
    await typeAndEnter(b, 'yes, here');
    await receiptIs(b, 'yes, here', 'Read');
    assert.equal(await fitsWidth(b), true, 'the phone page does not scroll sideways');
    await b.screenshot({ path: resultPath('demo-receipts-phone.png') });

    // a message arriving while ben reads the chat is read as it arrives
    await typeAndEnter(a, 'great');
    await receiptIs(a, 'great', 'Read');
    // ben's tab in the background (as the browser says when he switches tabs): a new message is
    // neither read nor receipted until he comes back to it
    const tab = (state) =>
      b.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await tab('hidden');
    await typeAndEnter(a, 'while you were away');
    await b.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'while you were away'));
    await b.waitForFunction(() => document.querySelector('[data-testid="unread-C2Crr_ann"]')?.textContent === '1');
    await sleep(500);
    assert.equal(await receiptOf(a, 'while you were away'), ' · Sent', 'not read in a background tab');
    assert.match(await b.title(), /^\(1\) /, 'the tab title counts it');
    await tab('visible');
    await receiptIs(a, 'while you were away', 'Read');
    await b.waitForFunction(() => document.querySelector('[data-testid="unread-C2Crr_ann"]')?.hidden);
    // read while ann has another chat open: reopened, her message says so
    await tab('hidden');
    await typeAndEnter(a, 'read me later');
    await receiptIs(a, 'read me later', 'Sent');
    await a.click(T('new-chat-btn'));
    await a.fill(T('new-user-id'), 'rr_zed');
    await a.keyboard.press('Enter');
    await closed(a, 'new-chat-dialog');
    await b.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'read me later'));
    await tab('visible');
    await b.waitForFunction(() => /^sendMessageReadReceipt\(\[1 message\]\) → resolved/.test(document.querySelector('[data-testid="result"]').textContent));
    await sleep(500); // the receipt reaches ann's SDK while her page shows another chat
    await a.click(T('open-C2Crr_ben'));
    await receiptIs(a, 'read me later', 'Read');

    // after a reload the history says so (the message's isPeerRead)
    await a.reload();
    await a.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(a);
    await a.click(T('open-C2Crr_ben'));
    for (const t of ['are you there?', 'second question', 'great', 'while you were away', 'read me later']) await receiptIs(a, t, 'Read');
    assert.equal(await msg(a, 'yes, here').locator(T('msg-receipt')).count(), 0, 'no receipt line on received messages');

    assert.deepEqual([...alice.errors, ...bob.errors], []);
    await alice.ctx.close();
    await bob.ctx.close();
  });

  it('group: "Read by 1 of 2", then "Read by all"; "@rr_bo" and "@all" put [@me] / [@all] in the list until the chat is opened', async () => {
    const { server, browser } = env;
    const alice = await person('rr_al', PHONE);
    const bob = await person('rr_bo', DESKTOP);
    const a = alice.page;
    const b = bob.page;
    const carol = await openUser(browser, server, 'rr_cy'); // a third member, through the SDK
    await carol.login();

    await a.click(T('new-chat-btn'));
    await a.check(T('kind-create'));
    await a.fill(T('create-group-name'), 'Receipts team');
    await a.fill(T('create-group-id'), 'rr_team');
    await a.click(T('new-chat-ok'));
    await closed(a, 'new-chat-dialog');
    assert.match(await a.getAttribute(T('send-text'), 'placeholder'), /@userID, @all/, 'the composer says how to mention');
    await b.click(T('new-chat-btn'));
    await b.check(T('kind-join'));
    await b.fill(T('join-group-id'), 'rr_team');
    await b.click(T('new-chat-ok'));
    await closed(b, 'new-chat-dialog');
    await carol.ok('joinGroup', { groupID: 'rr_team' });
    // bob reads the list with another chat open: the group is not open on his page
    await carol.send('rr_bo', 'coming to lunch?');
    await b.click(T('open-C2Crr_cy'));
    await typeAndEnter(b, 'sure, where?');
    await status(b, 'sure, where?', 'sent');

    // a message asking for receipts from the two others
    await typeAndEnter(a, 'team, read this');
    await receiptIs(a, 'team, read this', 'Sent');
    // @all, then @rr_bo: bob's list shows [@all], then [@me]; the sender's own list shows nothing
    await typeAndEnter(a, '@all lunch at noon');
    await status(a, '@all lunch at noon', 'sent');
    await b.locator(T('at-GROUPrr_team')).waitFor();
    assert.equal(await text(b, 'at-GROUPrr_team'), '[@all]');
    await typeAndEnter(a, '@rr_bo, can you book it?');
    await status(a, '@rr_bo, can you book it?', 'sent');
    await b.waitForFunction(() => document.querySelector('[data-testid="at-GROUPrr_team"]')?.textContent === '[@me]');
    assert.match(await b.getAttribute(T('open-GROUPrr_team'), 'aria-label'), /mentions you/);
    await b.mouse.move(700, 400); // no row under the pointer (hover) in the picture
    await b.screenshot({ path: resultPath('demo-receipts-at-me.png') });
    // the same list at phone width: the mark shows, and the row's long last message does not
    // make the page wider than the screen
    await b.setViewportSize(PHONE);
    await b.click(T('back-btn'));
    assert.equal(await b.isVisible(T('at-GROUPrr_team')), true);
    const [mark, row] = await Promise.all([T('at-GROUPrr_team'), T('conv-GROUPrr_team')].map((sel) => b.$eval(sel, (e) => e.getBoundingClientRect().right)));
    assert.ok(mark < row, 'the mark is inside its row');
    assert.equal(await fitsWidth(b), true, 'the phone list does not scroll sideways');
    await b.screenshot({ path: resultPath('demo-receipts-at-me-phone.png') });
    await b.setViewportSize(DESKTOP);
    await a.click(T('back-btn'));
    assert.equal(await a.locator(T('at-GROUPrr_team')).count(), 0, 'no mark for the sender');
    await a.click(T('open-GROUPrr_team'));
    // carol (not in the demo) sees them as @ messages: her copy of the last names bob
    const carolCopy = (await carol.messages('GROUPrr_team')).messageList;
    assert.deepEqual(carolCopy.find((m) => m.payload.text === '@rr_bo, can you book it?').payload.atUserList, ['rr_bo']);
    assert.equal(carolCopy.every((m) => m.needReadReceipt), true, 'every text message asks for a receipt');
    const carolAt = (await carol.conversationList()).find((c) => c.conversationID === 'GROUPrr_team').groupAtInfoList;
    assert.deepEqual(carolAt.map((x) => x.atTypeArray[0]), [2], 'carol: @all only');

    // bob opens the group: the mark goes, the message naming him stands out, and his receipts
    // reach alice: read by 1 of the 2 others
    await b.click(T('open-GROUPrr_team'));
    await b.waitForFunction(() => !document.querySelector('[data-testid="at-GROUPrr_team"]'));
    await msg(b, '@rr_bo, can you book it?').and(b.locator('.mentions-me')).waitFor();
    assert.equal(await b.locator('.mentions-me').count(), 2, '@all and @rr_bo mention him; the plain one does not');
    for (const t of ['team, read this', '@all lunch at noon', '@rr_bo, can you book it?']) await receiptIs(a, t, 'Read by 1 of 2');
    await b.screenshot({ path: resultPath('demo-receipts-group-open.png') });

    // carol reads one: read by all
    const first = carolCopy.find((m) => m.payload.text === 'team, read this');
    await carol.ok('sendMessageReadReceipt', [first]);
    await receiptIs(a, 'team, read this', 'Read by all');
    assert.equal(await receiptOf(a, '@all lunch at noon'), ' · Read by 1 of 2');
    assert.equal(await fitsWidth(a), true, 'the phone page does not scroll sideways');
    await a.screenshot({ path: resultPath('demo-receipts-group-phone.png') });

    // after a reload, the counts come from the history
    await a.reload();
    await a.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(a);
    await a.click(T('open-GROUPrr_team'));
    await receiptIs(a, 'team, read this', 'Read by all');
    await receiptIs(a, '@rr_bo, can you book it?', 'Read by 1 of 2');
    // the composer opened from the list after a reload has its full height (one line and more)
    const [box, send] = await Promise.all(['send-text', 'send-btn'].map((id) => a.$eval(T(id), (e) => e.getBoundingClientRect().height)));
    assert.ok(box >= send, `the phone composer is ${box}px high, the Send button ${send}px`);
    // and bob's list has no mark after his reload either (the server emptied it)
    await b.reload();
    await b.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(b);
    await b.locator(T('conv-GROUPrr_team')).waitFor();
    assert.equal(await b.locator(T('at-GROUPrr_team')).count(), 0);

    assert.deepEqual([...alice.errors, ...bob.errors], []);
    await carol.close();
    await alice.ctx.close();
    await bob.ctx.close();
  });
});
