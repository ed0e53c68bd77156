// A NetCut proxy (netcut.mjs) that also reads the WebSocket frames the browser sends, so a test can
// cut the connection at an exact point of a request: right after a chosen frame reached the server
// (its answer is lost: the server applied it, the client never hears) or right before (the frame is
// lost: the server never sees it). Client frames are masked (RFC 6455 5.3); the server speaks no
// compression extension, so the payload is the JSON text once unmasked.
import net from 'node:net';
import { NetCut } from './netcut.mjs';

/** One complete frame at the start of `buf`, or null: { size, opcode, text }. */
export function parseClientFrame(buf) {
  if (buf.length < 2) return null;
  const opcode = buf[0] & 0x0f;
  const masked = (buf[1] & 0x80) !== 0;
  let len = buf[1] & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  const maskAt = off;
  if (masked) off += 4;
  if (buf.length < off + len) return null;
  const payload = Buffer.from(buf.subarray(off, off + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buf[maskAt + (i & 3)];
  return { size: off + len, opcode, text: opcode === 1 ? payload.toString('utf8') : null };
}

export class FrameTap extends NetCut {
  constructor(targetPort, targetHost) {
    super(targetPort, targetHost);
    this.rule = null;
    /** Texts of every client→server text frame forwarded, in order. */
    this.seen = [];
  }

  /**
   * Arms a cut on the next client→server text frame for which `match(text)` is true. With
   * `deliver: true` the frame is written to the server and the server's side is half-closed after
   * it (the server reads and applies it; its answer goes nowhere); with false it is dropped. Either
   * way the browser's connection is dropped at once and the proxy stops listening (like `cut()`;
   * `restore()` brings it back). Resolves with the frame's text once the cut is done.
   */
  cutOn(match, { deliver }) {
    return new Promise((resolve) => {
      this.rule = { match, deliver, resolve };
    });
  }

  accept(client) {
    this.accepted++;
    const upstream = net.connect(this.targetPort, this.targetHost);
    for (const s of [client, upstream]) {
      s.setNoDelay(true);
      this.sockets.add(s);
    }
    let detached = false; // upstream left to finish on its own (a delivered last frame)
    const drop = () => {
      this.sockets.delete(client);
      client.destroy();
      if (!detached) {
        this.sockets.delete(upstream);
        upstream.destroy();
      }
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    upstream.pipe(client);
    let buf = Buffer.alloc(0);
    let handshake = true;
    client.on('data', (chunk) => {
      if (detached) return;
      buf = Buffer.concat([buf, chunk]);
      if (handshake) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        upstream.write(buf.subarray(0, end + 4));
        buf = buf.subarray(end + 4);
        handshake = false;
      }
      for (;;) {
        const f = parseClientFrame(buf);
        if (!f) return;
        const raw = Buffer.from(buf.subarray(0, f.size));
        buf = buf.subarray(f.size);
        const rule = this.rule;
        if (f.text !== null && rule && rule.match(f.text)) {
          this.rule = null;
          detached = true;
          upstream.unpipe(client);
          upstream.resume(); // the answer is read and thrown away
          this.sockets.delete(upstream);
          if (rule.deliver) {
            upstream.end(raw);
            setTimeout(() => upstream.destroy(), 5000).unref();
          } else {
            upstream.destroy();
          }
          this.sockets.delete(client);
          client.destroy();
          this.cut().then(() => rule.resolve(f.text));
          return;
        }
        if (f.text !== null) this.seen.push(f.text);
        upstream.write(raw);
      }
    });
  }
}
