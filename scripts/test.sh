#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs and builds what it needs (scripts/setup.sh),
# then runs the gates and every test (Rust unit + integration, vitest against the built addon).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

printf '\n==> Format and lint gates\n'
cargo fmt --all --check
cargo clippy --release --target "$(rustc -vV | sed -n "s/^host: //p")" -p semroute-embed -p semroute-node --all-targets -- -D warnings
pnpm run typecheck

printf '\n==> Rust tests\n'
# Same --target as `napi build --platform`, so the tests reuse its compiled dependencies.
cargo test --release -p semroute-embed --target "$(rustc -vV | sed -n 's/^host: //p')"

printf '\n==> TypeScript tests (vitest)\n'
pnpm exec vitest run
