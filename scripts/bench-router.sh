#!/usr/bin/env bash
# Router benchmarks (domain accuracy, routing accuracy vs the seed keyword router, route() latency).
# Prints figures and writes reports/router-{domain,routing,latency}.json. Needs `pnpm build` and the
# model (scripts/fetch-model.sh). Extra arguments go to `semroute bench all` (e.g. -n 100).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f packages/cli/dist/bin.js ] || { echo "[bench-router] run pnpm build first" >&2; exit 1; }
bash scripts/fetch-model.sh >/dev/null
exec node packages/cli/dist/bin.js bench all "$@"
