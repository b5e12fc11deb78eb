//! bf16 products on Intel AMX (Sapphire Rapids and later), for `Precision::Bf16` where the CPU has
//! AMX-BF16: `tdpbf16ps` multiplies a 16 x 32 bf16 tile by a 32 x 16 one into 16 x 16 f32 sums, 16
//! times the multiply-adds of one AVX-512 BF16 instruction. On such a CPU the AVX-512 BF16
//! instruction issues on one port only, so it does no more work per cycle than f32 FMAs; the tiles
//! are what make bf16 faster there.
//!
//! The weights are the bf16 panels of `bf16.rs` as they are: a panel's 32-bit lanes (a pair of rows
//! of one column) are the "VNNI" layout the B tile wants, its first and second 16 columns two tiles
//! at a stride of one panel row (128 bytes), 16 pairs (32 rows of `k`) per tile. The activations
//! are rounded to bf16 row-major, `k` padded to the panels' pairs, rows to a multiple of 32. Each
//! step computes 32 rows x 32 columns in four accumulator tiles (tmm0-3) from two A tiles (tmm4-5)
//! and two B tiles (tmm6-7). A row's sums depend only on that row (same tiles, same order alone
//! and in a batch).
//!
//! Linux only: the kernel hands out the tile registers on request (`arch_prctl`), once per
//! process; where it refuses, or elsewhere, the AVX-512 BF16 kernel runs instead.

use std::mem::MaybeUninit;
use std::sync::OnceLock;

// Columns per step: one bf16 panel, two B tiles of 16.
use crate::kernels::bf16::PackedBf16;
use crate::kernels::panels::{self, NR as NB};
use crate::kernels::{team, written, Shared};

/// Rows per step: two A tiles of 16.
const MB: usize = 32;
/// Steps of rows that stay in L2 while the panels pass (128 rows x 1536 bf16 = 384 KB).
const CHUNK_STEPS: usize = 4;

/// Whether this process may use AMX-BF16 tiles (checked once: CPUID, then the kernel's permission).
pub(crate) fn available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(detect)
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn detect() -> bool {
    use std::arch::x86_64::__cpuid_count;
    // CPUID.(EAX=7, ECX=0):EDX bit 22 AMX-BF16, bit 24 AMX-TILE.
    let leaf7 = __cpuid_count(7, 0);
    // The activations are rounded with AVX-512 BF16 (`round_row`): bf16's own check.
    if leaf7.edx & (1 << 22) == 0
        || leaf7.edx & (1 << 24) == 0
        || !crate::kernels::bf16::supported()
    {
        return false;
    }
    // arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA): 0 when granted (Linux >= 5.16; the
    // permission holds for the whole process, threads started before and after).
    const SYS_ARCH_PRCTL: i64 = 158;
    const ARCH_REQ_XCOMP_PERM: i64 = 0x1023;
    const XFEATURE_XTILEDATA: i64 = 18;
    let ret: i64;
    // SAFETY: a plain system call; it reads no memory and clobbers only rcx and r11.
    unsafe {
        std::arch::asm!(
            "syscall",
            inlateout("rax") SYS_ARCH_PRCTL => ret,
            in("rdi") ARCH_REQ_XCOMP_PERM,
            in("rsi") XFEATURE_XTILEDATA,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret == 0
}

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn detect() -> bool {
    false
}

/// `y[m, n] = bf16(x[m, k]) * W` for W's bf16 panels (`[n / 32][kp][32]` pairs, `kp` a
/// multiple of 16), threaded on the calling pool or team. Only where `available()`.
pub(crate) fn matmul(m: usize, x: &[f32], packed: &PackedBf16, y: &mut [MaybeUninit<f32>]) {
    let (k, n, kp, w) = (packed.k, packed.n, packed.kp, &packed.data[..]);
    assert!(available() && kp.is_multiple_of(16) && 2 * kp >= k);
    assert!(x.len() >= m * k && y.len() >= m * n && w.len() >= n.div_ceil(NB) * kp * NB);
    if m == 0 || n == 0 {
        return;
    }
    // x rounded to bf16, row-major [mp][2 kp] (zeros past k and past m), each value written once.
    let (steps, kpad) = (m.div_ceil(MB), 2 * kp);
    let xb = written(steps * MB * kpad, |xb: &mut [MaybeUninit<u16>]| {
        let base = Shared(xb.as_mut_ptr().cast::<u16>());
        team::for_each(steps, |s| {
            for r in s * MB..(s + 1) * MB {
                // SAFETY: task s writes rows [s * MB, (s + 1) * MB) of xb only.
                let row = unsafe { std::slice::from_raw_parts_mut(base.ptr().add(r * kpad), kpad) };
                let filled = if r < m {
                    // SAFETY: AVX-512 BF16 is present wherever AMX is used (see `detect`).
                    unsafe { round_row(&x[r * k..(r + 1) * k], &mut row[..k]) };
                    k
                } else {
                    0
                };
                row[filled..].fill(0);
            }
        })
    });
    let init = || {
        // SAFETY: `available()` held (asserted above), so this thread may configure tiles.
        (unsafe { TileConfig::load() }, Tiles::default())
    };
    panels::drive_blocks(m, n, y, (MB, CHUNK_STEPS), init, |(_, tile), s, p, out| {
        // SAFETY: xb holds MB rows of kpad bf16 from row s * MB; panel p holds kp * NB pairs; kp
        // is a multiple of 16; the tiles were configured by `init` on this thread.
        unsafe {
            step(
                kp / 16,
                xb.as_ptr().add(s * MB * kpad),
                2 * kpad,
                w.as_ptr().add(p * kp * NB),
                tile,
            )
        };
        for (r, row) in tile.0.iter().enumerate().take(out.rows) {
            // SAFETY: `out` addresses out.rows rows of out.width values inside y (drive_blocks).
            unsafe {
                std::ptr::copy_nonoverlapping(row.as_ptr(), out.ptr.add(r * out.ld), out.width)
            }
        }
    });
}

/// `dst = bf16(src)`, rounding to nearest even, 32 at a time (`vcvtne2ps2bf16`; like
/// `bf16::to_bf16` except that subnormal inputs become zero).
///
/// # Safety
/// AVX-512F and AVX-512 BF16 must be present.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512bf16")]
unsafe fn round_row(src: &[f32], dst: &mut [u16]) {
    use std::arch::x86_64::*;
    let mut s = src.chunks_exact(32);
    let mut d = dst.chunks_exact_mut(32);
    for (s, d) in s.by_ref().zip(d.by_ref()) {
        let lo = _mm512_loadu_ps(s.as_ptr());
        let hi = _mm512_loadu_ps(s.as_ptr().add(16));
        let h: __m512i = std::mem::transmute(_mm512_cvtne2ps_pbh(hi, lo));
        _mm512_storeu_si512(d.as_mut_ptr().cast(), h);
    }
    for (v, o) in s.remainder().iter().zip(d.into_remainder()) {
        *o = crate::kernels::bf16::to_bf16(*v);
    }
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn round_row(_: &[f32], _: &mut [u16]) {
    unreachable!("AMX exists only on x86-64")
}

/// One step's sums, 32 rows x 32 columns (the stores' layout: row stride 128 bytes).
#[repr(C, align(64))]
struct Tiles([[f32; NB]; MB]);

impl Default for Tiles {
    fn default() -> Self {
        Tiles([[0f32; NB]; MB])
    }
}

/// This thread's tile configuration while it lives (`ldtilecfg` on load, `tilerelease` on drop,
/// so a thread leaves no tile state behind for the kernel to save at every switch).
struct TileConfig;

impl TileConfig {
    /// Palette 1; every tile 16 rows of 64 bytes: accumulators 16 x 16 f32, A 16 x 32 bf16,
    /// B 16 pairs x 16 columns.
    ///
    /// # Safety
    /// `available()` must hold.
    unsafe fn load() -> TileConfig {
        #[repr(C, align(64))]
        struct Cfg([u8; 64]);
        let mut cfg = Cfg([0; 64]);
        cfg.0[0] = 1;
        for t in 0..8 {
            cfg.0[16 + 2 * t] = 64;
            cfg.0[48 + t] = 16;
        }
        #[cfg(target_arch = "x86_64")]
        std::arch::asm!("ldtilecfg [{}]", in(reg) cfg.0.as_ptr(), options(nostack, readonly));
        TileConfig
    }
}

impl Drop for TileConfig {
    fn drop(&mut self) {
        // SAFETY: tiles were configured by `load` on this thread.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            std::arch::asm!("tilerelease", options(nostack, nomem))
        };
    }
}

/// `out = A[32 rows][32 * kt] * B` for A at `a` (bf16, row stride `a_stride` bytes) and B the
/// panel at `b` (kt groups of 16 pair rows of 32 columns).
///
/// # Safety
/// Tiles configured by `TileConfig::load` on this thread; `a` holds 32 rows of `32 * kt` bf16 at
/// `a_stride`, `b` holds `16 * kt * 32` pairs.
#[cfg(target_arch = "x86_64")]
unsafe fn step(kt: usize, a: *const u16, a_stride: usize, b: *const u32, out: &mut Tiles) {
    use std::arch::asm;
    const B_STRIDE: usize = NB * 4;
    asm!(
        "tilezero tmm0",
        "tilezero tmm1",
        "tilezero tmm2",
        "tilezero tmm3",
        options(nostack, nomem)
    );
    let (mut a0, mut a1, mut bp) = (
        a.cast::<u8>(),
        a.cast::<u8>().add(16 * a_stride),
        b.cast::<u8>(),
    );
    for _ in 0..kt {
        asm!(
            "tileloadd tmm4, [{a0} + {sa} * 1]",
            "tileloadd tmm5, [{a1} + {sa} * 1]",
            "tileloadd tmm6, [{b} + {sb} * 1]",
            "tileloadd tmm7, [{b} + {sb} * 1 + 64]",
            "tdpbf16ps tmm0, tmm4, tmm6",
            "tdpbf16ps tmm1, tmm4, tmm7",
            "tdpbf16ps tmm2, tmm5, tmm6",
            "tdpbf16ps tmm3, tmm5, tmm7",
            a0 = in(reg) a0,
            a1 = in(reg) a1,
            b = in(reg) bp,
            sa = in(reg) a_stride,
            sb = in(reg) B_STRIDE,
            options(nostack, readonly)
        );
        // 32 bf16 = 64 bytes further along k; 16 pair rows of the panel.
        a0 = a0.add(64);
        a1 = a1.add(64);
        bp = bp.add(16 * B_STRIDE);
    }
    let o = out.0.as_mut_ptr().cast::<u8>();
    asm!(
        "tilestored [{o} + {s} * 1], tmm0",
        "tilestored [{o} + {s} * 1 + 64], tmm1",
        "tilestored [{o2} + {s} * 1], tmm2",
        "tilestored [{o2} + {s} * 1 + 64], tmm3",
        o = in(reg) o,
        o2 = in(reg) o.add(16 * NB * 4),
        s = in(reg) NB * 4,
        options(nostack)
    );
}

#[cfg(not(target_arch = "x86_64"))]
unsafe fn step(_: usize, _: *const u16, _: usize, _: *const u32, _: &mut Tiles) {
    unreachable!("AMX exists only on x86-64")
}
