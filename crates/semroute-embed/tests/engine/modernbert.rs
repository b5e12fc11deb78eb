//! ModernBERT: parity with transformers on a tiny random checkpoint with local (sliding-window)
//! and global layers, 2D Matryoshka (early exit + truncation), batch == single, invalid choices.

use crate::common::*;
use semroute_embed::{Architecture, Embedder, EmbedderOptions};

fn load(layer: Option<usize>, dim: Option<usize>) -> semroute_embed::Result<Embedder> {
    Embedder::load(
        fixture("tiny-modernbert"),
        EmbedderOptions {
            layer,
            dim,
            ..Default::default()
        },
    )
}

fn reference() -> Reference {
    Reference::load(fixture("tiny-modernbert").join("reference.json"))
}

#[test]
fn tiny_modernbert_matches_transformers() {
    let embedder = load(None, None).unwrap();
    let reference = reference();
    let texts = reference.strings("texts");
    let ids = reference.ids("token_ids");
    for (text, want) in texts.iter().zip(&ids) {
        assert_eq!(
            &embedder.tokenize(text).unwrap().0,
            want,
            "token ids of {text:?}"
        );
    }
    // The fixture only proves the sliding window if some text is longer than the window.
    let window = reference.0["local_attention"].as_u64().unwrap() as usize;
    assert!(ids.iter().any(|r| r.len() > 4 * window));
    let out = embedder.embed(&texts).unwrap();
    assert_eq!(out.dim, 64);
    assert!(out.truncated.is_empty());
    let want = reference.matrix("embeddings");
    assert_rows_close(&out.data, out.dim, &want, 1e-4, "tiny-modernbert");
    eprintln!(
        "tiny-modernbert max abs diff {}",
        max_abs_diff(&out.data, &want.concat())
    );
}

#[test]
fn tiny_modernbert_batch_equals_single() {
    let embedder = load(None, None).unwrap();
    assert_batch_equals_single(&embedder, &reference().strings("texts"));
}

#[test]
fn matryoshka_layer_and_dim_match_transformers() {
    let reference = reference();
    let texts = reference.strings("texts");
    let cases = reference.0["matryoshka"].as_array().unwrap();
    assert!(
        cases.iter().any(|c| c["layer"].as_u64() == Some(2)),
        "an early exit is covered"
    );
    for case in cases {
        let layer = case["layer"].as_u64().unwrap() as usize;
        let dim = case["dim"].as_u64().unwrap() as usize;
        let embedder = load(Some(layer), Some(dim)).unwrap();
        assert_eq!(embedder.info().dim, dim);
        let out = embedder.embed(&texts).unwrap();
        assert_eq!(out.dim, dim);
        let what = format!("layer {layer} dim {dim}");
        let want = matrix(&case["embeddings"]);
        assert_rows_close(&out.data, dim, &want, 1e-4, &what);
        eprintln!(
            "tiny-modernbert {what} max abs diff {}",
            max_abs_diff(&out.data, &want.concat())
        );
        assert_batch_equals_single(&embedder, &texts);
    }
}

#[test]
fn early_exit_differs_from_full_depth() {
    // Guards against an exit layer being accepted but ignored.
    let texts = ["a short text", "another, slightly longer text to embed"];
    let full = load(None, Some(16)).unwrap().embed(&texts).unwrap();
    let early = load(Some(2), Some(16)).unwrap().embed(&texts).unwrap();
    assert!(max_abs_diff(&full.data, &early.data) > 1e-2);
}

#[test]
fn info_lists_layers_and_dims() {
    let info = load(None, None).unwrap().info();
    assert_eq!(info.architecture, Architecture::ModernBert);
    assert_eq!(info.dim, 64);
    assert_eq!(info.max_seq_len, 96);
    assert!(info.supports_batched);
    assert_eq!(info.layers, Some(vec![2, 4]));
    assert_eq!(info.dims, Some(vec![64, 32, 16]));
}

#[test]
fn impossible_layer_or_dim_is_invalid_argument_listing_valid_ones() {
    let err = load(Some(3), None).err().expect("layer 3 is not an exit");
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let msg = err.to_string();
    assert!(msg.contains("layer 3") && msg.contains("2, 4"), "{msg}");

    let err = load(None, Some(48)).err().expect("48 is not a width");
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let msg = err.to_string();
    assert!(
        msg.contains("dim 48") && msg.contains("64, 32, 16"),
        "{msg}"
    );

    assert_eq!(
        load(Some(0), None).err().unwrap().code(),
        "INVALID_ARGUMENT"
    );
    assert_eq!(
        load(None, Some(128)).err().unwrap().code(),
        "INVALID_ARGUMENT"
    );
}

#[test]
fn transformers_5_config_style_gives_the_same_model() {
    // The fixture's config uses the checkpoint style (global_attn_every_n_layers, *_rope_theta);
    // transformers 5.x writes layer_types + rope_parameters instead. Both must load alike.
    let tmp = fixture_with_config("tiny-modernbert", |c| {
        let o = c.as_object_mut().unwrap();
        for key in [
            "global_attn_every_n_layers",
            "global_rope_theta",
            "local_rope_theta",
        ] {
            o.remove(key);
        }
        o.insert(
            "layer_types".into(),
            serde_json::json!([
                "full_attention",
                "sliding_attention",
                "full_attention",
                "sliding_attention"
            ]),
        );
        o.insert(
            "rope_parameters".into(),
            serde_json::json!({
                "full_attention": {"rope_type": "default", "rope_theta": 160000.0},
                "sliding_attention": {"rope_type": "default", "rope_theta": 10000.0}
            }),
        );
    });
    let reference = reference();
    let embedder = Embedder::load(tmp.path(), EmbedderOptions::default()).unwrap();
    let out = embedder.embed(&reference.strings("texts")).unwrap();
    assert_rows_close(
        &out.data,
        out.dim,
        &reference.matrix("embeddings"),
        1e-4,
        "5.x config",
    );

    // And a wrong local theta is visible (the thetas are really read).
    let swapped = fixture_with_config("tiny-modernbert", |c| {
        c["local_rope_theta"] = serde_json::json!(10.0);
    });
    let out = Embedder::load(swapped.path(), EmbedderOptions::default())
        .unwrap()
        .embed(&reference.strings("texts"))
        .unwrap();
    let want: Vec<f32> = reference.matrix("embeddings").concat();
    let d = max_abs_diff(&out.data, &want);
    assert!(
        d > 1e-3,
        "local theta 10 vs 10000 changed the output by only {d}"
    );

    // And the sliding window is really applied: a window wider than every text changes the output.
    let unwindowed = fixture_with_config("tiny-modernbert", |c| {
        c["local_attention"] = serde_json::json!(256);
    });
    let out = Embedder::load(unwindowed.path(), EmbedderOptions::default())
        .unwrap()
        .embed(&reference.strings("texts"))
        .unwrap();
    let d = max_abs_diff(&out.data, &want);
    assert!(
        d > 1e-3,
        "dropping the window changed the output by only {d}"
    );
}
