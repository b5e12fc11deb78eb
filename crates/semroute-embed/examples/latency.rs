//! Single-prompt latency of a model directory, for profiling without Node:
//! `cargo run --release --example latency -- models/all-MiniLM-L6-v2 [iterations] [f32|bf16]`.

use std::time::Instant;

use semroute_embed::{Embedder, EmbedderOptions, Precision};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: single-threaded at this point.
    unsafe { semroute_embed::pin_cpu_threads() };
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: latency <model-dir> [iterations] [f32|bf16]")?;
    let iterations: usize = args.next().map_or(Ok(200), |s| s.parse())?;
    let precision = args
        .next()
        .map_or(Ok(Precision::F32), |s| Precision::parse(&s))?;
    let embedder = Embedder::load(
        &dir,
        EmbedderOptions {
            precision,
            ..Default::default()
        },
    )?;
    let text = ["How do I reverse a linked list in place in Python without extra memory?"];
    println!("tokens: {}", embedder.tokenize(text[0])?.0.len());
    for _ in 0..20 {
        embedder.embed(&text)?;
    }
    let mut ms: Vec<f64> = (0..iterations)
        .map(|_| {
            let t = Instant::now();
            embedder
                .embed(&text)
                .map(|_| t.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<Result<_, _>>()?;
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    println!(
        "min {:.2} ms  p50 {:.2} ms  p99 {:.2} ms",
        ms[0],
        at(0.5),
        at(0.99)
    );
    Ok(())
}
