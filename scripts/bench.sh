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
#        scripts/bench.sh --cluster [--quick] [--no-build]
#   --quick     tiny sizes and short runs (seconds), written to bench/quick/ (git-ignored): a
#               smoke test that the benchmarks still work. Nothing ever fails on a time.
#               tests/reliability then runs in its short mode.
#   --only      a subset of the workloads (tests/reliability then runs only with --reliability)
#   --reliability  run tests/reliability even with --only
#   --no-build  use the binaries and pkg/ as they are
#   --cluster   the cluster benchmarks of issue 14 instead: a private PostgreSQL (initdb into a
#               temp dir), nats-server and two release nodes on loopback, `tim-bench cluster`
#               straight to the nodes; writes bench/cluster.json (bench/quick/ with --quick).
#               CLUSTER_SIZES (default 10,1000000), CLUSTER_ROUNDS (300) and CLUSTER_SENDERS
#               (32,256) change what it runs; CLUSTER_SERVER_BIN runs another tim-server build
#               (an A/B against an older commit's), CLUSTER_OUT writes the JSON elsewhere,
#               CLUSTER_KEEP_LOGS=DIR keeps the nodes' logs (RUST_LOG reaches the nodes),
#               CLUSTER_PG_STATS=FILE loads pg_stat_statements and writes, after the run, the
#               statements' and the tables' counters (pg_stat_statements, pg_stat_user_tables,
#               pg_stat_user_indexes, pg_stat_wal) to FILE, and PostgreSQL's log with the plans
#               of statements that took over 2 ms (auto_explain) to FILE.log. Each send level
#               starts with ANALYZE (autovacuum's job on a live database, which a fresh one
#               has not done yet); CLUSTER_ANALYZE=0 leaves it out.
# A full run takes a few minutes and wants a quiet machine: other work skews every number.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

QUICK=()
ONLY=()
RELIABILITY=1
BUILD=1
SDK=1
CLUSTER=0
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
    --cluster) CLUSTER=1 ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
  shift
done

OUT=bench
[ ${#QUICK[@]} -eq 0 ] || OUT=bench/quick
mkdir -p "$OUT"

if [ "$CLUSTER" = 1 ]; then
  PG_BIN="$(pg_bin_dir)" || die "PostgreSQL binaries not found: run scripts/setup.sh --with-test-servers"
  command -v nats-server >/dev/null 2>&1 || die "nats-server not found: run scripts/setup.sh --with-test-servers"
  if [ "$BUILD" = 1 ]; then
    say "cargo build --release -p tim-server -p tim-bench"
    cargo build --release -p tim-server -p tim-bench
  fi
  BIN="${CLUSTER_SERVER_BIN:-$TARGET_DIR/release/tim-server}"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  WORK="$(mktemp -d /tmp/tim-bench-cluster.XXXXXX)"
  PGDATA="$WORK/pg"
  PIDS=()
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  stop_cluster() {
    trap - INT TERM EXIT
    # The nodes first (newest first), then NATS and PostgreSQL they use.
    for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
      kill "${PIDS[i]}" 2>/dev/null || true
      wait "${PIDS[i]}" 2>/dev/null || true
    done
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast >/dev/null 2>&1 || true
    [ -z "${CLUSTER_KEEP_LOGS:-}" ] || cp "$WORK"/node*.log "$CLUSTER_KEEP_LOGS"/ 2>/dev/null || true
    rm -rf "$WORK"
  }
  trap stop_cluster INT TERM EXIT
  mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$WORK"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U tim --auth=trust -E UTF8 --no-locale >"$WORK/initdb.log" 2>&1 \
    || die "initdb failed: $(tail -5 "$WORK/initdb.log")"
  PG_PORT="$(free_port)"
  # fsync and synchronous_commit on, as in production; room for both nodes' pools.
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$WORK/pg.log" -w -t 60 \
    -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB${CLUSTER_PG_STATS:+ -c shared_preload_libraries=pg_stat_statements,auto_explain -c auto_explain.log_min_duration=2ms -c auto_explain.log_nested_statements=on}" start >/dev/null \
    || die "PostgreSQL did not start: $(tail -5 "$WORK/pg.log")"
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U tim tim
  DB="postgres://tim@127.0.0.1:$PG_PORT/tim"
  [ -z "${CLUSTER_PG_STATS:-}" ] || "$PG_BIN/psql" "$DB" -X -q -c "CREATE EXTENSION pg_stat_statements" >/dev/null
  NATS_PORT="$(free_port)"
  nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$WORK/nats.log" 2>&1 &
  PIDS+=($!)
  APP=1400000001
  SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
  "$BIN" app create --db "$DB" --sdkappid "$APP" --secret "$SECRET" >/dev/null
  NODES=()
  for n in 1 2; do
    port="$(free_port)"
    "$BIN" serve --addr "127.0.0.1:$port" --db "$DB" --nats "nats://127.0.0.1:$NATS_PORT" \
      --www www --pkg pkg --max-requests-per-sec 0 --max-user-requests-per-sec 0 \
      --max-connections 100000 --max-anonymous-per-ip 100000 >"$WORK/node$n.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 1 100); do
      curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
      sleep 0.1
    done
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null || die "node $n is not healthy: $(tail -5 "$WORK/node$n.log")"
    NODES+=("ws://127.0.0.1:$port/ws")
  done
  if [ ${#QUICK[@]} -eq 0 ]; then
    OUT="${CLUSTER_OUT:-bench/cluster.json}"
    ARGS=(--sizes "${CLUSTER_SIZES:-10,1000000}" --rounds "${CLUSTER_ROUNDS:-300}" --senders "${CLUSTER_SENDERS:-32,256}")
    [ "${CLUSTER_ANALYZE:-1}" = 1 ] || ARGS+=(--no-analyze)
  else
    mkdir -p bench/quick
    OUT=bench/quick/cluster.json
    ARGS=(--sizes 10,10000 --rounds 20 --senders 4,32 --window-secs 1)
  fi
  say "tim-bench cluster (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  "$TARGET_DIR/release/tim-bench" cluster --nodes "${NODES[@]}" --db "$DB" --psql "$PG_BIN/psql" \
    --sdkappid "$APP" --secret "$SECRET" "${ARGS[@]}" --out "$OUT"
  say "results: $OUT"
  if [ -n "${CLUSTER_PG_STATS:-}" ]; then
    "$PG_BIN/psql" "$DB" -X -q -P pager=off >"$CLUSTER_PG_STATS" 2>&1 <<'SQL'
SELECT calls, rows, round(total_exec_time::numeric, 1) AS exec_ms,
       round((total_exec_time / calls * 1000)::numeric, 1) AS us_per_call,
       wal_records, wal_bytes, shared_blks_hit + shared_blks_read AS blks,
       left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS query
  FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 30;
SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, n_live_tup, n_dead_tup,
       autovacuum_count, pg_relation_size(relid) AS bytes
  FROM pg_stat_user_tables ORDER BY n_tup_ins + n_tup_upd DESC;
SELECT relname, indexrelname, idx_scan, idx_tup_read, pg_relation_size(indexrelid) AS bytes
  FROM pg_stat_user_indexes ORDER BY relname, indexrelname;
SELECT * FROM pg_stat_wal;
SQL
    cp "$WORK/pg.log" "$CLUSTER_PG_STATS.log"
    say "PostgreSQL statistics: $CLUSTER_PG_STATS (plans of statements over 2 ms: $CLUSTER_PG_STATS.log)"
  fi
  exit 0
fi

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
