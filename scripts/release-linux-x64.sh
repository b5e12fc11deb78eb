#!/usr/bin/env bash
# The linux-x64-gnu job of .github/workflows/release.yml, runnable on this machine: install, build
# the addon for x86_64-unknown-linux-gnu, run the gates and the tests, pack every public package.
# Usage: scripts/release-linux-x64.sh [out-dir]   (default: ./release-packs)
#   SEMROUTE_REUSE_ADDON=1  keep an already built packages/native/semroute.linux-x64-gnu.node
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

step "Model for the tests"
bash scripts/fetch-model.sh

step "Gates: typecheck"
pnpm run typecheck

step "Tests (vitest, including the pack-and-install test)"
pnpm exec vitest run

step "Pack"
bash scripts/pack.sh "$out"
