//! Rotary position embeddings (the rotate-half layout transformers uses for ModernBERT and Qwen3):
//! one cos/sin table per theta, sliced or gathered per batch.

use candle_core::{DType, Device, Tensor};

use crate::config::RopeParameters;

/// Refuses scaled RoPE (YaRN, linear, dynamic, ...): only plain RoPE is implemented, and a scaled
/// checkpoint run as plain would give wrong vectors without any error.
pub fn check_unscaled(
    params: Option<&RopeParameters>,
    scaling: Option<&serde_json::Value>,
) -> std::result::Result<(), String> {
    if let Some(kind) = params.and_then(|p| p.scaled_type()) {
        return Err(format!(
            "rope_type `{kind}` is not supported (only `default` RoPE)"
        ));
    }
    match scaling {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(v) => Err(format!(
            "rope_scaling {v} is not supported (only unscaled RoPE)"
        )),
    }
}

/// cos/sin tables `[max_positions, head_dim / 2]` for one RoPE theta.
pub struct RotaryTable {
    cos: Tensor,
    sin: Tensor,
}

impl RotaryTable {
    /// Tables for positions `0..max_positions` with base `theta` over `head_dim` dimensions.
    pub fn new(
        theta: f64,
        head_dim: usize,
        max_positions: usize,
        device: &Device,
    ) -> candle_core::Result<Self> {
        let half = head_dim / 2;
        let inv_freq: Vec<f64> = (0..half)
            .map(|i| 1.0 / theta.powf((2 * i) as f64 / head_dim as f64))
            .collect();
        let mut cos = Vec::with_capacity(max_positions * half);
        let mut sin = Vec::with_capacity(max_positions * half);
        for p in 0..max_positions {
            for f in &inv_freq {
                let angle = p as f64 * f;
                cos.push(angle.cos() as f32);
                sin.push(angle.sin() as f32);
            }
        }
        Ok(RotaryTable {
            cos: Tensor::from_vec(cos, (max_positions, half), device)?,
            sin: Tensor::from_vec(sin, (max_positions, half), device)?,
        })
    }

    /// cos/sin for positions `0..seq` (every row of the batch numbered alike): `[seq, head_dim / 2]`.
    pub fn prefix(&self, seq: usize) -> candle_core::Result<(Tensor, Tensor)> {
        Ok((
            self.cos.narrow(0, 0, seq)?.contiguous()?,
            self.sin.narrow(0, 0, seq)?.contiguous()?,
        ))
    }

    /// cos/sin at per-row positions (`positions` holds `batch * seq` u32): `[batch, seq, head_dim / 2]`.
    pub fn gather(
        &self,
        positions: &[u32],
        batch: usize,
        seq: usize,
    ) -> candle_core::Result<(Tensor, Tensor)> {
        let idx = Tensor::from_slice(positions, positions.len(), self.cos.device())?;
        let half = self.cos.dim(1)?;
        let pick = |t: &Tensor| -> candle_core::Result<Tensor> {
            t.index_select(&idx, 0)?
                .reshape((batch, seq, half))?
                .to_dtype(DType::F32)?
                .contiguous()
        };
        Ok((pick(&self.cos)?, pick(&self.sin)?))
    }
}

/// Rotates `x` (`[batch, heads, seq, head_dim]`) by the cos/sin of `RotaryTable::prefix` or `gather`.
pub fn apply(x: &Tensor, cos: &Tensor, sin: &Tensor) -> candle_core::Result<Tensor> {
    candle_nn::rotary_emb::rope(&x.contiguous()?, cos, sin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_rope_is_refused() {
        let plain: RopeParameters =
            serde_json::from_str(r#"{"rope_theta":1.0,"rope_type":"default"}"#).unwrap();
        assert!(check_unscaled(Some(&plain), None).is_ok());
        assert!(check_unscaled(None, Some(&serde_json::Value::Null)).is_ok());
        let yarn: RopeParameters = serde_json::from_str(
            r#"{"full_attention":{"rope_theta":1.0,"rope_type":"yarn"},"sliding_attention":{"rope_theta":1.0}}"#,
        )
        .unwrap();
        assert!(check_unscaled(Some(&yarn), None)
            .unwrap_err()
            .contains("yarn"));
        let scaling = serde_json::json!({"type": "yarn", "factor": 4.0});
        assert!(check_unscaled(None, Some(&scaling)).is_err());
    }

    #[test]
    fn position_zero_is_identity_and_gather_matches_prefix() {
        let dev = Device::Cpu;
        let table = RotaryTable::new(10_000.0, 4, 8, &dev).unwrap();
        let x = Tensor::arange(0f32, 8.0, &dev)
            .unwrap()
            .reshape((1, 1, 2, 4))
            .unwrap();
        let (cos, sin) = table.prefix(2).unwrap();
        let y = apply(&x, &cos, &sin).unwrap();
        let row0: Vec<f32> = y
            .get(0)
            .unwrap()
            .get(0)
            .unwrap()
            .get(0)
            .unwrap()
            .to_vec1()
            .unwrap();
        assert_eq!(row0, vec![0.0, 1.0, 2.0, 3.0]);
        let (gc, gs) = table.gather(&[0, 1], 1, 2).unwrap();
        let z = apply(&x, &gc, &gs).unwrap();
        let diff: f32 = (y - z)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar()
            .unwrap();
        assert_eq!(diff, 0.0);
    }
}
