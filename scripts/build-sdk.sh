#!/usr/bin/env bash
# Builds the browser SDK into pkg/: cargo (release, wasm32) -> wasm-bindgen --target web ->
# wasm-opt (from the npm package binaryen: Debian's binaryen 108 makes modules Chromium rejects).
# Size gate: the build FAILS when the wasm and the shipped JS (index.js, constants.js,
# tencent-api.js, tim_wasm.js, all minified) together are over
# SDK_GZIP_LIMIT bytes gzip -9, printing the code per crate (bench/wasm_size.py on cargo's
# output, which still has names). Issue 12's budget is SDK_GZIP_BUDGET (124,000); the serde
# build is over it (bench/findings/sdk.md says by how much and why), so it is reported, and the
# gate holds the line where the build is now until that gap is closed (a ratchet: lower it
# whenever the build shrinks).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

WASM_IN="$TARGET_DIR/wasm32-unknown-unknown/release/tim_wasm.wasm"
WASM_OPT="$ROOT/node_modules/.bin/wasm-opt"

say "cargo build -p tim-wasm --target wasm32-unknown-unknown --release"
cargo build -p tim-wasm --target wasm32-unknown-unknown --release

command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found: run scripts/setup.sh"
WB_VERSION="$(wasm_bindgen_lock_version)"
HAVE_WB="$(wasm-bindgen --version | awk '{print $2}')"
[ "$HAVE_WB" = "$WB_VERSION" ] || die "wasm-bindgen $HAVE_WB on PATH, Cargo.lock has $WB_VERSION: run scripts/setup.sh"

say "wasm-bindgen --target web --out-dir pkg $WASM_IN"
wasm-bindgen --target web --out-dir pkg "$WASM_IN"
RAW_BEFORE=$(wc -c < pkg/tim_wasm_bg.wasm)

# The generated glue carries every doc comment and its indentation: shipped bytes with no
# effect. terser (an npm dev dependency) minifies it as the ES module it is; property names are
# left alone (the wasm imports reach the glue by name), and the `@ts-self-types` directive stays.
TERSER="$ROOT/node_modules/.bin/terser"
[ -x "$TERSER" ] || die "$TERSER not found: run scripts/setup.sh (npm ci installs terser)"
say "terser pkg/tim_wasm.js"
"$TERSER" pkg/tim_wasm.js --module --compress --mangle --comments '/@ts-self-types/' \
  -o pkg/tim_wasm.min.js
mv pkg/tim_wasm.min.js pkg/tim_wasm.js

[ -x "$WASM_OPT" ] || die "$WASM_OPT not found: run scripts/setup.sh (npm ci installs binaryen)"
say "wasm-opt: flatten + rereloop, -O2, -Os to a fixed point ($("$WASM_OPT" --version))"
# Rust enables these wasm features by default; tell wasm-opt it may keep (not invent) them.
# Rust's data and stack sit above 1 MiB and the module's own memory starts zeroed, so the
# low-memory and zero-filled assumptions hold. This pass order measured smallest gzipped
# (about 2 KB under plain -Oz); the producers and target-features sections are not needed
# once wasm-bindgen has run. -ocimfs=20: a function with one caller is inlined only when it is
# at most 20 bytes (binaryen inlines every such function by default): the merged giant bodies,
# with their many flattened locals, compressed far worse (10.6 KB gzip more on the same input;
# bench/findings/sdk.md). --gufa (whole-module type flow) takes another ~150-250 bytes.
"$WASM_OPT" --low-memory-unused --zero-filled-memory -ocimfs=20 --flatten --rereloop -O2 --gufa -Os \
  --converge \
  --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue --enable-reference-types \
  pkg/tim_wasm_bg.wasm -o pkg/tim_wasm_bg.opt.wasm
mv pkg/tim_wasm_bg.opt.wasm pkg/tim_wasm_bg.wasm

say "pkg/constants.js (TIM.EVENT / TYPES / VERSION / CALLS for the entry, from tim-core's tables)"
cargo run -q -p tim-core --bin sdk-constants -- pkg/constants.js
# The package entry and Tencent's method list are written for reading in js/ (comments, names);
# shipped minified like the glue (1.65 KB gzip less, bench/findings/sdk.md). Exported names and
# property names stay as they are.
for f in index.js tencent-api.js constants.js; do
  src="js/$f"
  [ "$f" = constants.js ] && src="pkg/$f"
  say "terser $src -> pkg/$f"
  "$TERSER" "$src" --module --compress --mangle -o "pkg/$f.min"
  mv "pkg/$f.min" "pkg/$f"
done
# The package's licence is the repository's.
cp LICENSE pkg/LICENSE

RAW=$(wc -c < pkg/tim_wasm_bg.wasm)
GZ=$(gzip -9 -c pkg/tim_wasm_bg.wasm | wc -c)
JS_FILES=(pkg/index.js pkg/constants.js pkg/tencent-api.js pkg/tim_wasm.js)
JS_RAW=$(cat "${JS_FILES[@]}" | wc -c)
JS_GZ=$(cat "${JS_FILES[@]}" | gzip -9 -c | wc -c)
say "pkg/tim_wasm_bg.wasm: $RAW bytes raw (before wasm-opt: $RAW_BEFORE), $GZ bytes gzip -9"
say "${JS_FILES[*]}: $JS_RAW bytes raw, $JS_GZ bytes gzip -9"
say "total gzip -9: $((GZ + JS_GZ)) bytes"

TOTAL=$((GZ + JS_GZ))
SDK_GZIP_BUDGET="${SDK_GZIP_BUDGET:-124000}"
SDK_GZIP_LIMIT="${SDK_GZIP_LIMIT:-136417}"
if [ "$TOTAL" -gt "$SDK_GZIP_BUDGET" ] || [ "$TOTAL" -gt "$SDK_GZIP_LIMIT" ]; then
  say "where the bytes went (cargo's $WASM_IN, code per crate):"
  python3 bench/wasm_size.py "$WASM_IN" --crates --top 15 >&2 || true
fi
if [ "$TOTAL" -gt "$SDK_GZIP_BUDGET" ]; then
  warn "total gzip -9 $TOTAL bytes is over issue 12's budget of $SDK_GZIP_BUDGET by $((TOTAL - SDK_GZIP_BUDGET)) bytes"
fi
if [ "$TOTAL" -gt "$SDK_GZIP_LIMIT" ]; then
  die "size gate: total gzip -9 $TOTAL bytes > SDK_GZIP_LIMIT $SDK_GZIP_LIMIT"
fi
