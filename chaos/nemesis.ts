// Nemesis schedules: when which fault is injected and for how long, relative to the start of a
// run. Generators are pure (a seeded PRNG for random ones); runSchedule drives a schedule with
// withFault, so each step is bounded, healed in a finally and recorded.
import { sleepAtLeast } from './clock.js';
import { withFault, errorText, type Fault, type FaultEvent, type FaultRecorder } from './fault.js';

export interface NemesisStep {
  /** ms after the run starts. */
  at: number;
  fault: Fault;
  durationMs: number;
}

export type NemesisSchedule = readonly NemesisStep[];

export interface WindowedScheduleOptions {
  /** One window per fault, in this order (repeated `rounds` times). */
  faults: readonly Fault[];
  /** Quiet baseline before the fault. */
  beforeMs: number;
  /** Fault held. */
  duringMs: number;
  /** Recovery observed after the heal, before the next window. */
  afterMs: number;
  rounds?: number;
  startAt?: number;
}

/** before | during | after for each fault in turn: the shape availability-under-fault is judged on. */
export function windowedSchedule(options: WindowedScheduleOptions): NemesisStep[] {
  const { faults, beforeMs, duringMs, afterMs, rounds = 1, startAt = 0 } = options;
  requireNonNegative({ beforeMs, afterMs, startAt });
  requirePositive({ duringMs, rounds });
  const windowMs = beforeMs + duringMs + afterMs;
  const steps: NemesisStep[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const fault of faults) {
      steps.push({ at: startAt + steps.length * windowMs + beforeMs, fault, durationMs: duringMs });
    }
  }
  return steps;
}

export interface RandomScheduleOptions {
  faults: readonly Fault[];
  /** No step ends after this. */
  totalMs: number;
  seed: number;
  gapMs: readonly [min: number, max: number];
  durationMs: readonly [min: number, max: number];
  startAt?: number;
}

/** One fault at a time with random gaps and durations, reproducible from `seed` (Jepsen-style). */
export function randomSchedule(options: RandomScheduleOptions): NemesisStep[] {
  const { faults, totalMs, seed, gapMs, durationMs, startAt = 0 } = options;
  if (faults.length === 0) throw new RangeError('randomSchedule needs at least one fault');
  requireRange('gapMs', gapMs, 0);
  requireRange('durationMs', durationMs, 1);
  const random = mulberry32(seed);
  const between = ([min, max]: readonly [number, number]): number => Math.round(min + random() * (max - min));
  const steps: NemesisStep[] = [];
  let t = startAt;
  for (;;) {
    const at = t + between(gapMs);
    const duration = between(durationMs);
    const fault = faults[Math.floor(random() * faults.length)]!;
    if (at + duration > totalMs) break;
    steps.push({ at, fault, durationMs: duration });
    t = at + duration;
  }
  return steps;
}

/** Rejects negative or unbounded steps, and a fault overlapping itself (it cannot be injected twice). */
export function validateSchedule(schedule: NemesisSchedule): void {
  const byFault = new Map<Fault, NemesisStep[]>();
  for (const step of schedule) {
    if (!Number.isFinite(step.at) || step.at < 0) throw new RangeError(`step ${step.fault.name}: at must be >= 0`);
    if (!Number.isFinite(step.durationMs) || step.durationMs <= 0) {
      throw new RangeError(`step ${step.fault.name}: durationMs must be a positive finite number`);
    }
    const steps = byFault.get(step.fault) ?? [];
    for (const other of steps) {
      if (step.at < other.at + other.durationMs && other.at < step.at + step.durationMs) {
        throw new RangeError(`fault ${step.fault.name} overlaps itself at ${other.at} ms and ${step.at} ms`);
      }
    }
    steps.push(step);
    byFault.set(step.fault, steps);
  }
}

/** When the last fault is healed, by the schedule. */
export function scheduleEnd(schedule: NemesisSchedule): number {
  return schedule.reduce((end, step) => Math.max(end, step.at + step.durationMs), 0);
}

export type Phase = 'before' | 'during' | 'after';

export interface FaultInterval {
  name: string;
  start: number;
  end: number;
}

/** The planned intervals, on the clock of a run that started at `origin`. */
export function scheduledIntervals(schedule: NemesisSchedule, origin = 0): FaultInterval[] {
  return schedule.map((step) => ({
    name: step.fault.name,
    start: origin + step.at,
    end: origin + step.at + step.durationMs,
  }));
}

/** The intervals actually in force, paired from recorded fault-start/fault-end events. */
export function recordedIntervals(events: readonly FaultEvent[]): FaultInterval[] {
  const open = new Map<string, number[]>();
  const intervals: FaultInterval[] = [];
  for (const event of events) {
    const starts = open.get(event.name) ?? [];
    if (event.type === 'fault-start') open.set(event.name, [...starts, event.time]);
    else if (starts.length > 0) {
      intervals.push({ name: event.name, start: starts[0]!, end: event.time });
      open.set(event.name, starts.slice(1));
    }
  }
  // A start with no end yet is in force until further notice.
  for (const [name, starts] of open) for (const start of starts) intervals.push({ name, start, end: Infinity });
  return intervals.sort((a, b) => a.start - b.start);
}

/**
 * Phase of a moment: during while any fault is in force, after within `recoveryMs` of a heal,
 * before otherwise (baseline). `faults` names those in force or just healed.
 */
export function phaseAt(
  intervals: readonly FaultInterval[],
  time: number,
  recoveryMs: number,
): { phase: Phase; faults: string[] } {
  const during = intervals.filter((i) => time >= i.start && time < i.end);
  if (during.length > 0) return { phase: 'during', faults: during.map((i) => i.name) };
  const after = intervals.filter((i) => time >= i.end && time < i.end + recoveryMs);
  if (after.length > 0) return { phase: 'after', faults: after.map((i) => i.name) };
  return { phase: 'before', faults: [] };
}

export interface StepOutcome {
  name: string;
  at: number;
  durationMs: number;
  status: 'done' | 'skipped' | 'failed';
  error?: string;
}

/**
 * Runs every step at its time (steps may overlap), each through withFault. An abort heals the
 * faults in force at once and skips the rest. Rejects, after all steps settle, if any failed.
 */
export async function runSchedule(
  schedule: NemesisSchedule,
  options: { recorder?: FaultRecorder; signal?: AbortSignal } = {},
): Promise<StepOutcome[]> {
  validateSchedule(schedule);
  const { recorder, signal } = options;
  const origin = performance.now();
  const outcomes = await Promise.all(
    schedule.map(async (step): Promise<StepOutcome> => {
      const base = { name: step.fault.name, at: step.at, durationMs: step.durationMs };
      await sleepAtLeast(origin + step.at - performance.now(), signal);
      if (signal?.aborted) return { ...base, status: 'skipped' };
      try {
        // The body ends the hold early when the run is aborted.
        await withFault(step.fault, step.durationMs, () => sleepAtLeast(step.durationMs, signal), recorder);
        return { ...base, status: 'done' };
      } catch (err) {
        return { ...base, status: 'failed', error: errorText(err) };
      }
    }),
  );
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) {
    throw new AggregateError(
      failed.map((o) => new Error(`${o.name}: ${o.error}`)),
      `nemesis: ${failed.length} of ${outcomes.length} steps failed: ${failed.map((o) => o.name).join('; ')}`,
    );
  }
  return outcomes;
}

/** Small seeded PRNG, so a random schedule can be replayed from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function requireNonNegative(values: Record<string, number>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${key} must be >= 0, got ${value}`);
  }
}

function requirePositive(values: Record<string, number>): void {
  for (const [key, value] of Object.entries(values)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${key} must be > 0, got ${value}`);
  }
}

function requireRange(name: string, [min, max]: readonly [number, number], floor: number): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min < floor || max < min) {
    throw new RangeError(`${name} must be [min, max] with ${floor} <= min <= max`);
  }
}
