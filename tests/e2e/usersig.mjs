// A UserSig (TLS Sig API v2) generator, written from the published algorithm and independent of
// the server's Rust implementation: if both agree, each checks the other.
//
// sig   = base64(HMAC-SHA256(key, "TLS.identifier:<id>\nTLS.sdkappid:<app>\nTLS.time:<t>\nTLS.expire:<e>\n"))
// token = base64(zlib-deflate(JSON{TLS.ver, TLS.identifier, TLS.sdkappid, TLS.time, TLS.expire, TLS.sig}))
//         with + -> *, / -> -, = -> _
import { createHmac } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

/** Base64 with the UserSig alphabet substitutions. */
export function escapeB64(b64) {
  return b64.replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}
export function unescapeB64(s) {
  return s.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
}

export function hmacBase64(key, { userID, sdkAppID, time, expire, userbuf }) {
  let content =
    `TLS.identifier:${userID}\n` +
    `TLS.sdkappid:${sdkAppID}\n` +
    `TLS.time:${time}\n` +
    `TLS.expire:${expire}\n`;
  if (userbuf !== undefined) content += `TLS.userbuf:${userbuf}\n`;
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(content, 'utf8').digest('base64');
}

/** Packs a ticket object (already holding TLS.sig or not) into a token. */
export function packTicket(obj) {
  return escapeB64(deflateSync(Buffer.from(JSON.stringify(obj), 'utf8')).toString('base64'));
}

/** Unpacks a token into its JSON object (for tests of the generator itself). */
export function unpackTicket(token) {
  return JSON.parse(inflateSync(Buffer.from(unescapeB64(token), 'base64')).toString('utf8'));
}

/**
 * A valid UserSig.
 * @param {{ sdkAppID: number, key: string, userID: string, expire?: number, time?: number, userbuf?: Buffer }} o
 */
export function genUserSig({ sdkAppID, key, userID, expire = 86400, time, userbuf }) {
  const t = time ?? Math.floor(Date.now() / 1000);
  const ub = userbuf === undefined ? undefined : Buffer.from(userbuf).toString('base64');
  const obj = {
    'TLS.ver': '2.0',
    'TLS.identifier': String(userID),
    'TLS.sdkappid': Number(sdkAppID),
    'TLS.expire': Number(expire),
    'TLS.time': Number(t),
  };
  if (ub !== undefined) obj['TLS.userbuf'] = ub;
  obj['TLS.sig'] = hmacBase64(key, { userID, sdkAppID, time: t, expire, userbuf: ub });
  return packTicket(obj);
}

/** Signed with a key that is not the app's. */
export function forgedUserSig(o) {
  return genUserSig({ ...o, key: o.key + 'x' });
}

/** Correctly signed, but issued two days ago for one day. */
export function expiredUserSig(o) {
  return genUserSig({ ...o, time: Math.floor(Date.now() / 1000) - 2 * 86400, expire: 86400 });
}

/** Correctly signed for `seconds` from now. */
export function shortLivedUserSig(o, seconds) {
  return genUserSig({ ...o, time: Math.floor(Date.now() / 1000), expire: seconds });
}

/** Ways of getting the token's format wrong; each must be refused as invalid (70003). */
export function malformedUserSigs(o) {
  const good = genUserSig(o);
  const t = Math.floor(Date.now() / 1000);
  const base = {
    'TLS.ver': '2.0',
    'TLS.identifier': o.userID,
    'TLS.sdkappid': o.sdkAppID,
    'TLS.expire': 86400,
    'TLS.time': t,
  };
  const sig = hmacBase64(o.key, { userID: o.userID, sdkAppID: o.sdkAppID, time: t, expire: 86400 });
  // flip one character inside the HMAC of an otherwise valid ticket
  const flipped = { ...base, 'TLS.sig': (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1) };
  return {
    'not base64 at all': 'this is not a usersig!',
    'truncated token': good.slice(0, Math.floor(good.length / 2)),
    'base64 of bytes that are not zlib': escapeB64(Buffer.from('hello, not deflated').toString('base64')),
    'zlib of something that is not JSON': escapeB64(deflateSync(Buffer.from('TLS.sig=abc')).toString('base64')),
    'JSON without TLS.sig': packTicket(base),
    'one character of the HMAC changed': packTicket(flipped),
    'TLS.sig not base64': packTicket({ ...base, 'TLS.sig': '%%%%' }),
    'expire changed after signing': packTicket({ ...base, 'TLS.expire': 86400 * 365, 'TLS.sig': sig }),
  };
}
