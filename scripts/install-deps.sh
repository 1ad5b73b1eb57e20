#!/usr/bin/env bash
# Installs credmatch's build and test dependencies from Debian 12's packages.
# Runs apt-get as root (directly, or through sudo when run as a user). Skips the install when
# every package is already present, so it is cheap to call from the other scripts.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libfaiss-dev libopenblas-dev libeigen3-dev libspdlog-dev libfmt-dev
  libbenchmark-dev libgtest-dev libgmock-dev libhnswlib-dev
  nlohmann-json3-dev libcli11-dev libsqlite3-dev libutf8proc-dev zlib1g-dev
  pybind11-dev python3-dev python3-numpy python3-pytest
  libcpp-httplib-dev chromium nodejs wrk
)
# Debian's npm; a nodejs from elsewhere (NodeSource) bundles npm and conflicts with it.
command -v npm >/dev/null || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
