//! Pooling of last hidden states into one vector per text, and normalisation: pure functions
//! over row-major slices, so they are tested without a model.

/// How token states become one embedding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// The first token's state ([CLS]).
    Cls,
    /// Mean of the states of real (unmasked) tokens.
    Mean,
    /// The state of the last real token (decoder-style embedders such as Qwen3-Embedding).
    LastToken,
}

/// Pools `hidden` (`[batch, seq, dim]`, row-major) under `mask` (`[batch, seq]`, 1 = real token)
/// into `[batch, dim]`.
pub fn pool(
    pooling: Pooling,
    hidden: &[f32],
    mask: &[u32],
    batch: usize,
    seq: usize,
    dim: usize,
) -> Vec<f32> {
    assert_eq!(
        hidden.len(),
        batch * seq * dim,
        "hidden is not [batch, seq, dim]"
    );
    assert_eq!(mask.len(), batch * seq, "mask is not [batch, seq]");
    let mut out = vec![0f32; batch * dim];
    for b in 0..batch {
        let row_mask = &mask[b * seq..(b + 1) * seq];
        let token = |t: usize| &hidden[(b * seq + t) * dim..(b * seq + t + 1) * dim];
        let dst = &mut out[b * dim..(b + 1) * dim];
        match pooling {
            Pooling::Cls => dst.copy_from_slice(token(0)),
            Pooling::LastToken => {
                let last = row_mask.iter().rposition(|&m| m != 0).unwrap_or(seq - 1);
                dst.copy_from_slice(token(last));
            }
            Pooling::Mean => {
                let mut count = 0usize;
                for (t, _) in row_mask.iter().enumerate().filter(|(_, &m)| m != 0) {
                    for (d, v) in dst.iter_mut().zip(token(t)) {
                        *d += v;
                    }
                    count += 1;
                }
                // sentence-transformers clamps the count to >= 1e-9; a row always has >= 1 token.
                let inv = 1.0 / (count.max(1) as f32);
                dst.iter_mut().for_each(|d| *d *= inv);
            }
        }
    }
    out
}

/// Scales every `dim`-wide row of `rows` to unit L2 norm (rows of zeros are left as they are).
pub fn normalize_rows(rows: &mut [f32], dim: usize) {
    for row in rows.chunks_exact_mut(dim) {
        let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt();
        // Same floor as torch.nn.functional.normalize (eps = 1e-12).
        let inv = 1.0 / norm.max(1e-12);
        row.iter_mut().for_each(|v| *v *= inv);
    }
}

/// Keeps the first `keep` of every `dim`-wide row (Matryoshka truncation).
pub fn truncate_rows(rows: &[f32], dim: usize, keep: usize) -> Vec<f32> {
    assert!(keep <= dim, "cannot keep {keep} of {dim} dimensions");
    if keep == dim {
        return rows.to_vec();
    }
    rows.chunks_exact(dim)
        .flat_map(|r| r[..keep].iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // batch 2, seq 3, dim 2; row 1 has one padding position at the end, row 0 at the start.
    const HIDDEN: [f32; 12] = [
        1., 2., 3., 4., 5., 6., //
        7., 8., 9., 10., 11., 12.,
    ];
    const MASK: [u32; 6] = [0, 1, 1, 1, 1, 0];

    #[test]
    fn cls_takes_first_token() {
        assert_eq!(
            pool(Pooling::Cls, &HIDDEN, &MASK, 2, 3, 2),
            vec![1., 2., 7., 8.]
        );
    }

    #[test]
    fn mean_ignores_padding() {
        assert_eq!(
            pool(Pooling::Mean, &HIDDEN, &MASK, 2, 3, 2),
            vec![4., 5., 8., 9.]
        );
    }

    #[test]
    fn last_token_is_last_real_token_either_side() {
        assert_eq!(
            pool(Pooling::LastToken, &HIDDEN, &MASK, 2, 3, 2),
            vec![5., 6., 9., 10.]
        );
    }

    #[test]
    fn normalize_gives_unit_rows_and_keeps_zero_rows() {
        let mut rows = vec![3., 4., 0., 0.];
        normalize_rows(&mut rows, 2);
        assert_eq!(rows, vec![0.6, 0.8, 0., 0.]);
    }

    #[test]
    fn truncate_keeps_prefix_of_each_row() {
        assert_eq!(
            truncate_rows(&[1., 2., 3., 4., 5., 6.], 3, 2),
            vec![1., 2., 4., 5.]
        );
    }
}
