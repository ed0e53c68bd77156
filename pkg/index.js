// The package entry: instantiates the wasm module once (top-level await), then exposes the
// documented default export `TIM` with create / EVENT / TYPES / VERSION.
import init, { createInstance, constants } from './tim_wasm.js';

await init({ module_or_path: new URL('./tim_wasm_bg.wasm', import.meta.url) });

const { EVENT, TYPES, VERSION } = constants();

// The documented contract: the same SDKAppID gives the same instance until it is destroyed.
const instances = new Map();

function create(options) {
  const id = options && options.SDKAppID;
  const existing = instances.get(id);
  if (existing) return existing;
  const tim = createInstance(options, () => instances.delete(id));
  if (tim) instances.set(id, tim);
  return tim ?? null;
}

const TIM = Object.freeze({ create, EVENT, TYPES, VERSION });
export default TIM;
export { TIM, EVENT, TYPES, VERSION };
