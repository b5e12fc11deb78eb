//! Checks a Hugging Face model directory before anything is loaded: every file the model needs
//! must be present and readable, and all that are not are reported together in one error.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::pooling::Pooling;
use crate::{Error, Result};

/// The files of a model directory, all checked readable.
#[derive(Debug, Clone)]
pub struct ModelFiles {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub tokenizer: PathBuf,
    /// One file, or every shard named by model.safetensors.index.json.
    pub weights: Vec<PathBuf>,
    /// Pooling declared by sentence-transformers' modules.json + its Pooling module config, if any.
    pub pooling: Option<Pooling>,
    /// sentence-transformers' `max_seq_length` (sentence_bert_config.json), if any.
    pub max_seq_length: Option<usize>,
}

const CONFIG: &str = "config.json";
const TOKENIZER: &str = "tokenizer.json";
const WEIGHTS: &str = "model.safetensors";
const WEIGHTS_INDEX: &str = "model.safetensors.index.json";

/// Checks `dir` and returns its files, or one `MODEL_FILES_MISSING` error listing every missing file.
pub fn check(dir: &Path) -> Result<ModelFiles> {
    let mut missing = Vec::new();
    let mut need = |name: &str| {
        let path = dir.join(name);
        if !readable(&path) {
            missing.push(name.to_string());
        }
        path
    };
    let config = need(CONFIG);
    let tokenizer = need(TOKENIZER);

    let weights = if readable(&dir.join(WEIGHTS)) || !dir.join(WEIGHTS_INDEX).exists() {
        vec![need(WEIGHTS)]
    } else {
        let index = need(WEIGHTS_INDEX);
        match shard_names(&index) {
            Ok(names) => names.iter().map(|n| need(n)).collect(),
            Err(e) => return Err(e),
        }
    };

    let modules = dir.join("modules.json");
    let pooling_dir = if modules.exists() {
        pooling_module_path(&modules)?
    } else {
        None
    };
    let pooling_config = pooling_dir.map(|sub| need(&format!("{sub}/config.json")));

    if !missing.is_empty() {
        return Err(Error::ModelFilesMissing {
            dir: dir.to_path_buf(),
            missing,
        });
    }
    let pooling = match pooling_config {
        Some(path) => Some(read_pooling(&path)?),
        None => None,
    };
    let max_seq_length = read_max_seq_length(&dir.join("sentence_bert_config.json"))?;
    Ok(ModelFiles {
        dir: dir.to_path_buf(),
        config,
        tokenizer,
        weights,
        pooling,
        max_seq_length,
    })
}

fn readable(path: &Path) -> bool {
    path.is_file() && File::open(path).is_ok()
}

fn invalid(path: &Path, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
    Error::InvalidConfig {
        path: path.to_path_buf(),
        source: source.into(),
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| invalid(path, e))?;
    serde_json::from_str(&text).map_err(|e| invalid(path, e))
}

/// Shard file names listed in a sharded-checkpoint index, deduplicated, in order.
fn shard_names(index: &Path) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Index {
        weight_map: std::collections::HashMap<String, String>,
    }
    let idx: Index = read_json(index)?;
    let names: BTreeSet<String> = idx.weight_map.into_values().collect();
    Ok(names.into_iter().collect())
}

/// The sub-directory of the sentence-transformers Pooling module, when modules.json has one.
fn pooling_module_path(modules: &Path) -> Result<Option<String>> {
    #[derive(Deserialize)]
    struct Module {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        path: String,
    }
    let list: Vec<Module> = read_json(modules)?;
    Ok(list
        .into_iter()
        .find(|m| m.kind.ends_with(".Pooling"))
        .map(|m| m.path))
}

/// Pooling named by a sentence-transformers Pooling config (exactly one mode must be on).
fn read_pooling(path: &Path) -> Result<Pooling> {
    #[derive(Deserialize)]
    struct PoolingConfig {
        #[serde(default)]
        pooling_mode_cls_token: bool,
        #[serde(default)]
        pooling_mode_mean_tokens: bool,
        #[serde(default)]
        pooling_mode_max_tokens: bool,
        #[serde(default)]
        pooling_mode_mean_sqrt_len_tokens: bool,
        #[serde(default)]
        pooling_mode_weightedmean_tokens: bool,
        #[serde(default)]
        pooling_mode_lasttoken: bool,
    }
    let c: PoolingConfig = read_json(path)?;
    let unsupported = |what: &str| Error::UnsupportedModel {
        path: path.to_path_buf(),
        reason: format!("{what} pooling is not supported (cls, mean, lasttoken are)"),
    };
    if c.pooling_mode_max_tokens {
        return Err(unsupported("max"));
    }
    if c.pooling_mode_mean_sqrt_len_tokens {
        return Err(unsupported("mean_sqrt_len"));
    }
    if c.pooling_mode_weightedmean_tokens {
        return Err(unsupported("weightedmean"));
    }
    match (
        c.pooling_mode_cls_token,
        c.pooling_mode_mean_tokens,
        c.pooling_mode_lasttoken,
    ) {
        (true, false, false) => Ok(Pooling::Cls),
        (false, true, false) => Ok(Pooling::Mean),
        (false, false, true) => Ok(Pooling::LastToken),
        (false, false, false) => Err(unsupported("no")),
        _ => Err(unsupported("concatenated multi-mode")),
    }
}

fn read_max_seq_length(path: &Path) -> Result<Option<usize>> {
    #[derive(Deserialize)]
    struct SentenceBertConfig {
        max_seq_length: Option<usize>,
    }
    if !path.exists() {
        return Ok(None);
    }
    Ok(read_json::<SentenceBertConfig>(path)?.max_seq_length)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_missing_file_and_the_dir() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), "{}").unwrap();
        let err = check(dir.path()).unwrap_err();
        assert_eq!(err.code(), "MODEL_FILES_MISSING");
        let Error::ModelFilesMissing { dir: d, missing } = &err else {
            panic!("{err}")
        };
        assert_eq!(d, dir.path());
        assert_eq!(missing, &vec!["tokenizer.json", "model.safetensors"]);
        assert!(err.to_string().contains(&dir.path().display().to_string()));
    }

    #[test]
    fn pooling_module_config_is_required_when_declared() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["config.json", "tokenizer.json", "model.safetensors"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        std::fs::write(
            dir.path().join("modules.json"),
            r#"[{"type":"sentence_transformers.models.Pooling","path":"1_Pooling"}]"#,
        )
        .unwrap();
        let err = check(dir.path()).unwrap_err();
        assert!(err.to_string().contains("1_Pooling/config.json"), "{err}");
        std::fs::create_dir(dir.path().join("1_Pooling")).unwrap();
        std::fs::write(
            dir.path().join("1_Pooling/config.json"),
            r#"{"pooling_mode_cls_token":true}"#,
        )
        .unwrap();
        assert_eq!(check(dir.path()).unwrap().pooling, Some(Pooling::Cls));
    }

    #[test]
    fn sharded_index_lists_missing_shards() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["config.json", "tokenizer.json"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        std::fs::write(
            dir.path().join(WEIGHTS_INDEX),
            r#"{"weight_map":{"a":"model-00001.safetensors","b":"model-00002.safetensors"}}"#,
        )
        .unwrap();
        std::fs::write(dir.path().join("model-00001.safetensors"), "x").unwrap();
        let err = check(dir.path()).unwrap_err();
        let Error::ModelFilesMissing { missing, .. } = err else {
            panic!()
        };
        assert_eq!(missing, vec!["model-00002.safetensors"]);
    }
}
