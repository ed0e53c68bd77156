// End-to-end harness: a real tim-server process on a real SQLite file, a real headless Chromium
// (Debian's, driven by playwright-core), one page per "user" on the server's origin.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { genUserSig } from './usersig.mjs';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const RESULTS_DIR = join(ROOT, 'test-results');
const SERVER_BIN = process.env.TIM_SERVER_BIN || join(ROOT, 'target/debug/tim-server');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const DEBUG = !!process.env.E2E_DEBUG;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value; fails after `timeout` ms with `what` in the message. */
export async function until(fn, what, { timeout = 10_000, interval = 50 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await sleep(interval);
  }
}

/** Rejects after `ms` with a message naming what was awaited. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${typeof what === 'function' ? what() : what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------------------------
// The server process

export class Server {
  /**
   * `www`: the folder served at `/` (the demo by default; the packaging tests serve a built app);
   * `args`: more `serve` flags (deadlines, caps, `--nats`); `db`: the `--db` value (a
   * `postgres://` URL for a cluster node; a fresh SQLite file in a temp dir by default).
   */
  constructor({ www = 'www', args = [], db } = {}) {
    this.www = www;
    this.extraArgs = args;
    this.dir = mkdtempSync(join(tmpdir(), 'tim-e2e-'));
    this.db = db ?? join(this.dir, 'tim.db');
    this.url = null; // http://127.0.0.1:PORT
    this.addr = '127.0.0.1:0';
    this.sdkAppID = null;
    this.secretKey = null;
    this.proc = null;
    this.output = []; // every line the server printed, for failure reports
  }

  get wsURL() {
    return this.url.replace(/^http/, 'ws') + '/ws';
  }

  /** A valid UserSig for a user of the demo app. */
  sig(userID, extra = {}) {
    return genUserSig({ sdkAppID: this.sdkAppID, key: this.secretKey, userID, ...extra });
  }

  /** Starts the server (again, on the same port and db file when it ran before). */
  async start() {
    if (!existsSync(SERVER_BIN)) {
      throw new Error(`${SERVER_BIN} not found: build it with \`cargo build -p tim-server\` (or set TIM_SERVER_BIN)`);
    }
    const args = ['serve', '--demo', '--addr', this.addr, '--db', this.db, '--www', this.www, '--pkg', 'pkg', ...this.extraArgs];
    const proc = spawn(SERVER_BIN, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info' },
    });
    this.proc = proc;
    this.exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
    let listening = null;
    let app = null;
    const onLine = (stream) => (line) => {
      this.output.push(`[${stream}] ${line}`);
      if (DEBUG) process.stderr.write(`[server ${stream}] ${line}\n`);
      const l = /listening on (http:\/\/\S+)/.exec(line);
      if (l) listening = l[1].replace(/\/$/, '');
      const a = /SDKAppID=(\d+) secretKey=(\S+)/.exec(line);
      if (a) app = { sdkAppID: Number(a[1]), secretKey: a[2] };
    };
    lines(proc.stdout, onLine('stdout'));
    lines(proc.stderr, onLine('stderr'));
    let exitedEarly = null;
    this.exited.then((e) => { exitedEarly = e; });
    const first = this.sdkAppID === null;
    try {
      await until(() => exitedEarly || (listening && (app || !first)), 'the server to print its URL and demo app', { timeout: 20_000 });
      if (exitedEarly) throw new Error(`tim-server exited at start (${JSON.stringify(exitedEarly)})`);
      if (!app && !first) {
        // A restart may or may not print the demo app again; it must be the same one if it does.
        await until(() => app, 'demo app line', { timeout: 1000 }).catch(() => {});
      }
    } catch (e) {
      throw new Error(`${e.message}\n--- server output ---\n${this.output.join('\n')}`);
    }
    if (app) {
      if (!first) {
        assert.equal(app.sdkAppID, this.sdkAppID, 'the demo SDKAppID survives a restart');
        assert.equal(app.secretKey, this.secretKey, 'the demo secret key survives a restart');
      }
      this.sdkAppID = app.sdkAppID;
      this.secretKey = app.secretKey;
    }
    if (this.url) assert.equal(listening, this.url, 'restarted on the same address');
    this.url = listening;
    this.addr = new URL(listening).host;
    return this;
  }

  /** Runs a `tim-server` subcommand against this server's database; returns its stdout. */
  cli(...args) {
    return execFileSync(SERVER_BIN, [...args, '--db', this.db], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Whether the process is still running. */
  get alive() {
    return this.proc !== null && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  async stop() {
    if (!this.proc) return;
    const proc = this.proc;
    if (this.alive) {
      proc.kill('SIGTERM');
      const r = await Promise.race([this.exited, sleep(5000).then(() => null)]);
      if (!r) {
        proc.kill('SIGKILL');
        await this.exited;
      }
    }
    this.proc = null;
  }

  async restart() {
    await this.stop();
    // The port was just released; retry briefly in case the kernel holds it a moment.
    for (let i = 0; ; i++) {
      try {
        return await this.start();
      } catch (e) {
        if (i >= 5) throw e;
        await sleep(300);
      }
    }
  }

  async dispose() {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The last lines the server printed (for assertion messages). */
  tail(n = 30) {
    return this.output.slice(-n).join('\n');
  }
}

function lines(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      onLine(buf.slice(0, i).replace(/\r$/, ''));
      buf = buf.slice(i + 1);
    }
  });
  stream.on('end', () => buf && onLine(buf));
}

// ---------------------------------------------------------------------------------------------
// The browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Pages open the server's own URL (the demo page, inert until its login form is used), so that
 * `import('/pkg/index.js')` and `/ws` are same-origin. (A page faked with route.fulfill does not do:
 * Chromium's local network access checks then block its WebSocket to 127.0.0.1.)
 */
const PAGE_PATH = '/';

/**
 * Opens a page for one user in `context` (a new context when none is given), loads the SDK and
 * exposes `window.TIM`. Every SDK event of the instance made by `setup()` is forwarded here.
 */
export async function openUser(browser, server, userID, { context } = {}) {
  const ctx = context || (await browser.newContext());
  const page = await ctx.newPage();
  const user = new User(page, ctx, server, userID, !context);
  await user.attach();
  await user.load();
  return user;
}

export class User {
  constructor(page, context, server, userID, ownsContext) {
    this.page = page;
    this.context = context;
    this.server = server;
    this.userID = userID;
    this.ownsContext = ownsContext;
    this.events = [];
    this.waiters = [];
    this.pageErrors = [];
  }

  async attach() {
    const { page, userID } = this;
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning' || DEBUG) {
        process.stderr.write(`[page ${userID} console.${msg.type()}] ${msg.text()}\n`);
      }
    });
    page.on('pageerror', (err) => {
      this.pageErrors.push(err);
      process.stderr.write(`[page ${userID} uncaught] ${err.stack || err}\n`);
    });
    await page.exposeFunction('__timEvent', (event) => this.onEvent(event));
  }

  /** (Re)loads the blank page and the SDK; the previous page state (and instance) is gone. */
  async load() {
    this.events = [];
    await this.page.goto(this.server.url + PAGE_PATH);
    await this.page.evaluate(async () => {
      const mod = await import('/pkg/index.js');
      window.TIM = mod.default;
      // A deep copy that keeps plain data as it is and marks anything that is not plain JSON-like
      // data (a Map, a class instance, a BigInt) so that assertions show it.
      const clone = (v) => {
        if (typeof v === 'bigint') return { __nonPlain: 'BigInt', value: String(v) };
        if (typeof v === 'function') return { __nonPlain: 'function' };
        if (v === null || typeof v !== 'object') return v;
        if (Array.isArray(v)) return v.map(clone);
        if (v instanceof Map) return { __nonPlain: 'Map', entries: [...v].map(([k, x]) => [k, clone(x)]) };
        const out = {};
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) out.__nonPlain = (proto.constructor && proto.constructor.name) || 'object';
        for (const k of Object.keys(v)) out[k] = clone(v[k]);
        return out;
      };
      const forwarded = new WeakSet();
      window.__errorInfo = (e) => ({
        ok: false,
        isError: e instanceof Error,
        code: e && e.code,
        codeType: typeof (e && e.code),
        message: e && e.message,
        data: clone(e && e.data),
        hasOwnCode: !!e && Object.prototype.hasOwnProperty.call(e, 'code'),
      });
      // Makes (or gets) the instance and forwards every event to node, in order.
      window.__setup = (options) => {
        const tim = window.TIM.create(options);
        if (!tim) return false;
        if (!forwarded.has(tim)) {
          forwarded.add(tim);
          for (const name of Object.values(window.TIM.EVENT)) {
            tim.on(name, (e) => window.__timEvent({ name: e.name, data: clone(e.data), at: Date.now() }));
          }
        }
        window.tim = tim;
        return true;
      };
      // createTextMessage + sendMessage with the very object createTextMessage returned.
      window.__sendText = async (to, text) => {
        let msg;
        try {
          msg = window.tim.createTextMessage({ to, conversationType: window.TIM.TYPES.CONV_C2C, payload: { text } });
        } catch (e) {
          return { ...window.__errorInfo(e), threw: true, step: 'createTextMessage' };
        }
        try {
          const r = await window.tim.sendMessage(msg);
          return { ok: true, value: clone(r), created: clone(msg) };
        } catch (e) {
          return { ...window.__errorInfo(e), step: 'sendMessage' };
        }
      };
      // Calls a method and reports whether the result is a real Promise and what it settled to.
      window.__call = async (method, args) => {
        let ret;
        try {
          ret = window.tim[method](...args);
        } catch (e) {
          return { ...window.__errorInfo(e), threw: true };
        }
        const isPromise = ret instanceof Promise;
        try {
          const value = await ret;
          return { ok: true, isPromise, value: clone(value) };
        } catch (e) {
          return { ...window.__errorInfo(e), isPromise };
        }
      };
    });
  }

  onEvent(event) {
    this.events.push(event);
    for (const w of [...this.waiters]) {
      if (w.name === event.name && w.pred(event.data)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(event);
      }
    }
  }

  /**
   * A promise for the next event `name` (received after this call) whose data satisfies `pred`.
   * Create it BEFORE the action that should cause the event.
   */
  nextEvent(name, pred = () => true, timeout = 10_000) {
    let w;
    const p = new Promise((resolve) => {
      w = { name, pred, resolve };
      this.waiters.push(w);
    });
    const what = () => {
      const seen = this.events.filter((e) => e.name === name).slice(-3).map((e) => JSON.stringify(e.data).slice(0, 300));
      return `${this.userID}: event ${name} matching ${pred.toString().slice(0, 200)}; last ones received: [${seen.join(', ')}]`;
    };
    const out = withTimeout(p, timeout, what).finally(() => {
      const i = this.waiters.indexOf(w);
      if (i >= 0) this.waiters.splice(i, 1);
    });
    // Marked handled: a test that fails before awaiting it must not leave an unhandled rejection
    // behind (awaiting it still throws).
    out.catch(() => {});
    return out;
  }

  /** Events named `name` received since `mark` (an index into this.events). */
  eventsSince(mark, name) {
    return this.events.slice(mark).filter((e) => !name || e.name === name);
  }

  mark() {
    return this.events.length;
  }

  /** TIM.create in the page; returns whether an instance came back. */
  async create(options) {
    return this.page.evaluate((o) => window.__setup(o), options ?? { SDKAppID: this.server.sdkAppID });
  }

  /** Calls `tim[method](...args)`; returns { ok, value } or { ok: false, isError, code, message, data }. */
  async call(method, ...args) {
    return this.page.evaluate(([m, a]) => window.__call(m, a), [method, args]);
  }

  /** Calls and asserts the documented success shape; returns the response's data. */
  async ok(method, ...args) {
    const r = await this.call(method, ...args);
    assert.ok(r.ok, `${this.userID}: ${method}(${fmtArgs(args)}) should resolve, rejected ${JSON.stringify(r)}`);
    if (method !== 'createTextMessage') {
      assert.equal(r.isPromise, true, `${method} returns a real Promise`);
      assert.equal(r.value.code, 0, `${method} resolves { code: 0 }`);
      return r.value.data;
    }
    return r.value;
  }

  /** Calls and asserts a rejection with a real Error carrying `code`; returns the error info. */
  async fails(code, method, ...args) {
    const r = await this.call(method, ...args);
    const what = `${this.userID}: ${method}(${fmtArgs(args)})`;
    assert.equal(r.ok, false, `${what} should reject with ${code}, resolved ${JSON.stringify(r.value)}`);
    assert.equal(r.code, code, `${what}: code ${r.code} (${r.message}), expected ${code}`);
    assertTimError(r, what);
    if (method !== 'createTextMessage') assert.equal(r.threw, undefined, `${what} must reject, not throw synchronously`);
    return r;
  }

  /** Creates the instance (if needed) and logs in; waits for SDK_READY. */
  async login({ userSig, options } = {}) {
    assert.ok(await this.create(options), 'TIM.create gave an instance');
    const ready = this.nextEvent('sdkStateReady');
    const data = await this.ok('login', { userID: this.userID, userSig: userSig ?? this.server.sig(this.userID) });
    assert.deepEqual(data, { repeatLogin: false });
    await ready;
    return data;
  }

  /** Sends a text message to `to` with the SDK; returns the sent Message. */
  async send(to, text) {
    const r = await this.page.evaluate(([t, x]) => window.__sendText(t, x), [to, text]);
    assert.ok(r.ok, `${this.userID}: sending ${JSON.stringify(text)} to ${to} failed: ${JSON.stringify(r)}`);
    assert.equal(r.value.code, 0);
    return r.value.data.message;
  }

  async conversationList() {
    return (await this.ok('getConversationList')).conversationList;
  }

  async messages(conversationID, extra = {}) {
    return this.ok('getMessageList', { conversationID, ...extra });
  }

  async reload() {
    this.waiters = [];
    await this.load();
  }

  async close() {
    if (this.ownsContext) await this.context.close();
    else await this.page.close();
  }
}

export function assertTimError(r, what) {
  assert.equal(r.isError, true, `${what}: the rejection is an instanceof Error`);
  assert.equal(r.codeType, 'number', `${what}: code is a number`);
  assert.equal(r.hasOwnCode, true, `${what}: code is an own property`);
  assert.equal(typeof r.message, 'string', `${what}: message is a string`);
  assert.ok(r.message.length > 0, `${what}: message says what was wrong`);
  assert.equal(typeof r.data, 'object', `${what}: data is an object`);
  assert.notEqual(r.data, null, `${what}: data is not null`);
}

function fmtArgs(args) {
  return args.map((a) => (a === undefined ? 'undefined' : JSON.stringify(a))).join(', ');
}

/** Texts of a message list. */
/** createTextMessage + sendMessage to a group in `user`'s page; { ok, code, message } or the error info. */
export async function groupSend(user, groupID, text) {
  return user.page.evaluate(async ([to, text]) => {
    try {
      const msg = window.tim.createTextMessage({ to, conversationType: window.TIM.TYPES.CONV_GROUP, payload: { text } });
      const r = await window.tim.sendMessage(msg);
      return { ok: true, code: r.code, message: JSON.parse(JSON.stringify(r.data.message)) };
    } catch (e) {
      return window.__errorInfo(e);
    }
  }, [groupID, text]);
}

export const texts = (list) => list.map((m) => m.payload.text);

/** The conversation with `id` in a list, or undefined. */
export const findConv = (list, id) => list.find((c) => c.conversationID === id);

/** Makes test-results/ and returns a path in it. */
export function resultPath(name) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  return join(RESULTS_DIR, name);
}

/**
 * Per-file setup for node:test: one server and one browser for all tests of the file.
 * Use as `const env = useEnv(before, after)`; then `env.server`, `env.browser`.
 */
export function useEnv(before, after) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await new Server().start();
    env.browser = await launchBrowser();
  });
  after(async () => {
    if (env.browser) await env.browser.close();
    if (env.server) await env.server.dispose();
  });
  return env;
}
