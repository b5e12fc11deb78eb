# Sourced by scripts/setup.sh and scripts/test.sh. Where rustup's clippy is installed, clippy-driver
# becomes the rustc wrapper of the workspace's own crates (dependencies still compile with plain
# rustc): clippy lints them while they compile, and Cargo.toml's [workspace.lints] turns every
# warning into an error, which is what `cargo clippy --all-targets -- -D warnings` checks. The
# addon build (lib) and `cargo test` (lib tests, integration tests, examples) then cover every
# target without a separate `cargo clippy` pass. SEMROUTE_CLIPPY_IN_BUILD=0 turns it off.
if [ "${SEMROUTE_CLIPPY_IN_BUILD:-1}" = 1 ] && [ -z "${RUSTC_WORKSPACE_WRAPPER:-}" ] \
  && command -v clippy-driver >/dev/null 2>&1 && clippy-driver --version >/dev/null 2>&1; then
  RUSTC_WORKSPACE_WRAPPER="$(command -v clippy-driver)"
  export RUSTC_WORKSPACE_WRAPPER
fi
