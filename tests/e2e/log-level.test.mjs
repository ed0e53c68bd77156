// Issue 15: setLogLevel is real. The SDK logs what it does on the console with Tencent's levels:
// 0 (the default) everything, each request and answer included; 1 (release) connecting, logging
// in, reconnecting, failures; 2 warnings and errors; 3 errors; 4 nothing. A value that is not a
// level is refused with a warning and the level stays.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, until } from './harness.mjs';
import { NetCut } from './netcut.mjs';

const env = useEnv(before, after);

/** Collects the SDK's console lines ("tim-wasm: …") of a page, with their console type. */
function captureLog(page) {
  const lines = [];
  page.on('console', (msg) => {
    if (msg.text().startsWith('tim-wasm: ')) lines.push({ type: msg.type(), text: msg.text().slice(10) });
  });
  return {
    lines,
    texts: () => lines.map((l) => l.text),
    has: (re) => lines.some((l) => re.test(l.text)),
  };
}

/** A user whose page log is captured from before the SDK loads, with `level` set before login. */
async function userAt(id, level, options) {
  const u = await openUser(env.browser, env.server, id);
  const log = captureLog(u.page);
  assert.equal(await u.create(options ?? { SDKAppID: env.server.sdkAppID }), true);
  if (level !== undefined) await u.page.evaluate((l) => window.tim.setLogLevel(l), level);
  return { u, log };
}

/** Console messages are delivered to node asynchronously: wait until `re` shows (or time out). */
const shows = (log, re, what) => until(() => log.has(re), `${what}: ${re} in ${JSON.stringify(log.texts())}`);

describe('setLogLevel', () => {
  it('the default level 0 logs connect, login, each request and answer, pushes applied and cache writes', async () => {
    const { u, log } = await userAt('log_all');
    await u.login();
    const peer = await openUser(env.browser, env.server, 'log_peer');
    await peer.login();
    const got = u.nextEvent('onMessageReceived');
    await peer.send('log_all', 'hello');
    await got;
    await u.send('log_peer', 'back');
    const url = env.server.wsURL;
    await shows(log, new RegExp(`^connecting to ${url}$`), 'connect');
    await shows(log, /^request \d+ login$/, 'the login request');
    await shows(log, /^answer \d+ loggedIn in \d+(\.\d+)? ms$/, 'its answer');
    await shows(log, /^logged in as log_all \(event log at \d+\)$/, 'logged in');
    await shows(log, /^request \d+ sendMessage$/, 'a send');
    await shows(log, /^answer \d+ sent in /, 'its answer');
    await shows(log, /^push message \(event \d+\) applied$/, 'the pushed message');
    await shows(log, /^cache write: \d+ conversations, \d+ removed, \d+ messages, event \d+$/, 'a cache write');
    // Debug and info lines go to console.log; nothing here failed.
    assert.deepEqual([...new Set(log.lines.map((l) => l.type))], ['log'], JSON.stringify(log.lines));
    await u.close();
    await peer.close();
  });

  it('level 1 (release) keeps connect and login but no request or answer lines', async () => {
    const { u, log } = await userAt('log_rel', 1);
    await u.login();
    await u.send('log_peer', 'x');
    await shows(log, /^logged in as log_rel /, 'logged in');
    assert.ok(log.has(/^connecting to /), JSON.stringify(log.texts()));
    assert.ok(!log.has(/^(request|answer|push|cache write)/), `no debug lines: ${JSON.stringify(log.texts())}`);
    await u.close();
  });

  it('level 1 logs a dropped connection and the reconnect', async () => {
    const cut = await new NetCut(Number(new URL(env.server.url).port)).start();
    try {
      const { u, log } = await userAt('log_net', '1', { SDKAppID: env.server.sdkAppID, server: cut.wsURL });
      await u.login();
      const back = u.nextEvent('netStateChange', (d) => d.state === 'connected', 20_000);
      await cut.cut();
      await cut.restore();
      await shows(log, /^the connection to .* closed/, 'the drop');
      await shows(log, /^reconnecting in \d+ ms \(attempt 1\)$/, 'the reconnect attempt');
      await back;
      await shows(log, /^reconnected: \d+ missed events$/, 'the reconnect');
      await u.close();
    } finally {
      await cut.close();
    }
  });

  it('level 2 shows a failed login as a warning and hides the info lines', async () => {
    const { u, log } = await userAt('log_warn', 2);
    await u.fails(70013, 'login', { userID: 'log_warn', userSig: env.server.sig('someone_else') });
    await shows(log, /^login failed \(70013\): /, 'the failed login');
    assert.deepEqual(log.lines.map((l) => l.type), ['warning'], JSON.stringify(log.lines));
    await u.close();
  });

  it('level 4 logs nothing, errors included', async () => {
    const { u, log } = await userAt('log_none', 4);
    await u.fails(70013, 'login', { userID: 'log_none', userSig: env.server.sig('someone_else') });
    await u.login();
    await u.send('log_peer', 'quiet');
    await u.page.evaluate(() => window.tim.on('onMessageReceived', () => { throw new Error('handler threw'); }));
    // A marker logged by the page itself: every SDK line before it has reached node too.
    const marker = u.page.waitForEvent('console', (m) => m.text() === 'marker');
    await u.page.evaluate(() => console.log('marker'));
    await marker;
    assert.deepEqual(log.texts(), []);
    await u.close();
  });

  it('a value that is not a level is refused with a warning and the level stays', async () => {
    const { u, log } = await userAt('log_bad', 3);
    await u.page.evaluate(() => window.tim.setLogLevel(7));
    await shows(log, /^setLogLevel takes 0 \(all\), 1 \(release\), 2 \(warnings\), 3 \(errors\) or 4 \(none\)$/, 'the refusal');
    await u.login();
    // Still level 3: no info or debug lines came.
    const marker = u.page.waitForEvent('console', (m) => m.text() === 'marker');
    await u.page.evaluate(() => console.log('marker'));
    await marker;
    assert.equal(log.lines.length, 1, JSON.stringify(log.lines));
    await u.close();
  });
});
