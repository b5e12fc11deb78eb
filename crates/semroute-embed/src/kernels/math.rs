//! Branch-free f32 erf and exp that LLVM vectorises (libm's are scalar calls).

/// erf(x) as a rational function of x (Eigen's `generic_fast_erf_float`); |error| < 1e-6 over
/// all of f32 (checked against f64 in the tests below). Branch-free, so it vectorises.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2.mul_add(-2.726_142_3e-10, 2.770_681_4e-8);
    p = p.mul_add(x2, -2.101_024e-6);
    p = p.mul_add(x2, -5.692_506_4e-5);
    p = p.mul_add(x2, -7.349_906_3e-4);
    p = p.mul_add(x2, -2.954_600_5e-3);
    p = p.mul_add(x2, -1.609_603_3e-2);
    p *= x;
    let mut q = x2.mul_add(-1.456_607_2e-5, -2.133_740_6e-4);
    q = q.mul_add(x2, -1.682_827e-3);
    q = q.mul_add(x2, -7.373_329_2e-3);
    q = q.mul_add(x2, -1.426_474e-2);
    p / q
}

/// e^x to about 2 ulp: 2^n * p(r) with x = n ln2 + r, |r| <= ln2 / 2. Branch-free; inputs below
/// -87 give 0-ish subnormal-free results (as softmax wants), above 88 saturate at f32::MAX.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + 0.5).floor();
    // ln2 split as in Cephes: n * 0.693359375 is exact in f32 for |n| <= 127.
    let r = n.mul_add(-0.693_359_4, x);
    let r = n.mul_add(2.121_944_4e-4, r);
    let mut p = r.mul_add(1.987_569_1e-4, 1.398_199_9e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 5e-1);
    p = p.mul_add(r * r, r) + 1.0;
    // SAFETY: x is clamped to [-87, 88], so n is a whole number in [-126, 127]: in range for
    // i32 and not NaN. (`as i32` would add a saturation and NaN check that keeps the loop scalar.)
    let n: i32 = unsafe { n.to_int_unchecked() };
    p * f32::from_bits(((n + 127) as u32) << 23)
}

/// Lanes of the reductions below: 16 independent accumulators, which LLVM keeps in one AVX-512
/// register (two AVX2 ones). A plain `iter().sum()` over f32 is a chain of dependent adds that the
/// compiler may not reorder, so it runs one element per add latency; splitting it into lanes lets
/// it vectorise (and changes the rounding only in the last bits).
const LANES: usize = 16;

/// Sum of `xs`, in lanes.
#[inline(always)]
pub(crate) fn sum(xs: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            acc[i] += c[i];
        }
    }
    let mut s: f32 = chunks.remainder().iter().sum();
    for a in acc {
        s += a;
    }
    s
}

/// Sum of `(x - mean)^2` over `xs`, in lanes.
#[inline(always)]
pub(crate) fn sum_sq_dev(xs: &[f32], mean: f32) -> f32 {
    let mut acc = [0f32; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            let d = c[i] - mean;
            acc[i] = d.mul_add(d, acc[i]);
        }
    }
    let mut s: f32 = chunks
        .remainder()
        .iter()
        .map(|&v| (v - mean) * (v - mean))
        .sum();
    for a in acc {
        s += a;
    }
    s
}

/// Largest element of `xs` (NEG_INFINITY when empty), in lanes.
#[inline(always)]
pub(crate) fn max(xs: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let mut chunks = xs.chunks_exact(LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            acc[i] = acc[i].max(c[i]);
        }
    }
    let mut m = chunks
        .remainder()
        .iter()
        .fold(f32::NEG_INFINITY, |m, &v| m.max(v));
    for a in acc {
        m = m.max(a);
    }
    m
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn erf64(x: f64) -> f64 {
        // Abramowitz-Stegun would be too coarse for a 1e-6 bar: integrate the series instead.
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), exact enough for |x| <= 4
        // in f64 with enough terms; beyond that erf is 1 to f32 precision.
        if x.abs() > 4.5 {
            return x.signum();
        }
        let mut sum = 0.0;
        let mut term = x; // (-1)^n x^(2n+1) / n!
        for n in 0..200 {
            sum += term / (2 * n + 1) as f64;
            term *= -x * x / (n + 1) as f64;
        }
        sum * 2.0 / std::f64::consts::PI.sqrt()
    }

    #[test]
    fn lane_reductions_match_f64_on_every_length() {
        for len in [0usize, 1, 5, 15, 16, 17, 37, 196, 384] {
            let xs: Vec<f32> = (0..len)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) * 0.013)
                .collect();
            let s64: f64 = xs.iter().map(|&v| v as f64).sum();
            assert!((sum(&xs) as f64 - s64).abs() < 1e-4, "sum, len {len}");
            let mean = if len > 0 {
                (s64 / len as f64) as f32
            } else {
                0.0
            };
            let q64: f64 = xs.iter().map(|&v| (v as f64 - mean as f64).powi(2)).sum();
            assert!(
                (sum_sq_dev(&xs, mean) as f64 - q64).abs() < 1e-4,
                "sum_sq_dev, len {len}"
            );
            let m = xs.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
            assert_eq!(max(&xs), m, "max, len {len}");
        }
    }

    #[test]
    fn erf_is_exact_to_1e_6() {
        let mut worst = 0f64;
        for i in -60_000..=60_000 {
            let x = i as f32 * 1e-4;
            worst = worst.max((erf(x) as f64 - erf64(x as f64)).abs());
        }
        assert!(worst < 1e-6, "max |erf error| = {worst:e}");
        assert_eq!(erf(50.0), 1.0);
        assert_eq!(erf(-50.0), -1.0);
        assert_eq!(erf(0.0), 0.0);
    }

    #[test]
    fn exp_is_within_a_few_ulp() {
        let mut worst = 0f64;
        // Inside the clamp range (-87 is clamped to itself; below it exp is clamped on purpose).
        for i in -86_990..=87_990 {
            let x = i as f32 * 1e-3;
            let want = (x as f64).exp();
            worst = worst.max(((exp(x) as f64 - want) / want).abs());
        }
        assert!(worst < 5e-7, "max relative exp error = {worst:e}");
        assert!(exp(-1000.0) < 1e-37);
        assert!(exp(1000.0).is_finite());
    }
}
