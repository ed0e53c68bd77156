// Browser half of workload 6, run by `tim-bench run` (crates/bench/src/workloads/sdk.rs), which
// seeds the database, starts the server and passes one JSON argument:
//   { url, sdkAppID, reps, ready: { userID, userSig, conversations }, list: { ... } }
// Prints one JSON line: { chromium, readyMs: [...], listLoginMs: [...], listMs: [...], listLen }.
// With `profile: "<file>"` in the config, the getConversationList samples also run under the
// DevTools CPU profiler, and the functions with the most self time are written to that file
// (serve a pkg/ built without wasm-opt, `tim-bench run --pkg`, to see Rust function names).
//
// Headless Chromium (Debian's, via playwright-core, flags from docs/toolchain) opens the server's
// own page (same origin for /pkg and /ws, as the e2e tests do) and imports /pkg/index.js once.
// Each sample times, with performance.now() inside the page:
// - readyMs: tim.login() called -> the SDK_READY handler runs (a fresh instance each time:
//   destroy() then TIM.create());
// - listMs: await tim.getConversationList() on a logged-in instance.
import { chromium } from 'playwright-core';
import { writeFileSync } from 'node:fs';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const config = JSON.parse(process.argv[2] || '{}');
if (!config.url) {
  console.error('usage: node bench/sdk.mjs \'{"url": ..., "sdkAppID": ..., ...}\' (run by tim-bench)');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`[page] ${e.stack || e}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[page console] ${m.text()}`);
  });
  await page.goto(config.url + '/');
  await page.evaluate(async () => {
    window.TIM = (await import('/pkg/index.js')).default;
    // login() on a fresh instance; resolves with ms from the call to SDK_READY.
    window.__timeLogin = async (SDKAppID, userID, userSig) => {
      if (window.tim) await window.tim.destroy();
      const tim = window.TIM.create({ SDKAppID });
      window.tim = tim;
      let ready;
      const readyAt = new Promise((r) => { ready = r; });
      tim.on(window.TIM.EVENT.SDK_READY, () => ready(performance.now()));
      const t0 = performance.now();
      await tim.login({ userID, userSig });
      return (await readyAt) - t0;
    };
    window.__timeList = async () => {
      const t0 = performance.now();
      const r = await window.tim.getConversationList();
      return { ms: performance.now() - t0, len: r.data.conversationList.length };
    };
  });

  const login = (u) => page.evaluate(([a, id, sig]) => window.__timeLogin(a, id, sig), [config.sdkAppID, u.userID, u.userSig]);
  const reps = config.reps || 5;

  // One untimed round of each first: the first call compiles and warms everything up.
  await login(config.ready);
  const readyMs = [];
  for (let i = 0; i < reps; i++) readyMs.push(await login(config.ready));

  await login(config.list);
  const listLoginMs = [];
  for (let i = 0; i < reps; i++) listLoginMs.push(await login(config.list));
  await page.evaluate(() => window.__timeList());
  const profiler = config.profile ? await startProfile(page) : null;
  const listMs = [];
  let listLen = 0;
  for (let i = 0; i < reps; i++) {
    const r = await page.evaluate(() => window.__timeList());
    listMs.push(r.ms);
    listLen = r.len;
  }
  if (profiler) writeFileSync(config.profile, await stopProfile(profiler));
  await page.evaluate(() => window.tim && window.tim.destroy());
  console.log(JSON.stringify({ chromium: browser.version(), readyMs, listLoginMs, listMs, listLen }));
} finally {
  await browser.close();
}

async function startProfile(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return cdp;
}

/** Self time per function (name + script), heaviest first, as text. */
async function stopProfile(cdp) {
  const { profile } = await cdp.send('Profiler.stop');
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas || [];
  (profile.samples || []).forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const script = (f.url || '').split('/').pop();
    const key = `${f.functionName || '(anonymous)'}  [${script || 'native'}]`;
    self.set(key, (self.get(key) || 0) + (deltas[i] || 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60);
  const lines = [`self time of getConversationList samples: ${(total / 1000).toFixed(1)} ms sampled`];
  for (const [key, us] of rows) lines.push(`${(us / 1000).toFixed(1).padStart(9)} ms ${(100 * us / total).toFixed(1).padStart(5)}%  ${key}`);
  return lines.join('\n') + '\n';
}
