// The test suite's own UserSig generator (usersig.mjs) against the published algorithm and against
// the server's independent implementation (`tim-server usersig`): each checks the other.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { ROOT } from './harness.mjs';
import { genUserSig, unpackTicket, hmacBase64, unescapeB64 } from './usersig.mjs';

const SERVER_BIN = process.env.TIM_SERVER_BIN || join(ROOT, 'target/debug/tim-server');

describe('UserSig (TLS Sig API v2)', () => {
  it('our generator follows the published format', () => {
    const sig = genUserSig({ sdkAppID: 1400000001, key: 'k3y', userID: 'alice', time: 1700000000, expire: 86400 });
    assert.match(sig, /^[A-Za-z0-9*\-_]+$/, 'only the URL-safe substitute alphabet');
    assert.doesNotMatch(sig, /[+/=]/);
    const t = unpackTicket(sig);
    assert.deepEqual(Object.keys(t).sort(), ['TLS.expire', 'TLS.identifier', 'TLS.sdkappid', 'TLS.sig', 'TLS.time', 'TLS.ver']);
    assert.equal(t['TLS.ver'], '2.0');
    assert.equal(t['TLS.identifier'], 'alice');
    assert.equal(t['TLS.sdkappid'], 1400000001);
    assert.equal(t['TLS.time'], 1700000000);
    assert.equal(t['TLS.expire'], 86400);
    const content = 'TLS.identifier:alice\nTLS.sdkappid:1400000001\nTLS.time:1700000000\nTLS.expire:86400\n';
    assert.equal(t['TLS.sig'], createHmac('sha256', 'k3y').update(content).digest('base64'));
    assert.equal(Buffer.from(unescapeB64(sig), 'base64')[0], 0x78, 'a zlib stream');
  });

  describe('against tim-server', () => {
    let dir;
    const APP = 1400000777;
    const KEY = 'e2e-secret-key-0123456789abcdef';
    before(() => {
      dir = mkdtempSync(join(tmpdir(), 'tim-usersig-'));
      execFileSync(SERVER_BIN, ['app', 'create', '--db', join(dir, 'tim.db'), '--sdkappid', String(APP), '--secret', KEY], { stdio: 'pipe' });
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('a UserSig made by `tim-server usersig` verifies with our implementation of the algorithm', () => {
      const out = execFileSync(SERVER_BIN, ['usersig', '--db', join(dir, 'tim.db'), '--sdkappid', String(APP), '--user', 'bob', '--expire', '3600'], { encoding: 'utf8' });
      const sig = out.trim().split('\n').pop().trim();
      assert.match(sig, /^[A-Za-z0-9*\-_]+$/, `printed a UserSig: ${out}`);
      const t = unpackTicket(sig);
      assert.equal(t['TLS.ver'], '2.0');
      assert.equal(t['TLS.identifier'], 'bob');
      assert.equal(Number(t['TLS.sdkappid']), APP);
      assert.equal(Number(t['TLS.expire']), 3600);
      const now = Math.floor(Date.now() / 1000);
      assert.ok(Math.abs(Number(t['TLS.time']) - now) < 120, 'issued now');
      const want = hmacBase64(KEY, { userID: 'bob', sdkAppID: APP, time: t['TLS.time'], expire: t['TLS.expire'] });
      assert.equal(t['TLS.sig'], want, 'the HMAC matches the published algorithm');
    });
  });
});
