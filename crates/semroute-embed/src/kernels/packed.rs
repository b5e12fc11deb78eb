//! f32 matrix products against weights packed once at load time: column panels of 32
//! (`[n / 32][k][32]`, zero-padded), so the AVX-512 microkernel streams each panel from the start
//! with no per-call packing of the weight operand, tiled as in `panels.rs`. For few rows (a short
//! prompt is a [19 x 384] x [384 x 1536] product) gemm's general kernels spend most of the call
//! packing and threading, and this path is 1.3-2x faster; with the row chunks it also keeps up
//! with gemm on large batches (BENCHMARKS.md, issue 13), so a packed layer keeps no plain copy.
//! x86-64 with AVX-512 only (runtime-detected at pack time); everything else keeps gemm.

use std::mem::MaybeUninit;

use crate::kernels::panels::{self, MR, NR};

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

pub(crate) fn avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// `y[m, n] = x[m, k] * W` (row-major `x`, `y`), threaded on the calling pool or team.
pub(crate) fn matmul(m: usize, x: &[f32], w: &PackedWeights, y: &mut [MaybeUninit<f32>]) {
    let k = w.k;
    drive_rows(m, k, w.n, x, y, |rows, p, out| {
        // SAFETY: AVX-512 was detected when `w` was packed (PackedWeights::pack); `rows` holds
        // MR rows of k values, panel p of w holds k * NR, `out` is inside y (drive).
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::tile(k, rows.as_ptr(), w.data.as_ptr().add(p * k * NR), out)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (rows, &w.data, p, out);
            unreachable!("PackedWeights exist only on x86-64 with AVX-512")
        }
    });
}

/// The tiling of the kernels that read the activations in place (f32 here, int8 weights in
/// `int8.rs`): `tile(rows, panel, out)` gets `MR` rows of `x` (row stride k) for each tile. The
/// rows of a last, partial block are copied into MR zero-padded rows, so that no tile reads past x.
pub(crate) fn drive_rows(
    m: usize,
    k: usize,
    n: usize,
    x: &[f32],
    y: &mut [MaybeUninit<f32>],
    tile: impl Fn(&[f32], usize, panels::TileOut) + Sync + Send,
) {
    assert!(x.len() >= m * k && y.len() >= m * n);
    let full = m / MR;
    let tail: Vec<f32> = if m.is_multiple_of(MR) {
        Vec::new()
    } else {
        let mut t = vec![0f32; MR * k];
        t[..(m - full * MR) * k].copy_from_slice(&x[full * MR * k..m * k]);
        t
    };
    panels::drive(m, n, y, |b, p, out| {
        let rows = if b < full {
            &x[b * MR * k..]
        } else {
            &tail[..]
        };
        tile(rows, p, out)
    });
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{MR, NR};
    use crate::kernels::panels::{store, TileOut};

    /// One tile: `out = x[MR][k] * panel[k][NR]` (x row-major, row stride k).
    ///
    /// # Safety
    /// AVX-512F must be present; `x` holds `k * MR` values, `panel` `k * NR`, `out` is writable.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn tile(k: usize, x: *const f32, panel: *const f32, out: TileOut) {
        let mut a0 = [_mm512_setzero_ps(); MR];
        let mut a1 = [_mm512_setzero_ps(); MR];
        let (mut w, mut xs) = (panel, x);
        for _ in 0..k {
            // The panel's rows 32 steps ahead: a short prompt's product streams each weight from
            // memory once, and the hardware prefetcher alone left the FMAs waiting (p50 -20%).
            _mm_prefetch::<_MM_HINT_T0>(w.wrapping_add(32 * NR).cast());
            _mm_prefetch::<_MM_HINT_T0>(w.wrapping_add(32 * NR + 16).cast());
            let w0 = _mm512_loadu_ps(w);
            let w1 = _mm512_loadu_ps(w.add(16));
            for r in 0..MR {
                let b = _mm512_set1_ps(*xs.add(r * k));
                a0[r] = _mm512_fmadd_ps(b, w0, a0[r]);
                a1[r] = _mm512_fmadd_ps(b, w1, a1[r]);
            }
            w = w.add(NR);
            xs = xs.add(1);
        }
        store(out, &a0, &a1);
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
            let y = crate::kernels::written(m * n, |y| matmul(m, &x, &p, y));
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
