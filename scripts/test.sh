#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs and builds what it needs (scripts/setup.sh),
# then runs the gates and every test (Rust unit + integration, vitest against the built addon).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

printf '\n==> Format and lint gates\n'
cargo fmt --all --check
pnpm run typecheck

printf '\n==> Rust tests\n'
cargo test --release -p semroute-embed

printf '\n==> TypeScript tests (vitest)\n'
pnpm exec vitest run
