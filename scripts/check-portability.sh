#!/usr/bin/env bash
# The engine's Rust tests on the builds this x86-64 AVX-512 machine cannot run natively (optional;
# not part of the test command: about 8 minutes cold, most of it the aarch64 build; 2.5 warm):
#   - x86-64 without AVX-512 (AVX2 + FMA only: gemm and the AVX2 epilogues, no packed or bf16
#     kernels), the same binary run under `qemu-x86_64 -cpu Haswell`;
#   - aarch64, the code paths of the darwin-arm64 package (no x86 kernels at all): cross-built for
#     aarch64-unknown-linux-gnu with fp16 on (Apple's baseline; gemm's f16 kernels need it) and run
#     under `qemu-aarch64`;
#   - aarch64-apple-darwin: `cargo clippy --all-targets` (compiles and lints; nothing links or runs
#     without a macOS SDK).
# Under emulation the MiniLM and multilingual-e5 tests are skipped (minutes each under TCG); the
# tiny checkpoints of every architecture (parity with transformers, batch == single, errors) run.
# Installs: Debian qemu-user, gcc/g++-aarch64-linux-gnu, libc6-dev-arm64-cross; rustup targets.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v qemu-aarch64 >/dev/null || ! command -v aarch64-linux-gnu-g++ >/dev/null; then
  apt-get install -y -q qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross >/dev/null
fi
rustup target add aarch64-unknown-linux-gnu aarch64-apple-darwin >/dev/null

skip=(--skip minilm --skip e5_ --skip qwen3_tokenizer_ids --skip chunking)
host=$(rustc -vV | sed -n 's/^host: //p')

printf '\n==> x86-64 without AVX-512 (qemu -cpu Haswell)\n'
CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="qemu-x86_64 -cpu Haswell" \
  cargo test --release --target "$host" -p semroute-embed -- --test-threads 2 "${skip[@]}" 2>&1 |
  grep -v "^qemu-x86_64: warning"

printf '\n==> aarch64 (qemu-aarch64)\n'
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
  CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc \
  CXX_aarch64_unknown_linux_gnu=aarch64-linux-gnu-g++ \
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUSTFLAGS="-C target-feature=+fp16" \
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu" \
  cargo test --release --target aarch64-unknown-linux-gnu -p semroute-embed -- --test-threads 2 "${skip[@]}"

printf '\n==> aarch64-apple-darwin (clippy, no link)\n'
cargo clippy --release --target aarch64-apple-darwin -p semroute-embed -p semroute-node --all-targets -- -D warnings
echo "portability checks passed"
