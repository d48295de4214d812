#!/usr/bin/env bash
# Measures the task sheet and the Gantt chart in Chromium on a 5,000-task
# imported plan: the server's time for the page and its data, the time the
# browser takes to draw it, frame times while scrolling, and an edit's round
# trip (save, reschedule, reload, redraw). Prints the figures as JSON.
#
#   scripts/sheet-bench.sh                   (SQLite)
#   TANDEM_BENCH_PG=postgres://postgres@127.0.0.1:5432/test scripts/sheet-bench.sh
#
# Needs the network generator of the shared benchmark kit beside the
# project (../shared/perf/gen_network.py); says so and stops when it is
# absent. Needs chromium and chromedriver (Debian packages; installed when
# missing). Not part of CI: it builds a release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TASKS=${TASKS:-5000}
GEN="$ROOT/../shared/perf/gen_network.py"
if [ ! -f "$GEN" ]; then
  echo "sheet-bench: the network generator is absent ($GEN); nothing to measure." >&2
  exit 2
fi
command -v chromedriver >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }
cargo build --release -q -p tandem
BIN="$ROOT/target/release/tandem"
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 "$GEN" --tasks "$TASKS" --seed 1 --out "$WORK/net" --formats xml >/dev/null
XML=$(ls "$WORK"/net/*.xml | head -n1)

DB="sqlite://$WORK/tandem.db"
if [ -n "${TANDEM_BENCH_PG:-}" ]; then
  name="tandem_sheet_$$"
  psql "$TANDEM_BENCH_PG" -qc "CREATE DATABASE $name" >/dev/null
  DB="${TANDEM_BENCH_PG%/*}/$name"
fi
"$BIN" serve --demo --db "$DB" --bind 127.0.0.1:0 --writes-per-minute 0 --sign-ins-per-minute 0 > "$WORK/server.log" 2>&1 &
SERVER=$!
base=""
for _ in $(seq 1 600); do
  base=$(grep -o 'Tandem listening on http://[0-9.:]*' "$WORK/server.log" | sed 's/Tandem listening on //' || true)
  [ -n "$base" ] && break
  sleep 0.1
done
[ -n "$base" ] || { echo "sheet-bench: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }
curl -s -c "$WORK/jar" -H 'content-type: application/json' \
  -d '{"email":"pm@demo.example","password":"demo-pm-2026"}' "$base/api/v1/auth/login" > "$WORK/login.json"
csrf=$(json 'd["csrf_token"]' < "$WORK/login.json")
token=$(curl -s -b "$WORK/jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
  -d '{"name":"sheet-bench"}' "$base/api/v1/tokens" | json 'd["token"]')
auth="Authorization: Bearer $token"
ws=$(curl -s -H "$auth" "$base/api/v1/me" | json 'd["memberships"][0]["workspace"]["id"]')
big=$(curl -s -H "$auth" -H 'content-type: application/json' \
  -d '{"name":"Sheet network","key":"BIG","start":"2027-01-04T08:00:00"}' "$base/api/v1/workspaces/$ws/projects" | json 'd["id"]')
curl -s -f -o /dev/null -H "$auth" -H 'content-type: application/xml' --data-binary "@$XML" "$base/api/v1/projects/$big/import"
echo "sheet-bench: $(grep -c '<Task>' "$XML") tasks imported into $base/projects/$big/tasks" >&2
python3 "$ROOT/scripts/sheet/measure.py" "$base" "$big" pm@demo.example demo-pm-2026
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
if [ -n "${TANDEM_BENCH_PG:-}" ]; then psql "$TANDEM_BENCH_PG" -qc "DROP DATABASE $name" >/dev/null || true; fi
