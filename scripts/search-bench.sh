#!/usr/bin/env bash
# Search latency over 100,000 objects on SQLite: makes a demo database,
# adds OBJECTS objects (tasks, features, feedback, risks and comments with
# words drawn from one vocabulary) straight into it, so the database's own
# triggers index them as any write would, then serves it and sends wrk's
# clients at GET /api/v1/search with queries of one to three words, two-
# and three-letter prefixes, whole words and exact keys, drawn at random
# (scripts/search/queries.lua). Prints wrk's latency percentiles.
#
#   scripts/search-bench.sh                  100,000 objects, 30 s, 1 then 8 clients
#   OBJECTS=20000 DURATION=10s CLIENTS="4" scripts/search-bench.sh
#
# Installs wrk from Debian when missing. Not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OBJECTS=${OBJECTS:-100000}
DURATION=${DURATION:-30s}
CLIENTS=${CLIENTS:-"1 8"}
PORT=${PORT:-8097}

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p tandem
BIN="$ROOT/target/release/tandem"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
DB="$WORK/search.db"

start() {
  "$BIN" serve --demo --db "sqlite://$DB" --bind "127.0.0.1:$PORT" --writes-per-minute 0 --sign-ins-per-minute 0 >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return; sleep 0.2; done
  echo "search-bench: the server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1
}
start
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

python3 "$ROOT/scripts/search/fill.py" "$DB" "$OBJECTS"
start
TOKEN=$(python3 - "$PORT" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}/api/v1"
def call(path, body, headers={}):
    req = urllib.request.Request(base + path, json.dumps(body).encode(), {"content-type": "application/json", **headers})
    return urllib.request.urlopen(req)
r = call("/auth/login", {"email": "pm@demo.example", "password": "demo-pm-2026"})
cookie = r.headers["set-cookie"].split(";")[0]
csrf = json.load(r)["csrf_token"]
t = call("/tokens", {"name": "search bench"}, {"cookie": cookie, "x-csrf-token": csrf})
print(json.load(t)["token"])
PY
)
for c in $CLIENTS; do
  threads=$(( c < 2 ? 1 : 2 ))
  echo "search-bench: $OBJECTS objects indexed; $c clients for $DURATION"
  TOKEN="$TOKEN" WORDS="$DB.words" wrk -t"$threads" -c"$c" -d"$DURATION" --latency -s "$ROOT/scripts/search/queries.lua" \
    "http://127.0.0.1:$PORT" | sed -n '/Latency Distribution/,/Requests/p'
done
