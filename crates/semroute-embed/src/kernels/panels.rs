//! The tiling shared by the packed kernels (f32 `packed.rs`, bf16 `bf16.rs`, int8 weights
//! `int8.rs`): the activations go in blocks of `MR` rows (packed per call for bf16, read in place
//! for f32 and int8), the weights in panels of `NR` columns, and a microkernel computes one block x
//! panel tile at a time, storing it straight into the output. Rows go in chunks of `CHUNK_BLOCKS` blocks, which stay in L2
//! while every panel passes over them; each chunk's panels are split over the threads. A row's
//! result depends only on that row: the same sums in the same order alone and in a batch.

use std::mem::MaybeUninit;

use crate::kernels::{team, Shared};

/// Columns per panel: two 16-lane registers.
pub(crate) const NR: usize = 32;
/// Rows per tile: 12 x 2 accumulators + 2 weight registers + 1 broadcast <= 32 registers.
pub(crate) const MR: usize = 12;
/// Row blocks per chunk: 96 rows of packed activations (at most 590 KB in f32 for k = 1536).
const CHUNK_BLOCKS: usize = 8;

/// Where one tile's results go: `rows` (at most the block's) rows of `width` (<= NR) values from
/// `ptr`, `ld` apart (a block x panel corner of the row-major output).
#[derive(Clone, Copy)]
pub(crate) struct TileOut {
    pub ptr: *mut f32,
    pub ld: usize,
    pub rows: usize,
    pub width: usize,
}

/// Stores a tile's accumulators (row r: columns 0-15 in `lo[r]`, 16-31 in `hi[r]`) straight into
/// the output, masked to the rows and columns that exist.
///
/// # Safety
/// AVX-512F must be present; `out` must address `out.rows` rows of `out.width` writable values.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
pub(crate) unsafe fn store(
    out: TileOut,
    lo: &[std::arch::x86_64::__m512; MR],
    hi: &[std::arch::x86_64::__m512; MR],
) {
    use std::arch::x86_64::*;
    let bits = |w: usize| -> u16 {
        if w >= 16 {
            u16::MAX
        } else {
            (1u16 << w) - 1
        }
    };
    let (m0, m1) = (bits(out.width), bits(out.width.saturating_sub(16)));
    for r in 0..out.rows.min(MR) {
        let row = out.ptr.add(r * out.ld);
        _mm512_mask_storeu_ps(row, m0, lo[r]);
        _mm512_mask_storeu_ps(row.add(16), m1, hi[r]);
    }
}

/// `x` (`[m, k]`, row-major) packed in blocks of `MR` rows of `block_len` elements each (zeroed
/// where rows are missing), in parallel; `pack_row(row, block, r)` writes row `r` of a block.
pub(crate) fn pack_rows<T: Copy + Default + Send + Sync>(
    m: usize,
    k: usize,
    x: &[f32],
    block_len: usize,
    pack_row: impl Fn(&[f32], &mut [T], usize) + Sync + Send,
) -> Vec<T> {
    assert!(x.len() >= m * k);
    let blocks = m.div_ceil(MR);
    let mut xp = vec![T::default(); blocks * block_len];
    let base = Shared(xp.as_mut_ptr());
    team::for_each(blocks, |b| {
        // SAFETY: task b owns elements [b * block_len, (b + 1) * block_len) of xp.
        let block =
            unsafe { std::slice::from_raw_parts_mut(base.ptr().add(b * block_len), block_len) };
        for r in 0..MR.min(m - b * MR) {
            pack_row(&x[(b * MR + r) * k..(b * MR + r + 1) * k], block, r);
        }
    });
    xp
}

/// `y` (`[m, n]`, row-major, every element written) from tiles: `tile(block, panel, out)`
/// computes row block `block` (`MR` rows) x column panel `panel` and stores the rows and columns
/// that exist at `out`. Runs on the calling pool, or on the calling thread's team (see `team`).
pub(crate) fn drive(
    m: usize,
    n: usize,
    y: &mut [MaybeUninit<f32>],
    tile: impl Fn(usize, usize, TileOut) + Sync + Send,
) {
    drive_blocks(
        m,
        n,
        y,
        (MR, CHUNK_BLOCKS),
        || (),
        |_, b, p, out| tile(b, p, out),
    )
}

/// `drive` with blocks of `rows` rows, `chunk` blocks to a chunk, and per-task state from `init`
/// (made once per task, before its first tile).
pub(crate) fn drive_blocks<S>(
    m: usize,
    n: usize,
    y: &mut [MaybeUninit<f32>],
    (rows, chunk): (usize, usize),
    init: impl Fn() -> S + Sync + Send,
    tile: impl Fn(&mut S, usize, usize, TileOut) + Sync + Send,
) {
    assert!(y.len() >= m * n && rows > 0 && chunk > 0);
    let (blocks, panels) = (m.div_ceil(rows), n.div_ceil(NR));
    if blocks == 0 || panels == 0 {
        return;
    }
    let chunks = blocks.div_ceil(chunk);
    let groups = rayon::current_num_threads().min(panels).max(1);
    let per = panels.div_ceil(groups);
    let out = Shared(y.as_mut_ptr().cast::<f32>());
    let run = |t: usize| {
        let (c, g) = (t / groups, t % groups);
        let mut state = init();
        for p in g * per..((g + 1) * per).min(panels) {
            let (c0, width) = (p * NR, NR.min(n - p * NR));
            for b in c * chunk..((c + 1) * chunk).min(blocks) {
                // Task (c, g) writes only the rows of chunk c and the columns of the panels of
                // group g, inside y's m x n.
                let at = TileOut {
                    ptr: out.ptr().wrapping_add(b * rows * n + c0),
                    ld: n,
                    rows: (m - b * rows).min(rows),
                    width,
                };
                tile(&mut state, b, p, at)
            }
        }
    };
    let tasks = chunks * groups;
    if tasks == 1 {
        run(0)
    } else {
        team::for_each(tasks, run)
    }
}
