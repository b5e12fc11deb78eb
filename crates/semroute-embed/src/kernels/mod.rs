//! CPU kernels the models call through candle's custom ops where candle's generic ops cost the
//! most: fused linear + bias + activation (or + residual + layer norm), a packed small-M product,
//! attention from a fused QKV projection, vectorised erf/exp/softmax. f32 only; results stay
//! within 1e-6 of the generic ops.

pub(crate) mod activation;
pub(crate) mod attention;
pub(crate) mod gemm;
pub(crate) mod linear;
pub(crate) mod math;
pub(crate) mod norm;
pub(crate) mod packed;
pub(crate) mod softmax;
