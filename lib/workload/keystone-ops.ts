import type { Op } from './driver.js';
import { runConcurrent } from './driver.js';
import type { History } from './history.js';

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
  const n = Number(process.env.KS_CONFLICT_WRITES ?? 40);
  if (!Number.isInteger(n) || n < 2) throw new Error(`KS_CONFLICT_WRITES=${process.env.KS_CONFLICT_WRITES} must be an integer >= 2`);
  return n;
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
