import { test, expect } from '@playwright/test';
import {
  evaluateSlas, failureRate, maxAvgDuration, maxAvgDurationPerAtomic, maxSecondsPerIteration,
  outliers, performanceDegradation, runCompleted, maxAtomicRatio,
} from '../lib/load/sla.js';
import type { IterationRecord } from '../lib/load/atomic.js';

/** Iterations from durations in seconds, back to back, so completion order = index order. */
function run(seconds: number[], errors: number[] = [], atomics?: (i: number) => IterationRecord['atomics']): IterationRecord[] {
  let t = 0;
  return seconds.map((s, i) => {
    const r: IterationRecord = { iteration: i, start: t, durationMs: s * 1000, atomics: atomics?.(i) ?? [] };
    if (errors.includes(i)) r.error = { kind: 'http-500', message: 'boom' };
    t += s * 1000;
    return r;
  });
}

const steady = run([1.0, 1.1, 0.9, 1.05, 0.95, 1.0, 1.02, 0.98, 1.01, 0.99]);

test.describe('failure_rate', () => {
  test('passes within the range and fails above max', () => {
    expect(failureRate(steady, { max: 0 }).success).toBe(true);
    const bad = run([1, 1, 1, 1], [2]);
    const r = failureRate(bad, { max: 10 });
    expect(r.success).toBe(false);
    expect(r.name).toBe('failure_rate');
    expect(r.detail).toContain('25.00%');
    expect(failureRate(bad, { max: 25 }).success).toBe(true);
  });

  test('min bound fails a run with too few failures (Rally uses it for negative tests)', () => {
    expect(failureRate(steady, { min: 50 }).success).toBe(false);
  });
});

test.describe('max_seconds_per_iteration', () => {
  test('counts failed iterations too', () => {
    expect(maxSecondsPerIteration(steady, 1.2).success).toBe(true);
    const r = maxSecondsPerIteration(run([1, 5, 1], [1]), 2);
    expect(r.success).toBe(false);
    expect(r.detail).toContain('5.00s <= 2.00s');
  });
});

test.describe('max_avg_duration', () => {
  test('averages successful iterations only', () => {
    expect(maxAvgDuration(steady, 1.1).success).toBe(true);
    expect(maxAvgDuration(run([2, 2, 3]), 2).success).toBe(false);
    // The slow one failed, so it does not count.
    expect(maxAvgDuration(run([1, 1, 30], [2]), 2).success).toBe(true);
  });
});

test.describe('max_avg_duration_per_atomic', () => {
  const withAtomics = run([1, 1, 1], [], (i) => [
    { name: 'keystone.create_user', durationMs: 200 + i * 100 },
    { name: 'keystone.list_users', durationMs: 50 },
    { name: 'keystone.list_users', durationMs: 50 },
  ]);

  test('passes when every named action is within its limit', () => {
    const r = maxAvgDurationPerAtomic(withAtomics, { 'keystone.create_user': 0.35, 'keystone.list_users': 0.1 });
    expect(r.success).toBe(true);
    expect(r.detail).toContain("Action: 'keystone.create_user'. 0.30s <= 0.35s");
  });

  test('fails when one action is too slow on average (repeats summed per iteration)', () => {
    expect(maxAvgDurationPerAtomic(withAtomics, { 'keystone.create_user': 0.25 }).success).toBe(false);
    // Two 50 ms list calls per iteration average to 0.1 s, not 0.05 s.
    expect(maxAvgDurationPerAtomic(withAtomics, { 'keystone.list_users': 0.09 }).success).toBe(false);
  });

  test('an unknown action reads 0 and passes as in Rally, but the detail says so', () => {
    const r = maxAvgDurationPerAtomic(withAtomics, { 'keystone.typo': 0.1 });
    expect(r.success).toBe(true);
    expect(r.detail).toContain('no samples');
  });
});

test.describe('outliers', () => {
  test('steady iterations have none', () => {
    const r = outliers(steady, { max: 0, sigmas: 3 });
    expect(r.success).toBe(true);
    expect(r.detail).toContain('0 <= 0');
  });

  test('one iteration far above mean + sigmas*std fails max 0 and passes max 1', () => {
    const spiky = run([1, 1.01, 0.99, 1, 1.02, 10, 1]);
    const r = outliers(spiky, { max: 0 });
    expect(r.success).toBe(false);
    expect(r.detail).toContain('iterations 5');
    expect(outliers(spiky, { max: 1 }).success).toBe(true);
  });

  test('progressive: the threshold comes only from earlier iterations, checked from min_iterations on', () => {
    // Zero spread before it: threshold = 1, so 1.5 at the 4th iteration is an outlier...
    expect(outliers(run([1, 1, 1, 1.5]), { max: 0 }).success).toBe(false);
    // ...but not while fewer than min_iterations have been seen.
    expect(outliers(run([1, 1, 1, 1.5]), { max: 0, min_iterations: 5 }).success).toBe(true);
    // The same spike first, before any threshold exists, is not counted.
    expect(outliers(run([1.5, 1, 1, 1]), { max: 0 }).success).toBe(true);
  });

  test('failed iterations are ignored', () => {
    expect(outliers(run([1, 1, 1, 50], [3]), { max: 0 }).success).toBe(true);
  });

  test('rejects criteria Rally would reject', () => {
    expect(() => outliers(steady, { min_iterations: 2 })).toThrow(RangeError);
    expect(() => outliers(steady, { sigmas: 0 })).toThrow(RangeError);
  });
});

test.describe('performance_degradation', () => {
  test("matches Rally's (max/min - 1) * 100", () => {
    // Rally's own streaming_algorithms test vectors.
    expect(performanceDegradation(run([15, 10, 20, 19]), { max_degradation: 100 }).success).toBe(true);
    expect(performanceDegradation(run([15, 10, 20, 19]), { max_degradation: 99.9 }).success).toBe(false);
    const r = performanceDegradation(run([30, 56, 90, 73]), { max_degradation: 50 });
    expect(r.success).toBe(false);
    expect(r.detail).toContain('200.00%');
    expect(performanceDegradation(run([45, 45, 45, 30]), { max_degradation: 50 }).detail).toContain('50.00%');
  });

  test('steady run passes a tight bound; failed iterations do not count', () => {
    expect(performanceDegradation(steady, { max_degradation: 25 }).success).toBe(true);
    expect(performanceDegradation(run([1, 1, 9], [2]), { max_degradation: 5 }).success).toBe(true);
  });
});

test.describe('evaluateSlas and runCompleted', () => {
  test("no config means Rally's default failure_rate max 0", () => {
    const res = evaluateSlas(run([1, 1], [1]));
    expect(res).toHaveLength(1);
    expect(res[0]!.name).toBe('failure_rate');
    expect(res[0]!.success).toBe(false);
  });

  test('evaluates every configured criterion in a stable order', () => {
    const res = evaluateSlas(steady, {
      failure_rate: { max: 0 },
      max_seconds_per_iteration: 2,
      max_avg_duration: 1.5,
      max_avg_duration_per_atomic: {},
      outliers: { max: 1 },
      performance_degradation: { max_degradation: 50 },
    });
    expect(res.map((r) => r.name)).toEqual([
      'failure_rate', 'max_seconds_per_iteration', 'max_avg_duration', 'max_avg_duration_per_atomic', 'outliers', 'performance_degradation',
    ]);
    expect(res.every((r) => r.success)).toBe(true);
    const bad = evaluateSlas(run([1, 1, 1, 1, 20], [0]), { failure_rate: { max: 0 }, max_seconds_per_iteration: 2, max_avg_duration: 1.5 });
    expect(bad.map((r) => r.success)).toEqual([false, false, false]);
  });

  test('runCompleted fails a cut-short, leaky or empty run', () => {
    expect(runCompleted({ stopReason: 'completed', abandoned: 0, iterations: steady }).success).toBe(true);
    expect(runCompleted({ stopReason: 'deadline', abandoned: 0, iterations: steady }).success).toBe(false);
    expect(runCompleted({ stopReason: 'completed', abandoned: 2, iterations: steady }).success).toBe(false);
    expect(runCompleted({ stopReason: 'completed', abandoned: 0, iterations: [] }).success).toBe(false);
  });
});

test.describe('max_atomic_ratio (the gate\'s load-independent regression SLA)', () => {
  const V = 'keystone_v3.validate_token';
  const F = 'keystone_v3.fetch_token';
  const pair = (fetch: number, validate: number) => [{ name: F, durationMs: fetch, start: 0 }, { name: V, durationMs: validate, start: fetch }];
  const criterion = { [V]: { over: F, max: 3 } };

  test('passes a validation as fast as an authentication, on a fast or a slow machine', () => {
    expect(maxAtomicRatio(run([0.4, 0.4, 0.4], [], () => pair(200, 200)), criterion).success).toBe(true);
    expect(maxAtomicRatio(run([20, 20, 20], [], () => pair(9_000, 11_000)), criterion).success).toBe(true);
  });

  test('fails a validation that sleeps 5 s (the tokens-validate-slow mutant), naming both medians', () => {
    const r = maxAtomicRatio(run([5.5, 5.5, 5.5], [], () => pair(300, 5_300)), criterion);
    expect(r.success).toBe(false);
    expect(r.detail).toContain("'keystone_v3.validate_token' 5.30s / 'keystone_v3.fetch_token' 0.30s = 17.67 <= 3.00 - Failed");
  });

  test('uses medians: one slow outlier does not fail it, a slow majority does', () => {
    const oneSlow = run([1, 1, 1, 1, 1], [], (i) => pair(300, i === 0 ? 5_000 : 300));
    expect(maxAtomicRatio(oneSlow, criterion).success).toBe(true);
    const mostSlow = run([1, 1, 1, 1, 1], [], (i) => pair(300, i < 3 ? 5_000 : 300));
    expect(maxAtomicRatio(mostSlow, criterion).success).toBe(false);
  });

  test('fails when it measured nothing (no samples, or only failed iterations)', () => {
    expect(maxAtomicRatio(run([1, 1]), criterion).success).toBe(false);
    const allFailed = run([1, 1], [0, 1], () => pair(300, 300));
    const r = maxAtomicRatio(allFailed, criterion);
    expect(r.success).toBe(false);
    expect(r.detail).toContain('no samples');
  });

  test('evaluateSlas runs it when configured', () => {
    const names = evaluateSlas(run([1], [], () => pair(1, 1)), { max_atomic_ratio: criterion }).map((x) => x.name);
    expect(names).toEqual(['max_atomic_ratio']);
  });
});
