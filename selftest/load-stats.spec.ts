import { test, expect } from '@playwright/test';
import { durationStats, summarize, TOTAL } from '../lib/load/stats.js';
import { timeline } from '../lib/load/timeline.js';
import type { IterationRecord } from '../lib/load/atomic.js';

const ok = (iteration: number, durationMs: number, atomics: IterationRecord['atomics'] = [], start = iteration * 10): IterationRecord =>
  ({ iteration, start, durationMs, atomics });
const failed = (iteration: number, durationMs: number, kind = 'http-500', atomics: IterationRecord['atomics'] = []): IterationRecord =>
  ({ iteration, start: iteration * 10, durationMs, atomics, error: { kind, message: 'boom' } });

test.describe('durationStats', () => {
  test('1..100 ms gives the textbook percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    const s = durationStats('x', values, 0, 10_000);
    expect(s.count).toBe(100);
    expect(s.failures).toBe(0);
    expect(s.min).toBe(1);
    expect(s.max).toBe(100);
    expect(s.mean).toBeCloseTo(50.5, 9);
    // HDR at 3 significant digits: within 0.1 %.
    expect(s.median!).toBeCloseTo(50, 1);
    expect(s.p90!).toBeCloseTo(90, 1);
    expect(s.p95!).toBeCloseTo(95, 1);
    expect(s.p99!).toBeCloseTo(99, 1);
    expect(s.stddev!).toBeCloseTo(29.0115, 3);
    expect(s.throughput).toBeCloseTo(10, 9);
  });

  test('keeps microsecond precision for sub-millisecond latencies', () => {
    const s = durationStats('fast', [0.25, 0.5, 0.75, 1.234], 0, 1000);
    expect(s.min).toBe(0.25);
    expect(s.median!).toBeCloseTo(0.5, 3);
    expect(s.p99!).toBeCloseTo(1.234, 3);
  });

  test('percentiles never exceed the exact max even for large values', () => {
    const s = durationStats('slow', [11_600, 11_601, 11_602], 0, 60_000);
    expect(s.p99!).toBeLessThanOrEqual(s.max!);
    expect(s.p99!).toBeGreaterThan(11_590);
  });

  test('no samples gives nulls, not zeros', () => {
    const s = durationStats('none', [], 3, 1000);
    expect(s.count).toBe(3);
    expect(s.failures).toBe(3);
    expect(s.median).toBeNull();
    expect(s.mean).toBeNull();
    expect(s.throughput).toBeCloseTo(3, 9);
  });
});

test.describe('summarize', () => {
  test('whole iteration: failures counted, excluded from durations', () => {
    const records = [ok(0, 10), ok(1, 20), ok(2, 30), failed(3, 1000)];
    const s = summarize({ iterations: records, wallMs: 2000 });
    expect(s.total.name).toBe(TOTAL);
    expect(s.total.count).toBe(4);
    expect(s.total.failures).toBe(1);
    expect(s.total.max).toBe(30);
    expect(s.total.mean).toBeCloseTo(20, 9);
    expect(s.total.throughput).toBeCloseTo(2, 9);
  });

  test('per atomic action: first-use order, repeats summed per iteration, failures per action', () => {
    const records = [
      ok(0, 50, [{ name: 'create_user', durationMs: 10 }, { name: 'list_roles', durationMs: 5 }, { name: 'list_roles', durationMs: 7 }]),
      ok(1, 40, [{ name: 'create_user', durationMs: 20 }, { name: 'list_roles', durationMs: 6 }]),
      failed(2, 30, 'http-409', [{ name: 'create_user', durationMs: 8 }, { name: 'list_roles', durationMs: 3, failed: true }]),
    ];
    const s = summarize({ iterations: records, wallMs: 1000 });
    expect(s.atomics.map((a) => a.name)).toEqual(['create_user', 'list_roles']);
    const [create, list] = s.atomics;
    // create_user succeeded in all three, even in the iteration that failed later.
    expect(create!.count).toBe(3);
    expect(create!.failures).toBe(0);
    expect(create!.max).toBe(20);
    expect(list!.count).toBe(3);
    expect(list!.failures).toBe(1);
    expect(list!.max).toBe(12);
    expect(list!.min).toBe(6);
  });
});

test.describe('timeline', () => {
  test('buckets completions per second with error kinds', () => {
    const records: IterationRecord[] = [
      ok(0, 100, [], 0), ok(1, 100, [], 500), ok(2, 100, [], 1200),
      { ...failed(3, 100, 'connect'), start: 1500 }, { ...failed(4, 100, 'connect'), start: 1600 },
      ok(5, 100, [], 2950),
    ];
    const tl = timeline(records, { bucketMs: 1000, wallMs: 3500 });
    expect(tl.map((b) => b.t)).toEqual([0, 1, 2, 3]);
    expect(tl.map((b) => b.ok)).toEqual([2, 1, 0, 1]);
    expect(tl.map((b) => b.errors)).toEqual([0, 2, 0, 0]);
    expect(tl[1]!.errorKinds).toEqual({ connect: 2 });
    const half = timeline(records, { bucketMs: 500 });
    expect(half[0]!.okPerSec).toBe(2);
  });
});
