// A cluster for the end-to-end tests, on loopback: a private PostgreSQL (initdb into a temp
// dir, a free port; as crates/server/tests/common/pg.rs does), a nats-server on a free port
// (as common/nats.rs does) and tim-server nodes on both (`--db postgres://…` `--nats nats://…`).
//
// `clusterTools()` says why the cluster cannot run (binaries missing) or returns where they
// are: scripts/setup.sh --with-test-servers installs Debian's `postgresql` and `nats-server`;
// `TIM_PG_BIN` names another PostgreSQL binaries directory, `TIM_NATS_SERVER` another binary.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readdirSync, chmodSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server, sleep, until } from './harness.mjs';

const hasPgCtl = (dir) => existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'));

function findPgBin() {
  if (process.env.TIM_PG_BIN) return hasPgCtl(process.env.TIM_PG_BIN) ? process.env.TIM_PG_BIN : null;
  let versions = [];
  try {
    versions = readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  } catch {}
  for (const v of versions) {
    const bin = `/usr/lib/postgresql/${v}/bin`;
    if (hasPgCtl(bin)) return bin;
  }
  return (process.env.PATH || '').split(':').find((d) => d && hasPgCtl(d)) || null;
}

function findNats() {
  if (process.env.TIM_NATS_SERVER) return existsSync(process.env.TIM_NATS_SERVER) ? process.env.TIM_NATS_SERVER : null;
  const dirs = [...(process.env.PATH || '').split(':'), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((d) => join(d, 'nats-server')).find((p) => existsSync(p)) || null;
}

/** `{ pgBin, nats }`, or `{ missing: why }`. */
export function clusterTools() {
  const pgBin = findPgBin();
  const nats = findNats();
  const missing = [];
  if (!pgBin) missing.push('PostgreSQL (initdb, pg_ctl)');
  if (!nats) missing.push('nats-server');
  if (missing.length) return { missing: `${missing.join(' and ')} not found: run scripts/setup.sh --with-test-servers to install them` };
  return { pgBin, nats };
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const l = net.createServer();
    l.once('error', reject);
    l.listen(0, '127.0.0.1', () => {
      const { port } = l.address();
      l.close(() => resolve(port));
    });
  });
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

export class Postgres {
  constructor(bin) {
    this.bin = bin;
    this.root = mkdtempSync(join(tmpdir(), 'tim-e2e-pg-'));
    this.data = join(this.root, 'data');
    this.port = null;
  }

  /** Runs a PostgreSQL program, as the `postgres` user when we are root (it refuses root). */
  run(program, args) {
    const [cmd, all] = isRoot() ? ['runuser', ['-u', 'postgres', '--', join(this.bin, program), ...args]] : [join(this.bin, program), args];
    return execFileSync(cmd, all, { cwd: this.root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async start() {
    if (isRoot()) {
      chmodSync(this.root, 0o755);
      execFileSync('chown', ['-R', 'postgres:postgres', this.root]);
    }
    this.run('initdb', ['-D', this.data, '-U', 'tim', '--auth=trust', '--no-sync', '-E', 'UTF8', '--no-locale']);
    this.port = await freePort();
    const options = `-p ${this.port} -k ${this.root} -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_buffers=32MB`;
    this.run('pg_ctl', ['-D', this.data, '-l', join(this.root, 'log'), '-w', '-t', '60', '-o', options, 'start']);
    this.run('createdb', ['-h', '127.0.0.1', '-p', String(this.port), '-U', 'tim', 'tim']);
    return this;
  }

  get url() {
    return `postgres://tim@127.0.0.1:${this.port}/tim`;
  }

  async dispose() {
    try {
      this.run('pg_ctl', ['-D', this.data, '-m', 'immediate', '-w', 'stop']);
    } catch {}
    rmSync(this.root, { recursive: true, force: true });
  }
}

export class Nats {
  constructor(bin) {
    this.bin = bin;
    this.proc = null;
    this.port = null;
  }

  async start() {
    this.port = await freePort();
    this.proc = spawn(this.bin, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    await until(
      () => new Promise((r) => {
        const s = net.connect(this.port, '127.0.0.1', () => { s.destroy(); r(true); });
        s.on('error', () => r(false));
      }),
      'nats-server to listen',
    );
    return this;
  }

  get url() {
    return `nats://127.0.0.1:${this.port}`;
  }

  async dispose() {
    if (!this.proc) return;
    this.proc.kill('SIGKILL');
    this.proc = null;
    await sleep(50);
  }
}

/**
 * PostgreSQL, NATS and `n` nodes on them (the first makes the demo app; the others share its
 * SDKAppID and key). `{ pg, nats, nodes, dispose }`.
 */
export async function startCluster(tools, n = 2) {
  const pg = await new Postgres(tools.pgBin).start();
  const nats = await new Nats(tools.nats).start();
  const nodes = [];
  const dispose = async () => {
    for (const node of nodes) await node.dispose().catch(() => {});
    await nats.dispose();
    await pg.dispose();
  };
  try {
    for (let i = 0; i < n; i++) {
      const node = new Server({ db: pg.url, args: ['--nats', nats.url] });
      if (i > 0) {
        node.sdkAppID = nodes[0].sdkAppID;
        node.secretKey = nodes[0].secretKey;
      }
      nodes.push(node);
      await node.start();
    }
  } catch (e) {
    await dispose();
    throw e;
  }
  return { pg, nats, nodes, dispose };
}
