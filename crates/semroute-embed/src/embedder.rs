//! The embedding pipeline: tokenize -> truncate (reported) -> sort by length -> chunk ->
//! one forward per chunk when the model masks padding, else one text at a time -> pool ->
//! optional Matryoshka truncation -> normalise.

use std::path::Path;

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use tokenizers::{Tokenizer, TruncationParams};

use crate::batch::to_batch;
use crate::config::{Architecture, ModelConfig};
use crate::models::{load_model, Capabilities, EmbeddingModel, LoadOptions, ModelPaths, Precision};
use crate::pooling::{normalize_rows, pool, truncate_rows};
use crate::{files, Error, Result};

/// Options chosen when a model is loaded.
#[derive(Debug, Clone)]
pub struct EmbedderOptions {
    /// Texts per forward pass (chunk size) for models that batch. Default 32.
    pub max_batch: usize,
    /// Matryoshka: run only the first N layers (must be one the model allows).
    pub layer: Option<usize>,
    /// Matryoshka: keep only the first D dimensions (must be one the model allows).
    pub dim: Option<usize>,
    /// L2-normalise each embedding (after any truncation). Default true.
    pub normalize: bool,
    /// Instruction combined with every text by the model's instruction template (Qwen3).
    pub instruction: Option<String>,
    /// Threads for the forward pass's matrix products. None = candle's shared pool (one per core);
    /// Some(n) = a pool of n threads owned by this embedder.
    pub threads: Option<usize>,
    /// Precision of the layers' matrix products. Default f32; bf16 needs AVX-512 BF16.
    pub precision: Precision,
}

impl Default for EmbedderOptions {
    fn default() -> Self {
        EmbedderOptions {
            max_batch: 32,
            layer: None,
            dim: None,
            normalize: true,
            instruction: None,
            threads: None,
            precision: Precision::F32,
        }
    }
}

/// What a loaded embedder is and produces.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    pub architecture: Architecture,
    /// Width of the vectors `embed` returns.
    pub dim: usize,
    pub max_seq_len: usize,
    /// Whether texts of different lengths share one forward pass.
    pub supports_batched: bool,
    /// Layers the model may exit at (Matryoshka models only).
    pub layers: Option<Vec<usize>>,
    /// Dimensions the output may be truncated to (Matryoshka models only).
    pub dims: Option<Vec<usize>>,
    /// Precision of the layers' matrix products.
    pub precision: Precision,
}

/// Embeddings of a list of texts: `data` is row-major `[texts, dim]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Embeddings {
    pub data: Vec<f32>,
    pub dim: usize,
    /// Indices of the texts that were cut to the model's max length.
    pub truncated: Vec<usize>,
}

/// A loaded model with its tokenizer. Holds no global state; share it behind an `Arc`.
pub struct Embedder {
    model: Box<dyn EmbeddingModel>,
    tokenizer: Tokenizer,
    /// The same tokenizer without truncation, to tell whether a text that hit the limit was cut.
    untruncated: Tokenizer,
    architecture: Architecture,
    out_dim: usize,
    opts: EmbedderOptions,
    pool: Option<rayon::ThreadPool>,
    device: Device,
}

impl Embedder {
    /// Loads the model in `dir` (Hugging Face layout), checking its files first.
    pub fn load(dir: impl AsRef<Path>, opts: EmbedderOptions) -> Result<Self> {
        let dir = dir.as_ref();
        if opts.max_batch == 0 {
            return Err(Error::InvalidArgument("maxBatch must be at least 1".into()));
        }
        if opts.threads == Some(0) {
            return Err(Error::InvalidArgument("threads must be at least 1".into()));
        }
        if !opts.precision.supported() {
            return Err(Error::InvalidArgument(format!(
                "precision '{}' needs a CPU with {}, which this one lacks: use precision 'f32'",
                opts.precision.as_str(),
                opts.precision.requirement()
            )));
        }
        let files = files::check(dir)?;
        let config = ModelConfig::from_file(&files.config)?;

        let mut tokenizer =
            Tokenizer::from_file(&files.tokenizer).map_err(|e| Error::InvalidTokenizer {
                path: files.tokenizer.clone(),
                source: e,
            })?;
        let tokenizer_vocab = tokenizer.get_vocab_size(true);
        if tokenizer_vocab > config.vocab_size() {
            return Err(Error::TokenizerMismatch {
                path: files.tokenizer.clone(),
                tokenizer_vocab,
                model_vocab: config.vocab_size(),
            });
        }

        let device = Device::Cpu;
        // SAFETY: the weights are memory-mapped read-only; the files must not be modified while
        // the model is loaded (the same contract as every mmap-based loader).
        let vb =
            unsafe { VarBuilder::from_mmaped_safetensors(&files.weights, DType::F32, &device) }
                .map_err(|e| Error::CorruptWeights {
                    path: files.weights[0].clone(),
                    source: e.into(),
                })?;
        let load_opts = LoadOptions {
            layer: opts.layer,
            pooling: files.pooling,
            max_seq_len: files.max_seq_length,
            paths: ModelPaths {
                config: files.config.clone(),
                weights: files.weights[0].clone(),
            },
            precision: opts.precision,
        };
        let model = load_model(&config, vb, &load_opts)?;

        let caps = model.capabilities().clone();
        let out_dim = match opts.dim {
            None => caps.hidden_size,
            Some(d) if caps.valid_dims().contains(&d) => d,
            Some(d) => return Err(Error::invalid_choice("dim", d, &caps.valid_dims())),
        };
        if opts.instruction.is_some() && caps.instruction_template.is_none() {
            return Err(Error::InvalidArgument(format!(
                "instruction is not supported by {} models",
                config.architecture().as_str()
            )));
        }
        let room = caps.append_token_id.map_or(0, |_| 1);
        tokenizer.with_padding(None);
        let mut untruncated = tokenizer.clone();
        untruncated
            .with_truncation(None)
            .map_err(|e| Error::InvalidTokenizer {
                path: files.tokenizer.clone(),
                source: e,
            })?;
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: caps.max_seq_len - room,
                ..Default::default()
            }))
            .map_err(|e| Error::InvalidTokenizer {
                path: files.tokenizer.clone(),
                source: e,
            })?;

        let pool = match opts.threads {
            None => None,
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .thread_name(|i| format!("semroute-embed-{i}"))
                    .build()
                    .map_err(|e| Error::inference("starting the thread pool", e))?,
            ),
        };
        Ok(Embedder {
            model,
            tokenizer,
            untruncated,
            architecture: config.architecture(),
            out_dim,
            opts,
            pool,
            device,
        })
    }

    /// What this embedder is and produces.
    pub fn info(&self) -> Info {
        let caps = self.model.capabilities();
        Info {
            architecture: self.architecture,
            dim: self.out_dim,
            max_seq_len: caps.max_seq_len,
            supports_batched: caps.masks_padding,
            layers: caps.exit_layers.clone(),
            dims: caps.dims.clone(),
            precision: self.opts.precision,
        }
    }

    /// The model's declared capabilities.
    pub fn capabilities(&self) -> &Capabilities {
        self.model.capabilities()
    }

    /// Tokenizes one text as the model sees it; returns the ids and whether they were truncated.
    pub fn tokenize(&self, text: &str) -> Result<(Vec<u32>, bool)> {
        let caps = self.model.capabilities();
        let text = match (&self.opts.instruction, &caps.instruction_template) {
            (Some(instruction), Some(template)) => template
                .replace("{instruction}", instruction)
                .replace("{text}", text),
            _ => text.to_string(),
        };
        let enc = self
            .tokenizer
            .encode(text.as_str(), true)
            .map_err(|e| Error::inference("tokenization", e))?;
        let mut truncated = !enc.get_overflowing().is_empty();
        // tokenizers 0.23 stops tokenizing at the limit, so a cut text can come back with no
        // overflowing part; a text that reached the limit is re-counted without truncation.
        let limit = self
            .tokenizer
            .get_truncation()
            .map_or(usize::MAX, |t| t.max_length);
        if !truncated && enc.len() >= limit {
            let full = self
                .untruncated
                .encode(text.as_str(), true)
                .map_err(|e| Error::inference("tokenization", e))?;
            truncated = full.len() > enc.len();
        }
        let mut ids = enc.get_ids().to_vec();
        if let Some(tok) = caps.append_token_id {
            if ids.last() != Some(&tok) {
                ids.push(tok);
            }
        }
        Ok((ids, truncated))
    }

    /// Embeds `texts`; row `i` of the result is text `i`.
    pub fn embed<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Result<Embeddings> {
        match &self.pool {
            Some(pool) => pool.install(|| self.embed_inner(texts)),
            None => self.embed_inner(texts),
        }
    }

    fn embed_inner<S: AsRef<str>>(&self, texts: &[S]) -> Result<Embeddings> {
        let caps = self.model.capabilities();
        let mut ids = Vec::with_capacity(texts.len());
        let mut truncated = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let (tokens, cut) = self.tokenize(text.as_ref())?;
            if tokens.is_empty() {
                return Err(Error::InvalidArgument(format!(
                    "text at index {i} produced no tokens"
                )));
            }
            if cut {
                truncated.push(i);
            }
            ids.push(tokens);
        }

        // Texts of similar length share a chunk, so little compute goes to padding.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let chunk = if caps.masks_padding {
            self.opts.max_batch
        } else {
            1
        };
        let hidden = caps.hidden_size;
        let dim = self.out_dim;
        let mut data = vec![0f32; texts.len() * dim];
        for rows in order.chunks(chunk) {
            let seqs: Vec<&[u32]> = rows.iter().map(|&i| ids[i].as_slice()).collect();
            let batch = to_batch(&seqs, caps.padding_side, caps.pad_token_id, &self.device)?;
            // The tokenizer truncates, so a longer batch is a bug upstream; checked here once for
            // every architecture rather than in each model.
            caps.check_seq_len(batch.seq_len)?;
            let states = self.model.forward(&batch)?;
            let (b, s, h) = states.dims3()?;
            if b != rows.len() || s != batch.seq_len || h != hidden {
                return Err(Error::InferenceFailed {
                    context: format!(
                        "model returned [{b}, {s}, {h}] for a batch of {} x {} (hidden {hidden})",
                        rows.len(),
                        batch.seq_len
                    ),
                    source: None,
                });
            }
            let flat = states.flatten_all()?.to_vec1::<f32>()?;
            let pooled = pool(caps.pooling, &flat, &batch.mask, b, s, h);
            let mut out = truncate_rows(&pooled, h, dim);
            if self.opts.normalize {
                normalize_rows(&mut out, dim);
            }
            for (row, &i) in out.chunks_exact(dim).zip(rows) {
                data[i * dim..(i + 1) * dim].copy_from_slice(row);
            }
        }
        Ok(Embeddings {
            data,
            dim,
            truncated,
        })
    }
}
