/**
 * Rally's SLA criteria as pure functions over iteration records. Names, criterion shapes and
 * units (seconds, percent) follow Rally task files so Rally SLAs port unchanged; semantics follow
 * rally/plugins/common/sla/*.py, including which iterations each criterion ignores.
 */
import { atomicTotals, type IterationRecord } from './atomic.js';
import type { RunResult } from './runners.js';

export interface SlaResult {
  name: string;
  criterion: unknown;
  success: boolean;
  detail: string;
}

export interface FailureRateCriterion { min?: number; max?: number }
export interface OutliersCriterion { max?: number; min_iterations?: number; sigmas?: number }
export interface PerformanceDegradationCriterion { max_degradation: number }
/** `action: { over: otherAction, max: k }`: median of `action` at most k x median of `over`, same iterations. */
export type AtomicRatioCriterion = Record<string, { over: string; max: number }>;

export interface SlaConfig {
  failure_rate?: FailureRateCriterion;
  max_seconds_per_iteration?: number;
  max_avg_duration?: number;
  max_avg_duration_per_atomic?: Record<string, number>;
  outliers?: OutliersCriterion;
  performance_degradation?: PerformanceDegradationCriterion;
  /** Not Rally's: the gate's load-independent regression SLA (see maxAtomicRatio). */
  max_atomic_ratio?: AtomicRatioCriterion;
}

/** Rally's default when a workload names no SLA at all. */
export const DEFAULT_SLA: SlaConfig = { failure_rate: { max: 0 } };

const seconds = (ms: number): number => ms / 1000;
const f2 = (n: number): string => n.toFixed(2);
const status = (ok: boolean): string => (ok ? 'Passed' : 'Failed');

/** Percentage of iterations with an error, within [min, max] (Rally defaults 0 and 100). */
export function failureRate(records: readonly IterationRecord[], criterion: FailureRateCriterion): SlaResult {
  const min = criterion.min ?? 0;
  const max = criterion.max ?? 100;
  checkRange('failure_rate.min', min, 0, 100);
  checkRange('failure_rate.max', max, 0, 100);
  const errors = records.filter((r) => r.error).length;
  const rate = records.length ? (errors * 100) / records.length : 0;
  const success = min <= rate && rate <= max;
  return {
    name: 'failure_rate',
    criterion,
    success,
    detail: `Failure rate criteria ${f2(min)}% <= ${f2(rate)}% <= ${f2(max)}% (${errors}/${records.length} iterations failed) - ${status(success)}`,
  };
}

/** The slowest iteration, failed ones included (as in Rally), at most `limit` seconds. */
export function maxSecondsPerIteration(records: readonly IterationRecord[], limit: number): SlaResult {
  checkPositive('max_seconds_per_iteration', limit);
  const worst = records.reduce((m, r) => Math.max(m, seconds(r.durationMs)), 0);
  const success = worst <= limit;
  return { name: 'max_seconds_per_iteration', criterion: limit, success, detail: `Maximum seconds per iteration ${f2(worst)}s <= ${f2(limit)}s - ${status(success)}` };
}

/** Mean duration of successful iterations, at most `limit` seconds (0 when none succeeded, as in Rally). */
export function maxAvgDuration(records: readonly IterationRecord[], limit: number): SlaResult {
  checkPositive('max_avg_duration', limit);
  const ok = records.filter((r) => !r.error);
  // Sum in ms and convert once, so 3 x 100 ms averages to exactly 0.1 s at a 0.1 s limit.
  const avg = ok.length ? seconds(ok.reduce((s, r) => s + r.durationMs, 0) / ok.length) : 0;
  const success = avg <= limit;
  return { name: 'max_avg_duration', criterion: limit, success, detail: `Average duration of one iteration ${f2(avg)}s <= ${f2(limit)}s - ${status(success)}` };
}

/**
 * Mean per-iteration duration of each named action over successful iterations. An action with
 * no samples reads 0 and passes, as in Rally; the detail says so, since it often means a misspelt name.
 */
export function maxAvgDurationPerAtomic(records: readonly IterationRecord[], criterion: Record<string, number>): SlaResult {
  for (const [name, limit] of Object.entries(criterion)) checkPositive(`max_avg_duration_per_atomic.${name}`, limit, true);
  const sums = new Map<string, { total: number; n: number }>();
  for (const r of records) {
    if (r.error) continue;
    for (const [name, t] of atomicTotals(r)) {
      const s = sums.get(name) ?? { total: 0, n: 0 };
      s.total += t.durationMs;
      s.n++;
      sums.set(name, s);
    }
  }
  let success = true;
  const lines = ['Average duration of one iteration for atomic actions:'];
  for (const [name, limit] of Object.entries(criterion)) {
    const s = sums.get(name);
    const avg = s ? seconds(s.total / s.n) : 0;
    const ok = avg <= limit;
    success &&= ok;
    lines.push(`Action: '${name}'. ${f2(avg)}s <= ${f2(limit)}s${s ? '' : ' (no samples)'}`);
  }
  lines.push(`Status: ${status(success)}`);
  return { name: 'max_avg_duration_per_atomic', criterion, success, detail: lines.join('\n') };
}

/**
 * Rally's progressive outlier count: successful iterations in completion order; from the
 * `min_iterations`-th on, one is an outlier if slower than mean + sigmas * stddev (sample stddev)
 * of the iterations before it. Defaults: max 0, min_iterations 3, sigmas 3.
 */
export function outliers(records: readonly IterationRecord[], criterion: OutliersCriterion): SlaResult {
  const maxOutliers = criterion.max ?? 0;
  const minIterations = criterion.min_iterations ?? 3;
  const sigmas = criterion.sigmas ?? 3;
  if (!Number.isInteger(maxOutliers) || maxOutliers < 0) throw new RangeError(`outliers.max must be an integer >= 0, got ${maxOutliers}`);
  if (!Number.isInteger(minIterations) || minIterations < 3) throw new RangeError(`outliers.min_iterations must be an integer >= 3, got ${minIterations}`);
  checkPositive('outliers.sigmas', sigmas);
  // Rally feeds the SLA as results arrive, i.e. in completion order.
  const ordered = records
    .filter((r) => !r.error)
    .sort((a, b) => a.start + a.durationMs - (b.start + b.durationMs) || a.iteration - b.iteration);
  let n = 0;
  let mean = 0;
  let devSum = 0; // Welford/Knuth running sum of squared deviations
  let threshold: number | null = null;
  const found: number[] = [];
  for (const r of ordered) {
    const d = seconds(r.durationMs);
    n++;
    if (n >= minIterations && threshold !== null && d > threshold) found.push(r.iteration);
    const prevMean = mean;
    mean += (d - mean) / n;
    devSum += (d - prevMean) * (d - mean);
    if (n >= 2) threshold = mean + sigmas * Math.sqrt(devSum / (n - 1));
  }
  const success = found.length <= maxOutliers;
  const which = found.length ? ` (iterations ${found.slice(0, 20).join(', ')}${found.length > 20 ? ', ...' : ''})` : '';
  return {
    name: 'outliers',
    criterion,
    success,
    detail: `Maximum number of outliers ${found.length} <= ${maxOutliers}${which} - ${status(success)}`,
  };
}

/**
 * Rally's degradation: (max / min - 1) * 100 over successful iteration durations, i.e. how much
 * slower the slowest iteration was than the fastest, in percent.
 */
export function performanceDegradation(records: readonly IterationRecord[], criterion: PerformanceDegradationCriterion): SlaResult {
  checkRange('performance_degradation.max_degradation', criterion.max_degradation, 0, Number.POSITIVE_INFINITY);
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let skipped = 0;
  for (const r of records) {
    if (r.error) continue;
    // Rally rejects non-positive durations; a ratio against zero means nothing, so skip and say so.
    if (!(r.durationMs > 0)) { skipped++; continue; }
    min = Math.min(min, r.durationMs);
    max = Math.max(max, r.durationMs);
  }
  const degradation = Number.isFinite(min) ? (max / min - 1) * 100 : 0;
  const success = degradation <= criterion.max_degradation;
  const note = skipped ? ` (${skipped} zero-duration iterations ignored)` : '';
  return {
    name: 'performance_degradation',
    criterion,
    success,
    detail: `Current degradation: ${f2(degradation)}% <= ${f2(criterion.max_degradation)}%${note} - ${status(success)}`,
  };
}

/**
 * Not a Rally criterion. Absolute SLAs must be sized for the slowest machine a gate runs on, so a
 * Keystone that got 10x slower at one action can still pass them (a 5 s sleep in token validation
 * survived max_avg_duration). A ratio of two actions' medians over the same successful iterations
 * cancels the machine's speed: "validating a token costs at most k x issuing one". A ratio with no
 * samples on either side fails: a regression SLA that measured nothing has judged nothing.
 */
export function maxAtomicRatio(records: readonly IterationRecord[], criterion: AtomicRatioCriterion): SlaResult {
  const samples = new Map<string, number[]>();
  for (const r of records) {
    if (r.error) continue;
    for (const [name, t] of atomicTotals(r)) {
      if (t.failed) continue;
      const list = samples.get(name) ?? [];
      list.push(t.durationMs);
      samples.set(name, list);
    }
  }
  const median = (xs: number[] | undefined): number | null => {
    if (!xs?.length) return null;
    const s = [...xs].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  let success = true;
  const lines = ['Median duration of an action over the median of another, same iterations:'];
  for (const [name, { over, max }] of Object.entries(criterion)) {
    checkPositive(`max_atomic_ratio.${name}.max`, max);
    const a = median(samples.get(name));
    const b = median(samples.get(over));
    if (a === null || b === null || b <= 0) {
      success = false;
      lines.push(`Action: '${name}' over '${over}': no samples of ${a === null ? `'${name}'` : `'${over}'`} - Failed`);
      continue;
    }
    const ratio = a / b;
    const ok = ratio <= max;
    success &&= ok;
    lines.push(`Action: '${name}' ${f2(a / 1000)}s / '${over}' ${f2(b / 1000)}s = ${f2(ratio)} <= ${f2(max)} - ${status(ok)}`);
  }
  lines.push(`Status: ${status(success)}`);
  return { name: 'max_atomic_ratio', criterion, success, detail: lines.join('\n') };
}

/** Evaluates every configured criterion, in Rally's config shape; no config means DEFAULT_SLA. */
export function evaluateSlas(records: readonly IterationRecord[], config: SlaConfig = DEFAULT_SLA): SlaResult[] {
  const results: SlaResult[] = [];
  if (config.failure_rate) results.push(failureRate(records, config.failure_rate));
  if (config.max_seconds_per_iteration !== undefined) results.push(maxSecondsPerIteration(records, config.max_seconds_per_iteration));
  if (config.max_avg_duration !== undefined) results.push(maxAvgDuration(records, config.max_avg_duration));
  if (config.max_avg_duration_per_atomic) results.push(maxAvgDurationPerAtomic(records, config.max_avg_duration_per_atomic));
  if (config.outliers) results.push(outliers(records, config.outliers));
  if (config.performance_degradation) results.push(performanceDegradation(records, config.performance_degradation));
  if (config.max_atomic_ratio) results.push(maxAtomicRatio(records, config.max_atomic_ratio));
  return results;
}

/**
 * Not a Rally criterion but Rally's `aborted_manually`/`something_went_wrong` rows: SLAs over a run
 * that was cut short, left work behind or measured nothing must not pass silently.
 */
export function runCompleted(run: Pick<RunResult, 'stopReason' | 'abandoned' | 'iterations'>): SlaResult {
  const problems: string[] = [];
  if (run.stopReason !== 'completed') problems.push(`run stopped early (${run.stopReason})`);
  if (run.abandoned > 0) problems.push(`${run.abandoned} iterations ignored the stop and were abandoned`);
  if (run.iterations.length === 0) problems.push('no iterations ran');
  const success = problems.length === 0;
  return {
    name: 'run_completed',
    criterion: { stopReason: 'completed', abandoned: 0, minIterations: 1 },
    success,
    detail: success ? `${run.iterations.length} iterations, run completed - Passed` : `${problems.join('; ')} - Failed`,
  };
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (typeof v !== 'number' || Number.isNaN(v) || v < lo || v > hi) throw new RangeError(`${name} must be within [${lo}, ${hi}], got ${v}`);
}

function checkPositive(name: string, v: number, allowZero = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new RangeError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${v}`);
  }
}
