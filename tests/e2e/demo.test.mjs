// The demo page (www/) driven through its UI: log in, receive, open, send, delete, see the result.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, texts, resultPath } from './harness.mjs';

const env = useEnv(before, after);

describe('demo page', () => {
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

  it('log in via the UI, receive, open, send, delete and show the Promise result', async () => {
    const { server, browser } = env;
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => process.stderr.write(`[demo page uncaught] ${e.stack || e}\n`));
    page.on('console', (m) => m.type() === 'error' && process.stderr.write(`[demo page console.error] ${m.text()}\n`));
    await page.goto(server.url + '/');
    await page.waitForSelector('body[data-ready="true"]');
    await page.locator('#login-panel').getByText('second window').waitFor();

    // log in as dora through the form
    await page.fill('#user-id', 'dora');
    await page.click('#login-btn');
    await page.waitForSelector('#chat:not([hidden])');
    assert.equal(await page.textContent('#me'), 'dora');
    await page.waitForFunction(() => document.getElementById('net-state').textContent === 'connected');
    assert.match(await page.textContent('#result'), /login[\s\S]*resolved[\s\S]*"code": 0/);

    // eve (an SDK page) writes to dora: the list shows it with its unread count and last message
    const eve = await openUser(browser, server, 'eve');
    await eve.login();
    await eve.send('dora', 'hello from eve');
    await eve.send('dora', 'are you there?');
    const conv = page.locator('[data-testid="conv-C2Ceve"]');
    await conv.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="unread-C2Ceve"]')?.textContent === '2');
    assert.equal(await page.textContent('[data-testid="last-C2Ceve"]'), 'are you there?');
    assert.equal(await page.textContent('#total-unread'), '2');

    // open it: both messages, then read
    await conv.click();
    await page.waitForFunction(() => document.querySelectorAll('#message-list [data-testid="msg"]').length === 2);
    assert.deepEqual(
      await page.$$eval('#message-list [data-testid="msg"] .text', (els) => els.map((e) => e.textContent)),
      ['hello from eve', 'are you there?'],
    );
    await page.waitForFunction(() => document.querySelector('[data-testid="unread-C2Ceve"]')?.textContent === '0');
    assert.equal(await page.inputValue('#send-to'), 'eve');

    // reply through the form: eve receives it
    const got = eve.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'hi eve, from the demo'));
    await page.fill('#send-text', 'hi eve, from the demo');
    await page.click('#send-btn');
    const ev = await got;
    assert.equal(ev.data[0].from, 'dora');
    await page.waitForFunction(() => document.querySelectorAll('#message-list [data-testid="msg"]').length === 3);
    await page.waitForFunction(() => document.querySelector('[data-testid="last-C2Ceve"]')?.textContent === 'hi eve, from the demo');

    // a live message while the conversation is open appears in it
    await eve.send('dora', 'live one');
    await page.waitForFunction(() => [...document.querySelectorAll('#message-list .text')].some((e) => e.textContent === 'live one'));

    // delete the open conversation: the Promise's result is shown, the list and view are emptied
    await page.click('#delete-open-btn');
    await page.waitForFunction(() => /resolved/.test(document.getElementById('result').textContent));
    const result = await page.textContent('#result');
    assert.match(result, /deleteConversation\("C2Ceve"\) → resolved/);
    assert.deepEqual(JSON.parse(result.slice(result.indexOf('{'))), { code: 0, data: { conversationID: 'C2Ceve' } });
    await page.locator('[data-testid="conv-C2Ceve"]').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#message-list [data-testid="msg"]').count(), 0);
    await page.screenshot({ path: resultPath('demo-after-delete.png'), fullPage: true });

    // bad input through the free-form field shows the rejection's code
    await page.fill('#delete-id', 'abc');
    await page.click('#delete-btn');
    await page.waitForFunction(() => /rejected/.test(document.getElementById('result').textContent));
    const bad = await page.textContent('#result');
    assert.match(bad, /deleteConversation\("abc"\) → rejected/);
    assert.equal(JSON.parse(bad.slice(bad.indexOf('{'))).code, 2503);
    await page.fill('#delete-id', 'C2Ceve');
    await page.click('#delete-btn');
    await page.waitForFunction(() => /"C2Ceve"\) → rejected/.test(document.getElementById('result').textContent));
    assert.equal(JSON.parse((await page.textContent('#result')).replace(/^[^{]*/, '')).code, 2500);

    // eve keeps her history; a new message from eve brings the conversation back with only it
    assert.deepEqual(texts((await eve.messages('C2Cdora')).messageList), ['hello from eve', 'are you there?', 'hi eve, from the demo', 'live one']);
    await eve.send('dora', 'new start');
    await page.locator('[data-testid="conv-C2Ceve"]').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="last-C2Ceve"]')?.textContent === 'new start');
    await page.click('[data-testid="conv-C2Ceve"]');
    await page.waitForFunction(() => document.querySelectorAll('#message-list [data-testid="msg"]').length === 1);
    assert.deepEqual(await page.$$eval('#message-list .text', (els) => els.map((e) => e.textContent)), ['new start']);

    // reload: still only the new message
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.fill('#user-id', 'dora');
    await page.click('#login-btn');
    await page.locator('[data-testid="conv-C2Ceve"]').waitFor();
    await page.click('[data-testid="conv-C2Ceve"]');
    await page.waitForFunction(() => document.querySelectorAll('#message-list [data-testid="msg"]').length === 1);
    await page.screenshot({ path: resultPath('demo.png'), fullPage: true });

    // log out through the UI
    await page.click('#logout-btn');
    await page.waitForSelector('#login-panel:not([hidden])');
    await eve.close();
    await ctx.close();
  });
});
