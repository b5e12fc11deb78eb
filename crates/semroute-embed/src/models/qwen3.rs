//! Qwen3 (Qwen3-Embedding) run as a stateless encoder: no KV cache survives a call. RMSNorm
//! pre-norm blocks, grouped-query attention with per-head q/k RMSNorm and rotary positions, SwiGLU
//! MLPs. Left padding with the end-of-text token, a causal mask combined with the padding mask,
//! end-of-text appended to every input, last-token pooling, optional instruction prefix.
//!
//! Positions start at 0 at each row's first real token, so a text in a left-padded batch is
//! numbered exactly as when embedded alone. (transformers numbers 0..seq over the padded row
//! instead; RoPE only sees position differences, so both agree up to rounding.)

use candle_core::{Module, Tensor};
use candle_nn::{Embedding, RmsNorm, VarBuilder};

use crate::models::layers::{linear, Dense};

use crate::batch::{Batch, PaddingSide};
use crate::config::{Activation, Qwen3Config};
use crate::models::loading::strip_prefix;
use crate::models::rope::{self, RotaryTable};
use crate::models::{resolve_layer, Capabilities, EmbeddingModel, LoadOptions, Precision};
use crate::pooling::Pooling;
use crate::{Error, Result};

/// Qwen3-Embedding's own instruction template (no space after `Query:`).
pub const INSTRUCTION_TEMPLATE: &str = "Instruct: {instruction}\nQuery:{text}";

/// A loaded Qwen3 decoder used as an embedding encoder.
pub struct Qwen3 {
    embed_tokens: Embedding,
    layers: Vec<Layer>,
    norm: RmsNorm,
    rope: RotaryTable,
    caps: Capabilities,
}

struct Layer {
    input_norm: RmsNorm,
    q_proj: Dense,
    k_proj: Dense,
    v_proj: Dense,
    o_proj: Dense,
    q_norm: RmsNorm,
    k_norm: RmsNorm,
    post_attn_norm: RmsNorm,
    gate_proj: Dense,
    up_proj: Dense,
    down_proj: Dense,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    act: Activation,
}

fn rms(vb: VarBuilder, size: usize, eps: f64) -> candle_core::Result<RmsNorm> {
    Ok(RmsNorm::new(vb.get(size, "weight")?, eps))
}

impl Layer {
    fn load(vb: VarBuilder, c: &Qwen3Config, precision: Precision) -> candle_core::Result<Self> {
        let (h, hd) = (c.hidden_size, c.head_dim());
        let (nh, nkv) = (c.num_attention_heads, c.num_key_value_heads);
        let att = vb.pp("self_attn");
        let mlp = vb.pp("mlp");
        let eps = c.rms_norm_eps;
        Ok(Layer {
            input_norm: rms(vb.pp("input_layernorm"), h, eps)?,
            q_proj: linear(att.pp("q_proj"), nh * hd, h, c.attention_bias, precision)?,
            k_proj: linear(att.pp("k_proj"), nkv * hd, h, c.attention_bias, precision)?,
            v_proj: linear(att.pp("v_proj"), nkv * hd, h, c.attention_bias, precision)?,
            o_proj: linear(att.pp("o_proj"), h, nh * hd, c.attention_bias, precision)?,
            q_norm: rms(att.pp("q_norm"), hd, eps)?,
            k_norm: rms(att.pp("k_norm"), hd, eps)?,
            post_attn_norm: rms(vb.pp("post_attention_layernorm"), h, eps)?,
            gate_proj: linear(
                mlp.pp("gate_proj"),
                c.intermediate_size,
                h,
                false,
                precision,
            )?,
            up_proj: linear(mlp.pp("up_proj"), c.intermediate_size, h, false, precision)?,
            down_proj: linear(
                mlp.pp("down_proj"),
                h,
                c.intermediate_size,
                false,
                precision,
            )?,
            heads: nh,
            kv_heads: nkv,
            head_dim: hd,
            act: c.hidden_act,
        })
    }

    /// `[b, s, h]` -> `[b, heads, s, head_dim]` with the per-head RMSNorm and rotary positions applied.
    fn project(
        &self,
        x: &Tensor,
        proj: &Dense,
        norm: Option<&RmsNorm>,
        heads: usize,
        cos: &Tensor,
        sin: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let (b, s, _) = x.dims3()?;
        let mut t = proj.forward(x)?.reshape((b, s, heads, self.head_dim))?;
        if let Some(norm) = norm {
            t = norm.forward(&t)?;
            t = rope::apply(&t.transpose(1, 2)?, cos, sin)?;
        } else {
            t = t.transpose(1, 2)?.contiguous()?;
        }
        Ok(t)
    }

    /// `bias`: `[b, 1, s, s]` causal + padding bias.
    fn forward(
        &self,
        x: &Tensor,
        cos: &Tensor,
        sin: &Tensor,
        bias: &Tensor,
    ) -> candle_core::Result<Tensor> {
        let (b, s, h) = x.dims3()?;
        let normed = self.input_norm.forward(x)?;
        let q = self.project(
            &normed,
            &self.q_proj,
            Some(&self.q_norm),
            self.heads,
            cos,
            sin,
        )?;
        let k = self.project(
            &normed,
            &self.k_proj,
            Some(&self.k_norm),
            self.kv_heads,
            cos,
            sin,
        )?;
        let v = self.project(&normed, &self.v_proj, None, self.kv_heads, cos, sin)?;
        // Grouped-query attention: each kv head serves heads / kv_heads query heads.
        let group = self.heads / self.kv_heads;
        let q = q.reshape((b, self.kv_heads, group * s, self.head_dim))?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let scores = (q.matmul(&k.t()?)? * scale)?
            .reshape((b, self.heads, s, s))?
            .broadcast_add(bias)?;
        let probs =
            candle_nn::ops::softmax_last_dim(&scores)?.reshape((b, self.kv_heads, group * s, s))?;
        let ctx = probs
            .matmul(&v)?
            .reshape((b, self.heads, s, self.head_dim))?
            .transpose(1, 2)?
            .reshape((b, s, self.heads * self.head_dim))?;
        let x = (x + self.o_proj.forward(&ctx)?)?;

        let normed = self.post_attn_norm.forward(&x)?;
        let gate = self.gate_proj.forward_act(&normed, Some(self.act))?;
        let mlp = self
            .down_proj
            .forward(&(gate * self.up_proj.forward(&normed)?)?)?;
        debug_assert_eq!(mlp.dim(2)?, h);
        x + mlp
    }
}

/// Causal + padding bias `[batch, seq, seq]` for left-padded rows of `lengths`: query `i` sees key
/// `j` when `j <= i` and `j` is a real token. Padded queries see nothing and get a uniform (finite)
/// row, never NaN; their outputs are not pooled.
pub fn causal_bias(lengths: &[usize], seq: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(lengths.len() * seq * seq);
    for &len in lengths {
        let first = seq - len;
        for i in 0..seq {
            out.extend((0..seq).map(|j| if j >= first && j <= i { 0.0 } else { f32::MIN }));
        }
    }
    out
}

/// Per-row positions for left-padded rows: 0 at each row's first real token (padding gets 0).
pub fn positions(lengths: &[usize], seq: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(lengths.len() * seq);
    for &len in lengths {
        let first = seq - len;
        out.extend((0..seq).map(|i| i.saturating_sub(first) as u32));
    }
    out
}

impl Qwen3 {
    /// Builds the model from `vb` (weights with or without a `model.` prefix).
    pub fn load(c: &Qwen3Config, vb: VarBuilder, opts: &LoadOptions) -> Result<Self> {
        let bad_config = |reason: String| opts.paths.invalid_config(reason);
        if c.num_key_value_heads == 0
            || !c.num_attention_heads.is_multiple_of(c.num_key_value_heads)
        {
            return Err(bad_config(format!(
                "num_attention_heads {} is not a multiple of num_key_value_heads {}",
                c.num_attention_heads, c.num_key_value_heads
            )));
        }
        let Some(end_of_text) = c.eos_token_id.or(c.pad_token_id) else {
            return Err(opts.paths.unsupported(
                "qwen3 config names no eos_token_id (the end-of-text token appended to every input)"
                    .into(),
            ));
        };
        rope::check_unscaled(c.rope_parameters.as_ref(), c.rope_scaling.as_ref())
            .map_err(|reason| opts.paths.unsupported(reason))?;
        let depth = resolve_layer(opts.layer, &[c.num_hidden_layers], c.num_hidden_layers)?;
        let device = vb.device().clone();
        let vb = strip_prefix(vb, "model", "embed_tokens.weight");
        let weights = |e: candle_core::Error| opts.paths.corrupt_weights(e);
        let h = c.hidden_size;
        let embed_tokens = Embedding::new(
            vb.pp("embed_tokens")
                .get((c.vocab_size, h), "weight")
                .map_err(weights)?,
            h,
        );
        let layers = (0..depth)
            .map(|i| Layer::load(vb.pp(format!("layers.{i}")), c, opts.precision))
            .collect::<candle_core::Result<Vec<_>>>()
            .map_err(weights)?;
        let norm = rms(vb.pp("norm"), h, c.rms_norm_eps).map_err(weights)?;
        let max_seq_len = opts.max_seq_len.map_or(c.max_position_embeddings, |m| {
            m.min(c.max_position_embeddings)
        });
        let rope = RotaryTable::new(c.theta(), c.head_dim(), max_seq_len, &device)?;
        Ok(Qwen3 {
            embed_tokens,
            layers,
            norm,
            rope,
            caps: Capabilities {
                pooling: opts.pooling.unwrap_or(Pooling::LastToken),
                padding_side: PaddingSide::Left,
                pad_token_id: end_of_text,
                masks_padding: true,
                max_seq_len,
                hidden_size: h,
                exit_layers: None,
                dims: None,
                append_token_id: Some(end_of_text),
                instruction_template: Some(INSTRUCTION_TEMPLATE.to_string()),
            },
        })
    }
}

impl EmbeddingModel for Qwen3 {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn forward(&self, batch: &Batch) -> Result<Tensor> {
        let (b, s) = batch.input_ids.dims2()?;
        if batch.has_padding && batch.padding_side != PaddingSide::Left {
            return Err(Error::InferenceFailed {
                context: "qwen3 needs left padding (last-token pooling reads the last column)"
                    .into(),
                source: None,
            });
        }
        let device = batch.input_ids.device();
        let mut x = self.embed_tokens.forward(&batch.input_ids)?;
        let lengths: Vec<usize> = if batch.has_padding {
            batch.lengths.clone()
        } else {
            vec![s; b]
        };
        let (cos, sin) = if batch.has_padding {
            self.rope.gather(&positions(&lengths, s), b, s)?
        } else {
            self.rope.prefix(s)?
        };
        // Without padding every row shares one causal bias.
        let rows = if batch.has_padding { b } else { 1 };
        let bias = Tensor::from_vec(causal_bias(&lengths[..rows], s), (rows, 1, s, s), device)?;
        for layer in &self.layers {
            x = layer.forward(&x, &cos, &sin, &bias)?;
        }
        Ok(self.norm.forward(&x)?.contiguous()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causal_bias_hides_future_and_padding() {
        // Row of 3 positions holding 2 real tokens (left-padded by one).
        let bias = causal_bias(&[2], 3);
        let open: Vec<Vec<bool>> = bias
            .chunks(3)
            .map(|r| r.iter().map(|&v| v == 0.0).collect())
            .collect();
        assert_eq!(open[0], vec![false, false, false]);
        assert_eq!(open[1], vec![false, true, false]);
        assert_eq!(open[2], vec![false, true, true]);
    }

    #[test]
    fn positions_start_at_each_rows_first_token() {
        assert_eq!(positions(&[2, 4], 4), vec![0, 0, 0, 1, 0, 1, 2, 3]);
    }
}
