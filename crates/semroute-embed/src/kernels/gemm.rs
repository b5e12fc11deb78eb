//! Row-major f32 matrix products through gemm, threaded on the calling rayon pool.

use std::mem::MaybeUninit;

use gemm::Parallelism;

/// Threads gemm may use: the calling pool's size (the embedder's own pool, or the global one).
fn parallelism() -> Parallelism {
    match rayon::current_num_threads() {
        0 | 1 => Parallelism::None,
        n => Parallelism::Rayon(n),
    }
}

/// `y[m, n] = x[m, k] * w[k, n]`, all row-major and contiguous (every element of y written).
pub(crate) fn matmul(
    m: usize,
    k: usize,
    n: usize,
    x: &[f32],
    w: &[f32],
    y: &mut [MaybeUninit<f32>],
) {
    assert!(x.len() >= m * k && w.len() >= k * n && y.len() >= m * n);
    // SAFETY: the three slices hold at least the elements the strides below reach.
    unsafe {
        strided(
            m,
            k,
            n,
            (x.as_ptr(), k as isize, 1),
            (w.as_ptr(), n as isize, 1),
            (y.as_mut_ptr().cast::<f32>(), n as isize, 1),
            parallelism(),
        )
    }
}

/// `y = x * w` over strided views: each operand is `(pointer, row stride, column stride)`.
///
/// # Safety
/// Every element the shapes and strides address must lie inside its allocation, and `y` must not
/// overlap `x` or `w`.
pub(crate) unsafe fn strided(
    m: usize,
    k: usize,
    n: usize,
    x: (*const f32, isize, isize),
    w: (*const f32, isize, isize),
    y: (*mut f32, isize, isize),
    par: Parallelism,
) {
    gemm::gemm(
        m, n, k, y.0, y.2, y.1, false, x.0, x.2, x.1, w.0, w.2, w.1, 0.0, 1.0, false, false, false,
        par,
    )
}
