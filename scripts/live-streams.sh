#!/usr/bin/env bash
# Open event streams: starts `tandem serve --demo` on SQLite (release
# build), notes its resident memory, opens STREAMS server-sent event
# streams to the demo workspace, notes the memory again, renames a task
# and counts how many streams heard it and how soon. Prints one line for
# BENCHMARKS.md.
#
#   scripts/live-streams.sh              1,000 streams
#   STREAMS=200 scripts/live-streams.sh
#
# Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STREAMS=${STREAMS:-1000}
PORT=${PORT:-8094}
ulimit -n 65536 2>/dev/null || ulimit -n 4096
cargo build --release -q -p tandem
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$ROOT/target/release/tandem" serve --demo --db "sqlite://$WORK/live.db" --bind "127.0.0.1:$PORT" --writes-per-minute 0 --sign-ins-per-minute 0 >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
python3 "$ROOT/scripts/live/streams.py" "$PORT" "$SERVER" "$STREAMS"
