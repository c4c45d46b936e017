#!/usr/bin/env bash
# bench/facet_big.sh [DB]: time /big/big.json?_facet=d on the 1,000,000-row benchmark table
# with default settings (facet_time_limit_ms=200): the first request after the server starts
# (cold: parallel chunk counts), then repeats (answered from the facet cache), against the
# same GROUP BY through the sqlite3 CLI. Builds DB (default /tmp/almanac-bench/big.db) from
# ../shared/conformance/tools/make_big_db.sql when missing. Needs build/almanac, sqlite3, curl.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
db=${1:-/tmp/almanac-bench/big.db}
tools="$root/../shared/conformance/tools"
[ -d "$tools" ] || tools=/work/shared/conformance/tools
if [ ! -f "$db" ]; then
  mkdir -p "$(dirname "$db")"
  echo "building $db (1,000,000 rows)..."
  sqlite3 "$db" <"$tools/make_big_db.sql" >/dev/null
fi

# The SQL Datasette runs for this facet, through the CLI (best of three).
sql="select d as value, count(*) as count from (select * from big) where d is not null
     group by d order by count desc, value limit 31"
best=""
for _ in 1 2 3; do
  start=$(date +%s%N)
  sqlite3 "$db" "$sql" >/dev/null
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
done
echo "sqlite3 CLI GROUP BY (best of 3): ${best} ms"

log=$(mktemp)
"$root/build/almanac" serve "$db" -h 127.0.0.1 -p 0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; sleep 1; kill -9 $pid 2>/dev/null; rm -f "$log"' EXIT
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://[0-9.:]*' "$log" || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { cat "$log"; exit 1; }

request() {
  curl -s -o /tmp/almanac-bench-facet.json -w '%{time_total}' "$url/big/big.json?_facet=d&_size=0"
}
summary() {
  python3 -c "import json; d = json.load(open('/tmp/almanac-bench-facet.json'))['facet_results']; \
r = d['results'].get('d', {}).get('results', []); \
print('values=%d rows=%d timed_out=%s' % (len(r), sum(v['count'] for v in r), d['timed_out']))"
}
t=$(request)
echo "almanac cold (first request after start): $(python3 -c "print(round($t * 1000, 1))") ms  $(summary)"
for i in 1 2 3; do
  t=$(request)
  echo "almanac cached repeat $i: $(python3 -c "print(round($t * 1000, 1))") ms  $(summary)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
