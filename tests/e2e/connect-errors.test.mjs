// Issue 15: connection failures say what failed, and the SDK never stays `connecting`.
// - An unreachable host, an HTTP error on the WebSocket path, wss:// against a plain server: login
//   rejects with 2800, a message naming the URL and the likely cause; NET_STATE_CHANGE ends in
//   `disconnected`; the instance can log in again later (3001 until then, as documented).
// - An invalid `server` option is refused at TIM.create with a message on the console; an
//   http(s):// URL is read as ws(s)://.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { useEnv, openUser } from './harness.mjs';

const env = useEnv(before, after);

/** A loopback port nothing listens on (bound, then released). */
async function closedPort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

/** Creates an instance with `server` and logs in; returns the rejection and the NET states. */
async function failedLogin(user, server) {
  assert.equal(await user.create({ SDKAppID: env.server.sdkAppID, server, cache: false }), true, 'TIM.create gave an instance');
  const mark = user.mark();
  const r = await user.fails(2800, 'login', { userID: user.userID, userSig: env.server.sig(user.userID) });
  // The last NET_STATE_CHANGE is queued with the failure; give the dispatch its microtask.
  await user.page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  const states = user.eventsSince(mark, 'netStateChange').map((e) => e.data.state);
  return { r, states };
}

/** What the page printed on the console with `type` while `fn` ran. */
async function consoleDuring(page, type, fn) {
  const seen = [];
  const on = (msg) => msg.type() === type && seen.push(msg.text());
  page.on('console', on);
  try {
    return { value: await fn(), seen };
  } finally {
    page.off('console', on);
  }
}

describe('connection failures', () => {
  it('an unreachable host: 2800 naming the URL, "nothing answers", NET_STATE ends disconnected', async () => {
    const port = await closedPort();
    const u = await openUser(env.browser, env.server, 'ce_unreach');
    const url = `ws://127.0.0.1:${port}/ws`;
    const { r, states } = await failedLogin(u, `ws://127.0.0.1:${port}`);
    assert.ok(r.message.includes(url), `names the URL: ${r.message}`);
    assert.match(r.message, /nothing answers there: the server is down, or the host or port is wrong/);
    assert.doesNotMatch(r.message, /TLS/);
    assert.deepEqual(states, ['connecting', 'disconnected']);
    // Not stuck: calls say the login failed (3001), and login can be tried again.
    await u.fails(3001, 'getConversationList');
    const again = await u.fails(2800, 'login', { userID: u.userID, userSig: env.server.sig(u.userID) });
    assert.ok(again.message.includes(url));
    await u.close();
  });

  it('an HTTP error on the WebSocket path: the server answers HTTP there but the upgrade failed', async () => {
    const u = await openUser(env.browser, env.server, 'ce_path');
    const { r, states } = await failedLogin(u, `${env.server.wsURL.replace(/\/ws$/, '')}/not-the-socket`);
    assert.ok(r.message.includes(`${env.server.wsURL.replace(/\/ws$/, '')}/not-the-socket`), r.message);
    // Same origin as the page, so the probe sees the status.
    assert.match(r.message, /answers HTTP \d{3} there but the WebSocket upgrade failed/);
    assert.match(r.message, /wrong path/);
    assert.deepEqual(states, ['connecting', 'disconnected']);
    await u.close();
  });

  it('wss:// against a plain server: the message says the server may not speak TLS', async () => {
    const u = await openUser(env.browser, env.server, 'ce_tls');
    const host = new URL(env.server.url).host;
    const { r, states } = await failedLogin(u, `wss://${host}`);
    assert.ok(r.message.includes(`wss://${host}/ws`), r.message);
    assert.match(r.message, /nothing answers HTTPS there.*does not speak TLS \(for a plain server use ws:\/\/\)/);
    assert.deepEqual(states, ['connecting', 'disconnected']);
    await u.close();
  });

  it('a bad userSig ends disconnected too (the socket was open)', async () => {
    const u = await openUser(env.browser, env.server, 'ce_sig');
    assert.equal(await u.create({ SDKAppID: env.server.sdkAppID, cache: false }), true);
    const mark = u.mark();
    const r = await u.call('login', { userID: u.userID, userSig: env.server.sig('someone_else') });
    assert.equal(r.ok, false);
    await u.page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    const states = u.eventsSince(mark, 'netStateChange').map((e) => e.data.state);
    assert.equal(states.at(-1), 'disconnected', `states: ${states}`);
    await u.close();
  });
});

describe('the server option at TIM.create', () => {
  for (const [server, why] of [
    ['not a url', /server must be an absolute URL/],
    ['/ws', /server must be an absolute URL/],
    ['ftp://127.0.0.1/ws', /server must use ws:\/\/, wss:\/\/, http:\/\/ or https:\/\//],
    [8080, /server must be an absolute URL/],
    ['ws://127.0.0.1:1/ws#x', /must not have a #fragment/],
  ]) {
    it(`refuses ${JSON.stringify(server)} with a console message`, async () => {
      const u = await openUser(env.browser, env.server, 'ce_opt');
      const { value, seen } = await consoleDuring(u.page, 'error', () =>
        u.page.evaluate(([id, s]) => window.TIM.create({ SDKAppID: id, server: s }) === null, [env.server.sdkAppID, server]),
      );
      assert.equal(value, true, 'TIM.create returned null');
      assert.ok(seen.some((t) => t.startsWith('TIM.create: ') && why.test(t)), `console: ${JSON.stringify(seen)}`);
      await u.close();
    });
  }

  it('reads http:// as ws:// (and adds /ws): login works', async () => {
    const u = await openUser(env.browser, env.server, 'ce_http');
    await u.login({ options: { SDKAppID: env.server.sdkAppID, server: env.server.url } });
    await u.close();
  });
});
