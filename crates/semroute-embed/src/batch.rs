//! Padding and masks as pure functions. A padded tensor is only built when a chunk holds more
//! than one text, and `has_padding` tells the model whether any row is shorter than the longest.
//! The mask and the lengths stay on the host: the models build whatever bias they need from them,
//! and pooling reads them without a round trip through the device.

use candle_core::{Device, Tensor};

use crate::Result;

/// Which side padding tokens go on when several texts share one forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaddingSide {
    Left,
    Right,
}

/// A padded batch ready for a forward pass: the ids on the model's device, the mask on the host.
pub struct Batch {
    /// u32 token ids `[batch, seq]`.
    pub input_ids: Tensor,
    /// Row-major `[batch * seq]`: 1 for real tokens, 0 for padding.
    pub mask: Vec<u32>,
    /// Per-row count of real tokens.
    pub lengths: Vec<usize>,
    /// Width of every (padded) row.
    pub seq_len: usize,
    /// True when some row is shorter than the longest (the model may skip building a mask otherwise).
    pub has_padding: bool,
    /// Side the padding was put on (the model's own `capabilities().padding_side`).
    pub padding_side: PaddingSide,
}

/// Row-major padded ids and mask for `seqs`, each row `seq_len` wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Padded {
    pub ids: Vec<u32>,
    pub mask: Vec<u32>,
    pub seq_len: usize,
    pub lengths: Vec<usize>,
}

/// Pads `seqs` to the longest with `pad_id` on `side`; mask is 1 for real tokens, 0 for padding.
pub fn pad(seqs: &[&[u32]], side: PaddingSide, pad_id: u32) -> Padded {
    let seq_len = seqs.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut ids = Vec::with_capacity(seqs.len() * seq_len);
    let mut mask = Vec::with_capacity(seqs.len() * seq_len);
    for s in seqs {
        let fill = seq_len - s.len();
        let pad_run = std::iter::repeat_n(pad_id, fill);
        let zero_run = std::iter::repeat_n(0u32, fill);
        let ones = std::iter::repeat_n(1u32, s.len());
        match side {
            PaddingSide::Right => {
                ids.extend(s.iter().copied().chain(pad_run));
                mask.extend(ones.chain(zero_run));
            }
            PaddingSide::Left => {
                ids.extend(pad_run.chain(s.iter().copied()));
                mask.extend(zero_run.chain(ones));
            }
        }
    }
    Padded {
        ids,
        mask,
        seq_len,
        lengths: seqs.iter().map(|s| s.len()).collect(),
    }
}

/// Additive attention bias `[batch, seq]` from a mask: 0 where attended, `f32::MIN` where masked.
/// Combine with other biases by taking the minimum, not by adding (adding two MINs overflows).
pub fn padding_bias(mask: &[u32]) -> Vec<f32> {
    mask.iter()
        .map(|&m| if m != 0 { 0.0 } else { f32::MIN })
        .collect()
}

/// Builds a batch, its ids on `device` (a single text needs no padding).
pub fn to_batch(seqs: &[&[u32]], side: PaddingSide, pad_id: u32, device: &Device) -> Result<Batch> {
    let n = seqs.len();
    if n == 1 {
        let ids = seqs[0];
        let len = ids.len();
        return Ok(Batch {
            input_ids: Tensor::from_slice(ids, (1, len), device)?,
            mask: vec![1; len],
            lengths: vec![len],
            seq_len: len,
            has_padding: false,
            padding_side: side,
        });
    }
    let p = pad(seqs, side, pad_id);
    let has_padding = p.lengths.iter().any(|&l| l < p.seq_len);
    Ok(Batch {
        input_ids: Tensor::from_vec(p.ids, (n, p.seq_len), device)?,
        mask: p.mask,
        lengths: p.lengths,
        seq_len: p.seq_len,
        has_padding,
        padding_side: side,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_padding() {
        let p = pad(&[&[5, 6, 7], &[8]], PaddingSide::Right, 0);
        assert_eq!(p.ids, vec![5, 6, 7, 8, 0, 0]);
        assert_eq!(p.mask, vec![1, 1, 1, 1, 0, 0]);
        assert_eq!(p.seq_len, 3);
        assert_eq!(p.lengths, vec![3, 1]);
    }

    #[test]
    fn left_padding() {
        let p = pad(&[&[5, 6, 7], &[8]], PaddingSide::Left, 9);
        assert_eq!(p.ids, vec![5, 6, 7, 9, 9, 8]);
        assert_eq!(p.mask, vec![1, 1, 1, 0, 0, 1]);
    }

    #[test]
    fn batch_mask_matches_pad() {
        for side in [PaddingSide::Left, PaddingSide::Right] {
            let seqs: [&[u32]; 3] = [&[1, 2], &[3, 4, 5, 6], &[7]];
            let p = pad(&seqs, side, 0);
            let b = to_batch(&seqs, side, 0, &Device::Cpu).unwrap();
            assert_eq!(b.mask, p.mask);
            assert_eq!((b.lengths, b.seq_len), (p.lengths, p.seq_len));
        }
        let b = to_batch(&[&[1, 2, 3]], PaddingSide::Left, 0, &Device::Cpu).unwrap();
        assert_eq!((b.mask, b.seq_len), (vec![1, 1, 1], 3));
    }

    #[test]
    fn bias_is_zero_or_min() {
        assert_eq!(padding_bias(&[1, 0]), vec![0.0, f32::MIN]);
    }

    #[test]
    fn single_text_has_no_padding() {
        let b = to_batch(&[&[1, 2, 3]], PaddingSide::Right, 0, &Device::Cpu).unwrap();
        assert!(!b.has_padding);
        assert_eq!(b.input_ids.dims(), &[1, 3]);
        let b = to_batch(&[&[1, 2], &[1, 2]], PaddingSide::Right, 0, &Device::Cpu).unwrap();
        assert!(!b.has_padding);
        let b = to_batch(&[&[1, 2], &[1]], PaddingSide::Right, 0, &Device::Cpu).unwrap();
        assert!(b.has_padding);
    }
}
