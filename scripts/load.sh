#!/usr/bin/env bash
# Load figures: mixed read and write traffic from wrk (50 clients, 60 s by
# default) against `tandem serve` on SQLite and on PostgreSQL, then checks
# that the stored rows equal the acknowledged writes and that no request
# failed. Prints one line per database for BENCHMARKS.md.
#
#   scripts/load.sh                     SQLite, and PostgreSQL when
#                                       TANDEM_LOAD_PG_ADMIN is set
#   DURATION=60s CLIENTS=50 TASKS=5000 scripts/load.sh
#   ONLY=schedule scripts/load.sh      one kind of request alone
#                                       (schedule, dashboard, tasks,
#                                       write: new risks, or update:
#                                       task updates)
#   GZIP=0 scripts/load.sh             without Accept-Encoding: gzip
#   BEFORE=/path/to/tandem scripts/load.sh
#                                       also runs that (older) binary on
#                                       each database first, for a
#                                       before/after in the same run
#
# The reads hit the schedule of a TASKS-task project made by the shared
# network generator (../shared/perf/gen_network.py; without it the demo
# project stands in, and the script says so), the demo project's dashboard
# and its task list; one request in ten creates a risk, in turn in the big
# project and three small ones (with the demo project standing in for the
# big one when the generator is absent). Installs wrk from
# Debian when missing. Not part of CI: it takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DURATION=${DURATION:-60s}
ONLY=${ONLY:-}
CLIENTS=${CLIENTS:-50}
TASKS=${TASKS:-5000}
PG_ADMIN=${TANDEM_LOAD_PG_ADMIN:-}
GEN="$ROOT/../shared/perf/gen_network.py"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p tandem
BIN="$ROOT/target/release/tandem"
BEFORE=${BEFORE:-}
if [ -n "$BEFORE" ] && [ ! -x "$BEFORE" ]; then echo "load: BEFORE=$BEFORE is not an executable" >&2; exit 1; fi
WORK=$(mktemp -d)
trap 'kill "${SERVER:-0}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

BIG_XML=""
if [ -f "$GEN" ]; then
  python3 "$GEN" --tasks "$TASKS" --seed 1 --out "$WORK/net" --formats xml >/dev/null
  BIG_XML=$(ls "$WORK"/net/*.xml | head -n1)
else
  echo "load: the network generator is absent ($GEN); the demo project stands in for the ${TASKS}-task one" >&2
fi

json() { python3 -c "import sys, json; d = json.load(sys.stdin); print($1)"; }

# "id version" of a project's first thousand tasks.
task_versions() {
  python3 - "$@" <<'PY'
import json, sys, urllib.request
base, auth, project = sys.argv[1:4]
cursor, seen = None, 0
while seen < 1000:
    url = f"{base}/api/v1/projects/{project}/tasks?limit=200" + (f"&cursor={cursor}" if cursor else "")
    req = urllib.request.Request(url, headers={"Authorization": auth.split(": ", 1)[1]})
    page = json.load(urllib.request.urlopen(req))
    for t in page["items"][: 1000 - seen]:
        print(t["id"], t["version"])
        seen += 1
    cursor = page["next_cursor"]
    if not cursor:
        break
PY
}

run_one() {
  local label=$1 url=$2 bin=${3:-$BIN}
  # Every write is counted against its rate limit, as in use, but none is
  # refused: the load measures capacity (binaries from before the limits
  # have no such flags).
  nolimits=()
  if "$bin" serve --help | grep -q -- --writes-per-minute; then
    nolimits=(--writes-per-minute 1000000 --sign-ins-per-minute 1000000)
  fi
  "$bin" serve --demo --db "$url" --bind 127.0.0.1:0 "${nolimits[@]}" > "$WORK/server.log" 2>&1 &
  SERVER=$!
  local base=""
  for _ in $(seq 1 600); do
    base=$(grep -o 'Tandem listening on http://[0-9.:]*' "$WORK/server.log" | sed 's/Tandem listening on //' || true)
    [ -n "$base" ] && break
    sleep 0.1
  done
  [ -n "$base" ] || { echo "load: the server did not start" >&2; cat "$WORK/server.log" >&2; exit 1; }
  curl -s -c "$WORK/jar" -H 'content-type: application/json' \
    -d '{"email":"pm@demo.example","password":"demo-pm-2026"}' "$base/api/v1/auth/login" > "$WORK/login.json"
  local csrf token ws demo big
  csrf=$(json 'd["csrf_token"]' < "$WORK/login.json")
  token=$(curl -s -b "$WORK/jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
    -d '{"name":"load"}' "$base/api/v1/tokens" | json 'd["token"]')
  local auth="Authorization: Bearer $token"
  ws=$(curl -s -H "$auth" "$base/api/v1/me" | json 'd["memberships"][0]["workspace"]["id"]')
  demo=$(curl -s -H "$auth" "$base/api/v1/workspaces/$ws/projects" | json '[p["id"] for p in d["items"] if p["key"] == "CKT"][0]')
  big=$demo
  if [ -n "$BIG_XML" ]; then
    big=$(curl -s -H "$auth" -H 'content-type: application/json' \
      -d '{"name":"Load network","key":"BIG","start":"2027-01-04T08:00:00"}' "$base/api/v1/workspaces/$ws/projects" | json 'd["id"]')
    curl -s -f -o /dev/null -H "$auth" -H 'content-type: application/xml' --data-binary "@$BIG_XML" "$base/api/v1/projects/$big/import"
  fi
  # Risks go round the big project and three small ones: a project holds
  # at most 10,000, fewer than a minute of this load writes.
  local targets=$big
  for k in W1 W2 W3; do
    targets="$targets,$(curl -s -H "$auth" -H 'content-type: application/json' \
      -d "{\"name\":\"Load $k\",\"key\":\"$k\",\"start\":\"2027-01-04T08:00:00\"}" "$base/api/v1/workspaces/$ws/projects" | json 'd["id"]')"
  done
  # What the writes change: new risks in those projects, or (ONLY=update)
  # the versions of the big project's first thousand tasks.
  count() {
    if [ "$ONLY" = update ]; then
      task_versions "$base" "$auth" "$big" > "$WORK/tasks.txt"
      awk '{ s += $2 } END { print s }' "$WORK/tasks.txt"
    else
      local total=0 t
      for t in ${targets//,/ }; do
        total=$((total + $(curl -s -H "$auth" "$base/api/v1/projects/$t/risks" | json 'len(d["items"])')))
      done
      echo "$total"
    fi
  }
  # Warm: the first read of a plan computes it; measure the server in use.
  curl -s -o /dev/null -H "$auth" "$base/api/v1/projects/$big/schedule"
  curl -s -o /dev/null -H "$auth" "$base/api/v1/dashboards/project/$demo"
  local before after
  before=$(count)
  LOAD_TOKEN=$token LOAD_BIG=$big LOAD_DEMO=$demo LOAD_WRITE=$targets LOAD_TASKS="$WORK/tasks.txt" \
    wrk -t2 -c"$CLIENTS" -d"$DURATION" --timeout 30s --latency -s "$ROOT/scripts/load/mixed.lua" "$base" > "$WORK/wrk.txt"
  after=$(count)
  local acked failed errors rps p50 p90 p99
  acked=$(sed -n 's/^LOAD acked=\([0-9]*\).*/\1/p' "$WORK/wrk.txt")
  failed=$(sed -n 's/^LOAD acked=[0-9]* failed=\([0-9]*\).*/\1/p' "$WORK/wrk.txt")
  errors=$(sed -n 's/.* errors=\([0-9]*\)$/\1/p' "$WORK/wrk.txt")
  rps=$(sed -n 's/^LOAD rps=//p' "$WORK/wrk.txt")
  p50=$(sed -n 's/^LOAD p50=//p' "$WORK/wrk.txt"); p90=$(sed -n 's/^LOAD p90=//p' "$WORK/wrk.txt"); p99=$(sed -n 's/^LOAD p99=//p' "$WORK/wrk.txt")
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  # Writes still in flight when wrk stops are stored but not counted as
  # acknowledged: at most one per client.
  local stored=$((after - before)) verdict=ok
  if [ "$stored" -lt "$acked" ] || [ "$stored" -gt $((acked + CLIENTS)) ] || [ "$failed" != 0 ] || [ "$errors" != 0 ]; then
    verdict=FAILED
  fi
  if [ "$verdict" != ok ]; then
    echo "load: $label failed; the server's last errors:" >&2
    grep -i 'error\|warn' "$WORK/server.log" | tail -n 5 >&2 || true
  fi
  echo "| $label | $CLIENTS | $DURATION | $rps | $p50 | $p90 | $p99 | $acked | $stored | $failed | $verdict |"
  [ "$verdict" = ok ]
}

echo "| database | clients | duration | requests/s | p50 | p90 | p99 | writes acknowledged | rows stored | failed | check |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
if [ -n "$BEFORE" ]; then
  run_one "sqlite (before)" "sqlite://$WORK/before.db" "$BEFORE"
fi
run_one sqlite "sqlite://$WORK/load.db"
if [ -n "$PG_ADMIN" ]; then
  for which in before after; do
    [ "$which" = before ] && [ -z "$BEFORE" ] && continue
    name="tandem_load_${which}_$$"
    psql "$PG_ADMIN" -qc "CREATE DATABASE $name" >/dev/null
    if [ "$which" = before ]; then
      run_one "postgres (before)" "${PG_ADMIN%/*}/$name" "$BEFORE"
    else
      run_one postgres "${PG_ADMIN%/*}/$name"
    fi
    psql "$PG_ADMIN" -qc "DROP DATABASE $name" >/dev/null
  done
fi
