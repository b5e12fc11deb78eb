//! BERT-family encoder (all-MiniLM-L6-v2, bge-small, ...): absolute positions, post-LayerNorm
//! blocks, right padding with an additive padding mask, mean or CLS pooling.

use candle_core::{DType, Module, Tensor};
use candle_nn::{layer_norm, Embedding, LayerNorm, VarBuilder};

use crate::batch::{padding_bias, Batch};
use crate::config::{Activation, BertConfig};
use crate::kernels::attention::FusedQkvAttention;
use crate::kernels::team;
use crate::models::layers::{AddNorm, Dense};
use crate::models::loading::strip_prefix;
use crate::models::{resolve_layer, Capabilities, EmbeddingModel, LoadOptions, Precision};
use crate::pooling::Pooling;
use crate::Result;

/// A loaded BERT encoder.
pub struct Bert {
    word: Embedding,
    position: Embedding,
    token_type: Tensor,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    caps: Capabilities,
}

/// One post-LayerNorm encoder block (shared with the XLM-RoBERTa variant).
pub(crate) struct Layer {
    /// Q, K and V fused into one projection: one matmul instead of three.
    qkv: Dense,
    attn_out: Dense,
    attn_norm: AddNorm,
    intermediate: Dense,
    output: Dense,
    out_norm: AddNorm,
    heads: usize,
    head_dim: usize,
    act: Activation,
}

fn linear(vb: &VarBuilder, name: &str, out: usize, inp: usize) -> candle_core::Result<Dense> {
    Dense::load(vb.pp(name), out, inp, true)
}

/// Encoders whose layer weights take at most this many bytes run their f32 products on the packed
/// kernel (kernels/packed.rs); larger ones (multilingual-e5-small, 85 MB) keep gemm: the packed
/// kernel has no blocking over k and was measured on MiniLM-sized layers only.
const PACK_LIMIT_BYTES: usize = 64 << 20;

/// Padded tokens per forward chunk: batches are run this many tokens at a time, which bounds the
/// activations (and peak RSS) without costing matrix-product efficiency (m >= 2048 rows).
const CHUNK_TOKENS: usize = 2048;

impl Layer {
    pub(crate) fn load(
        vb: VarBuilder,
        c: &BertConfig,
        precision: Precision,
    ) -> candle_core::Result<Self> {
        let h = c.hidden_size;
        let att = vb.pp("attention");
        let sa = att.pp("self");
        let w = |n: &str| sa.pp(n).get((h, h), "weight");
        let b = |n: &str| sa.pp(n).get(h, "bias");
        let qkv = Dense::new(
            Tensor::cat(&[w("query")?, w("key")?, w("value")?], 0)?,
            Some(Tensor::cat(&[b("query")?, b("key")?, b("value")?], 0)?),
        )?;
        let weight_bytes = c.num_hidden_layers * (4 * h * h + 2 * h * c.intermediate_size) * 4;
        let pack = |d: Dense| {
            if precision != Precision::F32 {
                d.with_precision(precision)
            } else if weight_bytes <= PACK_LIMIT_BYTES {
                d.with_packed()
            } else {
                Ok(d)
            }
        };
        let norm = |vb: VarBuilder| AddNorm::new(layer_norm(h, c.layer_norm_eps, vb)?);
        Ok(Layer {
            qkv: pack(qkv)?,
            attn_out: pack(linear(&att.pp("output"), "dense", h, h)?)?,
            attn_norm: norm(att.pp("output").pp("LayerNorm"))?,
            intermediate: pack(linear(
                &vb.pp("intermediate"),
                "dense",
                c.intermediate_size,
                h,
            )?)?,
            output: pack(linear(&vb.pp("output"), "dense", h, c.intermediate_size)?)?,
            out_norm: norm(vb.pp("output").pp("LayerNorm"))?,
            heads: c.num_attention_heads,
            head_dim: h / c.num_attention_heads,
            act: c.hidden_act,
        })
    }

    /// `x`: `[b, s, h]`, right-padded rows of `lengths` real tokens.
    pub(crate) fn forward(&self, x: &Tensor, lengths: &[usize]) -> candle_core::Result<Tensor> {
        let qkv = self.qkv.forward(x)?;
        let ctx = if qkv.device().is_cpu() && qkv.dtype() == DType::F32 {
            qkv.apply_op1_no_bwd(&FusedQkvAttention {
                heads: self.heads,
                head_dim: self.head_dim,
                lengths,
            })?
        } else {
            self.generic_attention(&qkv, lengths)?
        };
        let x = self.attn_out.forward_add_norm(&ctx, x, &self.attn_norm)?;
        let inter = self.intermediate.forward_act(&x, Some(self.act))?;
        self.output.forward_add_norm(&inter, &x, &self.out_norm)
    }

    /// Attention with candle's generic ops (devices the CPU kernel does not cover).
    fn generic_attention(&self, qkv: &Tensor, lengths: &[usize]) -> candle_core::Result<Tensor> {
        let (b, s, three_h) = qkv.dims3()?;
        let h = three_h / 3;
        let bias = if lengths.iter().any(|&n| n < s) {
            let mask: Vec<u32> = lengths
                .iter()
                .flat_map(|&n| (0..s).map(move |j| u32::from(j < n)))
                .collect();
            Some(Tensor::from_vec(
                padding_bias(&mask),
                (b, 1, 1, s),
                qkv.device(),
            )?)
        } else {
            None
        };
        let qkv = qkv.reshape((b, s, 3, self.heads, self.head_dim))?;
        let qkv = qkv.permute((2, 0, 3, 1, 4))?; // [3, b, heads, s, hd]
        let q = qkv.get(0)?.contiguous()?;
        let k = qkv.get(1)?.contiguous()?;
        let v = qkv.get(2)?.contiguous()?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let mut scores = (q.matmul(&k.t()?)? * scale)?;
        if let Some(bias) = &bias {
            scores = scores.broadcast_add(bias)?;
        }
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        probs.matmul(&v)?.transpose(1, 2)?.reshape((b, s, h))
    }
}

impl Bert {
    /// Builds the encoder from `vb` (weights with or without a `bert.` prefix).
    pub fn load(c: &BertConfig, vb: VarBuilder, opts: &LoadOptions) -> Result<Self> {
        let layers = resolve_layer(opts.layer, &[c.num_hidden_layers], c.num_hidden_layers)?;
        let vb = strip_prefix(vb, "bert", "embeddings.word_embeddings.weight");
        let weights = |e: candle_core::Error| opts.paths.corrupt_weights(e);
        let emb = vb.pp("embeddings");
        let h = c.hidden_size;
        let word = Embedding::new(
            emb.pp("word_embeddings")
                .get((c.vocab_size, h), "weight")
                .map_err(weights)?,
            h,
        );
        let position = Embedding::new(
            emb.pp("position_embeddings")
                .get((c.max_position_embeddings, h), "weight")
                .map_err(weights)?,
            h,
        );
        // Only segment 0 is ever used for single-sentence embeddings.
        let token_type = emb
            .pp("token_type_embeddings")
            .get((c.type_vocab_size, h), "weight")
            .and_then(|t| t.get(0))
            .map_err(weights)?;
        let embed_norm = layer_norm(h, c.layer_norm_eps, emb.pp("LayerNorm")).map_err(weights)?;
        let layers = (0..layers)
            .map(|i| Layer::load(vb.pp(format!("encoder.layer.{i}")), c, opts.precision))
            .collect::<candle_core::Result<Vec<_>>>()
            .map_err(weights)?;
        let max_seq_len = opts.max_seq_len.map_or(c.max_position_embeddings, |m| {
            m.min(c.max_position_embeddings)
        });
        Ok(Bert {
            word,
            position,
            token_type,
            embed_norm,
            layers,
            caps: Capabilities::right_padded_encoder(
                opts.pooling.unwrap_or(Pooling::Mean),
                c.pad_token_id,
                max_seq_len,
                h,
            ),
        })
    }
}

impl EmbeddingModel for Bert {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn forward(&self, batch: &Batch) -> Result<Tensor> {
        self.caps.check_batch(batch, "BERT")?;
        let (b, s) = batch.input_ids.dims2()?;
        // Rows are independent: run them CHUNK_TOKENS padded tokens at a time (each chunk cut to
        // its longest row), so only one chunk's activations are alive at once.
        let rows = (CHUNK_TOKENS / s.max(1)).max(1);
        let run = || {
            if b <= rows {
                return self.forward_rows(&batch.input_ids, &batch.lengths);
            }
            let mut outs = Vec::with_capacity(b.div_ceil(rows));
            for r0 in (0..b).step_by(rows) {
                let n = rows.min(b - r0);
                let lengths = &batch.lengths[r0..r0 + n];
                let len = lengths.iter().copied().max().unwrap_or(s).clamp(1, s);
                let ids = batch.input_ids.narrow(0, r0, n)?.narrow(1, 0, len)?;
                let y = self.forward_rows(&ids, lengths)?;
                outs.push(if len < s {
                    y.pad_with_zeros(1, 0, s - len)?
                } else {
                    y
                });
            }
            Ok(Tensor::cat(&outs, 0)?)
        };
        // When no product of the pass goes through gemm (every layer packed, f32 or bf16), the
        // pass runs on a spinning team (kernels/team.rs) instead of waking rayon's workers for
        // each of its ~30 steps.
        if self.layers.iter().all(|l| l.qkv.is_packed()) {
            return team::with_team(run);
        }
        run()
    }
}

impl Bert {
    /// The encoder over right-padded `ids` `[b, s]` with `lengths` real tokens per row.
    fn forward_rows(&self, ids: &Tensor, lengths: &[usize]) -> Result<Tensor> {
        let s = ids.dim(1)?;
        let positions = Tensor::arange(0u32, s as u32, ids.device())?;
        let x = self
            .word
            .forward(ids)?
            .broadcast_add(&self.position.forward(&positions)?)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.embed_norm.forward(&x)?;
        for layer in &self.layers {
            x = layer.forward(&x, lengths)?;
        }
        Ok(x.to_dtype(DType::F32)?.contiguous()?)
    }
}
