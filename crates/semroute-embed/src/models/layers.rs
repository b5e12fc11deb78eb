//! Layers shared by the architectures: a dense projection with weights stored pre-transposed,
//! a residual add + layer norm, and the activation functions the configs name. On the CPU in f32
//! they run through `crate::kernels` (one product plus one fused epilogue pass).

use candle_core::{CpuStorage, CustomOp1, DType, Layout, Module, Shape, Tensor};
use candle_nn::{LayerNorm, VarBuilder};

use crate::config::Activation;
use crate::kernels::activation::bias_act;
use crate::kernels::bf16::PackedBf16;
use crate::kernels::int8::PackedInt8;
use crate::kernels::linear::{LinearAddNormOp, LinearOp, Packed};
use crate::kernels::norm::Norm;
use crate::kernels::packed::PackedWeights;
use crate::models::Precision;

/// `y = x W^T + b` with `W^T` stored contiguous `[in, out]` once at load time.
pub(crate) struct Dense {
    wt: Tensor,
    bias: Option<Tensor>,
    /// The bias as a host slice for the CPU kernel (a few KB; copied once at load).
    bias_host: Option<Vec<f32>>,
    /// `wt` in the form a packed kernel takes, which then takes every product.
    panels: Panels,
}

/// A weight's packed form.
enum Panels {
    /// None: gemm on the plain weight for every product.
    None,
    /// f32 panels for the small-M kernel (see `Dense::with_packed`).
    F32(PackedWeights),
    /// Rounded to bf16 (`Precision::Bf16`).
    Bf16(PackedBf16),
    /// int8 with group scales (`Precision::Int8`).
    Int8(PackedInt8),
}

/// `LayerNorm(y + residual)` after a projection, with the parameters as host slices for the
/// fused CPU epilogue.
pub(crate) struct AddNorm {
    ln: LayerNorm,
    /// gamma, beta (copied once at load), when the CPU kernel can take them.
    host: Option<(Vec<f32>, Vec<f32>)>,
}

impl AddNorm {
    /// Wraps a loaded LayerNorm (with bias).
    pub(crate) fn new(ln: LayerNorm) -> candle_core::Result<Self> {
        let host = match ln.bias() {
            Some(b) if cpu_f32(b) && cpu_f32(ln.weight()) && ln.remove_mean() => {
                Some((ln.weight().to_vec1::<f32>()?, b.to_vec1::<f32>()?))
            }
            _ => None,
        };
        Ok(AddNorm { ln, host })
    }
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
            panels: Panels::None,
        })
    }

    /// Sets the precision of this layer's products: `Bf16` rounds the weight to bf16 once and
    /// sends every product to the bf16 kernel, `Int8` quantizes it to int8 with group scales and
    /// sends every product to the int8-weight kernel (no f32 copy is kept then). Fails where the
    /// CPU lacks the kernel's instructions (the embedder checks that first, with a clearer error).
    pub(crate) fn with_precision(mut self, precision: Precision) -> candle_core::Result<Self> {
        let pack: fn(&[f32], usize, usize) -> Option<Panels> = match precision {
            Precision::F32 => return Ok(self),
            Precision::Bf16 => |w, k, n| PackedBf16::pack(w, k, n).map(Panels::Bf16),
            Precision::Int8 => |w, k, n| PackedInt8::pack(w, k, n).map(Panels::Int8),
        };
        if !cpu_f32(&self.wt) {
            return Ok(self);
        }
        let (k, n) = self.wt.dims2()?;
        let w = self.wt.flatten_all()?.to_vec1::<f32>()?;
        let Some(panels) = pack(&w, k, n) else {
            candle_core::bail!(
                "precision {} needs a CPU with {}",
                precision.as_str(),
                precision.requirement()
            )
        };
        self.panels = panels;
        self.drop_plain(k, n)?;
        Ok(self)
    }

    /// The packed form the CPU kernels take.
    fn packed(&self) -> Packed<'_> {
        match &self.panels {
            Panels::None => Packed::None,
            Panels::F32(p) => Packed::F32(p),
            Panels::Bf16(p) => Packed::Bf16(p),
            Panels::Int8(p) => Packed::Int8(p),
        }
    }

    /// Packs the weight for the f32 packed kernel, where the CPU has one (AVX-512), which then
    /// takes every product; the plain copy is dropped (see `drop_plain`).
    pub(crate) fn with_packed(mut self) -> candle_core::Result<Self> {
        if cpu_f32(&self.wt) && !self.is_packed() {
            let (k, n) = self.wt.dims2()?;
            let w = self.wt.flatten_all()?.to_vec1::<f32>()?;
            if let Some(p) = PackedWeights::pack(&w, k, n) {
                self.panels = Panels::F32(p);
                self.drop_plain(k, n)?;
            }
        }
        Ok(self)
    }

    /// Replaces the plain `[k, n]` weight by a one-element stand-in of the same shape, once a
    /// packed kernel takes every product: the ops read only its shape.
    fn drop_plain(&mut self, k: usize, n: usize) -> candle_core::Result<()> {
        self.wt = Tensor::zeros(1, DType::F32, self.wt.device())?.broadcast_as((k, n))?;
        Ok(())
    }

    /// Whether every product takes a packed kernel (f32, bf16 or int8), none of them gemm.
    pub(crate) fn is_packed(&self) -> bool {
        !matches!(self.panels, Panels::None)
    }

    /// Whether the CPU kernels can take this layer and `x`.
    fn fast(&self, x: &Tensor) -> bool {
        cpu_f32(x) && cpu_f32(&self.wt) && (self.bias.is_none() || self.bias_host.is_some())
    }

    /// `LayerNorm(x W^T + b + residual)`: on the CPU one pass over the product.
    pub(crate) fn forward_add_norm(
        &self,
        x: &Tensor,
        residual: &Tensor,
        norm: &AddNorm,
    ) -> candle_core::Result<Tensor> {
        if let (true, true, Some((gamma, beta))) = (self.fast(x), cpu_f32(residual), &norm.host) {
            let op = LinearAddNormOp {
                bias: self.bias_host.as_deref(),
                packed: self.packed(),
                norm: Norm {
                    gamma,
                    beta,
                    eps: norm.ln.eps() as f32,
                },
            };
            return x
                .contiguous()?
                .apply_op3_no_bwd(&self.wt, &residual.contiguous()?, &op);
        }
        norm.ln.forward(&(self.forward(x)? + residual)?)
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
        if self.fast(x) {
            let op = LinearOp {
                bias: self.bias_host.as_deref(),
                act,
                packed: self.packed(),
            };
            return x.contiguous()?.apply_op2_no_bwd(&self.wt, &op);
        }
        if self.is_packed() {
            candle_core::bail!(
                "a packed layer takes f32 input on the CPU, got {:?}",
                x.dtype()
            );
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

/// A dense projection `[out, in]` (+ `[out]` bias when `bias`) loaded from `vb`, its products in
/// `precision`.
pub(crate) fn linear(
    vb: VarBuilder,
    out: usize,
    inp: usize,
    bias: bool,
    precision: Precision,
) -> candle_core::Result<Dense> {
    Dense::load(vb, out, inp, bias)?.with_precision(precision)
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
