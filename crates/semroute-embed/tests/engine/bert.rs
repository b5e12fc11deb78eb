//! BERT: parity with transformers on a tiny random checkpoint, sentence-transformers parity with
//! the real all-MiniLM-L6-v2, batch == single, truncation reporting.

use crate::common::*;
use semroute_embed::{Architecture, Embedder, EmbedderOptions};

fn tiny() -> (Embedder, Reference) {
    let dir = fixture("tiny-bert");
    let embedder = Embedder::load(&dir, EmbedderOptions::default()).unwrap();
    (embedder, Reference::load(dir.join("reference.json")))
}

#[test]
fn tiny_bert_matches_transformers() {
    let (embedder, reference) = tiny();
    let texts = reference.strings("texts");
    for (text, want) in texts.iter().zip(reference.ids("token_ids")) {
        assert_eq!(
            embedder.tokenize(text).unwrap().0,
            want,
            "token ids of {text:?}"
        );
    }
    let out = embedder.embed(&texts).unwrap();
    assert_eq!(out.dim, 32);
    assert_eq!(out.truncated, reference.usizes("truncated"));
    assert_rows_close(
        &out.data,
        out.dim,
        &reference.matrix("embeddings"),
        1e-4,
        "tiny-bert",
    );
}

#[test]
fn tiny_bert_info_tells_the_truth() {
    let (embedder, _) = tiny();
    let info = embedder.info();
    assert_eq!(info.architecture, Architecture::Bert);
    assert_eq!(info.dim, 32);
    assert_eq!(info.max_seq_len, 48);
    assert!(info.supports_batched);
    assert_eq!(info.layers, None);
}

#[test]
fn tiny_bert_batch_equals_single() {
    let (embedder, reference) = tiny();
    assert_batch_equals_single(&embedder, &reference.strings("texts"));
}

#[test]
fn chunking_does_not_change_results() {
    let dir = fixture("tiny-bert");
    let texts = Reference::load(dir.join("reference.json")).strings("texts");
    let whole = Embedder::load(&dir, EmbedderOptions::default()).unwrap();
    let chunked = Embedder::load(
        &dir,
        EmbedderOptions {
            max_batch: 2,
            threads: Some(1),
            ..Default::default()
        },
    )
    .unwrap();
    let a = whole.embed(&texts).unwrap();
    let b = chunked.embed(&texts).unwrap();
    assert!(max_abs_diff(&a.data, &b.data) <= 1e-4);
    assert_eq!(a.truncated, b.truncated);
}

#[test]
fn unnormalized_output_is_not_unit_length() {
    let dir = fixture("tiny-bert");
    let raw = Embedder::load(
        &dir,
        EmbedderOptions {
            normalize: false,
            ..Default::default()
        },
    )
    .unwrap();
    let out = raw.embed(&["hello"]).unwrap();
    let norm: f32 = out.data.iter().map(|v| v * v).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() > 1e-3, "norm {norm}");
}

#[test]
fn empty_input_gives_empty_output() {
    let (embedder, _) = tiny();
    let out = embedder.embed::<&str>(&[]).unwrap();
    assert!(out.data.is_empty());
    assert_eq!(out.dim, 32);
}

#[test]
fn minilm_matches_sentence_transformers() {
    let dir = require_model("all-MiniLM-L6-v2");
    let reference = Reference::load(fixture("minilm_reference.json"));
    let embedder = Embedder::load(&dir, EmbedderOptions::default()).unwrap();
    let info = embedder.info();
    assert_eq!((info.dim, info.max_seq_len), (384, 256));
    let texts = reference.strings("texts");
    for (text, mut want) in texts.iter().zip(reference.ids("token_ids")) {
        // The reference was tokenized with tokenizer.json's fixed padding to 128: drop the [PAD]s.
        while want.last() == Some(&0) {
            want.pop();
        }
        assert_eq!(
            embedder.tokenize(text).unwrap().0,
            want,
            "token ids of {text:?}"
        );
    }
    let out = embedder.embed(&texts).unwrap();
    for (i, (row, want)) in out
        .data
        .chunks_exact(384)
        .zip(reference.matrix("embeddings"))
        .enumerate()
    {
        let c = cosine(row, &want);
        assert!(c >= 0.9999, "text {i}: cosine {c} < 0.9999");
    }
    assert_batch_equals_single(&embedder, &texts);
}

#[test]
fn minilm_reports_truncation_of_long_inputs() {
    let dir = require_model("all-MiniLM-L6-v2");
    let embedder = Embedder::load(&dir, EmbedderOptions::default()).unwrap();
    let long = "word ".repeat(400);
    let out = embedder
        .embed(&["short", long.as_str(), "also short"])
        .unwrap();
    assert_eq!(out.truncated, vec![1]);
    assert_eq!(embedder.tokenize(&long).unwrap().0.len(), 256);
}
