//! Element-wise activations over whole f32 slices, fused with the bias add of the preceding
//! product. Written as plain loops over one inlined body so LLVM vectorises them; the body is
//! compiled three times (baseline, AVX2+FMA, AVX-512) and picked at run time, so one binary uses
//! the widest registers the machine has. The exact GELU uses a rational erf (max error < 1e-6)
//! instead of libm's scalar `erff`.

use crate::config::Activation;
use crate::kernels::math::{erf, exp};

#[inline(always)]
fn act(a: Option<Activation>, x: f32) -> f32 {
    match a {
        None => x,
        Some(Activation::Gelu) => 0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2)),
        Some(Activation::GeluNew) => {
            // tanh(u) = 1 - 2 / (1 + exp(2u)), clamped so exp never overflows.
            let u = (0.797_884_6 * (x + 0.044_715 * x * x * x)).clamp(-15.0, 15.0);
            0.5 * x * (2.0 - 2.0 / (1.0 + exp(2.0 * u)))
        }
        Some(Activation::Relu) => x.max(0.0),
        Some(Activation::Silu | Activation::Swish) => x / (1.0 + exp(-x)),
    }
}

#[inline(always)]
fn body(rows: &mut [f32], bias: Option<&[f32]>, a: Option<Activation>) {
    match bias {
        Some(b) => {
            for row in rows.chunks_exact_mut(b.len()) {
                for (y, &b) in row.iter_mut().zip(b) {
                    *y = act(a, *y + b);
                }
            }
        }
        None => {
            for y in rows.iter_mut() {
                *y = act(a, *y);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx2,fma")]
unsafe fn body_avx512(rows: &mut [f32], bias: Option<&[f32]>, a: Option<Activation>) {
    body(rows, bias, a)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn body_avx2(rows: &mut [f32], bias: Option<&[f32]>, a: Option<Activation>) {
    body(rows, bias, a)
}

/// `rows[i, j] = act(rows[i, j] + bias[j])` in place (`rows` row-major with `bias.len()` columns).
pub(crate) fn bias_act(rows: &mut [f32], bias: Option<&[f32]>, a: Option<Activation>) {
    if bias.is_none() && a.is_none() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vl") {
            // SAFETY: the features the function is compiled for were detected just above.
            return unsafe { body_avx512(rows, bias, a) };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: as above.
            return unsafe { body_avx2(rows, bias, a) };
        }
    }
    body(rows, bias, a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::math::tests::erf64;

    #[test]
    fn fused_bias_and_activations_match_scalar_formulas() {
        let n = 37; // not a multiple of any vector width
        let bias: Vec<f32> = (0..n).map(|j| j as f32 * 0.01 - 0.2).collect();
        let x: Vec<f32> = (0..3 * n).map(|i| (i as f32 * 0.37).sin() * 6.0).collect();
        type Reference = fn(f64) -> f64;
        let cases: [(Activation, Reference); 4] = [
            (Activation::Gelu, |v| {
                0.5 * v * (1.0 + erf64(v / 2f64.sqrt()))
            }),
            (Activation::GeluNew, |v| {
                0.5 * v * (1.0 + (0.797_884_560_8 * (v + 0.044_715 * v * v * v)).tanh())
            }),
            (Activation::Relu, |v| v.max(0.0)),
            (Activation::Silu, |v| v / (1.0 + (-v).exp())),
        ];
        for (a, reference) in cases {
            let mut y = x.clone();
            bias_act(&mut y, Some(&bias), Some(a));
            for (i, (&got, &x)) in y.iter().zip(&x).enumerate() {
                let want = reference(x as f64 + bias[i % n] as f64);
                assert!(
                    (got as f64 - want).abs() < 2e-6,
                    "{a:?}({x}): {got} vs {want}"
                );
            }
        }
        let mut y = x.clone();
        bias_act(&mut y, Some(&bias), None);
        assert!(y
            .iter()
            .zip(&x)
            .enumerate()
            .all(|(i, (y, x))| *y == x + bias[i % n]));
    }
}
