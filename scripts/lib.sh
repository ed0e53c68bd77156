# Shared helpers for the scripts in this folder (sourced, not run).
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
warn() { printf '\033[1;33mwarning:\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# cargo installed by rustup but not on PATH (a non-login root shell, CI)
if ! command -v cargo >/dev/null 2>&1 && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi
case ":$PATH:" in
  *":$HOME/.cargo/bin:"*) ;;
  *) export PATH="$HOME/.cargo/bin:$PATH" ;;
esac

# Cargo's target directory (CARGO_TARGET_DIR, relative to the repo root, or target/).
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in
  /*) ;;
  *) TARGET_DIR="$ROOT/$TARGET_DIR" ;;
esac
export TARGET_DIR

# The version of the wasm-bindgen crate that Cargo.lock resolved.
wasm_bindgen_lock_version() {
  awk '
    /^\[\[package\]\]/ { name = "" }
    /^name = / { gsub(/"/, "", $3); name = $3 }
    /^version = / && name == "wasm-bindgen" { gsub(/"/, "", $3); print $3; exit }
  ' "$ROOT/Cargo.lock"
}

# apt-get install, running `apt-get update` once per script run.
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  if [ "$APT_UPDATED" = 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# The directory of PostgreSQL's server binaries (initdb, pg_ctl): TIM_PG_BIN, Debian's newest
# /usr/lib/postgresql/<version>/bin, or PATH. Fails when there is none. The Rust test harness
# (crates/server/tests/common/pg.rs) looks in the same places.
pg_bin_dir() {
  local d
  if [ -n "${TIM_PG_BIN:-}" ]; then
    [ -x "$TIM_PG_BIN/pg_ctl" ] && [ -x "$TIM_PG_BIN/initdb" ] && { echo "$TIM_PG_BIN"; return 0; }
    return 1
  fi
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  d="$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/x)")"
  [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  return 1
}
