//! `y = act(x W + b)` as one candle custom op on the CPU: the product goes straight to gemm (with
//! the thread count of the calling rayon pool), and the bias add and activation run as one pass
//! over the output while it is still in cache, instead of two or three candle ops with a fresh
//! buffer each.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp2, Layout, Shape};

use crate::config::Activation;
use crate::kernels::activation::bias_act;
use crate::kernels::gemm::matmul;

/// The op: `x` `[.., k]` (any leading dims) times `wt` `[k, n]` plus `bias`, then `act`.
pub(crate) struct LinearOp<'a> {
    pub bias: Option<&'a [f32]>,
    pub act: Option<Activation>,
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
        let x = contiguous(s1, l1, "input")?;
        let w = contiguous(s2, l2, "weight")?;
        let (k, n) = l2.shape().dims2()?;
        let dims = l1.shape().dims();
        if dims.last() != Some(&k) {
            candle_core::bail!("semroute linear: input {dims:?} does not end in {k}");
        }
        if let Some(b) = self.bias {
            if b.len() != n {
                candle_core::bail!("semroute linear: bias of {} for {n} outputs", b.len());
            }
        }
        let m = x.len() / k;
        let mut y = vec![0f32; m * n];
        matmul(m, k, n, x, w, &mut y);
        bias_act(&mut y, self.bias, self.act);
        let mut out = dims.to_vec();
        *out.last_mut().expect("rank >= 1") = n;
        Ok((CpuStorage::F32(y), Shape::from(out)))
    }
}
