//! Thin N-API layer over semroute-embed: one class owning its model (no global state), async
//! (libuv pool) and sync embedding, embeddings crossing as one Float32Array, errors with stable
//! codes. The public TypeScript API is hand-written in @semroute/embed.

mod errors;
mod tasks;

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use semroute_embed::{Embedder, EmbedderOptions, Precision};

use crate::errors::{caught, to_js_error};
use crate::tasks::{EmbedTask, LoadTask};

/// On Linux the addon's own Rust allocations go to mimalloc (v2) instead of glibc malloc: a forward
/// pass allocates and frees several MB per product for a batch, which glibc maps and unmaps again
/// for every pass in Node, where mimalloc reuses its pages. Measured in Node (BENCHMARKS.md, stop
/// 20): +15-18% texts/s at batch 8 and 32, for about 30 MB more resident after the first passes.
/// Node's own allocations are untouched; other platforms keep the system allocator (unmeasured).
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs once when Node loads the addon (a library constructor, before any embed thread exists):
/// pins candle's thread count so it stops re-reading /proc/cpuinfo on every matrix product.
#[napi_derive::module_init]
fn init() {
    // SAFETY: runs during dlopen on the loading thread, before this addon starts any thread.
    unsafe { semroute_embed::pin_cpu_threads() };
}

/// Options of `NativeEmbedder.load` (all optional).
#[napi(object)]
#[derive(Default)]
pub struct LoadOptions {
    /// Texts per forward pass (chunk size). Default 32.
    pub max_batch: Option<u32>,
    /// Matryoshka: run only the first N layers.
    pub layer: Option<u32>,
    /// Matryoshka: keep only the first D dimensions.
    pub dim: Option<u32>,
    /// L2-normalise each embedding. Default true.
    pub normalize: Option<bool>,
    /// Instruction for instruction-following embedders (Qwen3-Embedding).
    pub instruction: Option<String>,
    /// Threads for the matrix products; default: candle's shared pool, one per core.
    pub threads: Option<u32>,
    /// `f32` (default), `bf16` (AVX-512 BF16 only) or `int8` (int8 weights, AVX-512 only):
    /// precision of the layers' products.
    pub precision: Option<String>,
}

impl LoadOptions {
    fn into_options(self) -> semroute_embed::Result<EmbedderOptions> {
        let d = EmbedderOptions::default();
        let precision = match self.precision.as_deref() {
            None => d.precision,
            Some(p) => Precision::parse(p)?,
        };
        Ok(EmbedderOptions {
            max_batch: self.max_batch.map_or(d.max_batch, |v| v as usize),
            layer: self.layer.map(|v| v as usize),
            dim: self.dim.map(|v| v as usize),
            normalize: self.normalize.unwrap_or(d.normalize),
            instruction: self.instruction,
            threads: self.threads.map(|v| v as usize),
            precision,
        })
    }
}

/// What a loaded model is and produces.
#[napi(object)]
pub struct ModelInfo {
    /// `bert`, `modernbert` or `qwen3`.
    pub architecture: String,
    pub dim: u32,
    pub max_seq_len: u32,
    pub supports_batched: bool,
    pub layers: Option<Vec<u32>>,
    pub dims: Option<Vec<u32>>,
    /// `f32` or `bf16`.
    pub precision: String,
}

/// Embeddings of a list of texts: `data` is row-major `[texts, dim]`.
#[napi(object)]
pub struct EmbedOutput {
    pub data: Float32Array,
    pub dim: u32,
    pub truncated: Vec<u32>,
}

impl From<semroute_embed::Embeddings> for EmbedOutput {
    fn from(e: semroute_embed::Embeddings) -> Self {
        EmbedOutput {
            data: Float32Array::new(e.data),
            dim: e.dim as u32,
            truncated: e.truncated.into_iter().map(|i| i as u32).collect(),
        }
    }
}

/// Returns freed native heap memory to the operating system (glibc's `malloc_trim(0)`). After a
/// burst of large buffers (request bodies) is freed, the C allocator keeps the pages resident: a
/// sidecar that held 60 MiB of bodies stayed about 90 MiB above its baseline until this call, and
/// fell below it after. True when memory was released; false when none was, or where the C library
/// has no such call (macOS, musl).
#[napi]
pub fn trim_native_heap() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> std::os::raw::c_int;
        }
        // SAFETY: glibc's malloc_trim takes any pad and only releases free memory.
        unsafe { malloc_trim(0) != 0 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// One loaded model and its tokenizer. Instances are independent; embeds may run concurrently.
#[napi]
pub struct NativeEmbedder {
    inner: Arc<Embedder>,
}

#[napi]
impl NativeEmbedder {
    /// Loads the model directory `dir` on the libuv pool.
    #[napi(ts_return_type = "Promise<NativeEmbedder>")]
    pub fn load(dir: String, options: Option<LoadOptions>) -> AsyncTask<LoadTask> {
        AsyncTask::new(LoadTask {
            dir,
            options: options.unwrap_or_default().into_options(),
        })
    }

    /// Loads the model directory `dir` on the calling thread.
    #[napi]
    pub fn load_sync(env: Env, dir: String, options: Option<LoadOptions>) -> Result<Self> {
        let opts = options
            .unwrap_or_default()
            .into_options()
            .map_err(|e| to_js_error(&env, &e))?;
        caught("loading", || Embedder::load(&dir, opts))
            .map(|e| NativeEmbedder { inner: Arc::new(e) })
            .map_err(|e| to_js_error(&env, &e))
    }

    /// What the model is and produces.
    #[napi(getter)]
    pub fn info(&self) -> ModelInfo {
        let i = self.inner.info();
        let u32s = |v: Option<Vec<usize>>| v.map(|v| v.into_iter().map(|x| x as u32).collect());
        ModelInfo {
            architecture: i.architecture.as_str().to_string(),
            dim: i.dim as u32,
            max_seq_len: i.max_seq_len as u32,
            supports_batched: i.supports_batched,
            layers: u32s(i.layers),
            dims: u32s(i.dims),
            precision: i.precision.as_str().to_string(),
        }
    }

    /// Embeds `texts` on the libuv pool (off the event loop).
    #[napi(ts_return_type = "Promise<EmbedOutput>")]
    pub fn embed(&self, texts: Vec<String>) -> AsyncTask<EmbedTask> {
        AsyncTask::new(EmbedTask {
            embedder: Arc::clone(&self.inner),
            texts,
        })
    }

    /// Embeds `texts` on the calling thread.
    #[napi]
    pub fn embed_sync(&self, env: Env, texts: Vec<String>) -> Result<EmbedOutput> {
        caught("embedding", || self.inner.embed(&texts))
            .map(EmbedOutput::from)
            .map_err(|e| to_js_error(&env, &e))
    }
}
