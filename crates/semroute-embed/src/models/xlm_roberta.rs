//! XLM-RoBERTa encoder (multilingual-e5, paraphrase-multilingual, ...): the BERT block with
//! RoBERTa's embeddings. Positions start past the padding index (`pad_token_id + 1` for the first
//! real token, as transformers' `create_position_ids_from_input_ids` does for right-padded rows),
//! one token type, weights under an optional `roberta.` prefix. Right padding, mean pooling.

use candle_core::{DType, Module, Tensor};
use candle_nn::{layer_norm, Embedding, LayerNorm, VarBuilder};

use crate::batch::Batch;
use crate::config::BertConfig;
use crate::models::bert::Layer;
use crate::models::loading::strip_prefix;
use crate::models::{resolve_layer, Capabilities, EmbeddingModel, LoadOptions};
use crate::pooling::Pooling;
use crate::Result;

/// A loaded XLM-RoBERTa encoder.
pub struct XlmRoberta {
    word: Embedding,
    position: Embedding,
    token_type: Tensor,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    /// Position id of the first real token: `pad_token_id + 1`.
    first_position: u32,
    caps: Capabilities,
}

impl XlmRoberta {
    /// Builds the encoder from `vb` (weights with or without a `roberta.` prefix).
    pub fn load(c: &BertConfig, vb: VarBuilder, opts: &LoadOptions) -> Result<Self> {
        let layers = resolve_layer(opts.layer, &[c.num_hidden_layers], c.num_hidden_layers)?;
        let vb = strip_prefix(vb, "roberta", "embeddings.word_embeddings.weight");
        let weights = |e: candle_core::Error| opts.paths.corrupt_weights(e);
        let first_position = c.pad_token_id + 1;
        let positions = c
            .max_position_embeddings
            .checked_sub(first_position as usize)
            .filter(|&n| n > 0)
            .ok_or_else(|| {
                opts.paths.unsupported(format!(
                    "xlm-roberta max_position_embeddings {} leaves no positions past pad_token_id {}",
                    c.max_position_embeddings, c.pad_token_id
                ))
            })?;
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
        // XLM-RoBERTa has one token type; segment 0 is the only one ever used.
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
        let max_seq_len = opts.max_seq_len.map_or(positions, |m| m.min(positions));
        Ok(XlmRoberta {
            word,
            position,
            token_type,
            embed_norm,
            layers,
            first_position,
            caps: Capabilities::right_padded_encoder(
                opts.pooling.unwrap_or(Pooling::Mean),
                c.pad_token_id,
                max_seq_len,
                h,
            ),
        })
    }
}

impl EmbeddingModel for XlmRoberta {
    fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    fn forward(&self, batch: &Batch) -> Result<Tensor> {
        self.caps.check_batch(batch, "XLM-RoBERTa")?;
        let s = batch.input_ids.dim(1)?;
        let device = batch.input_ids.device();
        // Right padding: real tokens sit at 0..n, so their positions are first_position + j.
        // Padded slots get positions too, but the attention mask keeps them out of every real row.
        let positions =
            Tensor::arange(self.first_position, self.first_position + s as u32, device)?;
        let x = self
            .word
            .forward(&batch.input_ids)?
            .broadcast_add(&self.position.forward(&positions)?)?
            .broadcast_add(&self.token_type)?;
        let mut x = self.embed_norm.forward(&x)?;
        for layer in &self.layers {
            x = layer.forward(&x, &batch.lengths)?;
        }
        Ok(x.to_dtype(DType::F32)?.contiguous()?)
    }
}
