//! AsyncTasks: `compute()` runs plain Rust on the libuv pool; `resolve()` only converts.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use semroute_embed::{Embedder, EmbedderOptions, Embeddings};

use crate::errors::{caught, to_js_error};
use crate::{EmbedOutput, NativeEmbedder};

/// Loads a model directory.
pub struct LoadTask {
    pub dir: String,
    /// The options, or why they are invalid (reported as the load's error).
    pub options: semroute_embed::Result<EmbedderOptions>,
}

impl Task for LoadTask {
    // The engine's own error travels to resolve(), where the JS error with its code is built.
    type Output = semroute_embed::Result<Embedder>;
    type JsValue = NativeEmbedder;

    fn compute(&mut self) -> Result<Self::Output> {
        let opts = match &self.options {
            Ok(o) => o.clone(),
            Err(e) => return Ok(Err(semroute_embed::Error::InvalidArgument(e.to_string()))),
        };
        Ok(caught("loading", || Embedder::load(&self.dir, opts)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output
            .map(|e| NativeEmbedder { inner: Arc::new(e) })
            .map_err(|e| to_js_error(&env, &e))
    }
}

/// Embeds a list of texts with a shared embedder.
pub struct EmbedTask {
    pub embedder: Arc<Embedder>,
    pub texts: Vec<String>,
}

impl Task for EmbedTask {
    type Output = semroute_embed::Result<Embeddings>;
    type JsValue = EmbedOutput;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(caught("embedding", || self.embedder.embed(&self.texts)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output
            .map(EmbedOutput::from)
            .map_err(|e| to_js_error(&env, &e))
    }
}
