#!/usr/bin/env bash
# Streamed CSV benchmark (issue 3): the whole 1,000,000-row table of
# conformance/tools/make_big_db.sql as /big/big.csv?_stream=on through almanac, against
# `sqlite3 -csv` writing the same table to /dev/null, in one run on this machine.
# Reports MB/s and rows/s for both (median of RUNS), their ratio, and the server's peak RSS
# (VmHWM); fails when the stream is incomplete or the peak RSS is 64 MB or more.
#
#   bench/csv_stream.sh [path/to/almanac]      (default: build/almanac; RUNS=3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/build/almanac}"
RUNS="${RUNS:-3}"
SHARED=""
for candidate in "${ALMANAC_SHARED_DIR:-}" "$ROOT/../shared" /work/shared; do
  if [[ -n "$candidate" && -f "$candidate/conformance/tools/make_big_db.sql" ]]; then
    SHARED="$candidate"
    break
  fi
done
[[ -n "$SHARED" ]] || { echo "conformance/tools/make_big_db.sql not found" >&2; exit 2; }
[[ -x "$BIN" ]] || { echo "almanac binary not found at $BIN (run make build)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/almanac-csv-bench.XXXXXX)"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "building big.db (1,000,000 rows) ..."
sqlite3 "$WORK/big.db" < "$SHARED/conformance/tools/make_big_db.sql" > /dev/null

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
now() { date +%s.%N; }

# sqlite3 -csv to /dev/null (its own bytes: 15 significant digits for floats, \n endings).
SQLITE_BYTES=$(sqlite3 -csv -header "$WORK/big.db" "select * from big" | wc -c)
SQLITE_TIMES=()
for _ in $(seq "$RUNS"); do
  start=$(now)
  sqlite3 -csv -header "$WORK/big.db" "select * from big" > /dev/null
  SQLITE_TIMES+=("$(echo "$(now) $start" | awk '{print $1 - $2}')")
done
SQLITE_S=$(printf '%s\n' "${SQLITE_TIMES[@]}" | median)

"$BIN" serve "$WORK/big.db" -h 127.0.0.1 -p 0 > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 100); do
  URL=$(grep -o 'serving on http://[^ ]*' "$WORK/server.log" | head -1 | cut -d' ' -f3 || true)
  [[ -n "$URL" ]] && break
  sleep 0.1
done
[[ -n "$URL" ]] || { echo "almanac did not start:"; cat "$WORK/server.log"; exit 1; }
STREAM="$URL/big/big.csv?_stream=on"

LINES=$(curl -sS "$STREAM" | wc -l)
ALMANAC_TIMES=()
ALMANAC_BYTES=0
for _ in $(seq "$RUNS"); do
  read -r bytes seconds < <(curl -sS -o /dev/null -w '%{size_download} %{time_total}\n' "$STREAM")
  ALMANAC_BYTES=$bytes
  ALMANAC_TIMES+=("$seconds")
done
ALMANAC_S=$(printf '%s\n' "${ALMANAC_TIMES[@]}" | median)
HWM_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")

awk -v sb="$SQLITE_BYTES" -v ss="$SQLITE_S" -v ab="$ALMANAC_BYTES" -v as="$ALMANAC_S" \
    -v hwm="$HWM_KB" -v lines="$LINES" -v runs="$RUNS" 'BEGIN {
  printf "runs: %d (medians)\n", runs
  printf "sqlite3 -csv   : %10d bytes  %6.3f s  %6.1f MB/s  %7.0f rows/s\n", sb, ss, sb/ss/1e6, 1e6/ss
  printf "almanac stream : %10d bytes  %6.3f s  %6.1f MB/s  %7.0f rows/s  (%d lines)\n", ab, as, ab/as/1e6, 1e6/as, lines
  printf "throughput ratio (almanac/sqlite3, MB/s): %.2f\n", (ab/as)/(sb/ss)
  printf "server peak RSS (VmHWM): %.1f MB\n", hwm/1024
}'
STATUS=0
if [[ "$LINES" -ne 1000001 ]]; then echo "FAIL: expected 1,000,001 lines"; STATUS=1; fi
if [[ "$HWM_KB" -ge $((64 * 1024)) ]]; then echo "FAIL: peak RSS is not under 64 MB"; STATUS=1; fi
exit $STATUS
