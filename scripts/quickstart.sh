#!/usr/bin/env bash
# Quick start: installs what is missing, builds, builds the default catalog from the shipped
# data, and matches an example job (examples/data-analyst.json) against it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
export CREDMATCH_CATALOG="${CREDMATCH_CATALOG:-$PWD/build/default-catalog}"
./build/tools/credmatch build
./build/tools/credmatch info
echo
./build/tools/credmatch match --job examples/data-analyst.json --top 5 --evidence all
