// The demo chat (www/) driven through its UI in headless Chromium: two people in two browser
// contexts (dora at desktop width, eve at phone width) chat, page through history, lose the
// server and get it back, delete with a confirmation, reload, join a group. Screenshots of each
// step go to test-results/demo-*.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { useEnv, openUser, texts, resultPath, until, ROOT } from './harness.mjs';
import * as format from '../../www/demo/format.js';
import { DESKTOP, PHONE, T, personAt, closed, connected, msgTexts, msgCount, text, visible, devResult, newChatWith, typeAndEnter, status } from './demo-ui.mjs';

const env = useEnv(before, after);
const person = (userID, viewport) => personAt(env, userID, viewport);
/**
 * The demo hosted on an origin of its own (www/ and pkg/, and /api/demo/usersig passed on to the
 * chat server), so that the page reloads while tim-server is down. Its SDK reaches the server
 * through the page's `?server=` parameter.
 */
async function demoSite() {
  const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };
  const site = http.createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/api/demo/usersig') {
      try {
        const r = await fetch(env.server.url + req.url);
        res.writeHead(r.status, { 'Content-Type': 'application/json' }).end(await r.text());
      } catch {
        res.writeHead(502).end('{"message":"chat server down"}');
      }
      return;
    }
    const rel = normalize(path === '/' ? 'index.html' : path).replace(/^\/+/, '');
    const file = rel.startsWith('pkg/') ? join(ROOT, rel) : join(ROOT, 'www', rel);
    try {
      if (rel.includes('..')) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[rel.slice(rel.lastIndexOf('.'))] || 'application/octet-stream', 'Cache-Control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  site.on('upgrade', (_req, socket) => socket.destroy());
  await new Promise((r) => site.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${site.address().port}/?server=${encodeURIComponent(env.server.wsURL)}`,
    close: () => new Promise((r) => { site.closeAllConnections(); site.close(() => r()); }),
  };
}

describe('demo chat', () => {
  it('serves a test UserSig for the demo app at /api/demo/usersig', async () => {
    const res = await fetch(`${env.server.url}/api/demo/usersig?userID=zed`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.SDKAppID, env.server.sdkAppID);
    assert.equal(body.userID, 'zed');
    assert.equal(typeof body.userSig, 'string');
    // it is a real UserSig: the SDK logs in with it
    const u = await openUser(env.browser, env.server, 'zed');
    await u.login({ userSig: body.userSig });
    await u.close();
  });

  it('formats list times (today hh:mm, older a date), day separators, initials and errors in words', () => {
    const now = new Date(2026, 11, 2, 15, 30).getTime();
    const at = (y, mo, d, h, mi) => new Date(y, mo, d, h, mi).getTime() / 1000;
    assert.equal(format.listTime(at(2026, 11, 2, 9, 5), now), '09:05');
    assert.equal(format.listTime(at(2026, 11, 1, 23, 59), now), 'Yesterday');
    assert.equal(format.listTime(at(2026, 10, 20, 8, 0), now), '20 Nov');
    assert.equal(format.listTime(at(2025, 2, 5, 8, 0), now), '5 Mar 2025');
    assert.equal(format.listTime(0, now), '');
    assert.equal(format.dayLabel(at(2026, 11, 2, 0, 1), now), 'Today');
    assert.equal(format.dayLabel(at(2026, 11, 1, 12, 0), now), 'Yesterday');
    assert.equal(format.dayLabel(at(2026, 10, 28, 12, 0), now), '28 Nov');
    assert.notEqual(format.dayKey(at(2026, 11, 1, 23, 59)), format.dayKey(at(2026, 11, 2, 0, 0)));
    assert.equal(format.initials('eve'), 'E');
    assert.equal(format.initials('Ada Lovelace'), 'AL');
    assert.equal(format.initials('book-club'), 'BC');
    assert.equal(format.hue('eve'), format.hue('eve'));
    assert.equal(format.errorText({ code: 2500, message: 'x' }), 'This conversation is not in your list (already deleted?) (code 2500)');
    assert.match(format.errorText({ code: 99999, message: 'something odd' }), /^something odd \(code 99999\)$/);
    assert.equal(format.conversationName({ conversationID: '@TIM#SYSTEM', type: '@TIM#SYSTEM' }), 'System notices');
    assert.equal(format.errorText({ code: 20016, message: 'x' }), 'Too late to revoke: the time allowed after sending has passed (code 20016)');
    assert.equal(format.errorText({ code: 60020, message: 'x' }), 'At most 50 chats can be pinned; unpin one first (code 60020)');
    // a peer's nick: a newer one (getUserProfile, a live message) wins over the list's, the userID last
    const c2c = { conversationID: 'C2Ceve', type: 'C2C', userProfile: { userID: 'eve', nick: '', avatar: '' } };
    assert.equal(format.conversationName(c2c), 'eve');
    assert.equal(format.conversationName({ ...c2c, userProfile: { ...c2c.userProfile, nick: 'Eve' } }), 'Eve');
    assert.equal(format.conversationName(c2c, null, new Map([['eve', { nick: 'Eve A.', avatar: '' }]])), 'Eve A.');
    // avatars: only pictures an <img> may load
    assert.equal(format.avatarURL('https://example.com/a.png'), 'https://example.com/a.png');
    assert.equal(format.avatarURL('data:image/png;base64,AAAA'), 'data:image/png;base64,AAAA');
    assert.equal(format.avatarURL('javascript:alert(1)'), '');
    assert.equal(format.avatarURL(''), '');
    // mute: Tencent's documented setMessageRemindType shape
    assert.deepEqual(format.remindOptions('C2Ceve', 'AcceptNotNotify'), { userIDList: ['eve'], messageRemindType: 'AcceptNotNotify' });
    assert.deepEqual(format.remindOptions('GROUPbookclub', 'AcceptAndNotify'), { groupID: 'bookclub', messageRemindType: 'AcceptAndNotify' });
    assert.equal(format.remindOptions('@TIM#SYSTEM', 'Discard'), null);
    // revoke is offered for one's own sent messages within Tencent's default 2 minutes
    const nowMs = 1_000_000_000_000;
    const mine = { flow: 'out', status: 'success', isRevoked: false, time: nowMs / 1000 - 10 };
    assert.equal(format.revocable(mine, nowMs), true);
    assert.equal(format.revocable({ ...mine, time: nowMs / 1000 - 121 }, nowMs), false);
    assert.equal(format.revocable({ ...mine, flow: 'in' }, nowMs), false);
    assert.equal(format.revocable({ ...mine, status: 'fail' }, nowMs), false);
    assert.equal(format.revocable({ ...mine, isRevoked: true }, nowMs), false);
  });

  it('two people chat, page history, go offline and back, delete with confirmation, reload, phone width', async () => {
    const { server, browser } = env;

    // -- dora logs in at desktop width; the developer panel is there but folded away
    const dora = await person('dora', DESKTOP);
    const d = dora.page;
    assert.equal(await text(d, 'me'), 'dora');
    assert.equal(await text(d, 'net-state'), 'Connected');
    assert.equal(await d.$eval(T('dev-panel'), (x) => x.open), false, 'developer panel folded');
    assert.equal(await visible(d, 'result'), false);
    assert.match(await text(d, 'result'), /login[\s\S]*resolved[\s\S]*"code": 0/);
    assert.equal(await visible(d, 'no-conversations'), true);

    // Controls for what the SDK lacks are hidden, and appear by themselves when it has them.
    // What the SDK really has (Tencent's other method names exist too, rejecting with 2905).
    const sdkHas = await d.evaluate(async () => {
      const { isSupported } = await import('/pkg/index.js');
      return Object.fromEntries(['pinConversation', 'setMessageRemindType', 'revokeMessage', 'createImageMessage', 'createFileMessage'].map((m) => [m, isSupported(m)]));
    });

    // -- eve logs in at phone width and starts a chat with dora through "New chat"
    const eve = await person('eve', PHONE);
    const e = eve.page;
    await newChatWith(e, 'dora');
    assert.equal(await e.locator(`${T('send-form')} input:not([type=file]), #send-to`).count(), 0, 'no free "to" field: the composer sends to the open conversation');
    assert.equal(await e.getAttribute(T('send-text'), 'placeholder'), 'Message dora');
    // not in her list yet: delete is disabled, and looks it (not red)
    assert.equal(await e.isDisabled(T('delete-open-btn')), true);
    const bg = await e.$eval(T('delete-open-btn'), (b) => getComputedStyle(b).backgroundColor);
    assert.notEqual(bg, 'rgb(198, 47, 47)', 'a disabled delete button is not red');
    await typeAndEnter(e, 'hello from eve');
    await e.fill(T('send-text'), 'are you there?');
    await e.click(T('send-btn'));
    await status(e, 'are you there?', 'sent');
    await status(e, 'hello from eve', 'sent');
    assert.deepEqual(await msgTexts(e), ['hello from eve', 'are you there?']);
    assert.equal(await e.inputValue(T('send-text')), '', 'the composer is emptied after sending');
    assert.equal(await e.isDisabled(T('delete-open-btn')), false, 'in her list now');

    // -- dora's list: name, initials, last message, hh:mm, unread badge, total
    await d.locator(T('conv-C2Ceve')).waitFor();
    await d.waitForFunction(() => document.querySelector('[data-testid="unread-C2Ceve"]')?.textContent === '2');
    assert.equal(await visible(d, 'no-conversations'), false);
    assert.equal(await text(d, 'name-C2Ceve'), 'eve');
    assert.equal(await d.textContent(`${T('conv-C2Ceve')} .avatar`), 'E');
    assert.equal(await text(d, 'last-C2Ceve'), 'are you there?');
    assert.match(await text(d, 'time-C2Ceve'), /^\d\d:\d\d$/);
    await d.waitForFunction(() => document.querySelector('[data-testid="total-unread"]').textContent === '2');
    assert.equal(await visible(d, 'total-unread'), true);
    assert.equal(await text(d, 'conv-count'), '(1)');

    // -- dora opens it: day separator, times, no sequence numbers, read
    await d.click(T('open-C2Ceve'));
    await msgCount(d, 2);
    assert.deepEqual(await msgTexts(d), ['hello from eve', 'are you there?']);
    assert.deepEqual(await d.$$eval(`${T('message-list')} > li`, (els) => els.map((x) => x.dataset.testid)), ['day-sep', 'msg', 'msg']);
    assert.equal(await d.textContent(T('day-sep')), 'Today');
    for (const t of await d.$$eval(T('msg-time'), (els) => els.map((x) => x.textContent))) assert.match(t, /^\d\d:\d\d$/);
    assert.doesNotMatch(await d.textContent(T('message-list')), /#\d/, 'no internal sequence numbers');
    await d.waitForFunction(() => document.querySelector('[data-testid="unread-C2Ceve"]').hidden);
    await d.waitForFunction(() => document.querySelector('[data-testid="total-unread"]').hidden);
    assert.equal(await d.evaluate(() => document.activeElement?.dataset.testid), 'send-text', 'focus goes to the composer');

    // -- dora replies with Enter; eve sees it on the left, dora's own on the right
    await typeAndEnter(d, 'hi eve, from the demo');
    await status(d, 'hi eve, from the demo', 'sent');
    await e.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'hi eve, from the demo'));
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Ceve"]').textContent === 'hi eve, from the demo');
    assert.equal(await d.textContent(`${T('conv-C2Ceve')} .last-from`), 'You: ');
    const side = async (page, t) =>
      page.evaluate((x) => {
        const li = [...document.querySelectorAll('[data-testid="msg"]')].find((l) => l.querySelector('.text')?.textContent === x);
        const r = li.querySelector('.bubble').getBoundingClientRect();
        const s = document.querySelector('[data-testid="message-scroll"]').getBoundingClientRect();
        return r.left - s.left < s.right - r.right ? 'left' : 'right';
      }, t);
    assert.equal(await side(d, 'hi eve, from the demo'), 'right');
    assert.equal(await side(d, 'hello from eve'), 'left');
    assert.equal(await side(e, 'hello from eve'), 'right');
    assert.equal(await side(e, 'hi eve, from the demo'), 'left');

    // -- a live message while open appears in it, read at once; the keyboard focus stays put
    await d.focus(T('open-C2Ceve'));
    await eve.page.fill(T('send-text'), 'live one');
    await eve.page.press(T('send-text'), 'Enter');
    await d.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"] .text')].some((x) => x.textContent === 'live one'));
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Ceve"]').textContent === 'live one');
    await d.waitForFunction(() => document.querySelector('[data-testid="unread-C2Ceve"]').hidden && document.querySelector('[data-testid="total-unread"]').hidden);
    assert.equal(await d.evaluate(() => document.activeElement?.dataset.testid), 'open-C2Ceve', 'a list update keeps the focus');
    await e.click(T('back-btn'));
    await e.waitForFunction(() => document.querySelector('[data-testid="unread-C2Cdora"]')?.hidden === true); // read while it was open
    await e.click(T('open-C2Cdora'));
    await msgCount(e, 4);
    await d.screenshot({ path: resultPath('demo-desktop-chat.png') });
    await e.screenshot({ path: resultPath('demo-phone-chat.png') });

    // -- phone width: the open conversation takes the whole width; back shows the list
    const paneWidth = await e.$eval(T('message-scroll'), (x) => x.getBoundingClientRect().width);
    assert.ok(paneWidth >= 360, `the chat pane is ${paneWidth}px wide at 375px`);
    assert.equal(await visible(e, 'conversation-list'), false, 'one pane at a time on a phone');
    assert.ok(await e.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling at 375px');
    await e.click(T('back-btn'));
    await e.locator(T('conv-C2Cdora')).waitFor();
    assert.equal(await visible(e, 'message-scroll'), false);
    const rowWidth = await e.$eval(T('conv-C2Cdora'), (x) => x.getBoundingClientRect().width);
    assert.ok(rowWidth >= 340, `the list row is ${rowWidth}px wide at 375px`);
    assert.equal(await e.evaluate(() => document.activeElement?.dataset.testid), 'open-C2Cdora', 'back returns focus to the row');
    await e.screenshot({ path: resultPath('demo-phone-list.png') });
    await e.keyboard.press('Enter'); // keyboard: the focused row opens
    await e.waitForSelector(`${T('message-scroll')}:visible`);

    // -- paging: fay sends 40; dora opens it with the newest, scrolling up loads the older pages
    const fay = await openUser(browser, server, 'fay');
    await fay.login();
    const sent = [];
    for (let i = 1; i <= 40; i++) sent.push(`fay ${i}`);
    for (const t of sent) await fay.send('dora', t);
    await d.waitForFunction(() => document.querySelector('[data-testid="unread-C2Cfay"]')?.textContent === '40');
    await d.click(T('open-C2Cfay'));
    await d.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"] .text')].some((x) => x.textContent === 'fay 40'));
    const first = await msgTexts(d);
    assert.ok(first.length < 40, `the first page holds only the newest (${first.length})`);
    assert.deepEqual(first, sent.slice(40 - first.length));
    assert.ok(await d.$eval(T('message-scroll'), (s) => s.scrollHeight - s.scrollTop - s.clientHeight < 2), 'opened at the bottom');
    for (let round = 0; (await msgTexts(d)).length < 40; round++) {
      assert.ok(round < 10, 'older pages load on scroll');
      const before = (await msgTexts(d)).length;
      // the message at the top stays where it is on screen while older ones come in above it
      const anchor = await d.evaluate(() => {
        const s = document.querySelector('[data-testid="message-scroll"]');
        s.scrollTop = 0; // the scroll asks for the previous page
        const li = document.querySelector('[data-testid="msg"]');
        return { id: li.dataset.id, top: li.getBoundingClientRect().top };
      });
      await d.waitForFunction((n) => document.querySelectorAll('[data-testid="msg"]').length > n, before);
      const top = await d.evaluate((id) => document.querySelector(`[data-id="${CSS.escape(id)}"]`).getBoundingClientRect().top, anchor.id);
      assert.ok(Math.abs(top - anchor.top) <= 2, `older messages go above, the reader keeps their place (${anchor.top} -> ${top})`);
    }
    assert.deepEqual(await msgTexts(d), sent, 'every page, in order, once');
    await d.waitForFunction(() => document.querySelector('[data-testid="older"]').textContent === 'Start of the conversation');

    // -- no layout shift: a new message while reading older ones moves nothing on screen
    const probe = () =>
      d.evaluate(() => {
        const li = [...document.querySelectorAll('[data-testid="msg"]')].find((l) => l.querySelector('.text').textContent === 'fay 5');
        return { msg: li.getBoundingClientRect().top, composer: document.querySelector('[data-testid="send-form"]').getBoundingClientRect().top, head: document.querySelector('[data-testid="open-title"]').getBoundingClientRect().top };
      });
    await d.evaluate(() => {
      const li = [...document.querySelectorAll('[data-testid="msg"]')].find((l) => l.querySelector('.text').textContent === 'fay 5');
      li.scrollIntoView({ block: 'center' });
    });
    const at = await probe();
    await fay.send('dora', 'fay 41');
    await msgCount(d, 41);
    assert.deepEqual(await probe(), at, 'nothing moved');
    assert.equal(await visible(d, 'jump-btn'), true, 'a "new messages" button instead');
    await d.click(T('jump-btn'));
    assert.ok(await d.$eval(T('message-scroll'), (s) => s.scrollHeight - s.scrollTop - s.clientHeight < 2));
    await fay.send('dora', 'fay 42');
    await msgCount(d, 42);
    assert.ok(await d.$eval(T('message-scroll'), (s) => s.scrollHeight - s.scrollTop - s.clientHeight < 2), 'at the bottom it follows new messages');

    // -- clear history: confirmed, the chat stays, empty; fay keeps hers
    await d.click(T('clear-btn'));
    await d.waitForSelector(`${T('confirm-dialog')}[open]`);
    assert.match(await text(d, 'confirm-text'), /fay keeps theirs/);
    await d.click(T('confirm-ok'));
    await closed(d, 'confirm-dialog');
    await msgCount(d, 0);
    assert.equal(await text(d, 'pane-status'), 'History cleared.');
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Cfay"]')?.textContent === 'No messages');
    assert.equal((await fay.messages('C2Cdora', { count: 100 })).messageList.length, 42);

    // -- the server goes away: the state is shown, a send fails with its code and a retry, a
    //    deletion is queued
    await d.click(T('open-C2Ceve'));
    await msgCount(d, 4);
    await server.stop();
    await d.waitForFunction(() => document.querySelector('[data-testid="net-state"]').dataset.state !== 'connected');
    assert.match(await text(d, 'net-state'), /^Offline/);
    assert.equal(await visible(d, 'net-banner'), true);
    await e.waitForSelector(T('net-banner')); // on the phone too, in the open conversation
    await typeAndEnter(d, 'sent while offline');
    await status(d, 'sent while offline', 'failed');
    assert.match(await text(d, 'send-error'), /^Not sent: .+ \(code 28\d\d\)$/);
    assert.match(await text(d, 'net-banner'), /1 message not sent/);
    await d.click(T('delete-C2Cfay'));
    await d.waitForSelector(`${T('confirm-dialog')}[open]`);
    await d.click(T('confirm-ok'));
    await closed(d, 'confirm-dialog');
    await d.locator(T('conv-C2Cfay')).waitFor({ state: 'detached' });
    assert.match(await text(d, 'list-status'), /queued/);
    assert.match(await text(d, 'net-banner'), /1 deletion queued/);
    assert.deepEqual((await devResult(d)).json, { code: 0, data: { conversationID: 'C2Cfay', pending: true } });
    assert.equal(await text(d, 'open-title'), 'eve', 'the open chat stays open');
    await d.screenshot({ path: resultPath('demo-offline.png') });

    // -- the server is back: connected, the queued deletion sent, the failed message retried
    await server.restart();
    await connected(d);
    await d.waitForFunction(() => /queued deletion sent/.test(document.querySelector('[data-testid="list-status"]').textContent));
    await d.click(T('retry-btn'));
    await status(d, 'sent while offline', 'sent');
    assert.equal(await text(d, 'send-error'), '');
    await connected(e);
    await e.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"] .text')].some((x) => x.textContent === 'sent while offline'));
    const fresh = await openUser(browser, server, 'dora');
    await fresh.login();
    await until(async () => (await fresh.conversationList()).map((c) => c.conversationID).join() === 'C2Ceve', 'the queued deletion to reach the server');
    await fresh.close();

    // -- delete from the header, with a confirmation that says what happens; Escape cancels
    await d.click(T('delete-open-btn'));
    await d.waitForSelector(`${T('confirm-dialog')}[open]`);
    assert.equal(await text(d, 'confirm-title'), 'Delete the chat with eve?');
    assert.match(await text(d, 'confirm-text'), /deletes the conversation and your history of it; eve keeps theirs/);
    assert.equal(await d.evaluate(() => document.activeElement?.dataset.testid), 'confirm-cancel', 'the safe choice has the focus');
    await d.screenshot({ path: resultPath('demo-delete-confirm.png') });
    await d.keyboard.press('Escape');
    await closed(d, 'confirm-dialog');
    assert.equal(await d.locator(T('conv-C2Ceve')).count(), 1, 'cancelled: nothing deleted');
    await d.click(T('delete-open-btn'));
    await d.waitForSelector(`${T('confirm-dialog')}[open]`);
    await d.click(T('confirm-ok'));
    await closed(d, 'confirm-dialog');
    await d.locator(T('conv-C2Ceve')).waitFor({ state: 'detached' });
    assert.equal(await visible(d, 'message-scroll'), false, 'the conversation view is closed');
    assert.equal(await text(d, 'list-status'), 'Deleted the chat with eve. Your history of it is gone; eve keeps theirs.');
    const del = await devResult(d);
    assert.equal(del.head, 'deleteConversation("C2Ceve") → resolved');
    assert.deepEqual(del.json, { code: 0, data: { conversationID: 'C2Ceve' } });
    await d.screenshot({ path: resultPath('demo-after-delete.png') });

    // -- the developer panel: free-form calls show the rejections in words with their code
    await d.click(`${T('dev-panel')} summary`);
    await d.fill(T('delete-id'), 'abc');
    await d.click(T('delete-btn'));
    await d.waitForFunction(() => /rejected/.test(document.querySelector('[data-testid="result"]').textContent));
    assert.match(await text(d, 'dev-error'), /not a valid conversation ID.*\(code 2503\)$/);
    assert.equal((await devResult(d)).head, 'deleteConversation("abc") → rejected');
    assert.equal((await devResult(d)).json.code, 2503);
    await d.fill(T('delete-id'), 'C2Ceve');
    await d.click(T('delete-btn'));
    await d.waitForFunction(() => /"C2Ceve"\) → rejected/.test(document.querySelector('[data-testid="result"]').textContent));
    assert.match(await text(d, 'dev-error'), /not in your list.*\(code 2500\)$/);
    assert.equal((await devResult(d)).json.code, 2500);
    await d.screenshot({ path: resultPath('demo-dev-panel.png') });
    await d.click(`${T('dev-panel')} summary`);

    // -- eve keeps her history: after a reload (still logged in) it is all there
    await e.reload();
    await e.waitForSelector(`${T('chat')}:not([hidden])`);
    assert.equal(await visible(e, 'login-view'), false, 'a reload keeps the session');
    await e.locator(T('conv-C2Cdora')).waitFor();
    await connected(e);
    await e.click(T('open-C2Cdora'));
    await msgCount(e, 5);
    assert.deepEqual(await msgTexts(e), ['hello from eve', 'are you there?', 'hi eve, from the demo', 'live one', 'sent while offline']);

    // -- a new message brings the conversation back to dora holding only itself
    await typeAndEnter(e, 'new start');
    await d.locator(T('conv-C2Ceve')).waitFor();
    await d.waitForFunction(() => document.querySelector('[data-testid="last-C2Ceve"]')?.textContent === 'new start');
    assert.equal(await text(d, 'unread-C2Ceve'), '1');
    await d.click(T('open-C2Ceve'));
    await msgCount(d, 1);
    assert.deepEqual(await msgTexts(d), ['new start']);
    await d.waitForFunction(() => document.querySelector('[data-testid="older"]').textContent === 'Start of the conversation');

    // -- reload: still logged in without the form; the list is there; still only the new message
    await d.reload();
    await d.waitForSelector(`${T('chat')}:not([hidden])`);
    assert.equal(await visible(d, 'login-view'), false);
    assert.equal(await text(d, 'me'), 'dora');
    await d.locator(T('conv-C2Ceve')).waitFor();
    await connected(d);
    await d.click(T('open-C2Ceve'));
    await msgCount(d, 1);
    assert.deepEqual(await msgTexts(d), ['new start']);
    await d.screenshot({ path: resultPath('demo-after-reload.png') });

    // -- detected features: each control shows exactly when the SDK has the method
    assert.equal(await d.isHidden(T('pin-btn')), !sdkHas.pinConversation);
    assert.equal(await d.isHidden(T('mute-btn')), !sdkHas.setMessageRemindType);
    assert.equal(await d.isHidden(T('image-btn')), !sdkHas.createImageMessage);
    assert.equal(await d.isHidden(T('file-btn')), !sdkHas.createFileMessage);
    if (!sdkHas.revokeMessage) assert.equal(await d.locator(T('revoke-btn')).count(), 0);

    // -- log out: back to the form, and a reload no longer logs in
    await d.click(T('logout-btn'));
    await d.waitForSelector(`${T('login-view')}:not([hidden])`);
    assert.equal(await d.evaluate(() => localStorage.getItem('tim-demo:session')), null);
    await d.reload();
    await d.waitForSelector('body[data-ready="true"]');
    await d.waitForSelector(`${T('login-view')}:not([hidden])`);
    assert.equal(await visible(d, 'chat'), false);

    assert.deepEqual([...dora.errors, ...eve.errors], [], 'no uncaught page errors');
    assert.deepEqual(texts((await fay.messages('C2Cdora', { count: 100 })).messageList).length, 42, 'fay keeps her history too');
    await fay.close();
    await dora.ctx.close();
    await eve.ctx.close();
  });

  it('a group through "New chat": create a public one, the peer joins by ID, both chat', async () => {
    const gus = await person('gus', DESKTOP);
    const hal = await person('hal', PHONE);
    const g = gus.page;
    const h = hal.page;

    await g.click(T('new-chat-btn'));
    await g.check(T('kind-create'));
    await g.fill(T('create-group-name'), 'Book club');
    await g.fill(T('create-group-id'), 'bookclub');
    await g.click(T('new-chat-ok'));
    await closed(g, 'new-chat-dialog');
    assert.equal(await text(g, 'open-title'), 'Book club');
    assert.match(await text(g, 'pane-status'), /Others join it with the group ID bookclub/);

    // a wrong ID is refused in the dialog, in words with the code
    await h.click(T('new-chat-btn'));
    await h.check(T('kind-join'));
    await h.fill(T('join-group-id'), 'no-such-group');
    await h.click(T('new-chat-ok'));
    await h.waitForFunction(() => document.querySelector('[data-testid="new-chat-error"]').textContent !== '');
    assert.match(await text(h, 'new-chat-error'), /No group with that ID.*\(code 10010\)$/);
    assert.equal(await h.$eval(T('new-chat-dialog'), (x) => x.open), true, 'the dialog stays open to correct it');
    await h.fill(T('join-group-id'), 'bookclub');
    await h.click(T('new-chat-ok'));
    await closed(h, 'new-chat-dialog');
    assert.equal(await text(h, 'open-title'), 'Book club');
    await typeAndEnter(h, 'hi club');
    await status(h, 'hi club', 'sent');

    await g.locator(T('conv-GROUPbookclub')).waitFor();
    await g.waitForFunction(() => document.querySelector('[data-testid="name-GROUPbookclub"]').textContent === 'Book club');
    assert.equal(await text(g, 'open-title'), 'Book club', 'the group is shown by its name');
    await g.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"] .text')].some((x) => x.textContent === 'hi club'));
    assert.equal(await g.textContent(`${T('msg')}.in .from`), 'hal', 'group messages name the sender');
    assert.match(await text(g, 'open-sub'), /Group · ID bookclub/);
    await typeAndEnter(g, 'welcome, hal');
    await h.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'welcome, hal'));
    await h.locator(T('conv-GROUPbookclub')).waitFor({ state: 'attached' });
    await h.waitForFunction(() => document.querySelector('[data-testid="name-GROUPbookclub"]').textContent === 'Book club');
    await g.screenshot({ path: resultPath('demo-group.png') });
    assert.deepEqual([...gus.errors, ...hal.errors], []);
    await gus.ctx.close();
    await hal.ctx.close();
  });
  it('a reload with the chat server down keeps the session: the cached list and messages show, offline', async () => {
    const { server, browser } = env;
    const site = await demoSite();
    const ctx = await browser.newContext({ viewport: DESKTOP });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', (x) => errors.push(x));
    await page.goto(site.url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill(T('user-id'), 'ivy');
    await page.click(T('login-btn'));
    await connected(page);
    const jon = await openUser(browser, server, 'jon');
    await jon.login();
    await jon.send('ivy', 'hi ivy');
    await jon.send('ivy', 'still there?');
    await page.locator(T('conv-C2Cjon')).waitFor();
    await page.click(T('open-C2Cjon'));
    await msgCount(page, 2);
    await jon.close();

    await server.stop();
    await page.reload();
    await page.waitForSelector(`${T('chat')}:not([hidden])`);
    assert.equal(await visible(page, 'login-view'), false, 'still logged in');
    await page.locator(T('conv-C2Cjon')).waitFor();
    assert.equal(await text(page, 'last-C2Cjon'), 'still there?');
    await page.waitForFunction(() => /^Offline: showing what this browser cached/.test(document.querySelector('[data-testid="net-banner"]').textContent));
    assert.match(await text(page, 'net-state'), /^Offline/);
    assert.match(await text(page, 'result'), /"offline": true/, 'the SDK logged in from its cache');
    await page.click(T('open-C2Cjon'));
    await msgCount(page, 2);
    assert.deepEqual(await msgTexts(page), ['hi ivy', 'still there?']);
    await page.screenshot({ path: resultPath('demo-offline-reload.png') });

    await server.restart();
    await connected(page);
    await page.waitForSelector(T('net-banner'), { state: 'hidden' });
    assert.deepEqual(errors, []);
    await ctx.close();
    await site.close();
  });
  it('an action that fails says so where it was asked: deleting a chat already deleted on another device (2500)', async () => {
    const { server, browser } = env;
    const lee = await openUser(browser, server, 'lee');
    await lee.login();
    const a = await person('kim', DESKTOP); // two devices of kim; the app's multi-client sync is off
    const b = await person('kim', DESKTOP);
    await lee.send('kim', 'hello kim');
    await a.page.locator(T('conv-C2Clee')).waitFor();
    await b.page.locator(T('conv-C2Clee')).waitFor();
    await a.page.click(T('delete-C2Clee'));
    await a.page.click(T('confirm-ok'));
    await a.page.locator(T('conv-C2Clee')).waitFor({ state: 'detached' });

    // the other device still lists it (it is not told); deleting it there is refused in the dialog
    await b.page.click(T('delete-C2Clee'));
    await b.page.waitForSelector(`${T('confirm-dialog')}[open]`);
    await b.page.click(T('confirm-ok'));
    await b.page.waitForFunction(() => document.querySelector('[data-testid="confirm-error"]').textContent !== '');
    assert.equal(await text(b.page, 'confirm-error'), 'This conversation is not in your list (already deleted?) (code 2500)');
    assert.equal(await b.page.$eval(T('confirm-dialog'), (x) => x.open), true, 'the dialog stays, with the reason');
    assert.equal((await devResult(b.page)).json.code, 2500);
    assert.equal(await b.page.isHidden(T('confirm-ok')), true, 'no "try again" when there is nothing left to delete');
    assert.equal(await text(b.page, 'confirm-cancel'), 'Close');
    await b.page.screenshot({ path: resultPath('demo-delete-error.png') });
    await b.page.click(T('confirm-cancel'));
    await closed(b.page, 'confirm-dialog');
    assert.deepEqual([...a.errors, ...b.errors], []);
    await a.ctx.close();
    await b.ctx.close();
    await lee.close();
  });

  it('Unicode userIDs through the demo: log in (the UserSig URL-encoded), chat, delete with confirmation', async () => {
    const ME = '用户 😀';
    const PEER = 'é|mail@example.com';
    // A selector for any ID (quotes and all): a CSS string takes JSON's escapes.
    const Q = (id) => `[data-testid=${JSON.stringify(id)}]`;
    const me = await person(ME, DESKTOP);
    const peer = await person(PEER, DESKTOP);
    const m = me.page;
    const p = peer.page;
    await newChatWith(m, PEER);
    await typeAndEnter(m, 'hi é');
    await status(m, 'hi é', 'sent');
    await p.locator(Q(`conv-C2C${ME}`)).waitFor();
    assert.equal(await p.textContent(Q(`name-C2C${ME}`)), ME);
    await p.click(Q(`open-C2C${ME}`));
    await p.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'hi é'));
    await typeAndEnter(p, 'hi 用户');
    await m.waitForFunction(() => [...document.querySelectorAll('[data-testid="msg"].in .text')].some((x) => x.textContent === 'hi 用户'));

    // The peer deletes the chat from the list: gone, also after a reload; the sender keeps theirs.
    await p.click(Q(`delete-C2C${ME}`));
    await p.waitForSelector(`${T('confirm-dialog')}[open]`);
    await p.click(T('confirm-ok'));
    await closed(p, 'confirm-dialog');
    await p.locator(Q(`conv-C2C${ME}`)).waitFor({ state: 'detached' });
    await p.reload();
    await p.waitForSelector(`${T('chat')}:not([hidden])`);
    await connected(p);
    assert.equal(await p.locator(Q(`conv-C2C${ME}`)).count(), 0, 'not back after a reload');
    assert.deepEqual(await msgTexts(m), ['hi é', 'hi 用户'], 'the sender keeps the chat');
    assert.equal(await m.locator(Q(`conv-C2C${PEER}`)).count(), 1);
    assert.deepEqual([...me.errors, ...peer.errors], []);
    await me.ctx.close();
    await peer.ctx.close();
  });
});
