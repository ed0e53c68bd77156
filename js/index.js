// The package entry: the documented default export `TIM` with create / EVENT / TYPES / VERSION.
//
// Importing it does nothing but define them (no top-level await, no fetch), so it imports in any
// bundler target, in Node and in server-side rendering. The wasm module is fetched and
// instantiated on first use: `TIM.create` returns its instance at once, and the instance's calls
// wait for the module. Everything the SDK decides is in the wasm; this file only loads it,
// forwards to it and runs the one XMLHttpRequest of an upload.
import init, { createInstance, Tim } from './tim_wasm.js';
import { CALLS, CREATORS, EVENT, TYPES, VERSION } from './constants.js';
import { ASYNC_METHODS, SYNC_METHODS } from './tencent-api.js';

// The calls of the generic request path (tim_core::calls) are one wasm export, `__call`; each
// becomes a method of its own here, so that apps, isSupported and the typings see Tencent's names.
for (const name of CALLS) {
  Tim.prototype[name] = function (options) {
    return this.__call(name, options);
  };
}

// The message creators are one wasm export (`__create`), sendMessage and resendMessage another
// (`__send`): one glue function each however many kinds there are.
// An image or file message's `fileOf` is kept here, per instance and by message ID, from its
// creator until it is sent (the wasm uploads it, and marks it with the upload's fileID so that a
// resend after a failed send does not upload again).
const FILES = new WeakMap();
function filesOf(tim) {
  let files = FILES.get(tim);
  if (!files) FILES.set(tim, (files = new Map()));
  return files;
}
for (const name of CREATORS) {
  Tim.prototype[name] = function (options) {
    const file = fileOf(options);
    const message = this.__create(name, options, file);
    if (file) filesOf(this).set(message.ID, file);
    return message;
  };
}
function send(tim, message, resend) {
  const files = filesOf(tim);
  const id = message && message.ID;
  return tim.__send(message, resend, files.get(id)).then((sent) => {
    files.delete(id);
    return sent;
  });
}
Tim.prototype.sendMessage = function (message) {
  return send(this, message, false);
};
Tim.prototype.resendMessage = function (message) {
  return send(this, message, true);
};

// Codes of the registry in crates/proto/src/error_code.rs (a test there checks these copies).
const INVALID_PARAMETER = 2100; // ErrorCode::InvalidParameter
const NOT_LOGGED_IN = 2024; // ErrorCode::NotLoggedIn
const NETWORK_ERROR = 2800; // ErrorCode::NetworkError
const NOT_SUPPORTED = 2905; // ErrorCode::NotSupported
const BROWSER_ONLY = 2906; // ErrorCode::BrowserOnly

function codedError(code, message) {
  return Object.assign(new Error(message), { code, data: null });
}

// Vite's dev server pre-bundles dependencies into node_modules/.vite/deps/ without their assets,
// so `new URL(..., import.meta.url)` there names a file that does not exist; the package's own
// folder is still served (the usual npm layout puts it at /node_modules/tim-wasm/).
const VITE_DEPS = /\/node_modules\/\.vite\/deps[^/]*\/[^/]*$/;

const IN_VITE_DEPS = VITE_DEPS.test(new URL(import.meta.url).pathname);

let loading = null;
function load() {
  const url = IN_VITE_DEPS
    ? new URL('/node_modules/tim-wasm/tim_wasm_bg.wasm', import.meta.url)
    : new URL('./tim_wasm_bg.wasm', import.meta.url);
  loading ??= init({ module_or_path: url }).catch((e) => {
    const hint = IN_VITE_DEPS
      ? " (Vite dev server: add optimizeDeps: { exclude: ['tim-wasm'] } to vite.config)"
      : '';
    throw codedError(NETWORK_ERROR, `tim-wasm could not load ${url}: ${e && e.message}${hint}`);
  });
  return loading;
}

// The browser side of image and file messages, handed to the wasm (which decides everything
// else: whether a message needs an upload, where it goes, what the answer means).
// `fileOf(options)`: what a creator's `payload.file` stands for (a File or Blob, or an
// <input type=file>'s first file) with its name, size and the app's `onProgress`, else null.
// `upload(url, userSig, file)`: one POST of the Blob as the whole body with XMLHttpRequest,
// whose upload progress events fetch does not have; resolves { status, answer } (the answer's
// JSON, null when it is none; status 0 when nothing answered).
function fileOf(options) {
  const f = options && options.payload && options.payload.file;
  const blob = f instanceof Blob ? f : f && f.files && f.files[0];
  return blob ? { blob, name: blob.name || '', size: blob.size, onProgress: options.onProgress } : null;
}

function upload(url, userSig, { blob, onProgress }) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const done = (status) => {
      let answer = null;
      try {
        answer = JSON.parse(xhr.responseText);
      } catch {}
      resolve({ status, answer });
    };
    xhr.open('POST', url);
    xhr.setRequestHeader('Authorization', `UserSig ${userSig}`);
    if (typeof onProgress === 'function') {
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    }
    xhr.onload = () => done(xhr.status);
    xhr.onerror = xhr.onabort = xhr.ontimeout = () => done(0);
    xhr.send(blob);
  });
}

/** A positive integer, or a string of digits as configs read from environment variables are. */
function sdkAppIdOf(options) {
  const raw = options && options.SDKAppID;
  const id = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

const LOOPBACK = ['localhost', '127.0.0.1', '[::1]'];

/** Why the `server` option cannot work, or null: it must be a ws://, wss://, http:// or https:// URL. */
function serverProblem(options) {
  const server = options && options.server;
  if (server == null) return null;
  let url = null;
  try {
    url = new URL(server);
  } catch {}
  const got = `got ${JSON.stringify(server)}`;
  if (typeof server !== 'string' || !url) return `server must be an absolute URL such as 'wss://chat.example.com', ${got}`;
  if (!/^(wss?|https?):$/.test(url.protocol)) return `server must use ws://, wss://, http:// or https://, ${got}`;
  if (url.hash) return `server must not have a #fragment, ${got}`;
  if (/^(ws|http):$/.test(url.protocol) && globalThis.location?.protocol === 'https:' && !LOOPBACK.includes(url.hostname)) {
    return `an https page cannot open plain ${JSON.stringify(server)} (the browser blocks mixed content): use wss://`;
  }
  return null;
}

/** Whether the SDK has this instance method (the glue's class is defined before the wasm loads). */
function isSupported(name) {
  return typeof name === 'string' && typeof Tim.prototype[name] === 'function';
}

function unsupported(name) {
  return codedError(NOT_SUPPORTED, `${name} is not supported by tim-wasm yet (see the README's API coverage table)`);
}

/** What the synchronous getters answer before the module has loaded: no one is logged in yet. */
const BEFORE_LOAD = {
  isReady: () => false,
  getLoginUser: () => '',
  getServerTime: () => Math.floor(Date.now() / 1000),
  getTotalUnreadMessageCount: () => 0,
};

/**
 * What `TIM.create` returns: the SDK instance once the module is loaded, and until then a stand-in
 * that queues `on` / `once` / `off` / `setLogLevel`, answers the getters of `BEFORE_LOAD`, and
 * makes every asynchronous call wait for it.
 */
class Instance {
  #real = null;
  #handlers = [];
  #ready;

  constructor(options, onDestroy) {
    this.SDKAppID = options.SDKAppID;
    this.#ready = load().then(() => {
      const real = createInstance(options, onDestroy, upload);
      if (!real) throw codedError(INVALID_PARAMETER, 'TIM.create: these options are not usable (see the console)');
      for (const [name, handler, once] of this.#handlers) {
        if (once) real.once(name, handler);
        else real.on(name, handler);
      }
      this.#handlers = null;
      this.#real = real;
      return real;
    });
    this.#ready.catch((e) => console.error('tim-wasm: the SDK could not start:', e));
    return new Proxy(this, {
      get(target, name, receiver) {
        if (typeof name !== 'string' || name === 'then') return Reflect.get(target, name, receiver);
        return target.#member(name);
      },
    });
  }

  #member(name) {
    const real = this.#real;
    if (real) {
      const value = real[name];
      if (typeof value === 'function') return value.bind(real);
      if (value !== undefined) return value;
    }
    if (name === 'on') return (event, handler) => this.#on(event, handler, false);
    if (name === 'once') return (event, handler) => this.#on(event, handler, true);
    if (Object.hasOwn(BEFORE_LOAD, name)) return BEFORE_LOAD[name];
    if (name === 'off') return (event, handler) => this.#off(event, handler);
    if (name === 'setLogLevel') return (level) => this.#ready.then((r) => r.setLogLevel(level));
    if (name === 'SDKAppID') return this.SDKAppID;
    const sync = SYNC_METHODS.has(name);
    if (!isSupported(name)) {
      if (sync) return () => { throw unsupported(name); };
      if (ASYNC_METHODS.has(name)) return () => Promise.reject(unsupported(name));
      return undefined;
    }
    if (sync) {
      return () => {
        throw codedError(NOT_LOGGED_IN, `${name} before the SDK has loaded: call it after login() resolved`);
      };
    }
    return (...args) => this.#ready.then((r) => r[name](...args));
  }

  #on(event, handler, once) {
    if (this.#real) {
      if (once) this.#real.once(event, handler);
      else this.#real.on(event, handler);
    } else if (!this.#handlers.some(([e, h]) => e === event && h === handler)) {
      this.#handlers.push([event, handler, once]);
    }
  }

  #off(event, handler) {
    if (this.#real) this.#real.off(event, handler);
    else this.#handlers = this.#handlers.filter(([e, h]) => e !== event || (handler !== undefined && h !== handler));
  }
}

// The documented contract: the same SDKAppID gives the same instance until it is destroyed.
const instances = new Map();

function create(options) {
  if (typeof window === 'undefined' || typeof WebSocket === 'undefined') {
    throw codedError(
      BROWSER_ONLY,
      'tim-wasm runs in the browser only: TIM.create needs window and WebSocket (this looks like Node or ' +
        'server-side rendering; create the instance in code that runs in the page)',
    );
  }
  const id = sdkAppIdOf(options);
  if (id === null) {
    console.error(`TIM.create: SDKAppID must be a positive integer (or a string of digits), got ${JSON.stringify(options && options.SDKAppID)}`);
    return null;
  }
  const problem = serverProblem(options);
  if (problem) {
    console.error(`TIM.create: ${problem}`);
    return null;
  }
  const existing = instances.get(id);
  if (existing) return existing;
  const tim = new Instance({ ...options, SDKAppID: id }, () => instances.delete(id));
  instances.set(id, tim);
  return tim;
}

// Exactly the documented surface; `isSupported` (ours) is a named export beside it.
const TIM = Object.freeze({ create, EVENT, TYPES, VERSION });
export default TIM;
export { TIM, EVENT, TYPES, VERSION, isSupported };
