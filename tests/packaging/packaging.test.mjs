// The package as a web developer meets it: `npm pack` of pkg/, installed into small Vite (current
// major and 5), webpack 5, strict TypeScript and Node projects (the fixtures beside this file,
// with their bundlers as their own npm dev dependencies, pinned by their lock files). Each bundled
// app is built, served by a real tim-server and run in headless Chromium: login -> sendMessage ->
// deleteConversation with the documented result. Node imports the package as an SSR framework
// would. Needs a built pkg/ (scripts/build-sdk.sh) and target/debug/tim-server.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { ROOT, Server, launchBrowser, until } from '../e2e/harness.mjs';

const FIXTURES = join(ROOT, 'tests/packaging');
const work = mkdtempSync(join(tmpdir(), 'tim-packaging-'));
let tarball = null;
let browser = null;

function say(line) {
  process.stderr.write(`[packaging] ${line}\n`);
}

function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${e.stdout}\n${e.stderr}`);
  }
}

/** Copies a fixture (and the shared app) into the work folder and installs it with the tarball. */
function install(name) {
  const dir = join(work, name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  cpSync(join(FIXTURES, 'app/main.js'), join(dir, 'main.js'));
  const npm = ['--no-audit', '--no-fund', '--loglevel=error'];
  say(`${name}: npm ci + npm install ${tarball.split('/').pop()}`);
  if (existsSync(join(dir, 'package-lock.json'))) run('npm', ['ci', ...npm], dir);
  run('npm', ['install', '--no-save', ...npm, tarball], dir);
  return dir;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Opens `url` in a fresh context and waits for the app's outcome (deleted or error). */
async function runApp(url, what) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.stack || e}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console.error: ${m.text()}`));
  try {
    await page.goto(url);
    const outcome = await until(
      () => page.evaluate(() => document.body && (document.body.dataset.deleted || document.body.dataset.error)),
      `${what}: the app to delete the conversation`,
      { timeout: 30_000 },
    ).catch((e) => {
      throw new Error(`${e.message}\n${problems.join('\n')}`);
    });
    const data = await page.evaluate(() => ({ ...document.body.dataset }));
    assert.equal(data.error, undefined, `${what}: no error (${data.error}) ${problems.join('\n')}`);
    assert.equal(data.created, 'true', `${what}: TIM.create returned an instance`);
    assert.deepEqual(JSON.parse(data.sent), { code: 0, text: 'hello from a bundled app' }, `${what}: sent`);
    assert.deepEqual(JSON.parse(outcome), { code: 0, data: { conversationID: 'C2Cbob' } }, `${what}: the documented result`);
  } finally {
    await ctx.close();
  }
}

function appQuery(server, extra = {}) {
  const q = new URLSearchParams({
    sdkappid: String(server.sdkAppID),
    user: 'alice',
    sig: server.sig('alice'),
    peer: 'bob',
    ...extra,
  });
  return q.toString();
}

/** Builds a bundler fixture, serves its output from a real tim-server, runs the app. */
async function buildAndRun(name, distOf) {
  const dir = install(name);
  say(`${name}: npm run build`);
  run('npm', ['run', 'build'], dir);
  const dist = distOf(dir);
  assert.ok(readdirSync(dist).some((f) => f.endsWith('.wasm') || f === 'assets'), `${name}: the build emitted the wasm`);
  const server = await new Server({ www: dist }).start();
  try {
    await runApp(`${server.url}/index.html?${appQuery(server)}`, `${name} build`);
  } finally {
    await server.dispose();
  }
}

/** Serves a Vite fixture with its dev server and runs the app there (the SDK server on another port). */
async function runDevServer(name) {
  const dir = existsSync(join(work, name, 'node_modules')) ? join(work, name) : install(name);
  const server = await new Server().start();
  const port = await freePort();
  const vite = spawn(join(dir, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = [];
  vite.stdout.on('data', (d) => output.push(String(d)));
  vite.stderr.on('data', (d) => output.push(String(d)));
  try {
    await until(() => output.join('').includes(`${port}`), `the ${name} dev server to listen`, { timeout: 30_000 });
    await runApp(`http://127.0.0.1:${port}/index.html?${appQuery(server, { server: server.wsURL })}`, `${name} dev`).catch((e) => {
      throw new Error(`${e.message}\n--- vite ---\n${output.join('')}`);
    });
  } finally {
    vite.kill('SIGTERM');
    await server.dispose();
  }
}

before(async () => {
  assert.ok(existsSync(join(ROOT, 'pkg/tim_wasm_bg.wasm')), 'pkg/ is built (scripts/build-sdk.sh)');
  const packed = JSON.parse(run('npm', ['pack', join(ROOT, 'pkg'), '--pack-destination', work, '--json', '--loglevel=error'], work));
  tarball = join(work, packed[0].filename);
  const files = packed[0].files.map((f) => f.path).sort();
  say(`packed ${packed[0].filename}: ${files.join(', ')}`);
  browser = await launchBrowser();
});

after(async () => {
  if (browser) await browser.close();
  rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the entry, the typings, the wasm and its glue, README and LICENSE', () => {
    const listing = run('tar', ['-tzf', tarball], work).split('\n').filter(Boolean).map((p) => p.replace(/^package\//, ''));
    for (const f of ['package.json', 'index.js', 'index.d.ts', 'tim_wasm.js', 'tim_wasm_bg.wasm', 'README.md', 'LICENSE']) {
      assert.ok(listing.includes(f), `${f} in the tarball (${listing.join(', ')})`);
    }
  });

  it('Vite (current major): vite build, served, login -> send -> deleteConversation', async () => {
    await buildAndRun('vite-latest', (dir) => join(dir, 'dist'));
  });

  it('Vite 5 with its default targets: vite build', async () => {
    await buildAndRun('vite5', (dir) => join(dir, 'dist'));
  });

  for (const name of ['vite-latest', 'vite5']) {
    it(`${name} dev server (dependency pre-bundling, no config)`, async () => {
      await runDevServer(name);
    });
  }

  it('webpack 5: webpack --mode production, served, login -> send -> deleteConversation', async () => {
    await buildAndRun('webpack5', (dir) => {
      cpSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
      return join(dir, 'dist');
    });
  });

  it('TypeScript strict, moduleResolution bundler: the README sample type-checks', () => {
    const dir = install('ts-strict');
    run('npm', ['run', 'build'], dir);
  });

  it('Node (as SSR frameworks do): importing works, TIM.create says it is browser only', () => {
    const dir = install('node-ssr');
    const out = JSON.parse(run('node', ['ssr.mjs'], dir).trim().split('\n').pop());
    assert.equal(out.imported, true, `import('tim-wasm') in Node must not throw: ${out.importError}`);
    assert.equal(out.event, 'sdkStateReady', 'TIM.EVENT is there without a browser');
    assert.equal(typeof out.version, 'string');
    assert.ok(out.createError, `TIM.create in Node fails clearly (got ${JSON.stringify(out)})`);
    assert.match(out.createError.message, /browser/i);
  });
});
