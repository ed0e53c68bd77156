#!/usr/bin/env bash
# Quick start 1: install what is missing, build the SDK and the server, run the demo.
# Env: PORT (default 8080). The server prints the URL to open.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

"$ROOT/scripts/setup.sh"
"$ROOT/scripts/build-sdk.sh"
say "cargo build -p tim-server --release"
cargo build -p tim-server --release
mkdir -p data
say "starting tim-server on 127.0.0.1:${PORT:-8080} (Ctrl-C stops it)"
exec "$TARGET_DIR/release/tim-server" serve --demo --addr "127.0.0.1:${PORT:-8080}" \
  --db data/tim.db --www www --pkg pkg
