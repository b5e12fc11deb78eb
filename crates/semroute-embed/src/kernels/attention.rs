//! Self-attention straight from a fused QKV projection `[b, s, 3h]` (right-padded rows): per
//! (row, head) task on the rayon pool (or the calling thread's team, see `team`), two strided gemm
//! calls (no permute or contiguous copies of Q, K or V) and a vectorised softmax over only the
//! row's real keys (padding keys are skipped, not masked with a large negative number, which gives
//! the same result: exp underflows to 0).

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, Layout, Shape};
use gemm::Parallelism;

use crate::kernels::gemm::strided;
use crate::kernels::softmax::softmax_rows;
use crate::kernels::{team, Shared};

thread_local! {
    /// Each thread's score buffer, kept between tasks and passes: a fresh zeroed `[s, s]` per
    /// (row, head) was a page-faulting allocation of up to 256 KB each time. Every element a task
    /// reads it has written first (the scores product overwrites, it does not accumulate).
    static SCORES: std::cell::Cell<Vec<f32>> = const { std::cell::Cell::new(Vec::new()) };
}

/// The op on `qkv` `[b, s, 3 * heads * head_dim]` (Q, K, V each head-major); output `[b, s, h]`.
pub(crate) struct FusedQkvAttention<'a> {
    pub heads: usize,
    pub head_dim: usize,
    /// Real tokens per row (the rest of the row is right padding).
    pub lengths: &'a [usize],
}

impl CustomOp1 for FusedQkvAttention<'_> {
    fn name(&self) -> &'static str {
        "semroute-attention"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let CpuStorage::F32(v) = s else {
            candle_core::bail!("semroute attention: qkv must be f32, got {:?}", s.dtype())
        };
        let Some((start, end)) = l.contiguous_offsets() else {
            candle_core::bail!("semroute attention: qkv must be contiguous")
        };
        let qkv = &v[start..end];
        let (b, s, three_h) = l.shape().dims3()?;
        let (heads, hd) = (self.heads, self.head_dim);
        let h = heads * hd;
        if three_h != 3 * h || self.lengths.len() != b {
            candle_core::bail!(
                "semroute attention: qkv [{b}, {s}, {three_h}] for {heads} heads of {hd}, {} lengths",
                self.lengths.len()
            );
        }
        if let Some(&bad) = self.lengths.iter().find(|&&n| n == 0 || n > s) {
            candle_core::bail!("semroute attention: row length {bad} outside 1..={s}");
        }
        let mut ctx = vec![0f32; b * s * h];
        // Each task writes a disjoint set of elements of ctx (its own row and head).
        let out = Shared(ctx.as_mut_ptr());
        let scale = 1.0 / (hd as f32).sqrt();
        let rs = three_h as isize;
        let one = |scores: &mut Vec<f32>, task: usize| {
            let (row, head) = (task / heads, task % heads);
            let len = self.lengths[row];
            let base = row * s * three_h + head * hd;
            let (q, k, v) = (&qkv[base..], &qkv[base + h..], &qkv[base + 2 * h..]);
            let scores = &mut scores[..s * len];
            // SAFETY: Q/K/V views stay inside this row of qkv ([s, 3h] from base, hd wide);
            // scores is [s, len]; the context view is this row's and head's [s, hd] block of
            // ctx, written by this task only.
            unsafe {
                // scores[s, len] = Q[s, hd] * K[len, hd]^T
                strided(
                    s,
                    hd,
                    len,
                    (q.as_ptr(), rs, 1),
                    (k.as_ptr(), 1, rs),
                    (scores.as_mut_ptr(), len as isize, 1),
                    Parallelism::None,
                );
            }
            softmax_rows(scores, len, scale);
            unsafe {
                // ctx[s, hd] = P[s, len] * V[len, hd]
                strided(
                    s,
                    len,
                    hd,
                    (scores.as_ptr(), len as isize, 1),
                    (v.as_ptr(), rs, 1),
                    (out.ptr().add(row * s * h + head * hd), h as isize, 1),
                    Parallelism::None,
                );
            }
        };
        team::for_each(b * heads, |task| {
            SCORES.with(|cell| {
                let mut scores = cell.take();
                if scores.len() < s * s {
                    scores.resize(s * s, 0.0);
                }
                one(&mut scores, task);
                cell.set(scores);
            })
        });
        Ok((CpuStorage::F32(ctx), Shape::from((b, s, h))))
    }
}
