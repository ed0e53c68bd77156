// Issue 15: the typings list what exists, with no stale comments. The instance methods that pkg/index.d.ts declares are
// exactly those the built SDK has (its wasm-bindgen class), and each is one of Tencent's, with
// Tencent's sync or async form; a method added to one side only fails here.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

// The entry installs the generic path's calls (tim_core::calls) on the class: load it first.
await import(join(ROOT, 'pkg/index.js'));
const { Tim } = await import(join(ROOT, 'pkg/tim_wasm.js'));
const { SYNC_METHODS, ASYNC_METHODS } = await import(join(ROOT, 'pkg/tencent-api.js'));

/** The method names of `export interface TimInstance { ... }` in the typings. */
function typedMethods() {
  const dts = readFileSync(join(ROOT, 'pkg/index.d.ts'), 'utf8');
  const start = dts.indexOf('export interface TimInstance {');
  assert.ok(start >= 0, 'TimInstance is declared');
  const body = dts.slice(start, dts.indexOf('\n}', start));
  return new Set([...body.matchAll(/^ {2}([A-Za-z]+)[<(]/gm)].map((m) => m[1]));
}

/** What the built class has, without wasm-bindgen's own members and the SDKAppID getter. */
function builtMethods() {
  const own = ['constructor', 'free', '__destroy_into_raw', 'SDKAppID'];
  return new Set(Object.getOwnPropertyNames(Tim.prototype).filter((n) => !own.includes(n) && !n.startsWith('__')));
}

describe('typings coverage', () => {
  it('index.d.ts declares exactly the methods the SDK has', () => {
    assert.deepEqual([...typedMethods()].sort(), [...builtMethods()].sort());
  });

  it('no stale comments: nothing "not implemented yet", no conversation type said to be "only C2C"', () => {
    const dts = readFileSync(join(ROOT, 'pkg/index.d.ts'), 'utf8');
    assert.doesNotMatch(dts, /not (yet )?implemented/i);
    assert.doesNotMatch(dts, /only C2C/i);
  });

  it("each is one of Tencent's, a Promise unless Tencent's answers at once", () => {
    for (const name of typedMethods()) {
      assert.ok(SYNC_METHODS.has(name) || ASYNC_METHODS.has(name), `${name} is a method of Tencent's web SDK`);
    }
    const dts = readFileSync(join(ROOT, 'pkg/index.d.ts'), 'utf8');
    for (const name of typedMethods()) {
      const returnsPromise = new RegExp(`^ {2}${name}[<(][^\\n]*\\): Promise<`, 'm').test(dts);
      assert.equal(returnsPromise, ASYNC_METHODS.has(name), `${name}: ${ASYNC_METHODS.has(name) ? 'async' : 'sync'} as Tencent's`);
    }
  });
});
