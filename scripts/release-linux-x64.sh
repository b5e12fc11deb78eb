#!/usr/bin/env bash
# The linux-x64-gnu job of .github/workflows/release.yml, runnable on this machine: install, build
# the addon for x86_64-unknown-linux-gnu, run the gates and the tests, pack every public package.
# Usage: scripts/release-linux-x64.sh [out-dir]   (default: ./release-packs)
#   SEMROUTE_REUSE_ADDON=1  keep an already built packages/native/semroute.linux-x64-gnu.node
#   SEMROUTE_GLIBC_MAX      newest glibc the binary may require (default 2.35, ubuntu-22.04's: the
#                           release runner's glibc is the floor for users; see README "Outside this repository")
# The gates and the Rust tests are the same commands as scripts/test.sh's.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-release-packs}"
step() { printf '\n==> %s\n' "$*"; }

step "Install (frozen lockfile)"
pnpm install --frozen-lockfile

step "Native addon: x86_64-unknown-linux-gnu (release)"
if [ "${SEMROUTE_REUSE_ADDON:-0}" = 1 ] && [ -f packages/native/semroute.linux-x64-gnu.node ]; then
  echo "reusing packages/native/semroute.linux-x64-gnu.node"
else
  pnpm --filter @semroute/native run build --target x86_64-unknown-linux-gnu
fi
test -f packages/native/semroute.linux-x64-gnu.node

step "glibc floor of the binary"
glibc_max="${SEMROUTE_GLIBC_MAX:-2.35}"
if command -v objdump >/dev/null; then
  needed=$(objdump -T packages/native/semroute.linux-x64-gnu.node | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -Vu | tail -1)
  echo "requires glibc >= ${needed} (allowed: <= ${glibc_max})"
  [ "$(printf '%s\n%s\n' "$needed" "$glibc_max" | sort -V | tail -1)" = "$glibc_max" ] || { echo "the binary needs glibc ${needed}, newer than ${glibc_max}"; exit 1; }
else
  echo "objdump not found: glibc floor not checked"
fi

step "Model for the tests"
bash scripts/fetch-model.sh

host="$(rustc -vV | sed -n 's/^host: //p')"

step "Gates: rustfmt, clippy, typecheck, Biome"
cargo fmt --all --check
cargo clippy --release --target "$host" -p semroute-embed -p semroute-node --all-targets -- -D warnings
pnpm run typecheck
pnpm run lint:ts

step "Rust tests"
# Same profile and --target as the addon build, so the tests reuse its compiled dependencies.
cargo test --release -p semroute-embed -p semroute-node --target "$host"

step "Tests (vitest, including the pack-and-install test)"
pnpm exec vitest run

step "Pack"
bash scripts/pack.sh "$out"
