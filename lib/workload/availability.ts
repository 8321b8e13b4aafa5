import { eventsOf, faultWindowsOf, pairsOf, type HistoryLike, type OpPair } from './history.js';

/**
 * Availability under fault, per region, from a recorded history: how much of what clients asked
 * during a fault window was served, how slow it got, and how long after the heal each region
 * served again. Pure: the same history always gives the same figures.
 *
 * "Served" means an HTTP answer below 500: a 404 for a revoked token or a 409 is the service
 * working. A 5xx, a timeout, a dropped or refused connection is the service not being there.
 */

/** One operation as availability sees it. */
export interface Sample {
  region: string;
  /** Invocation time (performance.now() clock of the history). */
  start: number;
  /** Completion time; Infinity while pending. */
  end: number;
  served: boolean;
}

export interface Window {
  name: string;
  start: number;
  /** Infinity when the fault was never healed in the recorded span. */
  end: number;
}

export interface PhaseFigures {
  /** Operations invoked in the phase. */
  ops: number;
  served: number;
  /** served / ops; null when no operation was invoked in the phase. */
  successRate: number | null;
  /** Slowest completed operation invoked in the phase, whatever its outcome (a timeout counts with its full wait). */
  worstLatencyMs: number | null;
  /** Slowest served operation invoked in the phase. */
  worstServedLatencyMs: number | null;
}

export interface Recovery {
  /** True once the region served `stableOps` operations in a row after its last failure following the heal. */
  recovered: boolean;
  /**
   * From the heal to the completion of the first served operation invoked after the last
   * failure; 0 when nothing failed after the heal. Null when not recovered or not healed.
   */
  timeToRecoverMs: number | null;
  /** Operations invoked after the heal (up to the next fault or the end of observation), and how many failed. */
  opsAfter: number;
  failuresAfter: number;
  /** How long after the heal the region was observed. */
  observedMs: number;
}

export interface RegionAvailability {
  region: string;
  /** Invoked after the previous fault's end (or from the beginning) and completed before this fault began. */
  before: PhaseFigures;
  /**
   * In flight at some moment of the fault: invoked before it ended and not completed before it
   * began. Clients wait on a stalled region instead of invoking more: counting only what was
   * invoked during the window would leave a frozen region with no samples at all.
   */
  during: PhaseFigures;
  recovery: Recovery;
}

export interface FaultAvailability {
  fault: string;
  start: number;
  end: number;
  durationMs: number;
  regions: RegionAvailability[];
}

export interface AvailabilityOptions {
  /** Regions to report even if they saw no operation (else: those found in the samples, sorted). */
  regions?: readonly string[];
  /** Served operations in a row after the last failure that count as recovered; default 3. */
  stableOps?: number;
  /** End of observation (e.g. when the workload stopped); default: the last completion seen. */
  observedUntil?: number;
}

/** An HTTP answer below 500; no answer at all (timeout, dropped, refused) is not served. */
export function isServed(pair: OpPair): boolean {
  const status = pair.completion?.status;
  return pair.completion !== undefined && typeof status === 'number' && status < 500;
}

/** Samples of every operation whose invoke value names a region ({ region }). */
export function samplesOf(history: HistoryLike): Sample[] {
  const samples: Sample[] = [];
  for (const pair of pairsOf(eventsOf(history))) {
    const region = (pair.invoke.value as { region?: unknown } | undefined)?.region;
    if (typeof region !== 'string') continue;
    samples.push({ region, start: pair.start, end: pair.completion ? pair.completion.time : Infinity, served: isServed(pair) });
  }
  return samples;
}

/** Fault windows of the history, in start order; an unhealed one ends at Infinity. */
export function windowsOf(history: HistoryLike): Window[] {
  return faultWindowsOf(eventsOf(history))
    .map((w) => ({ name: w.name, start: w.start, end: w.end ?? Infinity }))
    .sort((a, b) => a.start - b.start);
}

/** Figures for each fault window; a window's "before" starts where the previous one's observation ends. */
export function availabilityByFault(samples: readonly Sample[], windows: readonly Window[], options: AvailabilityOptions = {}): FaultAvailability[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start);
  return sorted.map((w, i) => availabilityUnderFault(samples, w, {
    ...options,
    // Observation after one heal stops where the next fault begins.
    observedUntil: Math.min(options.observedUntil ?? Infinity, sorted[i + 1]?.start ?? Infinity),
  }, sorted[i - 1]?.end ?? -Infinity));
}

export function availabilityUnderFault(samples: readonly Sample[], window: Window, options: AvailabilityOptions = {}, baselineFrom = -Infinity): FaultAvailability {
  const stableOps = options.stableOps ?? 3;
  if (!Number.isInteger(stableOps) || stableOps < 1) throw new RangeError(`stableOps must be an integer >= 1, got ${stableOps}`);
  const lastSeen = samples.reduce((t, s) => Math.max(t, Number.isFinite(s.end) ? s.end : s.start), -Infinity);
  const observedUntil = Math.min(options.observedUntil ?? Infinity, Number.isFinite(lastSeen) ? lastSeen : Infinity);
  const regions = options.regions ?? [...new Set(samples.map((s) => s.region))].sort();
  return {
    fault: window.name,
    start: window.start,
    end: window.end,
    durationMs: window.end - window.start,
    regions: regions.map((region) => {
      const own = samples.filter((s) => s.region === region);
      return {
        region,
        before: phase(own.filter((s) => s.start >= baselineFrom && s.end <= window.start)),
        during: phase(own.filter((s) => s.start < window.end && s.end > window.start)),
        recovery: recovery(own, window.end, observedUntil, stableOps),
      };
    }),
  };
}

function phase(samples: readonly Sample[]): PhaseFigures {
  const served = samples.filter((s) => s.served);
  const worst = (xs: readonly Sample[]): number | null => {
    const done = xs.filter((s) => Number.isFinite(s.end));
    return done.length ? Math.max(...done.map((s) => s.end - s.start)) : null;
  };
  return {
    ops: samples.length,
    served: served.length,
    successRate: samples.length ? served.length / samples.length : null,
    worstLatencyMs: worst(samples),
    worstServedLatencyMs: worst(served),
  };
}

function recovery(own: readonly Sample[], healedAt: number, observedUntil: number, stableOps: number): Recovery {
  if (!Number.isFinite(healedAt)) return { recovered: false, timeToRecoverMs: null, opsAfter: 0, failuresAfter: 0, observedMs: 0 };
  // Only operations invoked after the heal: one invoked during the fault that times out later
  // says nothing about recovery. Pending ones (watched live) have no outcome yet: no evidence either way.
  const after = own.filter((s) => s.start >= healedAt && s.start <= observedUntil && Number.isFinite(s.end)).sort((a, b) => a.start - b.start);
  const failures = after.filter((s) => !s.served);
  const observedMs = Math.max(0, observedUntil - healedAt);
  const base = { opsAfter: after.length, failuresAfter: failures.length, observedMs };
  if (failures.length === 0) {
    // Nothing failed after the heal: recovered at the heal, provided there is evidence at all.
    const recovered = after.length > 0;
    return { recovered, timeToRecoverMs: recovered ? 0 : null, ...base };
  }
  const lastFailure = failures[failures.length - 1]!;
  const since = after.filter((s) => s.start > lastFailure.start);
  if (since.length < stableOps || !since.every((s) => s.served)) return { recovered: false, timeToRecoverMs: null, ...base };
  const firstServed = since.reduce((a, s) => (s.end < a.end ? s : a));
  return { recovered: true, timeToRecoverMs: Math.max(0, firstServed.end - healedAt), ...base };
}

/** "RegionThree: 42% served during (12/28), worst 20.0 s, recovered 3.4 s after heal". */
export function describeRegion(r: RegionAvailability): string {
  const d = r.during;
  const rate = d.successRate === null ? 'no ops during' : `${Math.round(d.successRate * 100)}% served during (${d.served}/${d.ops})`;
  const worst = d.worstLatencyMs === null ? '' : `, worst ${(d.worstLatencyMs / 1000).toFixed(1)} s`;
  const rec = r.recovery.recovered
    ? `recovered ${((r.recovery.timeToRecoverMs ?? 0) / 1000).toFixed(1)} s after heal`
    : `NOT recovered within ${(r.recovery.observedMs / 1000).toFixed(1)} s after heal (${r.recovery.failuresAfter}/${r.recovery.opsAfter} failed after)`;
  return `${r.region}: ${rate}${worst}, ${rec}`;
}
