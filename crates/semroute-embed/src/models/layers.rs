//! Building blocks shared by the architectures: a dense layer laid out for CPU GEMM, and the
//! hidden activations named in configs.

use candle_core::Tensor;
use candle_nn::VarBuilder;

use crate::config::Activation;

/// A dense layer whose weight is stored transposed (`[in, out]`, row-major), so the matmul reads
/// it contiguously and gemm does not repack it on every call; inputs of any rank are flattened
/// to 2D for one GEMM.
pub(crate) struct Dense {
    wt: Tensor,
    bias: Option<Tensor>,
}

impl Dense {
    /// Wraps a `[out, in]` weight (as checkpoints store it) and an optional `[out]` bias.
    pub(crate) fn new(weight: Tensor, bias: Option<Tensor>) -> candle_core::Result<Self> {
        Ok(Dense {
            wt: weight.t()?.contiguous()?,
            bias,
        })
    }

    /// Loads `weight` (`[out, in]`, as checkpoints store it) and, when `bias`, `bias` from `vb`.
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

    /// `x @ W^T + b` over the last dimension of `x`.
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let dims = x.dims().to_vec();
        let inp = dims[dims.len() - 1];
        let rows = x.elem_count() / inp;
        let mut y = x.reshape((rows, inp))?.matmul(&self.wt)?;
        if let Some(b) = &self.bias {
            y = y.broadcast_add(b)?;
        }
        let mut out = dims;
        *out.last_mut().expect("rank >= 1") = self.wt.dim(1)?;
        y.reshape(out)
    }
}

impl Activation {
    /// Applies the activation element-wise.
    pub(crate) fn apply(self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Activation::Gelu => x.gelu_erf(),
            Activation::GeluNew => x.gelu(),
            Activation::Relu => x.relu(),
            Activation::Silu | Activation::Swish => x.silu(),
        }
    }
}
