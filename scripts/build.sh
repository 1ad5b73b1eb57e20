#!/usr/bin/env bash
# Configures and builds credmatch into build/ (Release with debug info).
# Extra arguments go to cmake, e.g. scripts/build.sh -DCREDMATCH_SANITIZE=ON
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${CREDMATCH_BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
