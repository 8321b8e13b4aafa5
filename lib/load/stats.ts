/**
 * Rally's main statistics table: per atomic action and for the whole iteration.
 * Percentiles come from an HDR histogram at microsecond resolution (3 significant digits);
 * min, max, mean and stddev are exact. `rallyPercentile` is the exact, interpolated percentile
 * Rally prints, for figures that must compare one to one with a Rally report (bench:load).
 */
import * as hdr from 'hdr-histogram-js';
import { atomicNames, atomicTotals, type IterationRecord } from './atomic.js';

export interface DurationStats {
  name: string;
  /** Iterations that reached this action (for the total row: all iterations). */
  count: number;
  failures: number;
  /** Milliseconds, over successful samples only; null when there are none. */
  min: number | null;
  median: number | null;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
  stddev: number | null;
  /** count per second of the run's wall time. */
  throughput: number;
}

export interface LoadStats {
  /** One row per atomic action, in first-use order. */
  atomics: DurationStats[];
  /** The whole iteration, Rally's "total" row. */
  total: DurationStats;
  wallMs: number;
}

export const TOTAL = 'total';

/**
 * Like Rally, durations count only successes: a failed iteration's time is time-to-failure.
 * An action repeated within an iteration is one sample with the summed duration (Rally merges
 * repeats), and it fails for that iteration if any occurrence failed. An action that succeeded
 * inside an iteration that failed later is still a valid latency sample.
 */
export function summarize(run: { iterations: readonly IterationRecord[]; wallMs: number }): LoadStats {
  const { iterations, wallMs } = run;
  const perAction = new Map<string, { samples: number[]; failures: number }>();
  for (const name of atomicNames(iterations)) perAction.set(name, { samples: [], failures: 0 });
  const totalSamples: number[] = [];
  let totalFailures = 0;
  for (const r of iterations) {
    if (r.error) totalFailures++;
    else totalSamples.push(r.durationMs);
    for (const [name, t] of atomicTotals(r)) {
      const acc = perAction.get(name)!;
      if (t.failed) acc.failures++;
      else acc.samples.push(t.durationMs);
    }
  }
  return {
    atomics: [...perAction].map(([name, acc]) => durationStats(name, acc.samples, acc.failures, wallMs)),
    total: durationStats(TOTAL, totalSamples, totalFailures, wallMs),
    wallMs,
  };
}

/** Statistics of one series of successful samples (ms) plus a failure count. */
export function durationStats(name: string, samplesMs: readonly number[], failures: number, wallMs: number): DurationStats {
  const count = samplesMs.length + failures;
  const throughput = wallMs > 0 ? count / (wallMs / 1000) : 0;
  const finite = samplesMs.filter((v) => Number.isFinite(v) && v >= 0);
  if (finite.length === 0) {
    return { name, count, failures, min: null, median: null, p90: null, p95: null, p99: null, max: null, mean: null, stddev: null, throughput };
  }
  const h = hdr.build({ useWebAssembly: false, numberOfSignificantValueDigits: 3, lowestDiscernibleValue: 1, autoResize: true });
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (const v of finite) {
    // HDR histograms take integers; 1 µs floor keeps sub-microsecond samples countable.
    h.recordValue(Math.max(1, Math.round(v * 1000)));
    min = Math.min(min, v);
    max = Math.max(max, v);
    sum += v;
  }
  const mean = sum / finite.length;
  let sq = 0;
  for (const v of finite) sq += (v - mean) ** 2;
  // A bucket's upper bound can exceed the true max; clamp so p99 <= max always reads right.
  const at = (p: number): number => Math.min(max, Math.max(min, h.getValueAtPercentile(p) / 1000));
  return {
    name,
    count,
    failures,
    min,
    median: at(50),
    p90: at(90),
    p95: at(95),
    p99: at(99),
    max,
    mean,
    stddev: finite.length > 1 ? Math.sqrt(sq / (finite.length - 1)) : null,
    throughput,
  };
}

/**
 * The percentile Rally prints (Rally 3.3: rally/task/processing/utils.py `percentile`, which
 * MainStatsTable feeds with every iteration's duration, failed ones included): sort, take the rank
 * k = (n - 1) * fraction, and interpolate linearly between the samples at floor(k) and ceil(k).
 * This is numpy.percentile's default ("linear") method. `fraction` is Rally's own argument
 * (0.95 for the 95th percentile), so the arithmetic is Rally's to the last bit. Written by hand
 * because hdr-histogram-js answers with bucket bounds (nearest rank), not interpolated values.
 * Sorts a copy; null for no samples; non-finite samples are ignored. The one implementation:
 * reports/rally-export.ts re-exports it for the Rally results export.
 */
export function rallyPercentile(samples: readonly number[], fraction: number): number | null {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`percentile fraction must be within 0..1, got ${fraction}`);
  const sorted = samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const k = (sorted.length - 1) * fraction;
  const f = Math.floor(k);
  const c = Math.ceil(k);
  if (f === c) return sorted[f]!;
  return sorted[f]! * (c - k) + sorted[c]! * (k - f);
}

/** n, min, p50/p90/p95/p99, max and mean of raw samples, the percentiles as rallyPercentile computes them. */
export interface RallyPercentiles { n: number; min: number | null; p50: number | null; p90: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null }

export function rallyPercentiles(samples: readonly number[]): RallyPercentiles {
  const finite = samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  return {
    n,
    min: n ? finite[0]! : null,
    p50: rallyPercentile(finite, 0.5),
    p90: rallyPercentile(finite, 0.9),
    p95: rallyPercentile(finite, 0.95),
    p99: rallyPercentile(finite, 0.99),
    max: n ? finite[n - 1]! : null,
    mean: n ? finite.reduce((a, b) => a + b, 0) / n : null,
  };
}
