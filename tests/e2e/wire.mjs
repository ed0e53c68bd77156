// Protocol 2 frames for the raw-frame tests (docs/protocol.md). Requests are built from an op and
// its args; answers are read in a flat view { t, id, kind, value, code, message, ev } so the tests'
// assertions say what was answered, apart from how protocol 2 nests it (frames.test.mjs checks the
// nesting itself).

export const PROTOCOL = 2;

/** The protocol 2 request text: {"id":id,"req":{op:args}}, or {"id":id,"req":"op"} without args. */
export const request = (id, op, args) => JSON.stringify({ id, req: args === undefined ? op : { [op]: args } });

/** An externally tagged value ({kind: value} or "kind") as { kind, value }. */
function untag(tagged) {
  if (typeof tagged === 'string') return { kind: tagged };
  const [kind] = Object.keys(tagged);
  const value = tagged[kind];
  if (value && Array.isArray(value.missed)) value.missed = value.missed.map(flatEntry);
  return { kind, value };
}

/** A logged event {ev, value: {kind: value}} as { ev, kind, value }. */
const flatEntry = (e) => ({ ev: e.ev, ...untag(e.value) });

/** A server frame in the flat view: {"reply":{"id":1,"value":"pong"}} as { t: 'reply', id: 1, kind: 'pong' }. */
export function flat(frame) {
  const [t] = Object.keys(frame);
  const { value, ...rest } = frame[t];
  return t === 'error' ? { t, ...frame[t] } : { t, ...rest, ...untag(value) };
}

/** The id a raw server frame answers, or undefined for a push. */
export const answerId = (frame) => (frame.reply ?? frame.error)?.id;

/** The op of a raw client frame: its `req`'s tag. */
export const opOf = (frame) => (typeof frame.req === 'string' ? frame.req : Object.keys(frame.req)[0]);

/** A predicate for frametap: the text of a client request `op` (as serde writes it). */
export const isRequest = (op) => (text) => text.includes(`"req":{"${op}"`) || text.includes(`"req":"${op}"`);
