import type { Op } from './driver.js';
import { runConcurrent } from './driver.js';
import type { History } from './history.js';
import { intSetting } from '../config/settings.js';

/** An operation for the driver: the op key (METHOD + path template), the logical function and its value. */
export function call<R>(op: string, f: string, value: unknown, run: () => Promise<R>, result?: (r: R) => unknown): Op<R> {
  return { op, f, value, run: () => run(), result };
}

/** The final read a checker judges against, recorded in the same history (one process, after the storm). */
export async function recordRead<R>(history: History, op: string, run: () => Promise<R>, result: (r: R) => unknown): Promise<void> {
  await runConcurrent({ ops: [call(op, 'read', undefined, run, result)], history, concurrency: 1 });
}

/** How many conflicting writes each scenario sends (KS_CONFLICT_WRITES, default 40 as measured in FACTS.md). */
export function conflictWrites(): number {
  return intSetting('KS_CONFLICT_WRITES', 40, 2, 10_000);
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A copy in random order (Fisher–Yates), so the kinds of conflicting writes interleave. */
export function shuffled<T>(xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `xs` with `x` inserted at fraction `at` of its length: a racing write lands mid-storm, not first or last. */
export function insertAt<T>(xs: readonly T[], x: T, at: number): T[] {
  const i = Math.min(xs.length, Math.max(0, Math.round(xs.length * at)));
  return [...xs.slice(0, i), x, ...xs.slice(i)];
}

/** Declares a write that must be acknowledged: any refusal (4xx) fails the scenario, naming it. */
export function mustAck<R>(op: Op<R>): Op<R> {
  return { ...op, expect: { kind: 'must-ack' } };
}

/** Declares a write that may legitimately be refused, and with which statuses only (409 for a same-name loser, 401 for a wrong old password). */
export function mayRefuse<R>(op: Op<R>, ...statuses: number[]): Op<R> {
  if (!statuses.length) throw new Error(`mayRefuse(${op.op}) needs the statuses a legitimate refusal may carry`);
  return { ...op, expect: { kind: 'may-refuse', statuses } };
}
