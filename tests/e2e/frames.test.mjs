// Raw WebSocket abuse of /ws from a browser page: malformed, unknown and oversized frames get coded
// error frames, the connection and the server keep working, and a client that disconnects
// mid-request harms nobody.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useEnv, openUser, until, texts } from './harness.mjs';
import { PROTOCOL, request, flat } from './wire.mjs';

const env = useEnv(before, after);

/** A raw WebSocket in a page; frames are kept in the page and read by polling. */
class RawSocket {
  constructor(user, name) {
    this.user = user;
    this.name = name;
    this.seen = 0;
  }

  async open(url) {
    await this.user.page.evaluate(
      async ([name, url]) => {
        window.__raw = window.__raw || {};
        const s = { frames: [], closed: null };
        const ws = new WebSocket(url);
        s.ws = ws;
        ws.onmessage = (e) => s.frames.push(typeof e.data === 'string' ? e.data : `[binary ${e.data.size ?? e.data.byteLength}]`);
        ws.onclose = (e) => { s.closed = { code: e.code, reason: e.reason }; };
        window.__raw[name] = s;
        await new Promise((resolve, reject) => {
          ws.onopen = resolve;
          ws.onerror = () => reject(new Error('websocket error before open'));
        });
      },
      [this.name, url],
    );
    return this;
  }

  async send(data) {
    await this.user.page.evaluate(([name, d]) => window.__raw[name].ws.send(d), [this.name, data]);
  }

  async state() {
    return this.user.page.evaluate((name) => {
      const s = window.__raw[name];
      return { frames: s.frames, closed: s.closed, readyState: s.ws.readyState };
    }, this.name);
  }

  /** The next frame (parsed, in wire.mjs's flat view) received after the last one returned. */
  async next(what = 'a frame', timeout = 5000) {
    return flat(await this.nextRaw(what, timeout));
  }

  /** The next frame as it came, parsed. */
  async nextRaw(what = 'a frame', timeout = 5000) {
    const frame = await until(async () => {
      const s = await this.state();
      if (s.frames.length > this.seen) return s.frames[this.seen];
      if (s.closed) throw new Error(`${this.name}: socket closed (${JSON.stringify(s.closed)}) while waiting for ${what}`);
      return null;
    }, `${this.name}: ${what}`, { timeout });
    this.seen++;
    try {
      return JSON.parse(frame);
    } catch {
      throw new Error(`${this.name}: the server sent a frame that is not JSON: ${frame.slice(0, 200)}`);
    }
  }

  /** The next frame that is not a push (pushes may interleave). */
  async nextAnswer(what) {
    for (;;) {
      const f = await this.next(what);
      if (f.t !== 'push') return f;
    }
  }

  async request(id, op, args) {
    await this.send(request(id, op, args));
    return this.nextAnswer(`answer to ${op} #${id}`);
  }

  async assertOpen() {
    const s = await this.state();
    assert.equal(s.closed, null, `${this.name}: the server kept the connection open`);
    assert.equal(s.readyState, 1, `${this.name}: readyState OPEN`);
  }

  async close() {
    await this.user.page.evaluate((name) => window.__raw[name].ws.close(), this.name);
  }
}

function assertErrorFrame(f, code, id, what) {
  assert.equal(f.t, 'error', `${what}: an error frame, got ${JSON.stringify(f)}`);
  assert.equal(f.code, code, `${what}: code ${f.code} (${f.message}), expected ${code}`);
  assert.equal(f.id ?? null, id, `${what}: id ${JSON.stringify(f.id)}, expected ${JSON.stringify(id)}`);
  assert.equal(typeof f.message, 'string');
  assert.ok(f.message.length > 0, `${what}: message says what was wrong`);
}

describe('raw frames to /ws', () => {
  let host, alice, bob;

  before(async () => {
    // two ordinary SDK users who must be unaffected by everything below
    alice = await openUser(env.browser, env.server, 'alice');
    bob = await openUser(env.browser, env.server, 'bob');
    await alice.login();
    await bob.login();
    host = await openUser(env.browser, env.server, 'raw-host');
  });

  async function assertOthersServed(text) {
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === text));
    await alice.send('bob', text);
    await got;
    assert.ok(env.server.alive, 'server process alive');
  }

  it('malformed and unknown frames get coded error frames; the connection stays usable', async () => {
    const ws = await new RawSocket(host, 'junk').open(env.server.wsURL);
    const cases = [
      ['not JSON', 'this is not json', 60003, null],
      ['truncated JSON', '{"id":1,"req":"pi', 60003, null],
      ['a JSON array', '[1,2,3]', 60003, null],
      ['a JSON string', '"ping"', 60003, null],
      ['no id', '{"req":"ping"}', 60003, null],
      ['id not a number', '{"id":"seven","req":"ping"}', 60003, null],
      ['unknown op', '{"id":3,"req":"explode"}', 60003, 3],
      ['login with args of the wrong type', '{"id":4,"req":{"login":"nope"}}', 60003, 4],
      ['deleteConversation with a number', '{"id":5,"req":{"deleteConversation":{"conversationID":42}}}', 60003, 5],
      ['a protocol 1 frame', '{"id":6,"op":"ping"}', 60006, 6],
    ];
    for (const [label, frame, code, id] of cases) {
      await ws.send(frame);
      assertErrorFrame(await ws.nextAnswer(label), code, id, label);
    }
    await ws.assertOpen();

    // a request before login: 2024, with its id
    assertErrorFrame(await ws.request(6, 'getConversationList'), 2024, 6, 'getConversationList before login');
    assertErrorFrame(await ws.request(7, 'deleteConversation', { conversationID: 'C2Cbob' }), 2024, 7, 'deleteConversation before login');
    // an unsupported protocol version
    const sig = env.server.sig('rawuser');
    assertErrorFrame(
      await ws.request(8, 'login', { SDKAppID: env.server.sdkAppID, userID: 'rawuser', userSig: sig, protocol: 999 }),
      60006, 8, 'login with protocol 999',
    );
    // a bad UserSig on the raw socket
    assertErrorFrame(
      await ws.request(9, 'login', { SDKAppID: env.server.sdkAppID, userID: 'rawuser', userSig: 'garbage', protocol: PROTOCOL }),
      70003, 9, 'login with a garbage UserSig',
    );
    // after all that, the same connection logs in and works
    const li = await ws.request(10, 'login', { SDKAppID: env.server.sdkAppID, userID: 'rawuser', userSig: sig, protocol: PROTOCOL });
    assert.equal(li.t, 'reply', JSON.stringify(li));
    assert.equal(li.id, 10);
    assert.equal(li.kind, 'loggedIn');
    assert.equal(li.value.userID, 'rawuser');
    const list = await ws.request(11, 'getConversationList');
    assert.deepEqual({ t: list.t, id: list.id, kind: list.kind }, { t: 'reply', id: 11, kind: 'conversationList' });
    assert.deepEqual(list.value.conversations, []);
    // coded errors from a logged-in session too
    assertErrorFrame(await ws.request(12, 'deleteConversation', { conversationID: 'abc' }), 2503, 12, 'deleteConversation abc');
    assertErrorFrame(await ws.request(13, 'deleteConversation', { conversationID: 'C2Cnobody' }), 2500, 13, 'deleteConversation unknown');
    await ws.send('{"id":14,"req":"explode"}');
    assertErrorFrame(await ws.nextAnswer('unknown op after login'), 60003, 14, 'unknown op after login');
    const pong = await ws.request(15, 'ping');
    assert.deepEqual({ t: pong.t, id: pong.id, kind: pong.kind }, { t: 'reply', id: 15, kind: 'pong' });
    // protocol 2's nesting as it is on the wire
    await ws.send(request(16, 'ping'));
    assert.deepEqual(await ws.nextRaw('a raw pong'), { reply: { id: 16, value: 'pong' } });
    await ws.assertOpen();
    await assertOthersServed('served after junk');
    await ws.close();
  });

  it('an oversized frame gets a 60005 error frame and the connection stays', async () => {
    const ws = await new RawSocket(host, 'big').open(env.server.wsURL);
    const sig = env.server.sig('bigsender');
    const li = await ws.request(1, 'login', { SDKAppID: env.server.sdkAppID, userID: 'bigsender', userSig: sig, protocol: PROTOCOL });
    assert.equal(li.kind, 'loggedIn', JSON.stringify(li));
    // 100 KB > the 64 KB frame limit, as a well-formed sendMessage
    const big = request(2, 'sendMessage', { conversationID: 'C2Cbob', ID: 'big-1', body: { type: 'text', text: 'z'.repeat(100 * 1024) } });
    await ws.send(big);
    const f = await ws.nextAnswer('answer to the oversized frame');
    assert.equal(f.t, 'error', JSON.stringify(f).slice(0, 300));
    assert.equal(f.code, 60005, `oversized frame: code ${f.code} (${f.message})`);
    assert.ok([2, null].includes(f.id ?? null), `id ${f.id}`);
    // a 1 MB one as well
    await ws.send('x'.repeat(1024 * 1024));
    assertErrorFrame(await ws.nextAnswer('answer to the 1 MB frame'), 60005, null, '1 MB of junk');
    await ws.assertOpen();
    // still usable, and nothing was stored
    const pong = await ws.request(3, 'ping');
    assert.equal(pong.kind, 'pong');
    const ml = await ws.request(4, 'getMessageList', { conversationID: 'C2Cbob', count: 15 });
    assert.equal(ml.kind, 'messageList', JSON.stringify(ml));
    assert.deepEqual(ml.value.messages, [], 'the oversized message was not stored');
    // a frame under the frame limit whose text is over the 12 KB text limit: 80002 from the server
    const longText = await ws.request(5, 'sendMessage', { conversationID: 'C2Cbob', ID: 'long-1', body: { type: 'text', text: 'w'.repeat(12 * 1024 + 1) } });
    assertErrorFrame(longText, 80002, 5, 'sendMessage with 12 KB + 1 of text');
    const ml2 = await ws.request(6, 'getMessageList', { conversationID: 'C2Cbob', count: 15 });
    assert.deepEqual(ml2.value.messages, [], 'the over-long message was not stored');
    await ws.close();
    await assertOthersServed('served after big frames');
  });

  it('a client that disconnects mid-request harms no one; the request lands whole or not at all', async () => {
    const url = env.server.wsURL;
    // (a) close right after sending login
    const a = await new RawSocket(host, 'quit-login').open(url);
    await a.send(request(1, 'login', { SDKAppID: env.server.sdkAppID, userID: 'quitter', userSig: env.server.sig('quitter'), protocol: PROTOCOL }));
    await a.close();
    // (b) log in, send a message and close in the same tick
    const b = await new RawSocket(host, 'quit-send').open(url);
    const li = await b.request(1, 'login', { SDKAppID: env.server.sdkAppID, userID: 'quitter', userSig: env.server.sig('quitter'), protocol: PROTOCOL });
    assert.equal(li.kind, 'loggedIn', JSON.stringify(li));
    await host.page.evaluate((frames) => {
      const s = window.__raw['quit-send'];
      for (const f of frames) s.ws.send(f);
      s.ws.close();
    }, [
      request(2, 'sendMessage', { conversationID: 'C2Cbob', ID: 'quit-msg-1', body: { type: 'text', text: 'sent then gone' } }),
      request(3, 'getMessageList', { conversationID: 'C2Cbob', count: 15 }),
      request(4, 'deleteConversation', { conversationID: 'C2Cbob' }),
    ]);
    // (c) a socket dropped by closing its page while requests are in flight
    const ctx = await env.browser.newContext();
    const p = await ctx.newPage();
    await p.goto(env.server.url + '/');
    await p.evaluate(([u, login, list]) => new Promise((resolve) => {
      const ws = new WebSocket(u);
      ws.onopen = () => {
        ws.send(login);
        for (const f of list) ws.send(f);
        resolve();
      };
    }), [
      url,
      request(1, 'login', { SDKAppID: env.server.sdkAppID, userID: 'quitter', userSig: env.server.sig('quitter'), protocol: PROTOCOL }),
      Array.from({ length: 48 }, (_, k) => request(k + 2, 'getConversationList')),
    ]);
    await ctx.close();

    // the server is alive and serves everyone
    await assertOthersServed('served after quitters');
    // quitter's state is consistent: the message is in both histories or in neither, at most once,
    // and deletion (if it ran) removed it for quitter only
    const quitter = await openUser(env.browser, env.server, 'quitter');
    await quitter.login();
    const mine = (await quitter.messages('C2Cbob')).messageList.filter((m) => m.ID === 'quit-msg-1');
    const bobs = (await bob.messages('C2Calice')).messageList; // unrelated conversation: untouched
    assert.ok(texts(bobs).includes('served after quitters'));
    const bobSide = (await bob.messages('C2Cquitter')).messageList.filter((m) => m.ID === 'quit-msg-1');
    assert.ok(mine.length <= 1 && bobSide.length <= 1, 'never stored twice');
    if (mine.length === 1) assert.equal(bobSide.length, 1, 'if quitter has it, bob has it');
    // quitter can chat normally afterwards
    const got = bob.nextEvent('onMessageReceived', (d) => d.some((m) => m.payload.text === 'quitter is back'));
    await quitter.send('bob', 'quitter is back');
    await got;
    await quitter.close();
  });

  after(async () => {
    for (const u of [alice, bob, host]) if (u) await u.close();
  });
});
