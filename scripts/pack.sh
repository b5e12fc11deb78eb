#!/usr/bin/env bash
# Packs every public package into an npm tarball with `pnpm pack` (workspace:* and catalog: become
# real versions, publishConfig.exports replaces the dev-only "source" condition).
# Usage: scripts/pack.sh <out-dir>. Needs the TypeScript build and, for a platform package, its
# binary (packages/native/semroute.<platform>.node from `pnpm run build:native` or a CI artifact).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/pack.sh <out-dir>}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

pnpm run -s build:ts

# Each platform binary goes into its npm/<platform> package, as `napi artifacts` does in CI.
shopt -s nullglob
for node in packages/native/semroute.*.node; do
  platform="$(basename "$node" .node)"
  platform="${platform#semroute.}"
  [ -d "npm/$platform" ] || { echo "pack: no npm/$platform package for $node" >&2; exit 1; }
  cp "$node" "npm/$platform/"
done

for dir in packages/native packages/embed packages/router packages/extproc packages/http packages/cli npm/*; do
  main="$(node -p "require('./$dir/package.json').main ?? ''")"
  if [[ "$dir" == npm/* && ! -f "$dir/$main" ]]; then
    echo "pack: skipping $dir (no $main here; it is built on its own runner)" >&2
    continue
  fi
  (cd "$dir" && pnpm pack --pack-destination "$out" >/dev/null)
done
ls "$out"/*.tgz
