// The app's own web origin, apart from the chat server: a tiny static HTTP server for a blank page and
// the SDK package (pkg/), as a real app hosted on its own site. Pages then load (and reload) while
// tim-server is stopped, with the same origin and so the same IndexedDB and BroadcastChannel, and the
// SDK reaches tim-server through the `server` option (a real local address: no fulfilled routes,
// which Chromium's local network access checks would treat differently).
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import assert from 'node:assert/strict';
import { ROOT, openUser } from './harness.mjs';

const TYPES = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.ts': 'text/plain' };
const PAGE = '<!doctype html><meta charset="utf-8"><title>app</title><p>app origin for tim-wasm tests</p>';

export class AppSite {
  constructor() {
    this.http = null;
    this.url = null;
  }

  async start() {
    this.http = http.createServer(async (req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      if (path === '/favicon.ico') {
        res.writeHead(204).end();
        return;
      }
      if (path === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
        res.end(PAGE);
        return;
      }
      const rel = normalize(path).replace(/^\/+/, '');
      if (!rel.startsWith('pkg/') || rel.includes('..')) {
        res.writeHead(404).end();
        return;
      }
      try {
        const body = await readFile(join(ROOT, rel));
        const ext = rel.slice(rel.lastIndexOf('.'));
        res.writeHead(200, { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'no-store' });
        res.end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    // Not a chat server: a WebSocket upgrade here is refused.
    this.http.on('upgrade', (_req, socket) => socket.destroy());
    await new Promise((r) => this.http.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${this.http.address().port}`;
    return this;
  }

  async close() {
    if (!this.http) return;
    this.http.closeAllConnections?.();
    await new Promise((r) => this.http.close(() => r()));
    this.http = null;
  }

  /**
   * What harness `User`s of this site see as their "server": pages from this origin, UserSigs and
   * SDKAppID from the real tim-server `server`, and `options` pointing the SDK at it (or at `wsURL`,
   * e.g. a proxy).
   */
  forServer(server, wsURL) {
    const site = this;
    return {
      get url() {
        return site.url;
      },
      get sdkAppID() {
        return server.sdkAppID;
      },
      sig: (userID, extra) => server.sig(userID, extra),
      options: (extra = {}) => ({ SDKAppID: server.sdkAppID, server: wsURL ?? server.wsURL, ...extra }),
    };
  }
}

/** Opens a page of `site` (a forServer() object) for `userID` in `context` (a new one if none). */
export async function openSiteUser(browser, site, userID, { context } = {}) {
  const u = await openUser(browser, site, userID, { context });
  u.site = site;
  return u;
}

/** Logs in online (asserting the plain answer) with the site's options plus `extra`. */
export async function loginOnline(user, extra) {
  await user.login({ options: user.site.options(extra) });
}

/**
 * Logs in while tim-server is unreachable: resolves `{ repeatLogin: false, offline: true }` and
 * SDK_READY follows. Returns the events emitted from the call until SDK_READY.
 */
export async function loginOffline(user, extra) {
  assert.ok(await user.create(user.site.options(extra)), 'TIM.create gave an instance');
  const mark = user.mark();
  const ready = user.nextEvent('sdkStateReady', () => true, 15_000);
  const r = await user.call('login', { userID: user.userID, userSig: user.site.sig(user.userID) });
  assert.ok(r.ok, `${user.userID}: login with the server down should resolve from the cache, rejected ${JSON.stringify(r)}`);
  assert.equal(r.value.code, 0);
  assert.deepEqual(r.value.data, { repeatLogin: false, offline: true }, 'login says it started offline');
  await ready;
  return user.eventsSince(mark);
}

/**
 * What the SDK's IndexedDB cache of (SDKAppID, userID) holds, read from the page (null when the
 * database does not exist yet: it is never created here, so the SDK's own open is not disturbed).
 */
export async function readCache(user, sdkAppID, userID = user.userID) {
  return user.page.evaluate(async (name) => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === name)) return null;
    const db = await new Promise((resolve, reject) => {
      const r = indexedDB.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    try {
      const all = (store) =>
        new Promise((resolve, reject) => {
          const r = db.transaction(store, 'readonly').objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const out = {};
      for (const s of db.objectStoreNames) out[s] = await all(s);
      return out;
    } finally {
      db.close();
    }
  }, `tim-wasm/${sdkAppID}/${userID}`);
}
