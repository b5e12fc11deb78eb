//! Batched throughput and peak memory of a model directory, without Node:
//! `cargo run --release --example throughput -- models/all-MiniLM-L6-v2 [rounds] [f32|bf16]`.
//! Prints texts/s at batch 1, 8 and 32 (short and 196-token texts) and the process's peak RSS
//! (VmHWM) after one batch of 32 texts truncated to 256 tokens.

use std::time::Instant;

use semroute_embed::{Embedder, EmbedderOptions, Precision};

const SHORT: &str =
    "How do I reverse a linked list in place in Python without using any extra memory?";
const LONG: &str = "The patient reported mild fever and a persistent cough for two days; the doctor asked about \
recent travel, prescribed rest and fluids, and scheduled a follow-up visit for next week in case the symptoms got \
worse. Meanwhile, the hospital's billing department sent an invoice that listed three separate consultations, two \
blood tests and an X-ray that had never been performed, so the patient called customer support to dispute the \
charges. The support agent explained that the insurance company would need a written statement from the physician, \
a copy of the original referral and the itemised receipt before any refund could be processed, and suggested filing \
the complaint online to speed things up. After waiting on hold for forty minutes, the patient decided to write a \
detailed email instead, attaching photographs of every document and asking for a reply within ten business days. \
She also copied the hospital's patient advocate and her own lawyer, hoping that the extra attention would finally \
resolve the matter.";

fn status_mb(field: &str) -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse()
                .ok()
        })
        .map_or(f64::NAN, |kb: f64| kb / 1024.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // SAFETY: single-threaded at this point.
    unsafe { semroute_embed::pin_cpu_threads() };
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or("usage: throughput <model-dir> [rounds] [f32|bf16]")?;
    let rounds: usize = args.next().map_or(Ok(3), |s| s.parse())?;
    let precision = args
        .next()
        .map_or(Ok(Precision::F32), |s| Precision::parse(&s))?;
    // MiniLM's own max_seq_length is 256: the long text below is truncated to it.
    let embedder = Embedder::load(
        &dir,
        EmbedderOptions {
            precision,
            ..Default::default()
        },
    )?;
    let huge = format!("{LONG} {LONG}");
    embedder.embed(&[SHORT])?;
    println!("RSS after load {:.0} MB", status_mb("VmRSS:"));
    embedder.embed(&vec![huge.as_str(); 32])?;
    println!(
        "peak RSS after 32 x 256 tokens {:.0} MB",
        status_mb("VmHWM:")
    );
    for (name, text, batch, n) in [
        ("short b1", SHORT, 1, 100),
        ("short b8", SHORT, 8, 20),
        ("short b32", SHORT, 32, 6),
        ("196-tok b1", LONG, 1, 12),
        ("196-tok b8", LONG, 8, 3),
        ("196-tok b32", LONG, 32, 1),
    ] {
        let texts = vec![text; batch];
        let mut best = 0f64;
        for _ in 0..rounds {
            let t = Instant::now();
            for _ in 0..n {
                embedder.embed(&texts)?;
            }
            best = best.max((n * batch) as f64 / t.elapsed().as_secs_f64());
        }
        println!("{name}: {best:.1} texts/s (best of {rounds})");
    }
    Ok(())
}
