//! What every architecture's loader shares: finding the weights under an optional checkpoint
//! prefix, and load errors that name the real files.

use std::path::PathBuf;

use candle_nn::VarBuilder;

use crate::Error;

/// The files a model is loaded from; load errors name them.
#[derive(Debug, Clone, Default)]
pub struct ModelPaths {
    /// config.json.
    pub config: PathBuf,
    /// The weights (the first shard when there are several).
    pub weights: PathBuf,
}

impl ModelPaths {
    /// A tensor the config calls for is missing, or has the wrong shape or dtype.
    pub fn corrupt_weights(&self, e: candle_core::Error) -> Error {
        Error::CorruptWeights {
            path: self.weights.clone(),
            source: e.into(),
        }
    }

    /// config.json holds values that contradict each other.
    pub fn invalid_config(&self, reason: String) -> Error {
        Error::InvalidConfig {
            path: self.config.clone(),
            source: reason.into(),
        }
    }

    /// config.json asks for a variant this engine does not implement.
    pub fn unsupported(&self, reason: String) -> Error {
        Error::UnsupportedModel {
            path: self.config.clone(),
            reason,
        }
    }
}

/// `vb` scoped under `prefix` when the checkpoint stores its tensors there (`probe` names a tensor
/// relative to the prefix, e.g. `bert.` + `embeddings.word_embeddings.weight`), else `vb` itself.
pub fn strip_prefix<'a>(vb: VarBuilder<'a>, prefix: &str, probe: &str) -> VarBuilder<'a> {
    if vb.contains_tensor(&format!("{prefix}.{probe}")) {
        vb.pp(prefix)
    } else {
        vb
    }
}
