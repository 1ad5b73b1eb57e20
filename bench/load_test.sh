#!/usr/bin/env bash
# Load test of `credmatch serve` on loopback: POST /v1/match with a 20-requirement job
# (bench/load_job.json) at a fixed rate, open loop (bench/load_client.cc), and the server's
# resident memory at the start and end. Bounded: DURATION seconds (default 60).
#   bench/load_test.sh [BUILD_DIR] [CATALOG_DIR]
# Environment: RATE (200 req/s), DURATION (60 s), THREADS (server workers, 2), CONNECTIONS
# (client keep-alive connections, 8), PORT (18080), WARMUP (requests before measuring, 200).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
catalog="${2:-${CREDMATCH_CATALOG:-$PWD/build/default-catalog}}"
rate="${RATE:-200}"
duration="${DURATION:-60}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-8}"
port="${PORT:-18080}"
warmup="${WARMUP:-200}"
bin="$build/tools/credmatch"
client="$build/bench/credmatch_load_client"
[ -x "$bin" ] && [ -x "$client" ] || { echo "load_test: build credmatch and credmatch_load_client in $build first" >&2; exit 1; }
[ -d "$catalog" ] || { echo "load_test: no catalog at $catalog (run: $bin build --catalog $catalog)" >&2; exit 1; }

log="$(mktemp)"
"$bin" serve --catalog "$catalog" --port "$port" --threads "$threads" >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 300); do
  grep -q "http://" "$log" && break
  kill -0 $server 2>/dev/null || { cat "$log" >&2; exit 1; }
  sleep 0.1
done
rss() { awk '/VmRSS/ {print $2}' "/proc/$server/status"; }
echo "server: pid $server, $threads threads, catalog $catalog"
echo "rss after load: $(rss) kB"
# Warm-up (not measured): caches, first allocations.
"$client" --port "$port" --body bench/load_job.json --rate 100 --duration "$(awk "BEGIN {print $warmup / 100}")" \
  --connections "$connections" >/dev/null
rss_start=$(rss)
echo "rss at start: $rss_start kB"
t0=$(date +%s)
(
  for _ in $(seq 1 $((duration / 10))); do sleep 10; echo "rss at +$(( $(date +%s) - t0 ))s: $(rss) kB"; done
) &
sampler=$!
set +e
"$client" --port "$port" --body bench/load_job.json --rate "$rate" --duration "$duration" \
  --connections "$connections"
status=$?
set -e
wait $sampler 2>/dev/null || true
rss_end=$(rss)
echo "rss at end: $rss_end kB (start $rss_start kB, change $((rss_end - rss_start)) kB)"
curl -s "http://127.0.0.1:$port/metrics" | grep -E 'route="/v1/match"' | grep -E 'requests_total|_count|le="0.005"|le="0.01"|le="0.02"' || true
kill -TERM $server
wait $server || true
exit $status
