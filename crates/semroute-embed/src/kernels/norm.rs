//! `y = LayerNorm(y + bias + residual)` over whole rows in one pass per row, fused into the
//! epilogue of the preceding product (BERT's post-LayerNorm blocks): replaces candle's bias add,
//! residual add and layer norm, three ops with a fresh buffer each. Compiled three times
//! (baseline, AVX2+FMA, AVX-512) and picked at run time, like `activation`.

use crate::kernels::math::{sum, sum_sq_dev};

/// The LayerNorm parameters as host slices.
#[derive(Clone, Copy)]
pub(crate) struct Norm<'a> {
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

#[inline(always)]
fn body(y: &mut [f32], bias: Option<&[f32]>, residual: &[f32], norm: Norm) {
    let h = norm.gamma.len();
    let inv_h = 1.0 / h as f32;
    for (row, res) in y.chunks_exact_mut(h).zip(residual.chunks_exact(h)) {
        match bias {
            Some(b) => {
                for ((v, &r), &b) in row.iter_mut().zip(res).zip(b) {
                    *v += b + r;
                }
            }
            None => {
                for (v, &r) in row.iter_mut().zip(res) {
                    *v += r;
                }
            }
        }
        let mean = sum(row) * inv_h;
        let var = sum_sq_dev(row, mean) * inv_h;
        let inv_std = 1.0 / (var + norm.eps).sqrt();
        for ((v, &g), &b) in row.iter_mut().zip(norm.gamma).zip(norm.beta) {
            *v = (*v - mean) * inv_std * g + b;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn body_avx512(y: &mut [f32], bias: Option<&[f32]>, residual: &[f32], norm: Norm) {
    body(y, bias, residual, norm)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn body_avx2(y: &mut [f32], bias: Option<&[f32]>, residual: &[f32], norm: Norm) {
    body(y, bias, residual, norm)
}

/// `y[i, :] = LayerNorm(y[i, :] + bias + residual[i, :])` with `norm.gamma.len()` columns.
pub(crate) fn bias_residual_norm(
    y: &mut [f32],
    bias: Option<&[f32]>,
    residual: &[f32],
    norm: Norm,
) {
    assert!(residual.len() == y.len() && norm.beta.len() == norm.gamma.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl") {
            // SAFETY: the features the function is compiled for were detected just above.
            return unsafe { body_avx512(y, bias, residual, norm) };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            return unsafe { body_avx2(y, bias, residual, norm) };
        }
    }
    body(y, bias, residual, norm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_add_then_layer_norm_in_f64() {
        let h = 37;
        let y0: Vec<f32> = (0..4 * h).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let res: Vec<f32> = (0..4 * h).map(|i| (i as f32 * 0.11).cos()).collect();
        let bias: Vec<f32> = (0..h).map(|j| j as f32 * 0.01 - 0.1).collect();
        let gamma: Vec<f32> = (0..h).map(|j| 1.0 + j as f32 * 0.02).collect();
        let beta: Vec<f32> = (0..h).map(|j| 0.5 - j as f32 * 0.01).collect();
        let eps = 1e-12;
        let mut y = y0.clone();
        let norm = Norm {
            gamma: &gamma,
            beta: &beta,
            eps,
        };
        bias_residual_norm(&mut y, Some(&bias), &res, norm);
        for i in 0..4 {
            let s: Vec<f64> = (0..h)
                .map(|j| (y0[i * h + j] + bias[j] + res[i * h + j]) as f64)
                .collect();
            let mean = s.iter().sum::<f64>() / h as f64;
            let var = s.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / h as f64;
            for j in 0..h {
                let want =
                    (s[j] - mean) / (var + eps as f64).sqrt() * gamma[j] as f64 + beta[j] as f64;
                let got = y[i * h + j] as f64;
                assert!((got - want).abs() < 2e-6, "({i},{j}): {got} vs {want}");
            }
        }
    }
}
