//! ModernBERT / mmBERT encoder: pre-LayerNorm blocks with GeGLU MLPs and rotary positions,
//! alternating global attention and local (sliding-window) attention, each kind with its own RoPE
//! theta. Right padding with a padding mask, mean pooling.
//!
//! 2D Matryoshka, following vLLM Semantic Router's mmBERT embedder: the model is built with only
//! the first N layers (the exit layer). At full depth the output is the model's last hidden state
//! (final_norm applied); at an earlier exit it is the raw residual stream after layer N, as
//! transformers' `hidden_states[N]` gives it. The embedder then pools, keeps the first D dimensions
//! and re-normalises. Exits and widths a checkpoint allows come from config.json's
//! `matryoshka_layers` / `matryoshka_dims` when present, else every layer and the full width plus
//! each power of two from 64 below it (768 -> 512, 256, 128, 64: mmBERT-embed's ladder).

use candle_core::{Module, Tensor};
use candle_nn::{Embedding, LayerNorm, VarBuilder};

use crate::models::layers::{linear, Dense};

use crate::batch::{padding_bias, Batch, PaddingSide};
use crate::config::{Activation, ModernBertConfig};
use crate::models::loading::strip_prefix;
use crate::models::rope::{self, RotaryTable};
use crate::models::{resolve_layer, Capabilities, EmbeddingModel, LoadOptions, Precision};
use crate::pooling::Pooling;
use crate::Result;

/// A loaded ModernBERT encoder, cut at its exit layer.
pub struct ModernBert {
    tok_embeddings: Embedding,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    /// Applied only when the model runs at full depth (see the module doc).
    final_norm: Option<LayerNorm>,
    global_rope: RotaryTable,
    local_rope: RotaryTable,
    /// A local layer's query attends to keys at most this far away (transformers: local_attention / 2).
    half_window: usize,
    caps: Capabilities,
}

struct Layer {
    /// None in layer 0, whose input is already the normalised embedding.
    attn_norm: Option<LayerNorm>,
    wqkv: Dense,
    wo: Dense,
    mlp_norm: LayerNorm,
    wi: Dense,
    mlp_wo: Dense,
    local: bool,
    heads: usize,
    head_dim: usize,
    act: Activation,
}

fn norm(vb: VarBuilder, c: &ModernBertConfig) -> candle_core::Result<LayerNorm> {
    let w = vb.get(c.hidden_size, "weight")?;
    Ok(if c.norm_bias {
        LayerNorm::new(w, vb.get(c.hidden_size, "bias")?, c.norm_eps)
    } else {
        LayerNorm::new_no_bias(w, c.norm_eps)
    })
}

impl Layer {
    fn load(
        vb: VarBuilder,
        c: &ModernBertConfig,
        local: bool,
        precision: Precision,
    ) -> candle_core::Result<Self> {
        let h = c.hidden_size;
        let attn_norm = if vb.contains_tensor("attn_norm.weight") {
            Some(norm(vb.pp("attn_norm"), c)?)
        } else {
            None
        };
        Ok(Layer {
            attn_norm,
            wqkv: linear(
                vb.pp("attn").pp("Wqkv"),
                3 * h,
                h,
                c.attention_bias,
                precision,
            )?,
            wo: linear(vb.pp("attn").pp("Wo"), h, h, c.attention_bias, precision)?,
            mlp_norm: norm(vb.pp("mlp_norm"), c)?,
            wi: linear(
                vb.pp("mlp").pp("Wi"),
                2 * c.intermediate_size,
                h,
                c.mlp_bias,
                precision,
            )?,
            mlp_wo: linear(
                vb.pp("mlp").pp("Wo"),
                h,
                c.intermediate_size,
                c.mlp_bias,
                precision,
            )?,
            local,
            heads: c.num_attention_heads,
            head_dim: h / c.num_attention_heads,
            act: c.hidden_activation,
        })
    }

    /// `x`: `[b, s, h]`; `bias`: additive attention bias broadcastable to `[b, heads, s, s]`.
    fn forward(
        &self,
        x: &Tensor,
        cos: &Tensor,
        sin: &Tensor,
        bias: Option<&Tensor>,
    ) -> candle_core::Result<Tensor> {
        let (b, s, h) = x.dims3()?;
        let normed = match &self.attn_norm {
            Some(n) => n.forward(x)?,
            None => x.clone(),
        };
        let qkv = self
            .wqkv
            .forward(&normed)?
            .reshape((b, s, 3, self.heads, self.head_dim))?
            .permute((2, 0, 3, 1, 4))?; // [3, b, heads, s, hd]
        let q = rope::apply(&qkv.get(0)?, cos, sin)?;
        let k = rope::apply(&qkv.get(1)?, cos, sin)?;
        let v = qkv.get(2)?.contiguous()?;
        let scale = 1.0 / (self.head_dim as f64).sqrt();
        let mut scores = (q.matmul(&k.t()?)? * scale)?;
        if let Some(bias) = bias {
            scores = scores.broadcast_add(bias)?;
        }
        let probs = candle_nn::ops::softmax_last_dim(&scores)?;
        let ctx = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, s, h))?;
        let x = (x + self.wo.forward(&ctx)?)?;

        let inner = self.wi.forward(&self.mlp_norm.forward(&x)?)?;
        let half = inner.dim(2)? / 2;
        let gated = (self.act.apply(&inner.narrow(2, 0, half)?)? * inner.narrow(2, half, half)?)?;
        x + self.mlp_wo.forward(&gated)?
    }
}

/// Which layers use local attention: `layer_types` when the config lists them (transformers 5.x),
/// else every layer whose index is not a multiple of `global_attn_every_n_layers`.
fn local_layers(c: &ModernBertConfig) -> std::result::Result<Vec<bool>, String> {
    match &c.layer_types {
        Some(types) => {
            if types.len() != c.num_hidden_layers {
                return Err(format!(
                    "layer_types lists {} layers but num_hidden_layers is {}",
                    types.len(),
                    c.num_hidden_layers
                ));
            }
            types
                .iter()
                .map(|t| match t.as_str() {
                    "full_attention" => Ok(false),
                    "sliding_attention" => Ok(true),
                    other => Err(format!("unknown layer type `{other}` in layer_types")),
                })
                .collect()
        }
        None => {
            if c.global_attn_every_n_layers == 0 {
                return Err("global_attn_every_n_layers must be at least 1".into());
            }
            Ok((0..c.num_hidden_layers)
                .map(|i| !i.is_multiple_of(c.global_attn_every_n_layers))
                .collect())
        }
    }
}

/// Matryoshka exits a checkpoint allows: declared in config.json, else every layer.
pub fn exit_layers(c: &ModernBertConfig) -> std::result::Result<Vec<usize>, String> {
    match &c.matryoshka_layers {
        Some(layers) => {
            if layers.is_empty() || layers.iter().any(|&l| l == 0 || l > c.num_hidden_layers) {
                return Err(format!(
                    "matryoshka_layers {layers:?} must be non-empty and within 1..={}",
                    c.num_hidden_layers
                ));
            }
            let mut v = layers.clone();
            v.sort_unstable();
            v.dedup();
            Ok(v)
        }
        None => Ok((1..=c.num_hidden_layers).collect()),
    }
}

/// Matryoshka widths a checkpoint allows: declared in config.json, else the full width and each
/// power of two from 64 below it, largest first.
pub fn dims(c: &ModernBertConfig) -> std::result::Result<Vec<usize>, String> {
    let mut v = match &c.matryoshka_dims {
        Some(dims) => {
            if dims.is_empty() || dims.iter().any(|&d| d == 0 || d > c.hidden_size) {
                return Err(format!(
                    "matryoshka_dims {dims:?} must be non-empty and within 1..={}",
                    c.hidden_size
                ));
            }
            dims.clone()
        }
        None => {
            let mut v = vec![c.hidden_size];
            let mut p = 64;
            while p < c.hidden_size {
                v.push(p);
                p *= 2;
            }
            v
        }
    };
    v.sort_unstable_by(|a, b| b.cmp(a));
    v.dedup();
    Ok(v)
}

/// Additive bias `[b, 1, s, s]` for local layers: a key further than `half_window` from the query,
/// or a padded key, gets `f32::MIN` (finite, so a row with nothing visible stays NaN-free).
pub fn local_bias(mask: &[u32], batch: usize, seq: usize, half_window: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(batch * seq * seq);
    for b in 0..batch {
        let row = &mask[b * seq..(b + 1) * seq];
        for i in 0..seq {
            out.extend((0..seq).map(|j| {
                if i.abs_diff(j) <= half_window && row[j] != 0 {
                    0.0
                } else {
                    f32::MIN
                }
            }));
        }
    }
    out
}

impl ModernBert {
    /// Builds the encoder from `vb` (weights with or without a `model.` prefix), up to the exit layer.
    pub fn load(c: &ModernBertConfig, vb: VarBuilder, opts: &LoadOptions) -> Result<Self> {
        let bad_config = |reason: String| opts.paths.invalid_config(reason);
        if c.num_attention_heads == 0 || !c.hidden_size.is_multiple_of(c.num_attention_heads) {
            return Err(bad_config(format!(
                "hidden_size {} is not divisible by num_attention_heads {}",
                c.hidden_size, c.num_attention_heads
            )));
        }
        rope::check_unscaled(c.rope_parameters.as_ref(), c.rope_scaling.as_ref())
            .map_err(|reason| opts.paths.unsupported(reason))?;
        let local = local_layers(c).map_err(bad_config)?;
        let exits = exit_layers(c).map_err(bad_config)?;
        let widths = dims(c).map_err(bad_config)?;
        let depth = resolve_layer(opts.layer, &exits, c.num_hidden_layers)?;

        let device = vb.device().clone();
        let vb = strip_prefix(vb, "model", "embeddings.tok_embeddings.weight");
        let weights = |e: candle_core::Error| opts.paths.corrupt_weights(e);
        let h = c.hidden_size;
        let emb = vb.pp("embeddings");
        let tok_embeddings = Embedding::new(
            emb.pp("tok_embeddings")
                .get((c.vocab_size, h), "weight")
                .map_err(weights)?,
            h,
        );
        let embed_norm = norm(emb.pp("norm"), c).map_err(weights)?;
        let layers = (0..depth)
            .map(|i| Layer::load(vb.pp(format!("layers.{i}")), c, local[i], opts.precision))
            .collect::<candle_core::Result<Vec<_>>>()
            .map_err(weights)?;
        let final_norm = if depth == c.num_hidden_layers {
            Some(norm(vb.pp("final_norm"), c).map_err(weights)?)
        } else {
            None
        };

        let max_seq_len = opts.max_seq_len.map_or(c.max_position_embeddings, |m| {
            m.min(c.max_position_embeddings)
        });
        let head_dim = h / c.num_attention_heads;
        let global_rope = RotaryTable::new(c.global_theta(), head_dim, max_seq_len, &device)?;
        let local_rope = RotaryTable::new(c.local_theta(), head_dim, max_seq_len, &device)?;
        Ok(ModernBert {
            tok_embeddings,
            embed_norm,
            layers,
            final_norm,
            global_rope,
            local_rope,
            half_window: c.local_attention / 2,
            caps: Capabilities {
                pooling: opts.pooling.unwrap_or(Pooling::Mean),
                padding_side: PaddingSide::Right,
                pad_token_id: c.pad_token_id.unwrap_or(0),
                masks_padding: true,
                max_seq_len,
                hidden_size: h,
                exit_layers: Some(exits),
                dims: Some(widths),
                append_token_id: None,
                instruction_template: None,
            },
        })
    }
}

impl EmbeddingModel for ModernBert {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn forward(&self, batch: &Batch) -> Result<Tensor> {
        let (b, s) = batch.input_ids.dims2()?;
        let device = batch.input_ids.device();
        let mut x = self
            .embed_norm
            .forward(&self.tok_embeddings.forward(&batch.input_ids)?)?;

        // Masks are built only when needed: padding for global layers only when a row is short;
        // the window only when some pair of positions is further apart than it.
        let mask = &batch.mask;
        let global_bias = if batch.has_padding {
            Some(Tensor::from_vec(padding_bias(mask), (b, 1, 1, s), device)?)
        } else {
            None
        };
        let windowed = s > self.half_window + 1;
        let local_bias = if windowed {
            let rows = if batch.has_padding { b } else { 1 };
            Some(Tensor::from_vec(
                local_bias(&mask[..rows * s], rows, s, self.half_window),
                (rows, 1, s, s),
                device,
            )?)
        } else {
            global_bias.clone()
        };
        let (gcos, gsin) = self.global_rope.prefix(s)?;
        let (lcos, lsin) = self.local_rope.prefix(s)?;
        for layer in &self.layers {
            x = if layer.local {
                layer.forward(&x, &lcos, &lsin, local_bias.as_ref())?
            } else {
                layer.forward(&x, &gcos, &gsin, global_bias.as_ref())?
            };
        }
        if let Some(n) = &self.final_norm {
            x = n.forward(&x)?;
        }
        Ok(x.contiguous()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> ModernBertConfig {
        let json = format!(
            r#"{{"vocab_size":10,"hidden_size":768,"intermediate_size":8,"num_hidden_layers":22,
            "num_attention_heads":12,"max_position_embeddings":64{extra}}}"#
        );
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn local_bias_masks_window_and_padding() {
        // One row of 4 tokens, the last padded; window reaches 1 position either side.
        let bias = local_bias(&[1, 1, 1, 0], 1, 4, 1);
        let open: Vec<Vec<bool>> = bias
            .chunks(4)
            .map(|r| r.iter().map(|&v| v == 0.0).collect())
            .collect();
        assert_eq!(open[0], vec![true, true, false, false]);
        assert_eq!(open[1], vec![true, true, true, false]);
        assert_eq!(open[2], vec![false, true, true, false]);
        assert_eq!(open[3], vec![false, false, true, false]);
    }

    #[test]
    fn layer_kinds_from_either_config_style() {
        let old = config(r#","global_attn_every_n_layers":3"#);
        let kinds = local_layers(&old).unwrap();
        assert_eq!(&kinds[..4], &[false, true, true, false]);
        let new = serde_json::from_str::<ModernBertConfig>(
            r#"{"vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":2,
            "num_attention_heads":2,"max_position_embeddings":8,
            "layer_types":["sliding_attention","full_attention"]}"#,
        )
        .unwrap();
        assert_eq!(local_layers(&new).unwrap(), vec![true, false]);
    }

    #[test]
    fn default_matryoshka_ladder_matches_mmbert_embed() {
        let c = config("");
        assert_eq!(dims(&c).unwrap(), vec![768, 512, 256, 128, 64]);
        assert_eq!(exit_layers(&c).unwrap(), (1..=22).collect::<Vec<_>>());
        let declared = config(r#","matryoshka_layers":[22,3,6,11],"matryoshka_dims":[64,768]"#);
        assert_eq!(exit_layers(&declared).unwrap(), vec![3, 6, 11, 22]);
        assert_eq!(dims(&declared).unwrap(), vec![768, 64]);
        assert!(exit_layers(&config(r#","matryoshka_layers":[23]"#)).is_err());
        assert!(dims(&config(r#","matryoshka_dims":[1024]"#)).is_err());
    }
}
