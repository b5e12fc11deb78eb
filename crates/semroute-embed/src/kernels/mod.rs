//! CPU kernels the models call through candle's custom ops where candle's generic ops cost the
//! most: fused linear + bias + activation (or + residual + layer norm), a packed small-M product,
//! attention from a fused QKV projection, vectorised erf/exp/softmax. f32 results stay within 1e-6
//! of the generic ops; the opt-in bf16 products (`bf16.rs`) round their operands to bf16, and the
//! opt-in int8 weights (`int8.rs`) are dequantized per panel for the f32 microkernel.

pub(crate) mod activation;
pub(crate) mod amx;
pub(crate) mod attention;
pub(crate) mod bf16;
pub(crate) mod gemm;
pub(crate) mod int8;
pub(crate) mod linear;
pub(crate) mod math;
pub(crate) mod norm;
pub(crate) mod packed;
pub(crate) mod panels;
pub(crate) mod softmax;
pub(crate) mod team;

/// A raw output pointer that parallel tasks writing disjoint parts of one buffer may share (each
/// user states which part each task writes).
pub(crate) struct Shared<T = f32>(pub(crate) *mut T);
// Copy/Clone by hand: derived ones would require `T: Copy`.
impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Shared<T> {}
// SAFETY: only handed to tasks that write disjoint elements (see each use).
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// Through a method, so closures capture the whole (Send) wrapper, not its raw-pointer field.
    pub(crate) fn ptr(self) -> *mut T {
        self.0
    }
}

/// A fresh buffer of `len` values that `fill` writes in full (the kernels' outputs and packed
/// operands are written, never read first, so they need no zeroing).
pub(crate) fn written<T>(len: usize, fill: impl FnOnce(&mut [std::mem::MaybeUninit<T>])) -> Vec<T> {
    let mut y = Vec::with_capacity(len);
    fill(&mut y.spare_capacity_mut()[..len]);
    // SAFETY: `fill` wrote all `len` values (each kernel's contract: every output element).
    unsafe { y.set_len(len) };
    y
}
