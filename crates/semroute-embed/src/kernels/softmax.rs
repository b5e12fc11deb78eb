//! Row-wise softmax over a contiguous `[rows, n]` buffer, vectorised (see `math::exp`).

use crate::kernels::math::{exp, max, sum};

// Three passes per row (max, exp, sum then scale), each vectorised: a running sum inside the exp
// loop would chain every element on the previous add and keep the whole loop scalar.
#[inline(always)]
fn body(x: &mut [f32], n: usize, scale: f32) {
    for row in x.chunks_exact_mut(n) {
        let max = max(row);
        for v in row.iter_mut() {
            *v = exp((*v - max) * scale);
        }
        let inv = 1.0 / sum(row);
        for v in row.iter_mut() {
            *v *= inv;
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn body_avx512(x: &mut [f32], n: usize, scale: f32) {
    body(x, n, scale)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn body_avx2(x: &mut [f32], n: usize, scale: f32) {
    body(x, n, scale)
}

/// `x[i, :] = softmax(scale * x[i, :])` for each row of `n` values (`scale` > 0).
pub(crate) fn softmax_rows(x: &mut [f32], n: usize, scale: f32) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl") {
            // SAFETY: the features the function is compiled for were detected just above.
            return unsafe { body_avx512(x, n, scale) };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            return unsafe { body_avx2(x, n, scale) };
        }
    }
    body(x, n, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_match_the_f64_softmax() {
        let n = 19;
        let mut x: Vec<f32> = (0..3 * n)
            .map(|i| ((i * 7 % 11) as f32 - 5.0) * 3.1)
            .collect();
        let orig = x.clone();
        softmax_rows(&mut x, n, 0.5);
        for (got, row) in x.chunks(n).zip(orig.chunks(n)) {
            let max = row.iter().fold(f64::MIN, |m, &v| m.max(v as f64 * 0.5));
            let e: Vec<f64> = row.iter().map(|&v| (v as f64 * 0.5 - max).exp()).collect();
            let sum: f64 = e.iter().sum();
            for (g, e) in got.iter().zip(e) {
                assert!((*g as f64 - e / sum).abs() < 1e-7, "{g} vs {}", e / sum);
            }
        }
    }
}
