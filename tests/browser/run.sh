#!/usr/bin/env bash
# Browser test of the web page (ctest: WebPageInChromium). Starts `credmatch serve` on a
# catalog, drives the page in headless Chromium with playwright-core and checks that the
# employer and worker flows show results. Fails (never skips) when node or chromium is missing:
# scripts/install-deps.sh installs both.
#   run.sh CREDMATCH_BINARY CATALOG_DIR [SCREENSHOT.png]
# With CATALOG_DIR "fixture" it builds the small test catalog (tests/data/match) first.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$1"
catalog="$2"
shot="${3:-}"
command -v node >/dev/null || { echo "browser test: node is missing (scripts/install-deps.sh installs nodejs)" >&2; exit 1; }
chrome="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$chrome" ] || { echo "browser test: chromium is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
cd "$here"
if [ ! -d node_modules/playwright-core ]; then
  # Offline first (a filled npm cache), then the registry.
  npm ci --offline --no-audit --no-fund >/dev/null 2>&1 || npm ci --no-audit --no-fund
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
if [ "$catalog" = "fixture" ]; then
  data="$here/../data/match"
  catalog="$tmp/catalog"
  "$bin" build --catalog "$catalog" --dim 16 "$data/credentials.jsonl" "$data/jobs.jsonl" "$data/skills.jsonl" >/dev/null
fi
CREDMATCH_BIN="$bin" CREDMATCH_TEST_CATALOG="$catalog" CHROMIUM="$chrome" SCREENSHOT="$shot" \
  node "$here/web_test.mjs"
