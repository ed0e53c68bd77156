// The plainest webpack 5 set-up: one entry, the defaults for everything else (webpack 5 handles
// `new URL('./x.wasm', import.meta.url)` as an asset by itself).
import { fileURLToPath } from 'node:url';

export default {
  entry: './main.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), filename: 'main.js', clean: true },
};
