//! config.json parsed once into a closed enum tagged by `model_type`. Nothing downstream sees raw JSON.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::{Error, Result};

/// The architectures this engine implements, with their parsed configs.
#[derive(Debug, Clone)]
pub enum ModelConfig {
    Bert(BertConfig),
    /// XLM-RoBERTa takes BERT's config keys; only its embeddings differ (models/xlm_roberta.rs).
    XlmRoberta(BertConfig),
    ModernBert(ModernBertConfig),
    Qwen3(Qwen3Config),
}

/// The public name of an architecture family (what `info().architecture` reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Architecture {
    Bert,
    XlmRoberta,
    ModernBert,
    Qwen3,
}

impl Architecture {
    /// Lower-case name as exposed to callers: `bert`, `xlm-roberta`, `modernbert`, `qwen3`.
    pub fn as_str(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::XlmRoberta => "xlm-roberta",
            Architecture::ModernBert => "modernbert",
            Architecture::Qwen3 => "qwen3",
        }
    }
}

impl ModelConfig {
    /// Reads and parses `path` (a config.json).
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidConfig {
            path: path.to_path_buf(),
            source: e.into(),
        })?;
        Self::from_json(&text, path)
    }

    /// Parses config.json text; `path` is only used in error messages.
    pub fn from_json(text: &str, path: &Path) -> Result<Self> {
        #[derive(Deserialize)]
        struct Tag {
            model_type: Option<String>,
        }
        let invalid = |e: serde_json::Error| Error::InvalidConfig {
            path: path.to_path_buf(),
            source: e.into(),
        };
        let tag: Tag = serde_json::from_str(text).map_err(invalid)?;
        let Some(model_type) = tag.model_type else {
            return Err(Error::UnsupportedModel {
                path: path.to_path_buf(),
                reason: "config.json has no model_type".into(),
            });
        };
        match model_type.as_str() {
            "bert" => {
                let cfg: BertConfig = serde_json::from_str(text).map_err(invalid)?;
                cfg.check(path)?;
                Ok(ModelConfig::Bert(cfg))
            }
            "xlm-roberta" => {
                let cfg: BertConfig = serde_json::from_str(text).map_err(invalid)?;
                cfg.check(path)?;
                Ok(ModelConfig::XlmRoberta(cfg))
            }
            "modernbert" => Ok(ModelConfig::ModernBert(
                serde_json::from_str(text).map_err(invalid)?,
            )),
            "qwen3" => Ok(ModelConfig::Qwen3(
                serde_json::from_str(text).map_err(invalid)?,
            )),
            other => Err(Error::UnsupportedModel {
                path: path.to_path_buf(),
                reason: format!(
                    "model_type `{other}` is not supported (supported: bert, xlm-roberta, modernbert, qwen3)"
                ),
            }),
        }
    }

    /// Which family this config belongs to.
    pub fn architecture(&self) -> Architecture {
        match self {
            ModelConfig::Bert(_) => Architecture::Bert,
            ModelConfig::XlmRoberta(_) => Architecture::XlmRoberta,
            ModelConfig::ModernBert(_) => Architecture::ModernBert,
            ModelConfig::Qwen3(_) => Architecture::Qwen3,
        }
    }

    /// The model's vocabulary size (token ids must stay below it).
    pub fn vocab_size(&self) -> usize {
        match self {
            ModelConfig::Bert(c) | ModelConfig::XlmRoberta(c) => c.vocab_size,
            ModelConfig::ModernBert(c) => c.vocab_size,
            ModelConfig::Qwen3(c) => c.vocab_size,
        }
    }
}

/// Hidden activation named in a config (`hidden_act` / `hidden_activation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// Exact erf GELU (transformers' "gelu").
    Gelu,
    /// Tanh approximation of GELU.
    #[serde(alias = "gelu_pytorch_tanh", alias = "gelu_fast")]
    GeluNew,
    Relu,
    Silu,
    #[serde(alias = "swish")]
    Swish,
}

/// BERT-family encoder (bert, xlm-roberta): all-MiniLM-L6-v2, bge-small, multilingual-e5, ...
#[derive(Debug, Clone, Deserialize)]
pub struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    pub hidden_act: Activation,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_ln_eps")]
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub pad_token_id: u32,
    #[serde(default = "default_position_embedding_type")]
    pub position_embedding_type: String,
}

impl BertConfig {
    fn check(&self, path: &Path) -> Result<()> {
        if self.position_embedding_type != "absolute" {
            return Err(Error::UnsupportedModel {
                path: path.to_path_buf(),
                reason: format!(
                    "bert position_embedding_type `{}` is not supported (only `absolute`)",
                    self.position_embedding_type
                ),
            });
        }
        if self.num_attention_heads == 0
            || !self.hidden_size.is_multiple_of(self.num_attention_heads)
        {
            return Err(Error::InvalidConfig {
                path: path.to_path_buf(),
                source: format!(
                    "hidden_size {} is not divisible by num_attention_heads {}",
                    self.hidden_size, self.num_attention_heads
                )
                .into(),
            });
        }
        Ok(())
    }
}

fn default_type_vocab() -> usize {
    2
}
fn default_ln_eps() -> f64 {
    1e-12
}
fn default_position_embedding_type() -> String {
    "absolute".into()
}

/// RoPE parameters as transformers 5.x writes them: either one flat set, or one per layer type
/// (`full_attention` / `sliding_attention` for ModernBERT).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RopeParameters {
    Flat(RopeParams),
    PerLayerType(HashMap<String, RopeParams>),
}

/// One RoPE parameter set.
#[derive(Debug, Clone, Deserialize)]
pub struct RopeParams {
    pub rope_theta: f64,
    #[serde(default)]
    pub rope_type: Option<String>,
}

impl RopeParameters {
    /// The first RoPE type other than `default` (scaled RoPE, which this engine does not implement).
    pub fn scaled_type(&self) -> Option<&str> {
        fn scaled(p: &RopeParams) -> Option<&str> {
            p.rope_type.as_deref().filter(|t| *t != "default")
        }
        match self {
            RopeParameters::Flat(p) => scaled(p),
            RopeParameters::PerLayerType(m) => m.values().find_map(scaled),
        }
    }

    /// Theta for `layer_type` (flat parameters apply to every layer type).
    pub fn theta_for(&self, layer_type: &str) -> Option<f64> {
        match self {
            RopeParameters::Flat(p) => Some(p.rope_theta),
            RopeParameters::PerLayerType(m) => m.get(layer_type).map(|p| p.rope_theta),
        }
    }
}

/// ModernBERT / mmBERT encoder (model_type `modernbert`).
#[derive(Debug, Clone, Deserialize)]
pub struct ModernBertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    #[serde(default = "default_modernbert_eps")]
    pub norm_eps: f64,
    #[serde(default)]
    pub norm_bias: bool,
    pub max_position_embeddings: usize,
    #[serde(default = "default_global_every")]
    pub global_attn_every_n_layers: usize,
    #[serde(default = "default_local_attention")]
    pub local_attention: usize,
    #[serde(default)]
    pub global_rope_theta: Option<f64>,
    #[serde(default)]
    pub local_rope_theta: Option<f64>,
    #[serde(default)]
    pub rope_parameters: Option<RopeParameters>,
    /// Checkpoint-style RoPE scaling (YaRN, linear, ...); only its absence is supported.
    #[serde(default)]
    pub rope_scaling: Option<serde_json::Value>,
    /// transformers 5.x: explicit per-layer kinds (`full_attention` / `sliding_attention`).
    #[serde(default)]
    pub layer_types: Option<Vec<String>>,
    #[serde(default)]
    pub pad_token_id: Option<u32>,
    #[serde(default = "default_modernbert_act")]
    pub hidden_activation: Activation,
    #[serde(default)]
    pub attention_bias: bool,
    #[serde(default)]
    pub mlp_bias: bool,
    /// 2D Matryoshka: layers the checkpoint may exit at (None = every layer; see models/modernbert.rs).
    #[serde(default)]
    pub matryoshka_layers: Option<Vec<usize>>,
    /// 2D Matryoshka: widths the output may be truncated to (None = a default ladder).
    #[serde(default)]
    pub matryoshka_dims: Option<Vec<usize>>,
}

impl ModernBertConfig {
    /// RoPE theta of global (full-attention) layers: `rope_parameters` first, then `global_rope_theta`.
    pub fn global_theta(&self) -> f64 {
        self.rope_parameters
            .as_ref()
            .and_then(|r| r.theta_for("full_attention"))
            .or(self.global_rope_theta)
            .unwrap_or(160_000.0)
    }

    /// RoPE theta of local (sliding-window) layers: `rope_parameters` first, then `local_rope_theta`.
    pub fn local_theta(&self) -> f64 {
        self.rope_parameters
            .as_ref()
            .and_then(|r| r.theta_for("sliding_attention"))
            .or(self.local_rope_theta)
            .unwrap_or(10_000.0)
    }
}

fn default_modernbert_eps() -> f64 {
    1e-5
}
fn default_global_every() -> usize {
    3
}
fn default_local_attention() -> usize {
    128
}
fn default_modernbert_act() -> Activation {
    Activation::Gelu
}

/// Qwen3 / Qwen3-Embedding decoder used as an encoder (model_type `qwen3`).
#[derive(Debug, Clone, Deserialize)]
pub struct Qwen3Config {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    #[serde(default)]
    pub head_dim: Option<usize>,
    pub max_position_embeddings: usize,
    #[serde(default = "default_rms_eps")]
    pub rms_norm_eps: f64,
    #[serde(default)]
    pub rope_theta: Option<f64>,
    #[serde(default)]
    pub rope_parameters: Option<RopeParameters>,
    /// Checkpoint-style RoPE scaling (YaRN, linear, ...); only its absence is supported.
    #[serde(default)]
    pub rope_scaling: Option<serde_json::Value>,
    #[serde(default = "default_qwen_act")]
    pub hidden_act: Activation,
    #[serde(default)]
    pub attention_bias: bool,
    #[serde(default)]
    pub eos_token_id: Option<u32>,
    #[serde(default)]
    pub pad_token_id: Option<u32>,
}

impl Qwen3Config {
    /// RoPE theta: `rope_parameters` first, then `rope_theta`.
    pub fn theta(&self) -> f64 {
        self.rope_parameters
            .as_ref()
            .and_then(|r| r.theta_for("full_attention"))
            .or(self.rope_theta)
            .unwrap_or(1_000_000.0)
    }

    /// Per-head width (`head_dim`, else hidden / heads).
    pub fn head_dim(&self) -> usize {
        self.head_dim
            .unwrap_or(self.hidden_size / self.num_attention_heads.max(1))
    }
}

fn default_rms_eps() -> f64 {
    1e-6
}
fn default_qwen_act() -> Activation {
    Activation::Silu
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_minilm_style_bert() {
        let json = r#"{"model_type":"bert","vocab_size":30522,"hidden_size":384,"num_hidden_layers":6,
            "num_attention_heads":12,"intermediate_size":1536,"hidden_act":"gelu","max_position_embeddings":512}"#;
        let cfg = ModelConfig::from_json(json, Path::new("config.json")).unwrap();
        assert_eq!(cfg.architecture(), Architecture::Bert);
        assert_eq!(cfg.vocab_size(), 30522);
    }

    #[test]
    fn parses_e5_style_xlm_roberta() {
        let json = r#"{"model_type":"xlm-roberta","vocab_size":250037,"hidden_size":384,"num_hidden_layers":12,
            "num_attention_heads":12,"intermediate_size":1536,"hidden_act":"gelu","max_position_embeddings":514,
            "type_vocab_size":1,"pad_token_id":1,"bos_token_id":0,"eos_token_id":2,"layer_norm_eps":1e-5}"#;
        let cfg = ModelConfig::from_json(json, Path::new("config.json")).unwrap();
        assert_eq!(cfg.architecture(), Architecture::XlmRoberta);
        assert_eq!(cfg.architecture().as_str(), "xlm-roberta");
        let ModelConfig::XlmRoberta(c) = cfg else {
            panic!()
        };
        assert_eq!((c.pad_token_id, c.type_vocab_size), (1, 1));
    }

    #[test]
    fn unknown_model_type_names_it() {
        let err = ModelConfig::from_json(r#"{"model_type":"t5"}"#, Path::new("x/config.json"))
            .unwrap_err();
        assert_eq!(err.code(), "UNSUPPORTED_MODEL");
        assert!(err.to_string().contains("`t5`"), "{err}");
    }

    #[test]
    fn rope_parameters_both_layouts() {
        let flat: RopeParameters = serde_json::from_str(r#"{"rope_theta":5.0}"#).unwrap();
        assert_eq!(flat.theta_for("full_attention"), Some(5.0));
        let per: RopeParameters = serde_json::from_str(
            r#"{"full_attention":{"rope_theta":1.0},"sliding_attention":{"rope_theta":2.0}}"#,
        )
        .unwrap();
        assert_eq!(per.theta_for("sliding_attention"), Some(2.0));
    }
}
