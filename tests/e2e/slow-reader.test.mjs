// A page whose socket stops reading (issue 13): the server bounds what it queues for that
// session, closes it when it falls behind (60011), and keeps serving everyone else; the SDK
// reconnects by itself and catches up from the event log, each message exactly once.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Server, launchBrowser, openUser, until, findConv } from './harness.mjs';
import { NetCut } from './netcut.mjs';
import { EV, localList } from './admin.mjs';

// A small queue so that falling behind takes little traffic; no request rate limit, so the
// flood below is never refused.
const server = new Server({
  args: ['--max-queue-bytes', '65536', '--max-requests-per-sec', '0', '--max-user-requests-per-sec', '0'],
});
let browser, proxy;
const users = [];
before(async () => {
  await server.start();
  browser = await launchBrowser();
  proxy = await new NetCut(Number(new URL(server.url).port)).start();
});
after(async () => {
  for (const u of users) await u.close().catch(() => {});
  if (proxy) await proxy.close();
  if (browser) await browser.close();
  await server.dispose();
});

async function open(userID, options) {
  const u = await openUser(browser, server, userID);
  users.push(u);
  await recordCloses(u.page);
  await u.login(options ? { options } : undefined);
  return u;
}

/** Keeps the code and reason of every WebSocket close the page sees, in `window.wsCloses`. */
async function recordCloses(page) {
  await page.evaluate(() => {
    window.wsCloses = [];
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        this.addEventListener('close', (e) => window.wsCloses.push({ code: e.code, reason: e.reason }));
      }
    };
  });
}

/** `count` 12 KB texts from `from` to `to`, 25 in flight at a time; their message IDs. */
async function flood(from, to, first, count) {
  return from.page.evaluate(async ({ to, first, count }) => {
    const ids = [];
    for (let i = first; i < first + count; i += 25) {
      const batch = [];
      for (let j = i; j < Math.min(i + 25, first + count); j++) {
        const text = `${j} `.padEnd(12 * 1024, 'x');
        const msg = window.tim.createTextMessage({ to, conversationType: window.TIM.TYPES.CONV_C2C, payload: { text } });
        batch.push(window.tim.sendMessage(msg).then((r) => r.data.message.ID));
      }
      ids.push(...(await Promise.all(batch)));
    }
    return ids;
  }, { to, first, count });
}

const fellBehind = () => server.output.some((l) => l.includes('dropping a session that fell behind'));

describe('a session that stops reading', () => {
  it('is closed when it falls behind, others are served, and it catches up exactly once', async () => {
    const slow = await open('alice', { SDKAppID: server.sdkAppID, server: proxy.wsURL });
    assert.equal(proxy.open, 1, 'alice\'s socket goes through the proxy');
    const other = await open('carol');
    const bob = await open('bob');
    const mark = slow.mark();
    const connected = slow.nextEvent(EV.NET, (d) => d.state === 'connected', 60_000);

    proxy.pauseReading();
    const sent = [];
    for (let round = 0; round < 36 && !fellBehind(); round++) {
      sent.push(...(await flood(bob, 'alice', sent.length, 25)));
      // everyone else is served meanwhile
      await other.send('bob', `still here ${round}`);
    }
    assert.ok(fellBehind(), `the server let the stuck session go (after ${sent.length} messages)`);
    assert.ok(sent.length < 1000, 'few enough to be caught up from the event log');
    // later messages reach the session only through catch-up
    sent.push(...(await flood(bob, 'alice', sent.length, 5)));

    proxy.resumeReading();
    await connected;
    await until(() => {
      const got = new Set(slow.eventsSince(mark, EV.RECEIVED).flatMap((e) => e.data.map((m) => m.ID)));
      return sent.every((id) => got.has(id));
    }, 'every message reaches alice', { timeout: 60_000 });
    const counts = new Map();
    for (const e of slow.eventsSince(mark, EV.RECEIVED)) {
      for (const m of e.data) counts.set(m.ID, (counts.get(m.ID) || 0) + 1);
    }
    const twice = [...counts].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'MESSAGE_RECEIVED once per message');
    assert.equal(counts.size, sent.length, 'and for no other message');
    const states = slow.eventsSince(mark, EV.NET).map((e) => e.data.state);
    assert.equal(states.filter((s) => s === 'disconnected').length, 1, `one reconnect: ${states}`);
    assert.equal(findConv(localList(slow), 'C2Cbob')?.unreadCount, sent.length, 'unread count of every message once');
    assert.ok(server.output.some((l) => l.includes('60011') || l.includes('too far behind')), 'closed with 60011');
    // Reading again, the page got the coded close frame behind what its socket held, not
    // just the end of the connection.
    const closes = await slow.page.evaluate(() => window.wsCloses);
    assert.ok(
      closes.some((c) => c.code === 1013 && c.reason.startsWith('60011')),
      `a 1013 close frame with 60011: ${JSON.stringify(closes)}`,
    );
  });
});
