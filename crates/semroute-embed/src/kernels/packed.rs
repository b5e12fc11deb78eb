//! Matrix products for few rows (a short prompt is a [19 x 384] x [384 x 1536] product) against
//! weights packed once at load time: column panels of 32 (`[n / 32][k][32]`, zero-padded), so
//! the AVX-512 microkernel streams each panel from the start with no per-call packing of the
//! weight operand. gemm's general kernels spend most of such a call packing and threading; this
//! path is 1.3-2x faster for m <= 128 and still ahead up to 256 rows, where a short batch of 8
//! sits (BENCHMARKS.md, issue 13). x86-64 with AVX-512 only
//! (runtime-detected at pack time); everything else keeps gemm.

use crate::kernels::{team, Shared};

/// Columns per panel: two 16-lane registers.
const NR: usize = 32;
/// Rows per microkernel tile: 12 x 2 accumulators + 2 weight registers + 1 broadcast <= 32.
const MR: usize = 12;
/// Products with at most this many rows take the packed path (gemm ties or wins above: measured
/// with 8 and 32 short prompts, 152 and 608 rows).
pub(crate) const MAX_ROWS: usize = 256;

/// A `[k, n]` weight packed into column panels for the small-M kernel.
pub(crate) struct PackedWeights {
    k: usize,
    n: usize,
    data: Vec<f32>,
}

impl PackedWeights {
    /// Packs row-major `w` `[k, n]`; `None` where the CPU lacks AVX-512 (gemm is used instead).
    pub(crate) fn pack(w: &[f32], k: usize, n: usize) -> Option<Self> {
        if !avx512() || w.len() != k * n {
            return None;
        }
        let panels = n.div_ceil(NR);
        let mut data = vec![0f32; panels * k * NR];
        for (p, panel) in data.chunks_exact_mut(k * NR).enumerate() {
            let (c0, width) = (p * NR, NR.min(n - p * NR));
            for (kk, dst) in panel.chunks_exact_mut(NR).enumerate() {
                dst[..width].copy_from_slice(&w[kk * n + c0..kk * n + c0 + width]);
            }
        }
        Some(PackedWeights { k, n, data })
    }

    /// Bytes held (for memory accounting in tests and reports).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.data.len()
    }
}

fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `y[m, n] = x[m, k] * W` (row-major `x`, `y`), threaded over column panels on the calling pool
/// (or the calling thread's team, see `team`).
pub(crate) fn matmul(m: usize, x: &[f32], w: &PackedWeights, y: &mut [f32]) {
    let (k, n) = (w.k, w.n);
    assert!(x.len() >= m * k && y.len() >= m * n);
    // x packed once as [m / MR][k][MR] (zero-padded rows): the microkernel reads it sequentially.
    let blocks = m.div_ceil(MR);
    let mut xp = vec![0f32; blocks * k * MR];
    for (r, row) in x[..m * k].chunks_exact(k).enumerate() {
        let block = &mut xp[(r / MR) * k * MR..];
        for (kk, &v) in row.iter().enumerate() {
            block[kk * MR + r % MR] = v;
        }
    }
    let panels = n.div_ceil(NR);
    // Each task writes only its own columns of y.
    let out = Shared(y.as_mut_ptr());
    let tasks = rayon::current_num_threads().min(panels).max(1);
    let per = panels.div_ceil(tasks);
    let run = |t: usize| {
        let range = t * per..((t + 1) * per).min(panels);
        // SAFETY: AVX-512 was detected when `w` was packed (PackedWeights::pack); the task writes
        // columns [range.start * NR, range.end * NR) ∩ [0, n) of y's m rows only.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::panels(m, &xp, w, range, out.ptr())
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (range, out.ptr());
            unreachable!("PackedWeights exist only on x86-64 with AVX-512")
        }
    };
    if tasks == 1 {
        run(0)
    } else {
        team::for_each(tasks, run)
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;
    use std::ops::Range;

    use super::{PackedWeights, MR, NR};

    /// One tile: `out[MR][NR] = xp[k][MR]^T * panel[k][NR]`.
    #[inline]
    #[target_feature(enable = "avx512f")]
    unsafe fn tile(k: usize, xp: *const f32, panel: *const f32, out: &mut [[f32; NR]; MR]) {
        let mut a0 = [_mm512_setzero_ps(); MR];
        let mut a1 = [_mm512_setzero_ps(); MR];
        let (mut w, mut xs) = (panel, xp);
        for _ in 0..k {
            let w0 = _mm512_loadu_ps(w);
            let w1 = _mm512_loadu_ps(w.add(16));
            for r in 0..MR {
                let b = _mm512_set1_ps(*xs.add(r));
                a0[r] = _mm512_fmadd_ps(b, w0, a0[r]);
                a1[r] = _mm512_fmadd_ps(b, w1, a1[r]);
            }
            w = w.add(NR);
            xs = xs.add(MR);
        }
        for r in 0..MR {
            _mm512_storeu_ps(out[r].as_mut_ptr(), a0[r]);
            _mm512_storeu_ps(out[r].as_mut_ptr().add(16), a1[r]);
        }
    }

    /// Rows `0..m` of `y` (`[m, n]`) for the column panels in `range`.
    ///
    /// # Safety
    /// AVX-512F must be present; `xp` is `x` packed for `m` rows and `w.k`; `y` holds `m * w.n`.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn panels(
        m: usize,
        xp: &[f32],
        w: &PackedWeights,
        range: Range<usize>,
        y: *mut f32,
    ) {
        let (k, n) = (w.k, w.n);
        let mut out = [[0f32; NR]; MR];
        for p in range {
            let panel = w.data.as_ptr().add(p * k * NR);
            let (c0, width) = (p * NR, NR.min(n - p * NR));
            for b in 0..m.div_ceil(MR) {
                tile(k, xp.as_ptr().add(b * k * MR), panel, &mut out);
                for (r, row) in out.iter().enumerate().take((m - b * MR).min(MR)) {
                    std::ptr::copy_nonoverlapping(
                        row.as_ptr(),
                        y.add((b * MR + r) * n + c0),
                        width,
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_product_matches_the_naive_one() {
        // Shapes with ragged row blocks and a ragged last panel.
        for (m, k, n) in [(1, 5, 3), (19, 40, 70), (12, 16, 32), (25, 33, 65)] {
            let x: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.1)
                .collect();
            let w: Vec<f32> = (0..k * n)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.05)
                .collect();
            let Some(p) = PackedWeights::pack(&w, k, n) else {
                eprintln!("no AVX-512 here: the packed path is not used on this machine");
                return;
            };
            assert_eq!(p.len(), n.div_ceil(NR) * NR * k);
            let mut y = vec![f32::NAN; m * n];
            matmul(m, &x, &p, &mut y);
            for i in 0..m {
                for j in 0..n {
                    let want: f64 = (0..k).map(|t| (x[i * k + t] * w[t * n + j]) as f64).sum();
                    let got = y[i * n + j] as f64;
                    assert!(
                        (got - want).abs() < 1e-5,
                        "[{m}x{k}x{n}] ({i},{j}): {got} vs {want}"
                    );
                }
            }
        }
    }
}
