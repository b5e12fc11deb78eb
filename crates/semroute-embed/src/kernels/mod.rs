//! CPU kernels the models call through candle's custom ops where candle's generic ops cost the
//! most: fused linear + bias + activation (or + residual + layer norm), a packed small-M product,
//! attention from a fused QKV projection, vectorised erf/exp/softmax. f32 results stay within 1e-6
//! of the generic ops; the opt-in bf16 products (`bf16.rs`) round their operands to bf16.

pub(crate) mod activation;
pub(crate) mod attention;
pub(crate) mod bf16;
pub(crate) mod gemm;
pub(crate) mod linear;
pub(crate) mod math;
pub(crate) mod norm;
pub(crate) mod packed;
pub(crate) mod softmax;
pub(crate) mod team;

/// A raw output pointer that parallel tasks writing disjoint parts of one buffer may share (each
/// user states which part each task writes).
#[derive(Clone, Copy)]
pub(crate) struct Shared(pub(crate) *mut f32);
// SAFETY: only handed to tasks that write disjoint elements (see each use).
unsafe impl Send for Shared {}
unsafe impl Sync for Shared {}

impl Shared {
    /// Through a method, so closures capture the whole (Send) wrapper, not its raw-pointer field.
    pub(crate) fn ptr(self) -> *mut f32 {
        self.0
    }
}
