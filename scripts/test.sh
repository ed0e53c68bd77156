#!/usr/bin/env bash
# Quick start 2: install what is missing (Chromium too), then run every check and test:
# rustfmt, clippy (native and wasm32), cargo test, the SDK build, the typings check and the
# end-to-end tests (real server process, real SQLite file, headless Chromium), and the packaging
# tests (the packed package in Vite, webpack, strict TypeScript and Node projects).
# Stops at the first failing step.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

# The e2e harness starts this binary (built by the "build the server" step).
export TIM_SERVER_BIN="${TIM_SERVER_BIN:-$TARGET_DIR/debug/tim-server}"

STEPS=()
RESULTS=()
START_ALL=$SECONDS

summary() {
  local i
  printf '\n==== scripts/test.sh summary ====\n' >&2
  for i in "${!STEPS[@]}"; do
    printf '  %-8s %s\n' "${RESULTS[$i]}" "${STEPS[$i]}" >&2
  done
  printf '  total: %ss\n' "$((SECONDS - START_ALL))" >&2
}

step() {
  local name="$1"; shift
  local t0=$SECONDS
  say "[$((${#STEPS[@]} + 1))] $name"
  STEPS+=("$name")
  local rc=0
  "$@" || rc=$?
  if [ "$rc" = 0 ]; then
    RESULTS+=("ok($((SECONDS - t0))s)")
  else
    RESULTS+=("FAILED")
    summary
    printf '\033[1;31mFAILED:\033[0m %s (exit %s)\n' "$name" "$rc" >&2
    exit "$rc"
  fi
}

step "setup (toolchain, npm, chromium, postgresql)" scripts/setup.sh --with-browser --with-test-servers
step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy (workspace, native)" cargo clippy --workspace --all-targets -- -D warnings
step "cargo clippy (tim-wasm, wasm32)" cargo clippy -p tim-wasm --target wasm32-unknown-unknown -- -D warnings
step "cargo test --workspace" cargo test --workspace
step "build the SDK into pkg/" scripts/build-sdk.sh
step "build the server (debug)" cargo build -p tim-server
step "typings: tsc -p tests/types" npx --no-install tsc -p tests/types
step "end-to-end: node --test tests/e2e/" node --test tests/e2e/
step "packaging: node --test tests/packaging/" node --test tests/packaging/

summary
say "all checks passed"
