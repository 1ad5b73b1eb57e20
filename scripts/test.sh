#!/usr/bin/env bash
# Runs the test suite: installs what is missing, builds, runs every test with ctest.
# Slow tests (label "slow") run too unless CREDMATCH_SKIP_SLOW=1.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
args=(--test-dir build --output-on-failure --timeout 600 -j "$(nproc)")
if [ "${CREDMATCH_SKIP_SLOW:-0}" = "1" ]; then args+=(-LE slow); fi
ctest "${args[@]}"
# Benchmarks run in CI only as a short smoke run that checks their results.
for b in build/bench/bench_*; do
  [ -x "$b" ] || continue
  "$b" --benchmark_min_time=0.01 >/dev/null
done
echo "benchmark smoke run: ok"
