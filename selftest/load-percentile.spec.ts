import { test, expect } from '@playwright/test';
import { rallyPercentile, rallyPercentiles } from '../lib/load/stats.js';

// Expected values are numpy.percentile(samples, p) (default "linear" method), which is what Rally
// prints; worked out by hand here: rank k = (n - 1) * fraction (Rally's argument: 0.95 for p95), interpolate between floor and ceil.
test.describe('rallyPercentile (Rally / numpy linear interpolation)', () => {
  test('median of an even count interpolates between the middle two (nearest rank would say 2)', () => {
    expect(rallyPercentile([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  test('p95 of five samples lies between the top two, not on the top one (nearest rank: 50)', () => {
    // k = 4 * 0.95 = 3.8 -> 40 * 0.2 + 50 * 0.8 = 48
    expect(rallyPercentile([10, 20, 30, 40, 50], 0.95)).toBeCloseTo(48, 12);
  });

  test('numpy documentation-style example: p40 of [15, 20, 35, 40, 50] is 29', () => {
    // k = 4 * 0.4 = 1.6 -> 20 * 0.4 + 35 * 0.6
    expect(rallyPercentile([15, 20, 35, 40, 50], 0.4)).toBeCloseTo(29, 12);
  });

  test('p99 of 1..10 is 9.91; input order does not matter and the input is not modified', () => {
    const samples = [7, 3, 10, 1, 9, 2, 8, 4, 6, 5];
    const copy = [...samples];
    expect(rallyPercentile(samples, 0.99)).toBeCloseTo(9.91, 12);
    expect(rallyPercentile(samples, 0.5)).toBeCloseTo(5.5, 12);
    expect(samples).toEqual(copy);
  });

  test('an exact rank returns that sample; 0 and 100 are min and max', () => {
    expect(rallyPercentile([5, 1, 3], 0.5)).toBe(3);
    expect(rallyPercentile([5, 1, 3], 0)).toBe(1);
    expect(rallyPercentile([5, 1, 3], 1)).toBe(5);
    expect(rallyPercentile([4.2], 0.99)).toBe(4.2);
  });

  test('no samples gives null; non-finite samples are ignored; a fraction outside 0..1 throws', () => {
    expect(rallyPercentile([], 0.5)).toBeNull();
    expect(rallyPercentile([Number.NaN, 1, 3, Number.POSITIVE_INFINITY], 0.5)).toBe(2);
    expect(() => rallyPercentile([1], 1.01)).toThrow(RangeError);
    expect(() => rallyPercentile([1], -1)).toThrow(RangeError);
  });

  test('rallyPercentiles gives the row of a side-by-side table', () => {
    // Iteration durations in seconds, 20 samples as a small bench run gives them.
    const s = [3.1, 2.9, 4.0, 3.3, 5.2, 3.0, 2.8, 3.6, 3.9, 4.4, 3.2, 3.5, 2.7, 3.4, 3.8, 4.1, 6.0, 3.7, 3.3, 3.0];
    const r = rallyPercentiles(s);
    expect(r.n).toBe(20);
    expect(r.min).toBe(2.7);
    expect(r.max).toBe(6.0);
    // sorted[9] = 3.4, sorted[10] = 3.5; k = 9.5
    expect(r.p50).toBeCloseTo(3.45, 12);
    // k = 19 * 0.95 = 18.05 -> sorted[18] = 5.2, sorted[19] = 6.0 -> 5.2 * 0.95 + 6.0 * 0.05 = 5.24
    expect(r.p95).toBeCloseTo(5.24, 12);
    // k = 18.81 -> 5.2 * 0.19 + 6.0 * 0.81 = 5.848
    expect(r.p99).toBeCloseTo(5.848, 12);
    expect(r.mean).toBeCloseTo(s.reduce((a, b) => a + b, 0) / 20, 12);
    expect(rallyPercentiles([])).toEqual({ n: 0, min: null, p50: null, p90: null, p95: null, p99: null, max: null, mean: null });
  });
});
