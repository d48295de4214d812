#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each) and prints
# the executions and any crash. Not part of CI. Needs the nightly toolchain
# and cargo-fuzz (installed from crates.io when missing).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Seeds: the MSPDI target starts from the test fixtures of
# crates/formats/tests/fixtures, the Jira and Trello targets from the CLI
# test fixtures and the CSV and JSON red-team files (each after a first
# byte 0, which picks UTF-8: the targets read their first byte as the
# encoding); crashes land in fuzz/artifacts/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(mspdi_read jira_csv trello_json markdown json_edits calendar)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked -q
mkdir -p fuzz/corpus/mspdi_read
find crates/formats/tests -name '*.xml' -size -1M -exec cp -n {} fuzz/corpus/mspdi_read/ \; 2>/dev/null || true
mkdir -p fuzz/corpus/jira_csv fuzz/corpus/trello_json
seed() { # seed TARGET FILE...
  local t=$1; shift
  for f in "$@"; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 262144 ] && { printf '\0'; cat "$f"; } > "fuzz/corpus/$t/seed-$(basename "$f")"
  done
  return 0
}
seed jira_csv crates/cli/tests/fixtures/*.csv crates/formats/tests/fixtures/redteam/*.csv
seed trello_json crates/cli/tests/fixtures/*.json crates/formats/tests/fixtures/redteam/*.json
for t in "${TARGETS[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log="fuzz/$t.log"
  if cargo +nightly fuzz run "$t" "fuzz/corpus/$t" -- -max_total_time="$SECS" -rss_limit_mb=2048 -max_len=262144 > "$log" 2>&1; then
    status=ok
  else
    status="CRASH (see $log and fuzz/artifacts/$t/)"
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -n1 | grep -o '[0-9]*' || echo "?")
  echo "| $t | ${SECS}s | $runs | $status |"
done
