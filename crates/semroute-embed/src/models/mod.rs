//! One architecture per file, behind one trait. The embedder reads each model's
//! capabilities; it never compares a model-type string in the hot path.

use candle_core::Tensor;
use candle_nn::VarBuilder;

use crate::batch::{Batch, PaddingSide};
use crate::config::ModelConfig;
use crate::pooling::Pooling;
use crate::{Error, Result};
pub use loading::ModelPaths;

pub mod bert;
mod layers;
pub mod loading;
pub mod modernbert;
pub mod qwen3;
mod rope;
pub mod xlm_roberta;

/// What a model declares about itself; the embedder dispatches on these, not on names.
#[derive(Debug, Clone)]
pub struct Capabilities {
    /// Pooling applied to the last hidden state.
    pub pooling: Pooling,
    pub padding_side: PaddingSide,
    /// Token id written into padded positions.
    pub pad_token_id: u32,
    /// Whether the forward pass honours an attention mask over padding (required for batching).
    pub masks_padding: bool,
    /// Max tokens per input (inputs are truncated to this, and reported).
    pub max_seq_len: usize,
    /// Output embedding width before any Matryoshka truncation.
    pub hidden_size: usize,
    /// Matryoshka: layers at which the model may exit early (None = only the full depth).
    pub exit_layers: Option<Vec<usize>>,
    /// Matryoshka: dimensions the output may be truncated to (None = only the full width).
    pub dims: Option<Vec<usize>>,
    /// Token appended to every input after tokenization when the tokenizer did not already end
    /// with it (Qwen3-Embedding's end-of-text); truncation leaves room for it.
    pub append_token_id: Option<u32>,
    /// How an instruction is combined with a text, with `{instruction}` and `{text}` placeholders
    /// (None = the model takes no instruction, and asking for one is an error).
    pub instruction_template: Option<String>,
}

impl Capabilities {
    /// A right-padded encoder with a padding mask, no Matryoshka options and no instruction
    /// (BERT, XLM-RoBERTa).
    pub(crate) fn right_padded_encoder(
        pooling: Pooling,
        pad_token_id: u32,
        max_seq_len: usize,
        hidden_size: usize,
    ) -> Self {
        Capabilities {
            pooling,
            padding_side: PaddingSide::Right,
            pad_token_id,
            masks_padding: true,
            max_seq_len,
            hidden_size,
            exit_layers: None,
            dims: None,
            append_token_id: None,
            instruction_template: None,
        }
    }

    /// Checks that `batch` has a length per row and the padding side this model takes.
    pub(crate) fn check_batch(&self, batch: &Batch, model: &str) -> Result<()> {
        let b = batch.lengths.len();
        if batch.input_ids.dim(0)? != b || batch.padding_side != self.padding_side {
            return Err(Error::InferenceFailed {
                context: format!(
                    "{model} takes {} rows padded {:?}, got {b} lengths padded {:?}",
                    batch.input_ids.dim(0)?,
                    self.padding_side,
                    batch.padding_side
                ),
                source: None,
            });
        }
        Ok(())
    }

    /// A forward pass longer than the model's positions is a bug upstream (the embedder truncates
    /// and calls this before every forward).
    pub(crate) fn check_seq_len(&self, seq_len: usize) -> Result<()> {
        if seq_len > self.max_seq_len {
            return Err(Error::InferenceFailed {
                context: format!(
                    "sequence of {seq_len} tokens exceeds the model's {} positions",
                    self.max_seq_len
                ),
                source: None,
            });
        }
        Ok(())
    }

    /// Output widths a caller may ask for (`dims`, else only the full width).
    pub fn valid_dims(&self) -> Vec<usize> {
        self.dims.clone().unwrap_or_else(|| vec![self.hidden_size])
    }
}

/// An encoder that turns a batch of token ids into last hidden states `[batch, seq, hidden]` (f32).
pub trait EmbeddingModel: Send + Sync {
    fn capabilities(&self) -> &Capabilities;
    fn forward(&self, batch: &Batch) -> Result<Tensor>;
}

/// Load-time choices a model needs before it builds its layers.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Run only the first N layers (Matryoshka early exit); None = full depth.
    /// A model validates it against its own exit layers (`Error::invalid_choice`).
    pub layer: Option<usize>,
    /// Pooling declared by sentence-transformers files; overrides the architecture default.
    pub pooling: Option<Pooling>,
    /// sentence-transformers' max_seq_length; caps the model's own maximum.
    pub max_seq_len: Option<usize>,
    /// The files the model comes from, named in load errors.
    pub paths: ModelPaths,
    /// Precision of the layers' matrix products.
    pub precision: Precision,
}

/// Numeric precision of the encoder layers' matrix products (embeddings, norms, attention and
/// pooling stay f32 in both).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// f32 everywhere (the default): within 1e-4 of the reference implementations.
    #[default]
    F32,
    /// Weights and the products' inputs rounded to bfloat16, sums in f32, on AVX-512 BF16
    /// (x86-64 only; loading fails elsewhere). About twice the product throughput; cosine to
    /// the f32 vectors >= 0.999 on MiniLM (tests/engine/precision.rs).
    Bf16,
    /// Weights stored as int8, one f32 scale per column and group of 32 inputs; activations and
    /// sums in f32 (x86-64 with AVX-512 only; loading fails elsewhere). A quarter of the f32
    /// weight bytes, within 10% of f32's speed; cosine to the f32 vectors >= 0.999 on MiniLM.
    Int8,
}

impl Precision {
    /// The names `Precision` takes in options and configs.
    pub const NAMES: [&'static str; 3] = ["f32", "bf16", "int8"];

    /// Parses `f32`, `bf16` or `int8`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "f32" => Ok(Precision::F32),
            "bf16" => Ok(Precision::Bf16),
            "int8" => Ok(Precision::Int8),
            other => Err(crate::Error::InvalidArgument(format!(
                "precision must be one of {}, got '{other}'",
                Self::NAMES.join(", ")
            ))),
        }
    }

    /// The option's name for this precision.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
            Precision::Int8 => "int8",
        }
    }

    /// Whether this CPU runs this precision's kernels.
    pub fn supported(self) -> bool {
        match self {
            Precision::F32 => true,
            Precision::Bf16 => crate::kernels::bf16::supported(),
            Precision::Int8 => crate::kernels::int8::supported(),
        }
    }

    /// What the CPU needs for this precision (for the error when it lacks it).
    pub fn requirement(self) -> &'static str {
        match self {
            Precision::F32 => "nothing beyond the build's target",
            Precision::Bf16 => "AVX-512 BF16 (x86-64 'avx512_bf16')",
            Precision::Int8 => "AVX-512 (x86-64 'avx512f')",
        }
    }
}

/// Builds the model `config` describes from weights in `vb`, on `vb`'s device.
pub fn load_model(
    config: &ModelConfig,
    vb: VarBuilder,
    opts: &LoadOptions,
) -> Result<Box<dyn EmbeddingModel>> {
    match config {
        ModelConfig::Bert(c) => Ok(Box::new(bert::Bert::load(c, vb, opts)?)),
        ModelConfig::XlmRoberta(c) => Ok(Box::new(xlm_roberta::XlmRoberta::load(c, vb, opts)?)),
        ModelConfig::ModernBert(c) => Ok(Box::new(modernbert::ModernBert::load(c, vb, opts)?)),
        ModelConfig::Qwen3(c) => Ok(Box::new(qwen3::Qwen3::load(c, vb, opts)?)),
    }
}

/// Checks a requested layer against `valid`; None means the full depth `full`.
pub fn resolve_layer(requested: Option<usize>, valid: &[usize], full: usize) -> Result<usize> {
    match requested {
        None => Ok(full),
        Some(l) if valid.contains(&l) => Ok(l),
        Some(l) => Err(Error::invalid_choice("layer", l, valid)),
    }
}
