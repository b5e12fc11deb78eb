//! semroute-embed: local transformer embeddings (BERT, XLM-RoBERTa, ModernBERT, Qwen3) on candle.
//! Plain Rust: it knows nothing of JavaScript (the N-API glue lives in semroute-node).

pub mod batch;
pub mod config;
pub mod embedder;
pub mod error;
pub mod files;
mod kernels;
pub mod models;
pub mod pooling;

pub use config::{Architecture, ModelConfig};
pub use embedder::{Embedder, EmbedderOptions, Embeddings, Info};
pub use error::{Error, Result};
pub use models::Precision;

/// Pins candle's CPU thread count in the process environment (`RAYON_NUM_THREADS`) to the value
/// candle would pick itself (one per physical core), unless the user already set it.
///
/// Why: without the variable, candle recomputes the physical core count from /proc/cpuinfo on
/// every matrix product (about 37 file reads per MiniLM forward pass, measured with strace).
///
/// # Safety
/// Mutates the process environment: call it before other threads may read the environment
/// (at program start or from a library constructor).
pub unsafe fn pin_cpu_threads() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let n = candle_core::utils::get_num_threads();
        std::env::set_var("RAYON_NUM_THREADS", n.to_string());
    }
}
