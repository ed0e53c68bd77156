// The demo chat's actions on chats and messages, through its UI in headless Chromium (issue 17):
// pin (first, with a mark, on both of the user's devices; unpin returns it), mark all read,
// revoke (the sender and the peer both see it revoked; too late says so), drafts (kept per chat,
// shown in the list), Retry as resendMessage, and the user's nick
// and avatar (set in the UI, shown to the peer in the list, the header and group messages).
// Errors show where the action was, in words with their code. Screenshots: test-results/demo-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, resultPath, sleep } from './harness.mjs';
import { DESKTOP, PHONE, T, personAt, closed, connected, msgTexts, msgCount, text, visible, typeAndEnter, status, devResult } from './demo-ui.mjs';

const env = useEnv(before, after);
const person = (userID, viewport) => personAt(env, userID, viewport);
/** The conversation IDs of the list, top first, a pinned one marked with '*'. */
const rows = (page) =>
  page.$$eval('[data-testid="conversation-list"] > li', (els) =>
    els.map((li) => `${li.dataset.conversationId}${li.querySelector('[data-testid^="pinned-"]') ? '*' : ''}`),
  );
const rowsAre = (page, want) =>
  page.waitForFunction(
    (w) => [...document.querySelectorAll('[data-testid="conversation-list"] > li')].map((li) => `${li.dataset.conversationId}${li.querySelector('[data-testid^="pinned-"]') ? '*' : ''}`).join() === w,
    want.join(),
  );
/** The message item (li) with this text, as a locator. */
const msg = (page, t) => page.locator(T('msg'), { has: page.locator('.text', { hasText: t }) });
const sdkHas = (page, names) =>
  page.evaluate(async (n) => {
    const { isSupported } = await import('/pkg/index.js');
    return Object.fromEntries(n.map((m) => [m, isSupported(m)]));
  }, names);

describe('demo chat: actions', () => {
  it('pin: first with a mark on both devices of the user, unpin returns it; mark all read; a failed pin says why (offline)', async () => {
    const { server, browser } = env;
    const one = await person('pia', DESKTOP);
    const two = await person('pia', PHONE); // the same user on a phone
    const a = one.page;
    const b = two.page;
    assert.deepEqual(await sdkHas(a, ['pinConversation', 'setAllMessageRead']), { pinConversation: true, setAllMessageRead: true });
    const quin = await openUser(browser, server, 'quin');
    const rex = await openUser(browser, server, 'rex');
    await quin.login();
    await rex.login();
    await quin.send('pia', 'from quin');
    await rex.send('pia', 'from rex');
    for (const p of [a, b]) await rowsAre(p, ['C2Crex', 'C2Cquin']);

    // -- mark all read on the phone: both devices' badges and totals go
    await b.waitForFunction(() => document.querySelector('[data-testid="total-unread"]').textContent === '2');
    assert.equal(await visible(b, 'read-all-btn'), true);
    await b.screenshot({ path: resultPath('demo-phone-unread.png') });
    await b.click(T('read-all-btn'));
    for (const p of [a, b]) await p.waitForFunction(() => document.querySelector('[data-testid="total-unread"]').hidden && document.querySelector('[data-testid="unread-C2Cquin"]').hidden);
    assert.equal(await text(b, 'list-status'), 'All chats marked read.');
    assert.equal(await visible(b, 'read-all-btn'), false, 'nothing left to mark');

    // -- pin quin's chat from the header on the desktop: first, marked, on both devices
    await a.click(T('open-C2Cquin'));
    assert.equal(await text(a, 'pin-btn'), 'Pin');
    assert.equal(await a.getAttribute(T('pin-btn'), 'aria-pressed'), 'false');
    await a.click(T('pin-btn'));
    await rowsAre(a, ['C2Cquin*', 'C2Crex']);
    assert.equal(await text(a, 'pane-status'), 'Pinned to the top of the list.');
    assert.equal(await text(a, 'pin-btn'), 'Unpin');
    assert.equal(await a.getAttribute(T('pin-btn'), 'aria-pressed'), 'true');
    assert.equal(await visible(a, 'open-pinned'), true, 'the header shows the mark too');
    assert.match(await a.getAttribute(T('open-C2Cquin'), 'aria-label'), /pinned/);
    await rowsAre(b, ['C2Cquin*', 'C2Crex']);
    await a.screenshot({ path: resultPath('demo-pinned.png') });
    await b.screenshot({ path: resultPath('demo-phone-pinned.png') });

    // a newer message elsewhere does not pass the pinned chat
    await rex.send('pia', 'rex again');
    for (const p of [a, b]) await p.waitForFunction(() => document.querySelector('[data-testid="last-C2Crex"]').textContent === 'rex again');
    assert.deepEqual(await rows(a), ['C2Cquin*', 'C2Crex']);
    assert.deepEqual(await rows(b), ['C2Cquin*', 'C2Crex']);

    // -- unpin on the phone, by keyboard: back in time order on both
    await b.focus(T('open-C2Cquin'));
    await b.keyboard.press('Enter');
    await b.waitForSelector(`${T('message-scroll')}:visible`);
    assert.equal(await text(b, 'pin-btn'), 'Unpin');
    await b.focus(T('pin-btn'));
    await b.keyboard.press('Enter');
    for (const p of [a, b]) await rowsAre(p, ['C2Crex', 'C2Cquin']);
    assert.equal(await text(b, 'pane-status'), 'Unpinned.');
    await a.waitForFunction(() => document.querySelector('[data-testid="pin-btn"]').textContent === 'Pin');
    assert.equal(await visible(a, 'open-pinned'), false);
    assert.equal(await b.evaluate(() => document.activeElement?.dataset.testid), 'pin-btn', 'the focus stays on the button');

    // -- a pin that fails says why where it was asked: the server is down, in words with the code
    await server.stop();
    await a.waitForFunction(() => document.querySelector('[data-testid="net-state"]').dataset.state !== 'connected');
    await a.click(T('pin-btn'));
    await a.waitForFunction(() => document.querySelector('[data-testid="pane-status"]').classList.contains('error-text'));
    assert.match(await text(a, 'pane-status'), /^Could not pin: .+ \(code 28\d\d\)$/);
    assert.equal(await text(a, 'pin-btn'), 'Pin');
    assert.deepEqual(await rows(a), ['C2Crex', 'C2Cquin'], 'nothing changed');
    await a.screenshot({ path: resultPath('demo-pin-error.png') });
    await server.restart();
    await connected(a);
    await connected(b);

    assert.deepEqual([...one.errors, ...two.errors], []);
    await quin.close();
    await rex.close();
    await one.ctx.close();
    await two.ctx.close();
  });

  it('mute (once the SDK has setMessageRemindType): a mark and a grey badge on both devices, unmute returns', async (t) => {
    const { server, browser } = env;
    const one = await person('wes', DESKTOP);
    const a = one.page;
    const { setMessageRemindType: has } = await sdkHas(a, ['setMessageRemindType']);
    const xia = await openUser(browser, server, 'xia');
    await xia.login();
    await xia.send('wes', 'first');
    await a.click(T('open-C2Cxia'));
    if (!has) {
      assert.equal(await a.isHidden(T('mute-btn')), true, 'hidden while the SDK lacks it');
      await xia.close();
      await one.ctx.close();
      t.skip('the SDK has no setMessageRemindType yet');
      return;
    }
    const two = await person('wes', PHONE);
    const b = two.page;
    assert.equal(await text(a, 'mute-btn'), 'Mute');
    await a.click(T('mute-btn'));
    for (const p of [a, b]) await p.locator(T('muted-C2Cxia')).waitFor();
    assert.equal(await text(a, 'pane-status'), 'Muted: no notifications from this chat.');
    assert.equal(await text(a, 'mute-btn'), 'Unmute');
    assert.equal(await a.getAttribute(T('mute-btn'), 'aria-pressed'), 'true');
    assert.equal(await visible(a, 'open-muted'), true);
    // after a reload (no chat open), still muted; a muted chat still receives, its badge grey
    await a.reload();
    await a.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(a);
    await a.locator(T('muted-C2Cxia')).waitFor();
    await xia.send('wes', 'while muted');
    for (const p of [a, b]) {
      await p.waitForFunction(() => document.querySelector('[data-testid="unread-C2Cxia"]')?.textContent === '1');
      assert.match(await p.getAttribute(T('unread-C2Cxia'), 'class'), /muted-badge/);
    }
    await a.screenshot({ path: resultPath('demo-muted.png') });
    await a.click(T('open-C2Cxia'));
    await a.click(T('mute-btn'));
    for (const p of [a, b]) await p.locator(T('muted-C2Cxia')).waitFor({ state: 'detached' });
    assert.equal(await text(a, 'mute-btn'), 'Mute');
    assert.deepEqual([...one.errors, ...two.errors], []);
    await xia.close();
    await one.ctx.close();
    await two.ctx.close();
  });

  it('revoke: confirmed, the sender and the peer both see it revoked, also in the list and after a reload; too late says so (20016)', async () => {
    const sam = await person('sam', DESKTOP);
    const tia = await person('tia', PHONE);
    const s = sam.page;
    const t = tia.page;
    assert.deepEqual(await sdkHas(s, ['revokeMessage']), { revokeMessage: true });
    await tia.page.click(T('new-chat-btn'));
    await t.fill(T('new-user-id'), 'sam');
    await t.keyboard.press('Enter');
    await closed(t, 'new-chat-dialog');
    await typeAndEnter(t, 'hi sam');
    await status(t, 'hi sam', 'sent');
    await s.click(T('open-C2Ctia'));
    await msgCount(s, 1);
    await typeAndEnter(s, 'oops, wrong chat');
    await typeAndEnter(s, 'keep this');
    await status(s, 'keep this', 'sent');
    await t.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'keep this'));
    assert.equal(await msg(t, 'oops, wrong chat').locator(T('revoke-btn')).count(), 0, "no revoke for someone else's message");
    assert.equal(await msg(s, 'hi sam').locator(T('revoke-btn')).count(), 0);
    assert.equal(await msg(s, 'oops, wrong chat').locator(T('revoke-btn')).count(), 1, 'revoke for your own recent message');

    // -- revoke, confirmed (Escape cancels first: nothing happens)
    await msg(s, 'oops, wrong chat').locator(T('revoke-btn')).click();
    await s.waitForSelector(`${T('confirm-dialog')}[open]`);
    assert.equal(await text(s, 'confirm-title'), 'Revoke this message?');
    assert.match(await text(s, 'confirm-text'), /^“oops, wrong chat”: everyone in this chat \(you and tia\) then sees “This message was revoked” instead/);
    assert.equal(await s.evaluate(() => document.activeElement?.dataset.testid), 'confirm-cancel', 'the safe choice has the focus');
    await s.screenshot({ path: resultPath('demo-revoke-confirm.png') });
    await s.keyboard.press('Escape');
    await closed(s, 'confirm-dialog');
    assert.equal(await msg(s, 'oops, wrong chat').getAttribute('data-status'), 'sent', 'cancelled: not revoked');
    await msg(s, 'oops, wrong chat').locator(T('revoke-btn')).click();
    await s.waitForSelector(`${T('confirm-dialog')}[open]`);
    await s.click(T('confirm-ok'));
    await closed(s, 'confirm-dialog');
    await s.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"]')].some((li) => li.dataset.status === 'revoked'));
    assert.deepEqual(await msgTexts(s), ['hi sam', 'You revoked this message', 'keep this']);
    assert.equal(await text(s, 'pane-status'), 'Message revoked.');
    assert.equal(await s.locator(`${T('msg')}[data-status="revoked"] ${T('revoke-btn')}`).count(), 0);
    // the peer, on the phone, sees it revoked too
    await t.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"]')].some((li) => li.dataset.status === 'revoked'));
    assert.deepEqual(await msgTexts(t), ['hi sam', 'This message was revoked', 'keep this']);
    await s.screenshot({ path: resultPath('demo-revoked.png') });
    await t.screenshot({ path: resultPath('demo-phone-revoked.png') });

    // -- the last message revoked: the list of both says so
    await msg(s, 'keep this').locator(T('revoke-btn')).click();
    await s.click(T('confirm-ok'));
    await closed(s, 'confirm-dialog');
    for (const [p, peer] of [[s, 'tia'], [t, 'sam']]) {
      await p.waitForFunction((id) => document.querySelector(`[data-testid="last-C2C${id}"]`)?.textContent === 'Message revoked', peer);
    }
    assert.equal(await t.evaluate(() => [...document.querySelectorAll('[data-testid="msg"]')].filter((li) => li.dataset.status === 'revoked').length), 2);
    assert.equal(await s.evaluate(() => document.activeElement?.dataset.testid), 'send-text', 'the focus goes back to the composer');

    // -- after a reload, still revoked (the server's history says so)
    await t.reload();
    await t.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(t);
    await t.click(T('open-C2Csam'));
    await msgCount(t, 3);
    assert.deepEqual(await msgTexts(t), ['hi sam', 'This message was revoked', 'This message was revoked']);

    // -- too late (the app's limit set to 0 s): refused in the dialog, in words with the code
    const limit = (secs) => env.server.cli('app', 'set', '--sdkappid', String(env.server.sdkAppID), '--revoke-time-limit', String(secs));
    assert.match(limit(0), /revokeTimeLimit=0/);
    try {
      await typeAndEnter(s, 'too late to take back');
      await status(s, 'too late to take back', 'sent');
      await sleep(1100); // sent over a second ago: past a limit of 0 s
      await msg(s, 'too late to take back').locator(T('revoke-btn')).click();
      await s.click(T('confirm-ok'));
      await s.waitForFunction(() => document.querySelector('[data-testid="confirm-error"]').textContent !== '');
      assert.equal(await text(s, 'confirm-error'), 'Too late to revoke: the time allowed after sending has passed (code 20016)');
      assert.equal(await s.isHidden(T('confirm-ok')), true, 'no "try again" when it cannot help');
      assert.equal(await text(s, 'confirm-cancel'), 'Close');
      await s.screenshot({ path: resultPath('demo-revoke-error.png') });
      await s.click(T('confirm-cancel'));
      await closed(s, 'confirm-dialog');
      assert.equal(await msg(s, 'too late to take back').getAttribute('data-status'), 'sent');
      await t.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"] .text')].some((x) => x.textContent === 'too late to take back'));
      assert.equal(await msg(t, 'too late to take back').getAttribute('data-status'), 'sent', 'the peer still has it');
    } finally {
      limit(120);
    }

    assert.deepEqual([...sam.errors, ...tia.errors], []);
    await sam.ctx.close();
    await tia.ctx.close();
  });

  it('draft: what is typed stays with its chat when another opens, shown in the list as a draft; sent or emptied, it goes', async () => {
    const { server, browser } = env;
    const dana = await person('dana', DESKTOP);
    const d = dana.page;
    assert.deepEqual(await sdkHas(d, ['setConversationDraft', 'resendMessage']), { setConversationDraft: true, resendMessage: true });
    const erin = await openUser(browser, server, 'erin');
    const fay = await openUser(browser, server, 'fay');
    await erin.login();
    await fay.login();
    await erin.send('dana', 'from erin');
    await fay.send('dana', 'from fay');
    await rowsAre(d, ['C2Cfay', 'C2Cerin']);

    await d.click(T('open-C2Cerin'));
    await d.fill(T('send-text'), 'half a thought');
    await d.click(T('open-C2Cfay'));
    assert.equal(await d.inputValue(T('send-text')), '', "fay's chat has its own (empty) composer");
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Cerin"]').textContent === 'half a thought');
    assert.equal(await d.textContent('[data-conversation-id="C2Cerin"] .last-draft'), 'Draft: ');
    await d.screenshot({ path: resultPath('demo-draft.png') });
    // a new message in that chat keeps the draft
    await erin.send('dana', 'erin again');
    await rowsAre(d, ['C2Cerin', 'C2Cfay']);
    assert.equal(await text(d, 'last-C2Cerin'), 'half a thought');

    await d.click(T('open-C2Cerin'));
    assert.equal(await d.inputValue(T('send-text')), 'half a thought', 'the draft is back in the composer');
    assert.equal(await text(d, 'last-C2Cerin'), 'erin again', 'the open chat shows its last message');
    await d.fill(T('send-text'), 'half a thought, finished');
    await d.press(T('send-text'), 'Enter');
    await status(d, 'half a thought, finished', 'sent');
    await d.click(T('open-C2Cfay'));
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Cerin"]').textContent === 'half a thought, finished');
    assert.equal(await d.$('[data-conversation-id="C2Cerin"] .last-draft'), null, 'sent: no draft left');

    // typed and emptied again: no draft either
    await d.fill(T('send-text'), 'for fay');
    await d.click(T('open-C2Cerin'));
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Cfay"]').textContent === 'for fay');
    await d.click(T('open-C2Cfay'));
    await d.fill(T('send-text'), '');
    await d.click(T('open-C2Cerin'));
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Cfay"]').textContent === 'from fay');
    assert.deepEqual(dana.errors, []);
    await dana.ctx.close();
  });

  it('block: confirmed; the blocked person\'s message is refused in words with 20007, and goes through with Retry once unblocked', async () => {
    const yan = await person('yan', DESKTOP);
    const zoe = await person('zoe', PHONE);
    const y = yan.page;
    const z = zoe.page;
    assert.deepEqual(await sdkHas(y, ['addToBlacklist', 'removeFromBlacklist', 'getBlacklist']), { addToBlacklist: true, removeFromBlacklist: true, getBlacklist: true });
    await z.click(T('new-chat-btn'));
    await z.fill(T('new-user-id'), 'yan');
    await z.keyboard.press('Enter');
    await closed(z, 'new-chat-dialog');
    await typeAndEnter(z, 'hello yan');
    await status(z, 'hello yan', 'sent');
    await y.click(T('open-C2Czoe'));
    await msgCount(y, 1);
    assert.equal(await text(y, 'block-btn'), 'Block');

    // -- block, confirmed (the dialog says what it does)
    await y.click(T('block-btn'));
    await y.waitForSelector(`${T('confirm-dialog')}[open]`);
    assert.equal(await text(y, 'confirm-title'), 'Block zoe?');
    assert.match(await text(y, 'confirm-text'), /^zoe can no longer send you messages/);
    await y.click(T('confirm-ok'));
    await closed(y, 'confirm-dialog');
    assert.equal(await text(y, 'pane-status'), 'Blocked zoe.');
    assert.equal(await text(y, 'block-btn'), 'Unblock');
    assert.equal(await y.getAttribute(T('block-btn'), 'aria-pressed'), 'true');
    assert.match(await text(y, 'open-sub'), /Blocked/);
    assert.equal(await y.evaluate(() => document.activeElement?.dataset.testid), 'block-btn');
    await y.screenshot({ path: resultPath('demo-blocked.png') });
    // still blocked after a reload (getBlacklist)
    await y.reload();
    await y.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(y);
    await y.click(T('open-C2Czoe'));
    await y.waitForFunction(() => document.querySelector('[data-testid="block-btn"]').textContent === 'Unblock');

    // -- her message is refused where she sent it, in words with the code
    await typeAndEnter(z, 'are you ignoring me?');
    await status(z, 'are you ignoring me?', 'failed');
    assert.equal(await text(z, 'send-error'), 'Not sent: This person does not accept messages from you (code 20007)');
    await z.screenshot({ path: resultPath('demo-phone-blocked-send.png') });
    assert.equal(await msgCount(y, 1).then(() => true), true, 'nothing reached yan');

    // -- unblocked: her retry goes through
    await y.click(T('block-btn'));
    await y.waitForFunction(() => document.querySelector('[data-testid="block-btn"]').textContent === 'Block');
    assert.equal(await text(y, 'pane-status'), 'Unblocked zoe: their messages reach you again.');
    assert.doesNotMatch(await text(y, 'open-sub'), /Blocked/);
    await z.click(T('retry-btn'));
    await status(z, 'are you ignoring me?', 'sent');
    assert.equal((await devResult(z)).head, 'resendMessage(message) → resolved', 'Retry is resendMessage: the same message, once');
    await y.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'are you ignoring me?'));
    assert.deepEqual(await msgTexts(y), ['hello yan', 'are you ignoring me?']);

    assert.deepEqual([...yan.errors, ...zoe.errors], []);
    await yan.ctx.close();
    await zoe.ctx.close();
  });

  it('your nick and avatar: set in the UI, shown to the peer instead of the userID (list, header, group messages); a bad one refused in words', async () => {
    const uma = await person('uma', DESKTOP);
    const vic = await person('vic', PHONE);
    const u = uma.page;
    const v = vic.page;
    assert.deepEqual(await sdkHas(u, ['updateMyProfile', 'getMyProfile', 'getUserProfile']), { updateMyProfile: true, getMyProfile: true, getUserProfile: true });
    assert.equal(await text(u, 'me'), 'uma');
    assert.equal(await text(u, 'me-id'), '');

    // -- a nick over Tencent's limit: refused in the dialog, which stays open to correct it
    await u.click(T('profile-btn'));
    await u.waitForSelector(`${T('profile-dialog')}[open]`);
    assert.equal(await u.evaluate(() => document.activeElement?.dataset.testid), 'profile-nick');
    await u.fill(T('profile-nick'), 'x'.repeat(501));
    await u.click(T('profile-ok'));
    await u.waitForFunction(() => document.querySelector('[data-testid="profile-error"]').textContent !== '');
    assert.match(await text(u, 'profile-error'), /^Not saved: That profile value is not valid.*\(code 2721\)$/);
    assert.equal(await u.$eval(T('profile-dialog'), (x) => x.open), true);
    await u.screenshot({ path: resultPath('demo-profile-error.png') });

    // -- a good one (and a picture), saved with Enter; her other device hears of it (PROFILE_UPDATED)
    const other = await person('uma', PHONE);
    const PICTURE = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
    await u.fill(T('profile-nick'), 'Uma Thurman');
    await u.fill(T('profile-avatar'), PICTURE);
    await u.press(T('profile-nick'), 'Enter');
    await closed(u, 'profile-dialog');
    assert.equal(await text(u, 'me'), 'Uma Thurman');
    assert.equal(await text(u, 'me-id'), 'uma');
    assert.equal(await text(u, 'list-status'), 'Your nick is “Uma Thurman” now.');
    await u.waitForSelector('#me-avatar img');
    await other.page.waitForFunction(() => document.querySelector('[data-testid="me"]').textContent === 'Uma Thurman');
    await other.ctx.close();
    // after a reload it is still there (the server keeps it)
    await u.reload();
    await u.waitForSelector(`${T('chat')}:not([hidden])`);
    await u.waitForFunction(() => document.querySelector('[data-testid="me"]').textContent === 'Uma Thurman');

    // -- the peer starts a chat by userID: the header shows the nick (getUserProfile), the ID beside
    await v.click(T('new-chat-btn'));
    await v.fill(T('new-user-id'), 'uma');
    await v.keyboard.press('Enter');
    await closed(v, 'new-chat-dialog');
    await v.waitForFunction(() => document.querySelector('[data-testid="open-title"]').textContent === 'Uma Thurman');
    assert.equal(await text(v, 'open-sub'), 'uma');
    assert.equal(await v.getAttribute(T('send-text'), 'placeholder'), 'Message Uma Thurman');
    await typeAndEnter(v, 'hi Uma');
    await status(v, 'hi Uma', 'sent');
    await u.locator(T('conv-C2Cvic')).waitFor();
    assert.equal(await text(u, 'name-C2Cvic'), 'vic', 'no nick: the userID');
    await u.click(T('open-C2Cvic'));
    await typeAndEnter(u, 'hi vic');
    await v.click(T('back-btn'));
    await v.waitForFunction(() => document.querySelector('[data-testid="name-C2Cuma"]')?.textContent === 'Uma Thurman');
    await v.waitForSelector(`${T('conv-C2Cuma')} .avatar img`);
    await v.screenshot({ path: resultPath('demo-phone-nick.png') });

    // -- in a group, her messages carry her nick and picture
    await u.click(T('new-chat-btn'));
    await u.check(T('kind-create'));
    await u.fill(T('create-group-name'), 'Film club');
    await u.fill(T('create-group-id'), 'filmclub');
    await u.click(T('new-chat-ok'));
    await closed(u, 'new-chat-dialog');
    await v.click(T('new-chat-btn'));
    await v.check(T('kind-join'));
    await v.fill(T('join-group-id'), 'filmclub');
    await v.click(T('new-chat-ok'));
    await closed(v, 'new-chat-dialog');
    await typeAndEnter(u, 'welcome to the club');
    await v.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'welcome to the club'));
    assert.equal(await v.textContent(`${T('msg')}.in ${T('msg-from')}`), 'Uma Thurman');
    assert.equal(await v.getAttribute(`${T('msg')}.in ${T('msg-from')}`, 'title'), 'uma');
    await v.waitForSelector(`${T('msg')}.in .sender .avatar img`);
    await v.screenshot({ path: resultPath('demo-phone-group-nick.png') });

    // -- clearing the nick: the userID again
    await u.click(T('profile-btn'));
    await u.fill(T('profile-nick'), '');
    await u.click(T('profile-ok'));
    await closed(u, 'profile-dialog');
    assert.equal(await text(u, 'me'), 'uma');
    assert.equal(await text(u, 'list-status'), 'Your nick is cleared: others see your userID.');

    assert.deepEqual([...uma.errors, ...vic.errors, ...other.errors], []);
    await uma.ctx.close();
    await vic.ctx.close();
  });

  it('keyboard: arrow keys move in the list, Enter opens, Shift+Enter is a new line, Enter sends: "Sending…", then sent', async () => {
    const { server, browser } = env;
    const kim = await person('kim', PHONE);
    const k = kim.page;
    const others = [];
    for (const id of ['kai', 'kit', 'kay']) {
      const u = await openUser(browser, server, id);
      await u.login();
      await u.send('kim', `from ${id}`);
      others.push(u);
    }
    await rowsAre(k, ['C2Ckay', 'C2Ckit', 'C2Ckai']);
    await k.focus(T('open-C2Ckay'));
    await k.keyboard.press('ArrowDown');
    assert.equal(await k.evaluate(() => document.activeElement?.dataset.testid), 'open-C2Ckit');
    await k.keyboard.press('ArrowDown');
    await k.keyboard.press('ArrowDown'); // stays on the last
    assert.equal(await k.evaluate(() => document.activeElement?.dataset.testid), 'open-C2Ckai');
    await k.keyboard.press('ArrowUp');
    assert.equal(await k.evaluate(() => document.activeElement?.dataset.testid), 'open-C2Ckit');
    await k.keyboard.press('Enter');
    await k.waitForSelector(`${T('message-scroll')}:visible`);
    assert.equal(await text(k, 'open-title'), 'kit');
    assert.equal(await k.evaluate(() => document.activeElement?.dataset.testid), 'send-text', 'the composer has the focus');
    // every state the message goes through, as shown
    await k.evaluate(() => {
      window.__states = [];
      new MutationObserver(() => {
        for (const s of document.querySelectorAll('[data-testid="msg"].out [data-testid="msg-state"]')) window.__states.push(s.textContent);
      }).observe(document.querySelector('[data-testid="message-list"]'), { childList: true, subtree: true });
    });
    await k.keyboard.type('two');
    await k.keyboard.press('Shift+Enter');
    await k.keyboard.type('lines');
    assert.equal(await k.inputValue(T('send-text')), 'two\nlines', 'Shift+Enter is a new line, not a send');
    await k.keyboard.press('Enter');
    await status(k, 'two\nlines', 'sent');
    assert.ok((await k.evaluate(() => window.__states)).includes(' · Sending…'), 'it showed "Sending…" first');
    assert.equal(await k.locator(`${T('msg')}.out ${T('msg-state')}`).count(), 0, 'sent: no state left but the time');
    await k.screenshot({ path: resultPath('demo-keyboard.png') });
    assert.deepEqual(kim.errors, []);
    for (const u of others) await u.close();
    await kim.ctx.close();
  });
});
