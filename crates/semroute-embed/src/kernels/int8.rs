//! Matrix products against int8 weights (the opt-in `Precision::Int8`): each weight column is cut
//! into groups of `GROUP` consecutive inputs, and each group is stored as int8 values with one f32
//! scale (symmetric: `w ~ q * scale`, `scale = max |w| / 127` over the group). The activations and
//! the sums stay f32: the microkernel is `packed.rs`'s (12 rows x 32 columns of FMAs), with each
//! weight row loaded as 32 bytes and converted to f32 and scaled in registers. A quarter of the
//! weight bytes to stream; within 10% of f32's speed (measured: BENCHMARKS.md, "Stop 21"). A
//! first version that dequantized each panel into a buffer and ran the f32 kernel on it was 25-30%
//! slower than f32 on short prompts.
//!
//! Why groups and not one scale per output row: on all-MiniLM-L6-v2 one scale per row gives a
//! lowest cosine to f32 of 0.9957 over 722 routing prompts, groups of 32 give 0.99915
//! (`scripts/peers/int8_accuracy.py`, `reports/int8-accuracy.json`); the bar is 0.999.
//! The weights take a quarter of their f32 bytes (plus one scale per 32 values); the arithmetic is
//! f32's. x86-64 with AVX-512 only (like the f32 panels); elsewhere loading with int8 fails and
//! says why. A row's result depends only on that row (batch == single).

use std::mem::MaybeUninit;

use crate::kernels::packed;
use crate::kernels::panels::NR;

/// Inputs per scale.
pub(crate) const GROUP: usize = 32;

/// A `[k, n]` weight as int8 column panels (`[n / NR][k][NR]`, zero-padded) with one scale per
/// column and group of `GROUP` rows (`[n / NR][k / GROUP][NR]`).
pub(crate) struct PackedInt8 {
    pub(crate) k: usize,
    pub(crate) n: usize,
    data: Vec<i8>,
    scales: Vec<f32>,
}

/// Whether this CPU runs the int8-weight kernel (the f32 panels' AVX-512 microkernel).
pub(crate) fn supported() -> bool {
    packed::avx512()
}

impl PackedInt8 {
    /// Quantizes and packs row-major `w` `[k, n]`; `None` where the CPU lacks AVX-512.
    pub(crate) fn pack(w: &[f32], k: usize, n: usize) -> Option<Self> {
        if !supported() || w.len() != k * n {
            return None;
        }
        let (panels, groups) = (n.div_ceil(NR), k.div_ceil(GROUP));
        let mut data = vec![0i8; panels * k * NR];
        let mut scales = vec![0f32; panels * groups * NR];
        for p in 0..panels {
            let (c0, width) = (p * NR, NR.min(n - p * NR));
            for g in 0..groups {
                let rows = g * GROUP..((g + 1) * GROUP).min(k);
                for j in 0..width {
                    let col = c0 + j;
                    let amax = rows
                        .clone()
                        .map(|r| w[r * n + col].abs())
                        .fold(0f32, f32::max);
                    let scale = amax / 127.0;
                    scales[(p * groups + g) * NR + j] = scale;
                    let inv = if scale > 0.0 { 1.0 / scale } else { 0.0 };
                    for r in rows.clone() {
                        let q = (w[r * n + col] * inv).round().clamp(-127.0, 127.0);
                        data[(p * k + r) * NR + j] = q as i8;
                    }
                }
            }
        }
        Some(PackedInt8 { k, n, data, scales })
    }

    /// Panel `p` as f32 into `out` (`k * NR` values): the weights as the kernel sees them.
    #[cfg(test)]
    fn dequantize(&self, p: usize, out: &mut [f32]) {
        let (k, groups) = (self.k, self.k.div_ceil(GROUP));
        let q = &self.data[p * k * NR..(p + 1) * k * NR];
        let s = &self.scales[p * groups * NR..(p + 1) * groups * NR];
        assert!(out.len() >= k * NR);
        // SAFETY: PackedInt8 exists only where AVX-512 was detected (pack); q and out hold k * NR
        // values, s groups * NR scales.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::dequantize(k, q.as_ptr(), s.as_ptr(), out.as_mut_ptr())
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (q, s);
            unreachable!("PackedInt8 exists only on x86-64 with AVX-512")
        }
    }

    /// Bytes held: the int8 values and their scales.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.data.len() + 4 * self.scales.len()
    }
}

/// `y[m, n] = x[m, k] * dequantize(W)` (row-major `x`, `y`), threaded on the calling pool or
/// team. Each tile converts the int8 rows to f32 in registers (`avx512::tile`); the products are
/// the same f32 sums in the same order whatever the batch.
pub(crate) fn matmul(m: usize, x: &[f32], w: &PackedInt8, y: &mut [MaybeUninit<f32>]) {
    let (k, groups) = (w.k, w.k.div_ceil(GROUP));
    packed::drive_rows(m, k, w.n, x, y, |rows, p, out| {
        let q = &w.data[p * k * NR..(p + 1) * k * NR];
        let s = &w.scales[p * groups * NR..(p + 1) * groups * NR];
        // SAFETY: PackedInt8 exists only where AVX-512 was detected (pack); `rows` holds MR rows
        // of k values, q k * NR, s groups * NR, `out` is inside y (drive).
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::tile(k, rows.as_ptr(), q.as_ptr(), s.as_ptr(), out)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (rows, q, s, out);
            unreachable!("PackedInt8 exists only on x86-64 with AVX-512")
        }
    });
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{GROUP, NR};
    use crate::kernels::panels::{store, TileOut, MR};

    /// One tile straight from the int8 panel: `out = x[MR][k] * (q[k][NR] * s)`, each weight row
    /// converted to f32 and scaled in registers (x row-major, row stride k).
    ///
    /// # Safety
    /// AVX-512F must be present; `x` holds `k * MR` values, `q` `k * NR`, `s`
    /// `k.div_ceil(GROUP) * NR`, `out` is writable.
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn tile(k: usize, x: *const f32, q: *const i8, s: *const f32, out: TileOut) {
        let mut a0 = [_mm512_setzero_ps(); MR];
        let mut a1 = [_mm512_setzero_ps(); MR];
        for g in 0..k.div_ceil(GROUP) {
            let s0 = _mm512_loadu_ps(s.add(g * NR));
            let s1 = _mm512_loadu_ps(s.add(g * NR + 16));
            for r in g * GROUP..((g + 1) * GROUP).min(k) {
                let row = q.add(r * NR);
                // Two rows to a cache line: 64 rows ahead.
                _mm_prefetch::<_MM_HINT_T0>(row.wrapping_add(64 * NR).cast());
                let w0 = _mm512_mul_ps(
                    _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(row.cast()))),
                    s0,
                );
                let w1 = _mm512_mul_ps(
                    _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(row.add(16).cast()))),
                    s1,
                );
                for i in 0..MR {
                    let b = _mm512_set1_ps(*x.add(i * k + r));
                    a0[i] = _mm512_fmadd_ps(b, w0, a0[i]);
                    a1[i] = _mm512_fmadd_ps(b, w1, a1[i]);
                }
            }
        }
        store(out, &a0, &a1);
    }

    /// `out[r][j] = q[r][j] * s[r / GROUP][j]` for the k rows of one panel.
    ///
    /// # Safety
    /// AVX-512F must be present; `q` and `out` hold `k * NR` values, `s` `k.div_ceil(GROUP) * NR`.
    #[cfg(test)]
    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn dequantize(k: usize, q: *const i8, s: *const f32, out: *mut f32) {
        for g in 0..k.div_ceil(GROUP) {
            let s0 = _mm512_loadu_ps(s.add(g * NR));
            let s1 = _mm512_loadu_ps(s.add(g * NR + 16));
            for r in g * GROUP..((g + 1) * GROUP).min(k) {
                let row = q.add(r * NR);
                let lo = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(row.cast())));
                let hi =
                    _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128(row.add(16).cast())));
                _mm512_storeu_ps(out.add(r * NR), _mm512_mul_ps(lo, s0));
                _mm512_storeu_ps(out.add(r * NR + 16), _mm512_mul_ps(hi, s1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(k: usize, n: usize) -> Vec<f32> {
        (0..k * n)
            .map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.05 + ((i * 3 % 7) as f32) * 0.003)
            .collect()
    }

    #[test]
    fn quantization_error_is_within_half_a_step_of_each_group_scale() {
        let (k, n) = (70, 45);
        let w = weights(k, n);
        let Some(p) = PackedInt8::pack(&w, k, n) else {
            eprintln!("no AVX-512 here: int8 weights are not used on this machine");
            return;
        };
        let groups = k.div_ceil(GROUP);
        assert_eq!(p.bytes(), n.div_ceil(NR) * NR * (k + 4 * groups));
        let mut panel = vec![0f32; k * NR];
        for pi in 0..n.div_ceil(NR) {
            p.dequantize(pi, &mut panel);
            for r in 0..k {
                for j in 0..NR {
                    let col = pi * NR + j;
                    let got = panel[r * NR + j];
                    if col >= n {
                        assert_eq!(got, 0.0, "padding column {col}");
                        continue;
                    }
                    let scale = p.scales[(pi * groups + r / GROUP) * NR + j];
                    let want = w[r * n + col];
                    assert!(
                        (got - want).abs() <= 0.5 * scale + 1e-7,
                        "({r},{col}): {got} vs {want}, scale {scale}"
                    );
                }
            }
        }
    }

    #[test]
    fn product_matches_the_naive_one_on_the_dequantized_weights() {
        for (m, k, n) in [(1, 5, 3), (19, 40, 70), (12, 64, 32), (25, 97, 65)] {
            let x: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.1)
                .collect();
            let w = weights(k, n);
            let Some(p) = PackedInt8::pack(&w, k, n) else {
                return;
            };
            // The weights as the kernel sees them.
            let mut deq = vec![0f32; k * n];
            let mut panel = vec![0f32; k * NR];
            for pi in 0..n.div_ceil(NR) {
                p.dequantize(pi, &mut panel);
                for r in 0..k {
                    for j in 0..NR.min(n - pi * NR) {
                        deq[r * n + pi * NR + j] = panel[r * NR + j];
                    }
                }
            }
            let y = crate::kernels::written(m * n, |y| matmul(m, &x, &p, y));
            for i in 0..m {
                for j in 0..n {
                    let want: f64 = (0..k).map(|t| (x[i * k + t] * deq[t * n + j]) as f64).sum();
                    let exact: f64 = (0..k).map(|t| (x[i * k + t] * w[t * n + j]) as f64).sum();
                    let got = y[i * n + j] as f64;
                    assert!(
                        (got - want).abs() < 1e-5,
                        "[{m}x{k}x{n}] ({i},{j}): {got} vs {want}"
                    );
                    // And near the f32 product: within the quantization error.
                    assert!(
                        (got - exact).abs() < 0.02,
                        "[{m}x{k}x{n}] ({i},{j}): {got} vs exact {exact}"
                    );
                }
            }
            // A row's result does not depend on the rows around it.
            if m > 1 {
                let one = crate::kernels::written(n, |y1| matmul(1, &x[k..2 * k], &p, y1));
                assert_eq!(&one[..], &y[n..2 * n]);
            }
        }
    }

    #[test]
    fn an_all_zero_group_stays_zero() {
        let (k, n) = (64, 32);
        let mut w = weights(k, n);
        for v in &mut w[..GROUP * n] {
            *v = 0.0;
        }
        let Some(p) = PackedInt8::pack(&w, k, n) else {
            return;
        };
        let mut panel = vec![0f32; k * NR];
        p.dequantize(0, &mut panel);
        assert!(panel[..GROUP * NR].iter().all(|&v| v == 0.0));
        assert!(panel[GROUP * NR..].iter().any(|&v| v != 0.0));
    }
}
