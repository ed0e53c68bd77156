#!/usr/bin/env bash
# Installs what building and testing tim-wasm needs, skipping whatever is already there:
#   - the wasm32-unknown-unknown Rust target
#   - wasm-bindgen-cli of exactly the version of the wasm-bindgen crate in Cargo.lock
#   - the repo root's npm dev tooling (playwright-core, typescript, binaryen's wasm-opt)
#   - with --with-test-servers: PostgreSQL's server binaries (Debian's postgresql), which the
#     store tests start on loopback for their PostgreSQL runs (the embedded SQLite mode of
#     scripts/run.sh needs none), and nats-server (Debian's nats-server), which the cluster tests
#     start on loopback beside it
#   - with --with-browser: Debian's chromium and chromium-driver
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

WITH_BROWSER=0
WITH_TEST_SERVERS=0
for arg in "$@"; do
  case "$arg" in
    --with-browser) WITH_BROWSER=1 ;;
    --with-test-servers) WITH_TEST_SERVERS=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg (usage: scripts/setup.sh [--with-browser] [--with-test-servers])" ;;
  esac
done

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup first (https://rustup.rs)"

# 1. the wasm target
if command -v rustup >/dev/null 2>&1; then
  if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rust target wasm32-unknown-unknown: present"
  else
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown >&2
  fi
else
  warn "rustup not found: assuming the wasm32-unknown-unknown target is installed"
fi

# 2. wasm-bindgen-cli, pinned to the crate's version. Not --locked: its lock file wants a crate
#    release the registry does not have (see docs/ or shared toolchain notes).
WB_VERSION="$(wasm_bindgen_lock_version)"
[ -n "$WB_VERSION" ] || die "no wasm-bindgen package in Cargo.lock (run cargo generate-lockfile?)"
HAVE_WB="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$HAVE_WB" = "$WB_VERSION" ]; then
  say "wasm-bindgen $WB_VERSION: present"
else
  say "cargo install wasm-bindgen-cli --version $WB_VERSION (found: ${HAVE_WB:-none}; takes ~3 min)"
  cargo install wasm-bindgen-cli --version "$WB_VERSION" --force >&2
fi

# 3. node + the npm dev tooling
if ! command -v npm >/dev/null 2>&1; then
  apt_install nodejs npm
fi
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 20 ] || warn "node $(node --version) found; the tests need node >= 20"
if [ -f package-lock.json ]; then
  # npm writes node_modules/.package-lock.json on install; when it is missing or older than the
  # lock file, node_modules is missing or outdated.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ] \
     || [ package.json -nt node_modules/.package-lock.json ]; then
    say "npm ci"
    npm ci --no-audit --no-fund >&2
  else
    say "node_modules: up to date"
  fi
else
  say "npm install (no package-lock.json yet)"
  npm install --no-audit --no-fund >&2
fi

# 4. PostgreSQL and nats-server (the store tests run every behaviour test on PostgreSQL too, the
#    cluster tests use both; the tests start and stop them)
if [ "$WITH_TEST_SERVERS" = 1 ]; then
  if PG_BIN="$(pg_bin_dir)"; then
    say "postgresql: present ($PG_BIN)"
  else
    apt_install postgresql
    PG_BIN="$(pg_bin_dir)" || die "postgresql installed but no initdb/pg_ctl found"
    say "postgresql: installed ($PG_BIN)"
  fi
  # The cluster tests (crates/server/tests/cluster.rs) fan out between two nodes over it.
  if command -v nats-server >/dev/null 2>&1; then
    say "nats-server: present ($(nats-server --version 2>/dev/null | head -n1))"
  else
    apt_install nats-server
    command -v nats-server >/dev/null 2>&1 || die "nats-server installed but not on PATH"
    say "nats-server: installed ($(nats-server --version 2>/dev/null | head -n1))"
  fi
fi

# 5. the browser
if [ "$WITH_BROWSER" = 1 ]; then
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    say "chromium: present ($(/usr/bin/chromium --version 2>/dev/null | head -n1))"
  else
    apt_install chromium chromium-driver
  fi
fi

say "setup done"
