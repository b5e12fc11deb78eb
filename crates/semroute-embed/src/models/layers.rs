//! Layers shared by the architectures: a dense projection with weights stored pre-transposed,
//! and the activation functions the configs name. On the CPU in f32 both run through
//! `crate::kernels` (one gemm call plus one fused bias + activation pass).

use candle_core::{CpuStorage, CustomOp1, DType, Layout, Shape, Tensor};
use candle_nn::VarBuilder;

use crate::config::Activation;
use crate::kernels::activation::bias_act;
use crate::kernels::linear::LinearOp;

/// `y = x W^T + b` with `W^T` stored contiguous `[in, out]` once at load time.
pub(crate) struct Dense {
    wt: Tensor,
    bias: Option<Tensor>,
    /// The bias as a host slice for the CPU kernel (a few KB; copied once at load).
    bias_host: Option<Vec<f32>>,
}

/// Whether `t` (and so the layer) can take the CPU f32 kernels.
fn cpu_f32(t: &Tensor) -> bool {
    t.device().is_cpu() && t.dtype() == DType::F32
}

impl Dense {
    /// Wraps a `[out, in]` weight (PyTorch layout) and an optional `[out]` bias.
    pub(crate) fn new(weight: Tensor, bias: Option<Tensor>) -> candle_core::Result<Self> {
        let bias_host = match &bias {
            Some(b) if cpu_f32(b) => Some(b.to_vec1::<f32>()?),
            _ => None,
        };
        Ok(Dense {
            wt: weight.t()?.contiguous()?,
            bias,
            bias_host,
        })
    }

    /// Loads `weight` `[out, in]` and, when `bias`, `bias` `[out]` from `vb`.
    pub(crate) fn load(
        vb: VarBuilder,
        out: usize,
        inp: usize,
        bias: bool,
    ) -> candle_core::Result<Self> {
        let bias = if bias {
            Some(vb.get(out, "bias")?)
        } else {
            None
        };
        Dense::new(vb.get((out, inp), "weight")?, bias)
    }

    /// `x` `[.., in]` -> `[.., out]`.
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.forward_act(x, None)
    }

    /// `act(x W^T + b)`: on the CPU the bias and activation are one pass over the product.
    pub(crate) fn forward_act(
        &self,
        x: &Tensor,
        act: Option<Activation>,
    ) -> candle_core::Result<Tensor> {
        if cpu_f32(x) && cpu_f32(&self.wt) && (self.bias.is_none() || self.bias_host.is_some()) {
            let op = LinearOp {
                bias: self.bias_host.as_deref(),
                act,
            };
            return x.contiguous()?.apply_op2_no_bwd(&self.wt, &op);
        }
        let dims = x.dims().to_vec();
        let inp = dims[dims.len() - 1];
        let rows = x.elem_count() / inp;
        let mut y = x.reshape((rows, inp))?.matmul(&self.wt)?;
        if let Some(b) = &self.bias {
            y = y.broadcast_add(b)?;
        }
        let mut out = dims;
        *out.last_mut().expect("rank >= 1") = self.wt.dim(1)?;
        let y = y.reshape(out)?;
        match act {
            Some(a) => a.apply(&y),
            None => Ok(y),
        }
    }
}

/// An activation as a candle custom op (the vectorised CPU kernels).
struct ActOp(Activation);

impl CustomOp1 for ActOp {
    fn name(&self) -> &'static str {
        "semroute-activation"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (CpuStorage::F32(v), Some((a, b))) = (s, l.contiguous_offsets()) else {
            candle_core::bail!("semroute activation: input must be contiguous f32")
        };
        let mut y = v[a..b].to_vec();
        bias_act(&mut y, None, Some(self.0));
        Ok((CpuStorage::F32(y), l.shape().clone()))
    }
}

impl Activation {
    /// Applies the activation element-wise.
    pub(crate) fn apply(self, x: &Tensor) -> candle_core::Result<Tensor> {
        if cpu_f32(x) {
            return x.contiguous()?.apply_op1_no_bwd(&ActOp(self));
        }
        match self {
            Activation::Gelu => x.gelu_erf(),
            Activation::GeluNew => x.gelu(),
            Activation::Relu => x.relu(),
            Activation::Silu | Activation::Swish => x.silu(),
        }
    }
}
