//! `Precision::Bf16` and `Precision::Int8` (opt-in): for every architecture, the vectors stay
//! within cosine 0.999 of the f32 ones and a text embeds (nearly) the same alone and in a batch; on
//! a CPU without the precision's instructions, loading with it fails and says why.

use std::path::Path;

use crate::common::*;
use semroute_embed::{Embedder, EmbedderOptions, Precision};

fn load(dir: &Path, precision: Precision) -> semroute_embed::Result<Embedder> {
    Embedder::load(
        dir,
        EmbedderOptions {
            precision,
            ..Default::default()
        },
    )
}

/// The lowest cosine between the f32 vectors of `texts` and those in `precision`, after checking
/// batch == single in `precision`. None (after checking the error) where this CPU lacks what
/// `precision` needs.
fn agreement(dir: &Path, texts: &[String], precision: Precision) -> Option<f32> {
    let f32s = load(dir, Precision::F32).unwrap();
    let low = match load(dir, precision) {
        Ok(e) => e,
        Err(e) => {
            assert!(!precision.supported(), "{precision:?} load failed: {e}");
            let msg = e.to_string();
            assert!(
                msg.contains(precision.requirement()) && msg.contains(precision.as_str()),
                "unclear error: {msg}"
            );
            eprintln!("{precision:?} not run on this CPU: checked the load error only ({msg})");
            return None;
        }
    };
    assert_eq!(low.info().precision, precision);
    assert_eq!(f32s.info().precision, Precision::F32);
    batch_equals_single(&low, texts, precision);
    let a = f32s.embed(texts).unwrap();
    let b = low.embed(texts).unwrap();
    assert_eq!(a.dim, b.dim);
    assert_eq!(a.truncated, b.truncated);
    let worst = a
        .data
        .chunks_exact(a.dim)
        .zip(b.data.chunks_exact(b.dim))
        .map(|(x, y)| cosine(x, y))
        .fold(f32::INFINITY, f32::min);
    // Not identical: the products really ran in the other precision.
    assert!(
        max_abs_diff(&a.data, &b.data) > 0.0,
        "{precision:?} gave the f32 vectors"
    );
    Some(worst)
}

/// Batch == single. int8 weights are fixed at load and the arithmetic is f32, so the bound is
/// f32's (1e-4). In bf16 each row's products are the same sums in the same order alone and in a
/// batch, but the f32 parts around them (attention over a padded batch) may differ in the last
/// bit, and rounding to bf16 can turn that into one bf16 step (2^-8 relative) of one element: the
/// bound is looser there, cosine >= 0.99999 and max difference <= 2e-3.
fn batch_equals_single(embedder: &Embedder, texts: &[String], precision: Precision) {
    let bound = if precision == Precision::Bf16 {
        2e-3
    } else {
        1e-4
    };
    let batched = embedder.embed(texts).unwrap();
    let dim = batched.dim;
    for (i, text) in texts.iter().enumerate() {
        let single = embedder.embed(std::slice::from_ref(text)).unwrap();
        let row = &batched.data[i * dim..(i + 1) * dim];
        let (c, d) = (cosine(row, &single.data), max_abs_diff(row, &single.data));
        assert!(
            c >= 0.99999 && d <= bound,
            "{precision:?} text {i}: batch vs single cosine {c}, max difference {d}"
        );
    }
}

fn fixture_texts(name: &str) -> Vec<String> {
    Reference::load(fixture(name).join("reference.json")).strings("texts")
}

#[test]
fn every_architecture_stays_close_to_f32_in_bf16_and_int8() {
    for precision in [Precision::Bf16, Precision::Int8] {
        for name in [
            "tiny-bert",
            "tiny-xlm-roberta",
            "tiny-modernbert",
            "tiny-qwen3",
        ] {
            if let Some(c) = agreement(&fixture(name), &fixture_texts(name), precision) {
                eprintln!("{name} {precision:?}: lowest cosine to f32 {c}");
                assert!(
                    c >= 0.999,
                    "{name} {precision:?}: cosine to f32 {c} < 0.999"
                );
            }
        }
    }
}

#[test]
fn minilm_bf16_and_int8_stay_close_to_f32() {
    let dir = require_model("all-MiniLM-L6-v2");
    let mut texts = Reference::load(fixture("minilm_reference.json")).strings("texts");
    texts.extend(
        [
            "Write a Go HTTP handler that returns the current time as JSON",
            "Who wrote Pride and Prejudice?",
            "Solve for x: 3x + 7 = 22, and explain each step.",
            "My landlord kept my deposit after I moved out; what are my options in California?",
            "hi",
        ]
        .map(String::from),
    );
    texts.push("A long pasted log line that goes on and on. ".repeat(40));
    for precision in [Precision::Bf16, Precision::Int8] {
        if let Some(c) = agreement(&dir, &texts, precision) {
            eprintln!("MiniLM {precision:?}: lowest cosine to f32 {c}");
            assert!(
                c >= 0.999,
                "MiniLM {precision:?}: cosine to f32 {c} < 0.999"
            );
        }
    }
}

#[test]
fn precision_names_parse_and_bad_ones_are_named() {
    assert_eq!(Precision::parse("f32").unwrap(), Precision::F32);
    assert_eq!(Precision::parse("bf16").unwrap(), Precision::Bf16);
    assert_eq!(Precision::parse("int8").unwrap(), Precision::Int8);
    for p in [Precision::F32, Precision::Bf16, Precision::Int8] {
        assert_eq!(Precision::parse(p.as_str()).unwrap(), p);
    }
    let e = Precision::parse("int4").unwrap_err().to_string();
    assert!(e.contains("int4") && e.contains("f32, bf16, int8"), "{e}");
    assert_eq!(Precision::default(), Precision::F32);
}
