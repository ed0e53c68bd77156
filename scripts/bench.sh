#!/usr/bin/env bash
# The benchmark suite (issue 7): builds what it needs, runs every workload against real
# tim-server processes on 127.0.0.1 (and headless Chromium for the SDK), and writes
#   bench/results.json   medians, p95/p99, machine info (nproc, CPU, date, git commit)
#   bench/results.svg    the chart
#   bench/RESULTS.md     per workload: target, measured, met or not, and the findings
#                        (bench/findings/<workload>.md) for what limits it, then the
#                        figures of tests/reliability (tim-reliability --long) appended
#
# Usage: scripts/bench.sh [--quick] [--only delete,sync,send,batch,idle,sdk,flood] [--reliability]
#                         [--no-build]
#   --quick     tiny sizes and short runs (seconds), written to bench/quick/ (git-ignored): a
#               smoke test that the benchmarks still work. Nothing ever fails on a time.
#               tests/reliability then runs in its short mode.
#   --only      a subset of the workloads (tests/reliability then runs only with --reliability)
#   --reliability  run tests/reliability even with --only
#   --no-build  use the binaries and pkg/ as they are
# A full run takes a few minutes and wants a quiet machine: other work skews every number.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

QUICK=()
ONLY=()
RELIABILITY=1
BUILD=1
SDK=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=(--quick) ;;
    --only)
      [ $# -ge 2 ] || die "--only needs a list, e.g. --only delete,send"
      ONLY=(--only "$2")
      [ "${RELIABILITY_ASKED:-0}" = 1 ] || RELIABILITY=0
      case ",$2," in *,sdk,*) SDK=1 ;; *) SDK=0 ;; esac
      shift ;;
    --reliability) RELIABILITY=1; RELIABILITY_ASKED=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

OUT=bench
[ ${#QUICK[@]} -eq 0 ] || OUT=bench/quick
mkdir -p "$OUT"

# Workload 5 holds 10,000 sessions: a descriptor each in the server and in the load generator.
HARD="$(ulimit -Hn)"
if [ "$HARD" = unlimited ]; then ulimit -n 65536 2>/dev/null || true; else ulimit -n "$HARD" 2>/dev/null || true; fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt 10300 ]; then
  warn "open-file limit $(ulimit -n): the idle-session workload will hold fewer than 10,000 sessions"
fi

if [ "$BUILD" = 1 ]; then
  say "cargo build --release -p tim-server -p tim-bench -p tim-reliability --bin tim-reliability"
  cargo build --release -p tim-server -p tim-bench
  # Its own build of the server is for cargo test; here it drives target/release/tim-server.
  [ "$RELIABILITY" = 0 ] || cargo build --release -p tim-reliability --bin tim-reliability
  if [ "$SDK" = 1 ]; then
    scripts/build-sdk.sh
  fi
fi
if [ "$SDK" = 1 ]; then
  [ -d node_modules/playwright-core ] || die "node_modules/playwright-core missing: run scripts/setup.sh --with-browser"
  [ -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ] || die "Chromium missing: run scripts/setup.sh --with-browser"
fi

say "tim-bench run ${QUICK[*]} ${ONLY[*]} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
status=0
rm -f "$OUT/results.json"
target/release/tim-bench run "${QUICK[@]}" "${ONLY[@]}" --out "$OUT/results.json" || status=$?
[ -f "$OUT/results.json" ] || die "no results written"
target/release/tim-bench report --input "$OUT/results.json" --findings bench/findings \
  --markdown "$OUT/RESULTS.md" --svg "$OUT/results.svg"
if [ "$RELIABILITY" = 1 ]; then
  LONG=(--long)
  [ ${#QUICK[@]} -eq 0 ] || LONG=()
  say "tim-reliability ${LONG[*]} (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  target/release/tim-reliability "${LONG[@]}" --server-bin target/release/tim-server \
    --json "$OUT/reliability.json" --markdown "$OUT/reliability.md" >/dev/null || status=$?
  [ -f "$OUT/reliability.md" ] && cat "$OUT/reliability.md" >> "$OUT/RESULTS.md"
fi
say "results: $OUT/RESULTS.md, $OUT/results.json, $OUT/results.svg"
exit "$status"
