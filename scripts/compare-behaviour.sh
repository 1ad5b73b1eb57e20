#!/usr/bin/env bash
# Checks that two builds of credmatch behave identically: the same encoder id after building the
# default catalog, and byte-identical `match --json`, `gap --json` and `path --json` output
# (timings removed) on the README examples and on 50 ESCO occupations spread over the shipped
# list. For refactors that must not change a score (docs/architecture.md).
#
#   scripts/compare-behaviour.sh BEFORE_BIN AFTER_BIN WORK_DIR
#
# BEFORE_BIN / AFTER_BIN: two `credmatch` binaries. WORK_DIR keeps each binary's catalog
# (WORK_DIR/before, WORK_DIR/after: built when missing, reused otherwise) and the outputs.
# Exits 0 when everything matches, 1 with the first differences otherwise.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 BEFORE_BIN AFTER_BIN WORK_DIR" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
before_bin=$(realpath "$1")
after_bin=$(realpath "$2")
work=$3
mkdir -p "$work"
work=$(realpath "$work")

# Every 60th shipped occupation, by id: 50 occupations from across ESCO.
occupations=$(zcat data/occupations_esco.jsonl.gz | python3 -c '
import json, sys
ids = sorted(json.loads(line)["id"] for line in sys.stdin)
print("\n".join(ids[::60][:50]))')

strip_timings() {  # drop the fields that hold wall-clock time
  python3 -c '
import json, sys
# candidates_rescored counts the credentials the rescoring threads took before the stopping
# rule held: it depends on thread timing, not on the result.
TIMING = ("milliseconds", "seconds", "built_at", "candidates_rescored")
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in TIMING}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
print(json.dumps(strip(json.load(sys.stdin)), indent=1, sort_keys=True, ensure_ascii=False))'
}

run_all() {  # BIN CATALOG OUT_DIR
  local bin=$1 cat=$2 out=$3
  mkdir -p "$out"
  if [ ! -f "$cat/catalog.db" ]; then
    echo "building the default catalog with $bin into $cat" >&2
    "$bin" --catalog "$cat" build >/dev/null
  fi
  "$bin" --catalog "$cat" --json info | python3 -c 'import json,sys; print(json.load(sys.stdin)["encoder"]["id"])' \
    >"$out/encoder_id"
  local c=("$bin" --catalog "$cat" --json)
  "${c[@]}" match --job examples/data-analyst.json --top 5 --evidence all | strip_timings >"$out/readme-match-job"
  "${c[@]}" match --occupation "data analyst" | strip_timings >"$out/readme-match-occupation"
  "${c[@]}" match --occupation "analyste de données" --top 3 --evidence covered | strip_timings >"$out/readme-match-fr"
  "${c[@]}" match --text "Write SQL queries; build dashboards. Python is an asset." | strip_timings \
    >"$out/readme-match-text"
  "${c[@]}" gap --occupation "data analyst" --skills "stock control; customer service; Excel" | strip_timings \
    >"$out/readme-gap"
  "${c[@]}" path --occupation "data analyst" --explain \
    --skills "stock control; customer service; cash handling; using a till; merchandising" | strip_timings \
    >"$out/readme-path-1"
  "${c[@]}" path --occupation "data scientist" --max-hours 20 \
    --skills "shelve books; customer service; use spreadsheets software; catalogue library materials" \
    | strip_timings >"$out/readme-path-2"
  local i=0
  while read -r occ; do
    i=$((i + 1))
    "${c[@]}" match --occupation "$occ" --top 10 | strip_timings >"$out/occ$i-match"
    "${c[@]}" gap --occupation "$occ" --skills "customer service; use spreadsheets software; manage budgets" \
      | strip_timings >"$out/occ$i-gap"
    "${c[@]}" path --occupation "$occ" --explain \
      --skills "customer service; use spreadsheets software; manage budgets" | strip_timings >"$out/occ$i-path"
  done <<<"$occupations"
}

run_all "$before_bin" "$work/before" "$work/out-before"
run_all "$after_bin" "$work/after" "$work/out-after"
if diff -r "$work/out-before" "$work/out-after" >"$work/diff.txt"; then
  echo "identical: encoder $(cat "$work/out-after/encoder_id"), $(ls "$work/out-after" | wc -l) outputs"
else
  echo "DIFFERENT (first lines of $work/diff.txt):"
  head -40 "$work/diff.txt"
  exit 1
fi
