#!/usr/bin/env bash
# Times `tandem schedule` against its peers on the same generated networks,
# in one run, and writes the table into BENCHMARKS.md.
#
#   scripts/bench-peers.sh [SIZES...]      (default: 1000 10000 100000)
#
# Needs the network generator of the shared benchmark kit beside the
# project (../shared/perf/gen_network.py); says so and stops when it is
# absent. Installs what it measures: TaskJuggler (Debian tj3), MPXJ (PyPI
# mpxj + JPype, on the machine's Java), networkx (PyPI), hyperfine and GNU
# time (Debian). Not part of CI: it takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
GEN="$ROOT/../shared/perf/gen_network.py"
if [ ! -f "$GEN" ]; then
  echo "bench-peers: the network generator is absent ($GEN); nothing to measure." >&2
  exit 2
fi
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
TJ_MAX=${TJ_MAX:-10000}          # TaskJuggler needs minutes beyond this
MPXJ_MAX=${MPXJ_MAX:-100000}    # MPXJ takes minutes and ~10 GB at 1M: MPXJ_MAX=1000000 to include it

need_apt=()
command -v tj3 >/dev/null || need_apt+=(tj3)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
python3 -c "import mpxj, jpype, networkx" 2>/dev/null || pip install -q mpxj JPype1 networkx
cargo build --release -q
TANDEM="$ROOT/target/release/tandem"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# mean seconds and peak MB of one command (hyperfine for time, GNU time
# for memory).
measure() {
  local runs=$1; shift
  hyperfine -N --warmup 1 --runs "$runs" --export-json "$WORK/h.json" -- "$*" >/dev/null 2>&1 || { echo "failed"; return; }
  local secs mb
  secs=$(python3 -c "import json; print(json.load(open('$WORK/h.json'))['results'][0]['mean'])")
  mb=$( { /usr/bin/time -f '%M' "$@" >/dev/null 2>"$WORK/t.err"; } 2>&1; tail -n1 "$WORK/t.err")
  python3 -c "s=$secs; kb=int('$mb' or 0); print(f'{s*1000:.0f} ms, {kb/1024:.0f} MB' if s < 10 else f'{s:.1f} s, {kb/1024:.0f} MB')"
}

ROWS=""
for n in "${SIZES[@]}"; do
  dir="$WORK/n$n"
  python3 "$GEN" --tasks "$n" --seed 1 --out "$dir" --formats xml,json,tjp >/dev/null
  runs=10; [ "$n" -ge 100000 ] && runs=3
  # A million tasks: MPXJ alone takes minutes a run, so each peer runs
  # once more after the warm-up; Tandem keeps three runs.
  peer_runs=$runs; [ "$n" -ge 1000000 ] && peer_runs=1
  echo "bench-peers: $n tasks" >&2
  tandem=$(measure $runs "$TANDEM" schedule "$dir/mixed.xml" --format json)
  nx=$(measure $peer_runs python3 "$ROOT/scripts/peers/networkx_cpm.py" "$dir/mixed.json")
  if [ "$n" -le "$MPXJ_MAX" ]; then mp=$(measure $(( peer_runs < 3 ? peer_runs : 3 )) python3 "$ROOT/scripts/peers/mpxj_schedule.py" "$dir/mixed.xml"); else mp="not run"; fi
  if [ "$n" -le "$TJ_MAX" ]; then tj=$(cd "$dir" && measure 1 tj3 --no-reports fs.tjp); else tj="not run (minutes)"; fi
  ROWS+="| $n | $tandem | $mp | $nx | $tj |"$'\n'
done

TABLE="| tasks | Tandem \`tandem schedule\` (read + schedule + JSON) | MPXJ MicrosoftScheduler (read + schedule) | networkx CPM (days, no calendar) | TaskJuggler tj3 (FS variant) |
| --- | --- | --- | --- | --- |
$ROWS"
DATE=$(date -u +%Y-%m-%d)
python3 - "$TABLE" "$DATE" "${SIZES[*]}" <<'PY'
import re, sys
table, date, sizes = sys.argv[1], sys.argv[2], sys.argv[3]
path = "BENCHMARKS.md"
text = open(path).read()
block = (f"<!-- peers:begin -->\nMeasured {date} with `scripts/bench-peers.sh {sizes}` on this 2-core machine "
         f"(mean wall time of the whole process, peak resident memory):\n\n{table}\n<!-- peers:end -->")
text = re.sub(r"<!-- peers:begin -->.*?<!-- peers:end -->", block, text, flags=re.S)
open(path, "w").write(text)
PY
echo "bench-peers: table written to BENCHMARKS.md" >&2
