//! The engine's integration tests, as one test binary (one link against candle instead of one per
//! file: issue 11.8). Run one group with `cargo test --release -p semroute-embed --test engine bert::`.

mod common;

mod bert;
mod errors;
mod modernbert;
mod precision;
mod qwen3;
mod tokenizer_qwen3;
mod xlm_roberta;
