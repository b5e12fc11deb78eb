//! The tiling shared by the packed kernels (f32 `packed.rs`, bf16 `bf16.rs`): the activations are
//! packed in blocks of `MR` rows, the weights in panels of `NR` columns, and a microkernel computes
//! one block x panel tile at a time. Rows go in chunks of `CHUNK_BLOCKS` blocks, which stay in L2
//! while every panel passes over them; each chunk's panels are split over the threads. A row's
//! result depends only on that row: the same sums in the same order alone and in a batch.

use crate::kernels::{team, Shared};

/// Columns per panel: two 16-lane registers.
pub(crate) const NR: usize = 32;
/// Rows per tile: 12 x 2 accumulators + 2 weight registers + 1 broadcast <= 32 registers.
pub(crate) const MR: usize = 12;
/// Row blocks per chunk: 96 rows of packed activations (at most 590 KB in f32 for k = 1536).
const CHUNK_BLOCKS: usize = 8;

/// One tile of the product.
pub(crate) type Tile = [[f32; NR]; MR];

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

/// `y` (`[m, n]`, row-major) from tiles: `tile(block, panel, out)` computes row block `block` x
/// column panel `panel`; the rows and columns that exist are copied into `y`. Runs on the calling
/// pool, or on the calling thread's team (see `team`).
pub(crate) fn drive(
    m: usize,
    n: usize,
    y: &mut [f32],
    tile: impl Fn(usize, usize, &mut Tile) + Sync + Send,
) {
    assert!(y.len() >= m * n);
    let (blocks, panels) = (m.div_ceil(MR), n.div_ceil(NR));
    if blocks == 0 || panels == 0 {
        return;
    }
    let chunks = blocks.div_ceil(CHUNK_BLOCKS);
    let groups = rayon::current_num_threads().min(panels).max(1);
    let per = panels.div_ceil(groups);
    let out = Shared(y.as_mut_ptr());
    let run = |t: usize| {
        let (c, g) = (t / groups, t % groups);
        let mut buf: Tile = [[0f32; NR]; MR];
        for p in g * per..((g + 1) * per).min(panels) {
            let (c0, width) = (p * NR, NR.min(n - p * NR));
            for b in c * CHUNK_BLOCKS..((c + 1) * CHUNK_BLOCKS).min(blocks) {
                tile(b, p, &mut buf);
                for (r, row) in buf.iter().enumerate().take((m - b * MR).min(MR)) {
                    // SAFETY: task (c, g) writes only the rows of chunk c and the columns of the
                    // panels of group g, inside y's m x n.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            row.as_ptr(),
                            out.ptr().add((b * MR + r) * n + c0),
                            width,
                        )
                    }
                }
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
