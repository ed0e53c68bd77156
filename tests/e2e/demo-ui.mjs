// The demo chat (www/) driven through its UI: shared by tests/e2e/demo*.test.mjs. Selectors are
// the page's data-testid attributes; every wait is for something a person would see.
export const DESKTOP = { width: 1100, height: 720 };
export const PHONE = { width: 375, height: 740 };
export const T = (id) => `[data-testid="${id}"]`;

/** A person at the demo page in a browser context of their own; logged in through the form. */
export async function personAt(env, userID, viewport) {
  const ctx = await env.browser.newContext({ viewport });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => {
    errors.push(e);
    process.stderr.write(`[demo ${userID} uncaught] ${e.stack || e}\n`);
  });
  page.on('console', (m) => m.type() === 'error' && !/Failed to load resource/.test(m.text()) && process.stderr.write(`[demo ${userID} console.error] ${m.text()}\n`));
  await page.goto(env.server.url + '/');
  await page.waitForSelector('body[data-ready="true"]');
  await page.locator(T('login-view')).getByText('second window').waitFor();
  await page.fill(T('user-id'), userID);
  await page.click(T('login-btn'));
  await page.waitForSelector(`${T('chat')}:not([hidden])`);
  await connected(page);
  return { userID, ctx, page, errors };
}

/** Waits until the <dialog> is closed. */
export const closed = (page, id) => page.waitForSelector(`${T(id)}:not([open])`, { state: 'attached' });
export const connected = (page, timeout = 30_000) => page.waitForSelector(`${T('net-state')}[data-state="connected"]`, { state: 'attached', timeout });
export const msgTexts = (page) => page.$$eval(`${T('message-list')} ${T('msg')} .text`, (els) => els.map((e) => e.textContent));
export const msgCount = (page, n) => page.waitForFunction((k) => document.querySelectorAll('[data-testid="message-list"] [data-testid="msg"]').length === k, n);
export const text = (page, id) => page.textContent(T(id));
export const visible = (page, id) => page.isVisible(T(id));
/** The last result shown in the developer panel, parsed. */
export async function devResult(page) {
  const shown = await page.textContent(T('result'));
  return { head: shown.slice(0, shown.indexOf('\n')), json: JSON.parse(shown.slice(shown.indexOf('{'))) };
}
/** Starts a chat with a person through "New chat". */
export async function newChatWith(page, userID) {
  await page.click(T('new-chat-btn'));
  await page.waitForSelector(`${T('new-chat-dialog')}[open]`);
  await page.fill(T('new-user-id'), userID);
  await page.keyboard.press('Enter');
  await closed(page, 'new-chat-dialog');
  await page.waitForFunction((u) => document.querySelector('[data-testid="open-title"]').textContent === u, userID);
}
export async function typeAndEnter(page, message) {
  await page.fill(T('send-text'), message);
  await page.press(T('send-text'), 'Enter');
}
/** Waits until the message with this text has the given status (sending / sent / failed). */
export const status = (page, message, s) =>
  page.waitForFunction(
    ([m, st]) => [...document.querySelectorAll('[data-testid="msg"]')].some((li) => li.querySelector('.text')?.textContent === m && li.dataset.status === st),
    [message, s],
  );

