//! Matrix products in bfloat16 (the opt-in `Precision::Bf16`): weights rounded to bf16 once at
//! load and packed in column panels of 32 holding pairs of rows (`[n / 32][kp][32][2]`, `kp` =
//! `k / 2` rounded up to 16 pairs, zero-padded), activations rounded to bf16 per call, products summed in f32 by AVX-512 BF16's
//! `vdpbf16ps` (two multiply-adds per 32-bit lane: twice the work of an f32 FMA per instruction,
//! from half the bytes). x86-64 with AVX-512 BF16 only, detected at load; elsewhere loading with
//! bf16 fails with an error that says so.
//!
//! Any number of rows, tiled as in `panels.rs`. On a CPU with AMX tiles (`amx.rs`) the same panels
//! go to `tdpbf16ps` instead, which does several times the work per cycle.

use std::mem::MaybeUninit;

use crate::kernels::amx;
use crate::kernels::panels::{self, MR, NR};

/// f32 -> bf16, rounding to nearest even (NaN stays NaN: its top mantissa bits are kept).
#[inline]
pub(crate) fn to_bf16(x: f32) -> u16 {
    let b = x.to_bits();
    if x.is_nan() {
        return ((b >> 16) | 0x40) as u16;
    }
    ((b + 0x7FFF + ((b >> 16) & 1)) >> 16) as u16
}

/// bf16 -> f32 (exact).
#[cfg(test)]
#[inline]
pub(crate) fn from_bf16(h: u16) -> f32 {
    f32::from_bits(u32::from(h) << 16)
}

/// A `[k, n]` weight rounded to bf16 and packed for the bf16 kernels (AVX-512 BF16, or AMX).
pub(crate) struct PackedBf16 {
    pub(crate) k: usize,
    pub(crate) n: usize,
    /// Pairs of rows per panel: `k.div_ceil(2)` rounded up to a multiple of 16 (an AMX tile's
    /// depth; the pairs past `k` are zeros).
    pub(crate) kp: usize,
    /// Pairs of rows, each pair one 32-bit lane per column.
    pub(crate) data: Vec<u32>,
}

/// Whether this CPU runs the bf16 kernel.
pub(crate) fn supported() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512bf16")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

impl PackedBf16 {
    /// Packs row-major `w` `[k, n]`; `None` where the CPU lacks AVX-512 BF16.
    pub(crate) fn pack(w: &[f32], k: usize, n: usize) -> Option<Self> {
        if !supported() || w.len() != k * n {
            return None;
        }
        let (kp, panels) = (k.div_ceil(2).next_multiple_of(16), n.div_ceil(NR));
        let mut data = vec![0u32; panels * kp * NR];
        for (p, panel) in data.chunks_exact_mut(kp * NR).enumerate() {
            let (c0, width) = (p * NR, NR.min(n - p * NR));
            for (kk, dst) in panel.chunks_exact_mut(NR).take(k.div_ceil(2)).enumerate() {
                let (r0, r1) = (2 * kk, 2 * kk + 1);
                for (j, d) in dst[..width].iter_mut().enumerate() {
                    let lo = to_bf16(w[r0 * n + c0 + j]);
                    let hi = if r1 < k {
                        to_bf16(w[r1 * n + c0 + j])
                    } else {
                        0
                    };
                    *d = u32::from(lo) | (u32::from(hi) << 16);
                }
            }
        }
        Some(PackedBf16 { k, n, kp, data })
    }
}

/// `y[m, n] = bf16(x[m, k]) * W` (row-major `x`, `y`), threaded on the calling pool or team: on
/// AMX tiles where the CPU and the OS allow them (`amx.rs`), else AVX-512 BF16.
pub(crate) fn matmul(m: usize, x: &[f32], w: &PackedBf16, y: &mut [MaybeUninit<f32>]) {
    let (k, n) = (w.k, w.n);
    assert!(x.len() >= m * k && y.len() >= m * n);
    if amx::available() {
        return amx::matmul(m, x, w, y);
    }
    avx512_matmul(m, x, w, y)
}

/// `matmul` on AVX-512 BF16 alone (no AMX), as on a CPU without tiles.
fn avx512_matmul(m: usize, x: &[f32], w: &PackedBf16, y: &mut [MaybeUninit<f32>]) {
    let (k, n, kp) = (w.k, w.n, w.kp);
    // x rounded to bf16 and packed as [m / MR][k / 2][MR] pairs (a lone last value pairs with 0).
    let xp = panels::pack_rows(m, k, x, kp * MR, |row, block: &mut [u32], r| {
        let mut pairs = row.chunks_exact(2);
        for (kk, pair) in pairs.by_ref().enumerate() {
            block[kk * MR + r] = u32::from(to_bf16(pair[0])) | (u32::from(to_bf16(pair[1])) << 16);
        }
        if let [last] = pairs.remainder() {
            block[(k / 2) * MR + r] = u32::from(to_bf16(*last));
        }
    });
    panels::drive(m, n, y, |b, p, out| {
        // SAFETY: `w` exists only where AVX-512 BF16 was detected (PackedBf16::pack); block b of
        // xp holds kp * MR pairs, panel p of w holds kp * NR, `out` is inside y (drive).
        #[cfg(target_arch = "x86_64")]
        unsafe {
            avx512::tile(
                kp,
                xp.as_ptr().add(b * kp * MR),
                w.data.as_ptr().add(p * kp * NR),
                out,
            )
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let _ = (&xp, b, p, out);
            unreachable!("PackedBf16 exists only on x86-64 with AVX-512 BF16")
        }
    });
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    use super::{MR, NR};
    use crate::kernels::panels::{store, TileOut};

    /// One tile: `out = xp[kp][MR]^T * panel[kp][NR]` over pairs of k.
    ///
    /// # Safety
    /// AVX-512F and AVX-512 BF16 must be present; `xp` holds `kp * MR` pairs, `panel` `kp * NR`,
    /// `out` is writable.
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub(super) unsafe fn tile(kp: usize, xp: *const u32, panel: *const u32, out: TileOut) {
        let mut a0 = [_mm512_setzero_ps(); MR];
        let mut a1 = [_mm512_setzero_ps(); MR];
        let (mut w, mut xs) = (panel, xp);
        for _ in 0..kp {
            let w0: __m512bh = std::mem::transmute(_mm512_loadu_si512(w.cast()));
            let w1: __m512bh = std::mem::transmute(_mm512_loadu_si512(w.add(16).cast()));
            for r in 0..MR {
                let b: __m512bh = std::mem::transmute(_mm512_set1_epi32(*xs.add(r) as i32));
                a0[r] = _mm512_dpbf16_ps(a0[r], b, w0);
                a1[r] = _mm512_dpbf16_ps(a1[r], b, w1);
            }
            w = w.add(NR);
            xs = xs.add(MR);
        }
        store(out, &a0, &a1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_to_nearest_even() {
        assert_eq!(to_bf16(1.0), 0x3F80);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to the even one (1.0).
        assert_eq!(to_bf16(1.0 + 1.0 / 256.0), 0x3F80);
        // Just above halfway rounds up.
        assert_eq!(
            from_bf16(to_bf16(1.0 + 1.0 / 256.0 + 1e-6)),
            1.0 + 1.0 / 128.0
        );
        assert_eq!(from_bf16(to_bf16(-2.5)), -2.5);
        assert!(from_bf16(to_bf16(f32::NAN)).is_nan());
        assert_eq!(from_bf16(to_bf16(f32::INFINITY)), f32::INFINITY);
    }

    #[test]
    fn bf16_product_matches_the_naive_one_on_rounded_inputs() {
        // Odd k (a half-empty last pair), ragged row blocks, a ragged last panel, several chunks.
        for (m, k, n) in [
            (1, 5, 3),
            (19, 41, 70),
            (12, 16, 32),
            (25, 33, 65),
            (200, 64, 40),
        ] {
            let x: Vec<f32> = (0..m * k)
                .map(|i| ((i * 7 % 13) as f32 - 6.0) * 0.137)
                .collect();
            let w: Vec<f32> = (0..k * n)
                .map(|i| ((i * 5 % 11) as f32 - 5.0) * 0.0513)
                .collect();
            let Some(p) = PackedBf16::pack(&w, k, n) else {
                eprintln!("no AVX-512 BF16 here: the bf16 kernel is not used on this machine");
                return;
            };
            let r = |v: f32| from_bf16(to_bf16(v)) as f64;
            for (kernel, y) in products(m, &x, &p) {
                for i in 0..m {
                    for j in 0..n {
                        let want: f64 = (0..k).map(|t| r(x[i * k + t]) * r(w[t * n + j])).sum();
                        let got = y[i * n + j] as f64;
                        assert!(
                            (got - want).abs() < 1e-4,
                            "{kernel} [{m}x{k}x{n}] ({i},{j}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }

    /// `x * p` by every kernel this CPU runs: AVX-512 BF16, and AMX where the process may use it.
    fn products(m: usize, x: &[f32], p: &PackedBf16) -> Vec<(&'static str, Vec<f32>)> {
        let n = p.n;
        let y = crate::kernels::written(m * n, |y| avx512_matmul(m, x, p, y));
        let mut out = vec![("avx512-bf16", y)];
        if amx::available() {
            let y = crate::kernels::written(m * n, |y| amx::matmul(m, x, p, y));
            out.push(("amx", y));
        } else {
            eprintln!("no AMX tiles here: the AMX kernel is not checked on this machine");
        }
        out
    }

    #[test]
    fn a_row_gives_the_same_result_alone_and_among_others() {
        let (m, k, n) = (40, 96, 64);
        let x: Vec<f32> = (0..m * k)
            .map(|i| ((i * 31 % 17) as f32 - 8.0) * 0.01)
            .collect();
        let w: Vec<f32> = (0..k * n)
            .map(|i| ((i * 3 % 7) as f32 - 3.0) * 0.02)
            .collect();
        let Some(p) = PackedBf16::pack(&w, k, n) else {
            eprintln!("no AVX-512 BF16 here: the bf16 kernel is not used on this machine");
            return;
        };
        for (kernel, all) in products(m, &x, &p) {
            for i in [0, 13, 39] {
                let one = products(1, &x[i * k..(i + 1) * k], &p)
                    .into_iter()
                    .find(|(name, _)| *name == kernel)
                    .expect("the same kernels for one row")
                    .1;
                assert_eq!(one, all[i * n..(i + 1) * n], "{kernel}: row {i}");
            }
        }
    }
}
