//! Load-time failures each get their own stable code and name what is wrong.

use std::fs;
use std::path::Path;

use crate::common::fixture;
use semroute_embed::{Embedder, EmbedderOptions, Error};

fn load(dir: &Path) -> Error {
    match Embedder::load(dir, EmbedderOptions::default()) {
        Ok(_) => panic!("{} loaded but should not have", dir.display()),
        Err(e) => e,
    }
}

/// A copy of tiny-bert in a temp dir, for breaking one thing at a time.
fn tiny_copy() -> tempfile::TempDir {
    let src = fixture("tiny-bert");
    let dir = tempfile::tempdir().unwrap();
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    dir
}

#[test]
fn missing_files_are_all_listed_in_one_error() {
    let dir = tiny_copy();
    fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    fs::remove_file(dir.path().join("model.safetensors")).unwrap();
    let err = load(dir.path());
    assert_eq!(err.code(), "MODEL_FILES_MISSING");
    let msg = err.to_string();
    for name in [
        "tokenizer.json",
        "model.safetensors",
        &dir.path().display().to_string(),
    ] {
        assert!(msg.contains(name), "{msg:?} does not name {name}");
    }
    assert!(!msg.contains("config.json"), "{msg}");
}

#[test]
fn a_directory_that_does_not_exist_lists_everything() {
    let err = load(Path::new("/nonexistent/semroute-model"));
    let Error::ModelFilesMissing { missing, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(
        missing,
        &["config.json", "tokenizer.json", "model.safetensors"]
    );
}

#[test]
fn truncated_safetensors_is_corrupt_weights() {
    let dir = tiny_copy();
    let path = dir.path().join("model.safetensors");
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = load(dir.path());
    assert_eq!(err.code(), "CORRUPT_WEIGHTS", "{err}");
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    assert!(std::error::Error::source(&err).is_some(), "cause kept");
}

#[test]
fn garbage_safetensors_is_corrupt_weights() {
    let dir = tiny_copy();
    fs::write(
        dir.path().join("model.safetensors"),
        b"not a safetensors file at all",
    )
    .unwrap();
    assert_eq!(load(dir.path()).code(), "CORRUPT_WEIGHTS");
}

#[test]
fn weights_that_do_not_fit_the_config_are_corrupt_weights() {
    let dir = tiny_copy();
    let cfg = fs::read_to_string(dir.path().join("config.json")).unwrap();
    let cfg = cfg.replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 3");
    fs::write(dir.path().join("config.json"), cfg).unwrap();
    let err = load(dir.path());
    assert_eq!(err.code(), "CORRUPT_WEIGHTS", "{err}");
}

#[test]
fn unsupported_model_type_is_named() {
    let dir = tiny_copy();
    let cfg = fs::read_to_string(dir.path().join("config.json")).unwrap();
    fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"model_type\": \"bert\"", "\"model_type\": \"t5\""),
    )
    .unwrap();
    let err = load(dir.path());
    assert_eq!(err.code(), "UNSUPPORTED_MODEL");
    assert!(err.to_string().contains("`t5`"), "{err}");
}

#[test]
fn malformed_config_is_invalid_config() {
    let dir = tiny_copy();
    fs::write(dir.path().join("config.json"), "{ not json").unwrap();
    let err = load(dir.path());
    assert_eq!(err.code(), "INVALID_CONFIG");
    assert!(err.to_string().contains("config.json"), "{err}");
}

#[test]
fn tokenizer_larger_than_vocab_is_a_mismatch() {
    let dir = tiny_copy();
    let cfg = fs::read_to_string(dir.path().join("config.json")).unwrap();
    fs::write(
        dir.path().join("config.json"),
        cfg.replace("\"vocab_size\": 600", "\"vocab_size\": 100"),
    )
    .unwrap();
    let err = load(dir.path());
    assert_eq!(err.code(), "TOKENIZER_MISMATCH", "{err}");
    assert!(err.to_string().contains("100"), "{err}");
}

#[test]
fn impossible_layer_or_dim_lists_valid_ones() {
    let dir = fixture("tiny-bert");
    let with = |opts: EmbedderOptions| Embedder::load(&dir, opts).err().expect("must fail");
    let err = with(EmbedderOptions {
        layer: Some(1),
        ..Default::default()
    });
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().contains("valid: 2"), "{err}");
    let err = with(EmbedderOptions {
        dim: Some(7),
        ..Default::default()
    });
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().contains("valid: 32"), "{err}");
    let err = with(EmbedderOptions {
        max_batch: 0,
        ..Default::default()
    });
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let err = with(EmbedderOptions {
        instruction: Some("x".into()),
        ..Default::default()
    });
    assert_eq!(err.code(), "INVALID_ARGUMENT");
}
