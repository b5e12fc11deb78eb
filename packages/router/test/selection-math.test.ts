import { describe, expect, it } from 'vitest';
import { marginConfidence, minMax, percentile, relativeFit, softmax } from '../src/selection/math.js';
import { sampleBeta, sampleGamma, seededRng } from '../src/selection/random.js';

function moments(xs: number[]): { mean: number; variance: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

describe('selection math', () => {
  it('softmax and relative fit', () => {
    const p = softmax([0.3, 0.1], 0.1);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-2)), 12);
    expect(p[1]).toBeCloseTo(Math.exp(-2) / (1 + Math.exp(-2)), 12);
    expect(relativeFit([0.5, 0.3, 0.2], 0.05)).toEqual([1, Math.exp(-4), Math.exp(-6)].map((v) => expect.closeTo(v, 12)));
  });

  it('min-max, percentile, margin confidence', () => {
    expect(minMax([2, 0.2, 0.5, undefined], false)).toEqual([0, 1, expect.closeTo(1 - 0.3 / 1.8, 12), undefined]);
    expect(minMax([3, 3], true, 0.5)).toEqual([0.5, 0.5]);
    expect(percentile([500, 100, 300, 200, 400], 90)).toBeCloseTo(460, 12);
    expect(percentile([100, 200], 50)).toBe(150);
    expect(percentile([], 50)).toBeUndefined();
    expect(marginConfidence([1, 0.25, 0.1])).toBeCloseTo(0.8, 12);
    expect(marginConfidence([0.7])).toBe(1);
    expect(marginConfidence([0.4, 0.4])).toBe(0.5);
  });
});

describe('Marsaglia-Tsang gamma and beta samplers', () => {
  const N = 40_000;
  it.each([
    [3, 3, 3],
    [0.5, 0.5, 0.5],
    [1, 1, 1],
  ])('Gamma(%d) has mean %d and variance %d', (shape, mean, variance) => {
    const rng = seededRng(7);
    const m = moments(Array.from({ length: N }, () => sampleGamma(shape, rng)));
    expect(m.mean).toBeCloseTo(mean, 1);
    // 4 standard errors of the sample variance: sqrt((kurtosis - 1) / N), kurtosis of Gamma(k) = 3 + 6 / k.
    expect(Math.abs(m.variance - variance) / variance).toBeLessThan(4 * Math.sqrt((2 + 6 / shape) / N));
  });

  it.each([
    [2, 5],
    [0.5, 0.5],
    [30, 10],
  ])('Beta(%d, %d) matches its mean and variance', (a, b) => {
    const rng = seededRng(11);
    const xs = Array.from({ length: N }, () => sampleBeta(a, b, rng));
    const m = moments(xs);
    const mean = a / (a + b);
    const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(m.mean - mean)).toBeLessThan(0.005);
    expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.05);
    expect(xs.every((x) => x >= 0 && x <= 1)).toBe(true);
  });

  it('is reproducible from the seed and rejects bad shapes', () => {
    const a = seededRng(3);
    const b = seededRng(3);
    expect(sampleBeta(2, 3, a)).toBe(sampleBeta(2, 3, b));
    expect(() => sampleGamma(0, seededRng(1))).toThrow(RangeError);
  });
});
