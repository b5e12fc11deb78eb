//! Typed errors with stable codes. The code is what callers (and the N-API layer) match on;
//! the message says what is wrong and where; the cause is kept as the error source.

use std::path::PathBuf;

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while loading a model or embedding text.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One or more files the model needs are absent or unreadable; lists every one of them.
    #[error("model directory {} is missing {}: {}", dir.display(), plural(missing.len()), missing.join(", "))]
    ModelFilesMissing { dir: PathBuf, missing: Vec<String> },

    /// config.json names an architecture (or a variant of one) this engine does not implement.
    #[error("unsupported model in {}: {reason}", path.display())]
    UnsupportedModel { path: PathBuf, reason: String },

    /// config.json (or another JSON file of the model) cannot be parsed.
    #[error("invalid model config {}: {source}", path.display())]
    InvalidConfig {
        path: PathBuf,
        #[source]
        source: Cause,
    },

    /// A caller-supplied option is impossible (the message lists the valid values).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The safetensors file is truncated, corrupt, or lacks a tensor the config calls for.
    #[error("corrupt or mismatched weights in {}: {source}", path.display())]
    CorruptWeights {
        path: PathBuf,
        #[source]
        source: Cause,
    },

    /// tokenizer.json cannot be loaded.
    #[error("invalid tokenizer {}: {source}", path.display())]
    InvalidTokenizer {
        path: PathBuf,
        #[source]
        source: Cause,
    },

    /// The tokenizer can produce ids the model has no embedding for.
    #[error("tokenizer {} has {tokenizer_vocab} tokens but the model's vocab_size is {model_vocab}", path.display())]
    TokenizerMismatch {
        path: PathBuf,
        tokenizer_vocab: usize,
        model_vocab: usize,
    },

    /// Tokenization or the forward pass failed (or panicked).
    #[error("inference failed: {context}")]
    InferenceFailed {
        context: String,
        #[source]
        source: Option<Cause>,
    },
}

impl Error {
    /// The stable, machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Error::ModelFilesMissing { .. } => "MODEL_FILES_MISSING",
            Error::UnsupportedModel { .. } => "UNSUPPORTED_MODEL",
            Error::InvalidConfig { .. } => "INVALID_CONFIG",
            Error::InvalidArgument(_) => "INVALID_ARGUMENT",
            Error::CorruptWeights { .. } => "CORRUPT_WEIGHTS",
            Error::InvalidTokenizer { .. } => "INVALID_TOKENIZER",
            Error::TokenizerMismatch { .. } => "TOKENIZER_MISMATCH",
            Error::InferenceFailed { .. } => "INFERENCE_FAILED",
        }
    }

    /// An inference failure caused by `source`, with what was being done.
    pub fn inference(context: impl Into<String>, source: impl Into<Cause>) -> Self {
        Error::InferenceFailed {
            context: context.into(),
            source: Some(source.into()),
        }
    }

    /// An invalid option: `name` was `value`, and these are the valid ones.
    pub fn invalid_choice(name: &str, value: usize, valid: &[usize]) -> Self {
        let valid: Vec<String> = valid.iter().map(usize::to_string).collect();
        Error::InvalidArgument(format!(
            "{name} {value} is not available for this model; valid: {}",
            valid.join(", ")
        ))
    }
}

/// Tensor errors raised inside a forward pass are inference failures.
impl From<candle_core::Error> for Error {
    fn from(e: candle_core::Error) -> Self {
        Error::inference("forward pass", e)
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 file".to_string()
    } else {
        format!("{n} files")
    }
}
