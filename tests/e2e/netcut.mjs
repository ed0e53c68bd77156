// A TCP proxy between Chromium and the server whose network can be cut and restored, so that a
// browser session really goes offline (its socket drops, its reconnect attempts are refused)
// while everything else keeps running.
import net from 'node:net';
import { sleep } from './harness.mjs';

export class NetCut {
  /** @param {number} targetPort the server's port on 127.0.0.1 */
  constructor(targetPort, targetHost = '127.0.0.1') {
    this.targetPort = targetPort;
    this.targetHost = targetHost;
    this.port = null;
    this.listener = null;
    /** Every live socket, both sides of each proxied connection. */
    this.sockets = new Set();
    /** Connections accepted since start (refused ones never get here). */
    this.accepted = 0;
    /** [client, upstream] of each live connection. */
    this.pairs = new Set();
  }

  /** ws:// address of the proxy, for TIM.create({ server }). */
  get wsURL() {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Connections currently proxied. */
  get open() {
    return this.sockets.size / 2;
  }

  get up() {
    return this.listener !== null;
  }

  async start() {
    await this.listen(0);
    return this;
  }

  /** Drops every proxied connection and stops listening: new connections are refused. */
  async cut() {
    const listener = this.listener;
    this.listener = null;
    if (listener) {
      const closed = new Promise((r) => listener.close(() => r()));
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
      await closed;
    } else {
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    }
  }

  /** Listens again on the same port. */
  async restore() {
    if (this.listener) return;
    for (let i = 0; ; i++) {
      try {
        await this.listen(this.port);
        return;
      } catch (e) {
        if (e.code !== 'EADDRINUSE' || i >= 20) throw e;
        await sleep(100);
      }
    }
  }

  async close() {
    await this.cut();
  }

  /**
   * Stops reading what the server sends on every live connection, as a page that stops reading
   * would: the server's writes back up (kernel buffers, then its own queue) while the page's
   * own frames still go through. Connections made later are not paused.
   */
  pauseReading() {
    for (const [client, upstream] of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Forwards again what the server sent (and what it sends next) on the paused connections. */
  resumeReading() {
    for (const [client, upstream] of this.pairs) {
      if (!upstream.destroyed) upstream.pipe(client);
    }
  }

  listen(port) {
    const listener = net.createServer((client) => this.accept(client));
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject);
        this.listener = listener;
        this.port = listener.address().port;
        resolve();
      });
    });
  }

  accept(client) {
    this.accepted++;
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      this.sockets.add(s);
    }
    const pair = [client, upstream];
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      for (const s of [client, upstream]) {
        this.sockets.delete(s);
        s.destroy();
      }
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
