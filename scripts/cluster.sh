#!/usr/bin/env bash
# A whole cluster on this machine, on loopback: PostgreSQL (initdb into data/cluster/pg, its own
# port), nats-server, two tim-server nodes on that database and NATS, and HAProxy in front of
# them on one port for the SDK and the demo. Installs what is missing (Debian's postgresql,
# nats-server, haproxy), prints the URL, and stops all of it on Ctrl-C.
# Env: PORT (the balancer, default 8080), NODE_PORTS (default "8081 8082"), PG_PORT (default
# 54329), NATS_PORT (default 4229), TIM_SERVER_BIN (use this binary, skip the builds).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

PORT="${PORT:-8080}"
NODE_PORTS="${NODE_PORTS:-8081 8082}"
PG_PORT="${PG_PORT:-54329}"
NATS_PORT="${NATS_PORT:-4229}"
DIR="$ROOT/data/cluster"
PGDATA="$DIR/pg"

# 1. what the cluster runs on
PG_BIN="$(pg_bin_dir)" || { apt_install postgresql; PG_BIN="$(pg_bin_dir)" || die "no initdb/pg_ctl after installing postgresql"; }
command -v nats-server >/dev/null 2>&1 || apt_install nats-server
command -v haproxy >/dev/null 2>&1 || apt_install haproxy
# Debian's packages start their own system services; this script runs private ones instead.

# 2. the server and the SDK
if [ -n "${TIM_SERVER_BIN:-}" ]; then
  BIN="$TIM_SERVER_BIN"
else
  "$ROOT/scripts/setup.sh"
  "$ROOT/scripts/build-sdk.sh"
  say "cargo build -p tim-server --release"
  cargo build -p tim-server --release
  BIN="$TARGET_DIR/release/tim-server"
fi
[ -x "$BIN" ] || die "no tim-server binary at $BIN"

mkdir -p "$DIR"
PIDS=()
stop_all() {
  trap - INT TERM EXIT
  say "stopping the cluster"
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast >/dev/null 2>&1 || true
}
trap stop_all INT TERM EXIT

# PostgreSQL refuses to run as root: as root, its files belong to and it runs as `postgres`.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# 3. PostgreSQL: a private instance in data/cluster/pg (kept between runs)
if [ ! -f "$PGDATA/PG_VERSION" ]; then
  say "initdb $PGDATA"
  mkdir -p "$PGDATA"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$PGDATA"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U tim --auth=trust -E UTF8 --no-locale >"$DIR/initdb.log" 2>&1 \
    || die "initdb failed: see $DIR/initdb.log"
fi
say "PostgreSQL on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PGDATA/log" -w -t 60 \
  -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1" start >/dev/null \
  || die "PostgreSQL did not start: see $PGDATA/log"
"$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U tim -d postgres -Atqc \
  "SELECT 1 FROM pg_database WHERE datname = 'tim'" | grep -q 1 \
  || "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U tim tim
DB="postgres://tim@127.0.0.1:$PG_PORT/tim"

# 4. NATS
say "nats-server on 127.0.0.1:$NATS_PORT"
nats-server -a 127.0.0.1 -p "$NATS_PORT" >"$DIR/nats.log" 2>&1 &
PIDS+=($!)

# Waits until http://127.0.0.1:$1/healthz answers 200.
wait_healthy() {
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$1/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# 5. the nodes, one after the other (the first creates the demo app and prints its key)
BACKENDS=""
n=0
for port in $NODE_PORTS; do
  n=$((n + 1))
  say "node $n on 127.0.0.1:$port (log: $DIR/node$n.log)"
  "$BIN" serve --demo --addr "127.0.0.1:$port" --db "$DB" --nats "nats://127.0.0.1:$NATS_PORT" \
    --www www --pkg pkg >"$DIR/node$n.log" 2>&1 &
  PIDS+=($!)
  wait_healthy "$port" || die "node $n is not healthy: see $DIR/node$n.log"
  BACKENDS="$BACKENDS    server node$n 127.0.0.1:$port check
"
done

# 6. the balancer: WebSockets pass through (mode http upgrades them), /healthz takes a node out
cat >"$DIR/haproxy.cfg" <<EOF
global
    log stderr format raw local0 warning
defaults
    mode http
    log global
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
frontend tim
    bind 127.0.0.1:$PORT
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
$BACKENDS
EOF
say "HAProxy on 127.0.0.1:$PORT"
haproxy -db -f "$DIR/haproxy.cfg" >"$DIR/haproxy.log" 2>&1 &
PIDS+=($!)
wait_healthy "$PORT" || die "HAProxy does not answer: see $DIR/haproxy.log"

grep -m1 "demo app" "$DIR/node1.log" >&2 || true
say "cluster up: open http://127.0.0.1:$PORT/ (the SDK's server: ws://127.0.0.1:$PORT); Ctrl-C stops it"
wait
