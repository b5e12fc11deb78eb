//! Qwen3-Embedding: parity with transformers on a tiny random checkpoint (GQA), end-of-text
//! appended, left padding, last-token pooling, instruction prefix, batch == single.

use crate::common::*;
use semroute_embed::{Architecture, Embedder, EmbedderOptions};

fn load(instruction: Option<&str>) -> Embedder {
    Embedder::load(
        fixture("tiny-qwen3"),
        EmbedderOptions {
            instruction: instruction.map(str::to_string),
            ..Default::default()
        },
    )
    .unwrap()
}

fn reference() -> Reference {
    Reference::load(fixture("tiny-qwen3").join("reference.json"))
}

#[test]
fn tiny_qwen3_matches_transformers() {
    let embedder = load(None);
    let reference = reference();
    let texts = reference.strings("texts");
    let eot = reference.0["end_of_text_id"].as_u64().unwrap() as u32;
    for (text, want) in texts.iter().zip(reference.ids("token_ids")) {
        let got = embedder.tokenize(text).unwrap().0;
        assert_eq!(got.last(), Some(&eot), "end-of-text appended to {text:?}");
        assert_eq!(got, want, "token ids of {text:?}");
    }
    let out = embedder.embed(&texts).unwrap();
    assert_eq!(out.dim, 64);
    assert_eq!(out.truncated, reference.usizes("truncated"));
    let want = reference.matrix("embeddings");
    assert_rows_close(&out.data, out.dim, &want, 1e-4, "tiny-qwen3");
    eprintln!(
        "tiny-qwen3 max abs diff {}",
        max_abs_diff(&out.data, &want.concat())
    );
}

#[test]
fn tiny_qwen3_instruction_prefix_matches_transformers() {
    let reference = reference();
    let embedder = load(Some(reference.0["instruction"].as_str().unwrap()));
    let texts = reference.strings("texts");
    for (text, want) in texts.iter().zip(reference.ids("instructed_token_ids")) {
        assert_eq!(
            embedder.tokenize(text).unwrap().0,
            want,
            "instructed ids of {text:?}"
        );
    }
    let out = embedder.embed(&texts).unwrap();
    assert_eq!(out.truncated, reference.usizes("instructed_truncated"));
    assert!(
        !out.truncated.is_empty(),
        "the fixture covers truncation with end-of-text kept"
    );
    let want = reference.matrix("instructed_embeddings");
    assert_rows_close(&out.data, out.dim, &want, 1e-4, "tiny-qwen3 instructed");
    eprintln!(
        "tiny-qwen3 instructed max abs diff {}",
        max_abs_diff(&out.data, &want.concat())
    );
    // The instruction must change the vectors (otherwise the test above proves nothing new).
    let plain = load(None).embed(&texts).unwrap();
    assert!(max_abs_diff(&plain.data, &out.data) > 1e-2);
}

#[test]
fn tiny_qwen3_batch_equals_single() {
    let reference = reference();
    assert_batch_equals_single(&load(None), &reference.strings("texts"));
    let instructed = load(Some(reference.0["instruction"].as_str().unwrap()));
    assert_batch_equals_single(&instructed, &reference.strings("texts"));
}

#[test]
fn stateless_repeated_calls_agree() {
    // No cache survives a call: the same input gives the same output after other inputs.
    let embedder = load(None);
    let texts = reference().strings("texts");
    let first = embedder.embed(&texts[..1]).unwrap();
    embedder.embed(&texts[1..]).unwrap();
    let again = embedder.embed(&texts[..1]).unwrap();
    assert_eq!(first.data, again.data);
}

#[test]
fn info_tells_the_truth() {
    let info = load(None).info();
    assert_eq!(info.architecture, Architecture::Qwen3);
    assert_eq!(info.dim, 64);
    assert_eq!(info.max_seq_len, 128);
    assert!(info.supports_batched);
    assert_eq!(info.layers, None);
    assert_eq!(info.dims, None);
}

#[test]
fn early_exit_is_invalid_for_qwen3() {
    let err = Embedder::load(
        fixture("tiny-qwen3"),
        EmbedderOptions {
            layer: Some(1),
            ..Default::default()
        },
    )
    .err()
    .expect("qwen3 has no early exits");
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().contains("valid: 2"), "{err}");
}

#[test]
fn checkpoint_style_rope_theta_gives_the_same_model() {
    // The fixture's config is transformers 5.x style (rope_parameters); released Qwen3-Embedding
    // checkpoints write a top-level rope_theta instead. Both must load alike.
    let tmp = fixture_with_config("tiny-qwen3", |config| {
        let theta = config["rope_parameters"]["rope_theta"].clone();
        assert!(theta.is_number());
        config.as_object_mut().unwrap().remove("rope_parameters");
        config["rope_theta"] = theta;
    });

    let reference = reference();
    let embedder = Embedder::load(tmp.path(), EmbedderOptions::default()).unwrap();
    let out = embedder.embed(&reference.strings("texts")).unwrap();
    assert_rows_close(
        &out.data,
        out.dim,
        &reference.matrix("embeddings"),
        1e-4,
        "rope_theta config",
    );
}
