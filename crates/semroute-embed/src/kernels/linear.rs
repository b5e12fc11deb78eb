//! `y = act(x W + b)` and `y = LayerNorm(x W + b + residual)` as candle custom ops on the CPU: the
//! product goes straight to gemm (with the thread count of the calling rayon pool), or to the
//! packed small-M kernel for few rows, and the epilogue (bias + activation, or bias + residual +
//! layer norm) runs as one pass over the output while it is still in cache, instead of two to
//! four candle ops with a fresh buffer each.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp2, CustomOp3, Layout, Shape};

use crate::config::Activation;
use crate::kernels::activation::bias_act;
use crate::kernels::bf16::{self, PackedBf16};
use crate::kernels::gemm;
use crate::kernels::int8::{self, PackedInt8};
use crate::kernels::norm::{bias_residual_norm, Norm};
use crate::kernels::packed::{self, PackedWeights};
use crate::kernels::{team, written};

/// The weight operand's forms beside the plain `[k, n]` tensor.
#[derive(Clone, Copy)]
pub(crate) enum Packed<'a> {
    /// gemm on the plain weight for every product.
    None,
    /// f32 panels for every product.
    F32(&'a PackedWeights),
    /// bf16 panels for every product (`Precision::Bf16`).
    Bf16(&'a PackedBf16),
    /// int8 panels with group scales for every product (`Precision::Int8`).
    Int8(&'a PackedInt8),
}

/// The op: `x` `[.., k]` (any leading dims) times `wt` `[k, n]` plus `bias`, then `act`.
pub(crate) struct LinearOp<'a> {
    pub bias: Option<&'a [f32]>,
    pub act: Option<Activation>,
    /// `wt` packed for the small-M or bf16 kernel, where the CPU has one.
    pub packed: Packed<'a>,
}

/// The op: `LayerNorm(x wt + bias + residual)`; inputs `x` `[.., k]`, `wt` `[k, n]`, `residual`
/// shaped like the output `[.., n]`.
pub(crate) struct LinearAddNormOp<'a> {
    pub bias: Option<&'a [f32]>,
    pub packed: Packed<'a>,
    pub norm: Norm<'a>,
}

fn contiguous<'s>(s: &'s CpuStorage, l: &Layout, what: &str) -> candle_core::Result<&'s [f32]> {
    let CpuStorage::F32(v) = s else {
        candle_core::bail!("semroute linear: {what} must be f32, got {:?}", s.dtype())
    };
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&v[a..b]),
        None => candle_core::bail!("semroute linear: {what} must be contiguous"),
    }
}

/// `x wt` as a fresh buffer and its shape (`x`'s with the last dim replaced by `n`).
fn product(
    s1: &CpuStorage,
    l1: &Layout,
    s2: &CpuStorage,
    l2: &Layout,
    bias: Option<&[f32]>,
    packed: Packed,
) -> candle_core::Result<(Vec<f32>, Vec<usize>)> {
    let x = contiguous(s1, l1, "input")?;
    // The weight operand gives the shape; its values are read only by gemm (a layer whose every
    // product takes a packed kernel keeps no plain copy: see `Dense::with_precision`).
    let (k, n) = l2.shape().dims2()?;
    let dims = l1.shape().dims();
    if dims.last() != Some(&k) {
        candle_core::bail!("semroute linear: input {dims:?} does not end in {k}");
    }
    if let Some(b) = bias {
        if b.len() != n {
            candle_core::bail!("semroute linear: bias of {} for {n} outputs", b.len());
        }
    }
    let m = x.len() / k;
    // Written in full by every kernel: no zeroing first.
    let y = match packed {
        Packed::F32(p) => written(m * n, |y| packed::matmul(m, x, p, y)),
        Packed::Bf16(p) => written(m * n, |y| bf16::matmul(m, x, p, y)),
        Packed::Int8(p) => written(m * n, |y| int8::matmul(m, x, p, y)),
        Packed::None => {
            let w = contiguous(s2, l2, "weight")?;
            written(m * n, |y| gemm::matmul(m, k, n, x, w, y))
        }
    };
    let mut out = dims.to_vec();
    *out.last_mut().expect("rank >= 1") = n;
    Ok((y, out))
}

impl CustomOp2 for LinearOp<'_> {
    fn name(&self) -> &'static str {
        "semroute-linear"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (mut y, dims) = product(s1, l1, s2, l2, self.bias, self.packed)?;
        if self.bias.is_some() || self.act.is_some() {
            let n = *dims.last().expect("rank >= 1");
            team::for_each_rows(&mut y, n, |_, rows| bias_act(rows, self.bias, self.act));
        }
        Ok((CpuStorage::F32(y), Shape::from(dims)))
    }
}

impl CustomOp3 for LinearAddNormOp<'_> {
    fn name(&self) -> &'static str {
        "semroute-linear-add-norm"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (mut y, dims) = product(s1, l1, s2, l2, self.bias, self.packed)?;
        let residual = contiguous(s3, l3, "residual")?;
        if l3.shape().dims() != dims.as_slice() || dims.last() != Some(&self.norm.gamma.len()) {
            candle_core::bail!(
                "semroute linear: residual {:?} / norm of {} for output {dims:?}",
                l3.shape().dims(),
                self.norm.gamma.len()
            );
        }
        let n = self.norm.gamma.len();
        team::for_each_rows(&mut y, n, |first, rows| {
            let res = &residual[first * n..first * n + rows.len()];
            bias_residual_norm(rows, self.bias, res, self.norm)
        });
        Ok((CpuStorage::F32(y), Shape::from(dims)))
    }
}
