/**
 * One scenario iteration and the atomic actions timed inside it (Rally's `atomic.ActionTimer`).
 * The record is plain data so statistics, SLAs and charts work on it without the runner.
 */

export interface AtomicAction {
  name: string;
  durationMs: number;
  /** Set when the action threw; its duration is then time-to-failure, not a latency sample. */
  failed?: true;
}

export interface IterationError {
  /** Coarse class for grouping: `http-409`, a transport kind, `deadline`, `iteration-timeout`, ... */
  kind: string;
  message: string;
}

export interface IterationRecord {
  /** 0-based index in issue order. */
  iteration: number;
  /** Milliseconds from the start of the run (performance.now() based), so runs are comparable. */
  start: number;
  durationMs: number;
  atomics: AtomicAction[];
  error?: IterationError;
}

export interface IterationContext {
  readonly iteration: number;
  /** Aborted when the run stops or the iteration times out; pass it to every request. */
  readonly signal: AbortSignal;
  /** Times `action` under `name`. Refuses to start once `signal` is aborted, so scenarios stop at the next boundary. */
  atomic<T>(name: string, action: () => Promise<T> | T): Promise<T>;
}

export type Scenario = (ctx: IterationContext) => Promise<void>;

export type ErrorClassifier = (err: unknown, signal: AbortSignal) => IterationError;

const MAX_MESSAGE = 1000;

/**
 * Default classifier. Duck-typed so lib/load does not depend on the Keystone client:
 * a `status` number (KeystoneStatusError) becomes `http-<status>`, a string `kind`
 * (KeystoneTransportError) is kept, and an abort is named after the stop that caused it.
 */
export const classifyError: ErrorClassifier = (err, signal) => {
  const message = (err instanceof Error ? err.message : String(err)).slice(0, MAX_MESSAGE);
  if (signal.aborted) {
    const reasonKind = (signal.reason as { kind?: unknown } | undefined)?.kind;
    return { kind: typeof reasonKind === 'string' ? reasonKind : 'aborted', message };
  }
  const e = err as { status?: unknown; kind?: unknown; name?: unknown } | null | undefined;
  if (typeof e?.status === 'number') return { kind: `http-${e.status}`, message };
  if (typeof e?.kind === 'string') return { kind: e.kind, message };
  if (err instanceof Error) return { kind: err.name, message };
  return { kind: 'unknown', message };
};

export interface RunIterationOptions {
  iteration: number;
  /** performance.now() value the run started at. */
  origin: number;
  signal: AbortSignal;
  classify?: ErrorClassifier;
}

/** Runs one iteration and never rejects: a thrown error becomes `record.error`. */
export async function runIteration(scenario: Scenario, opts: RunIterationOptions): Promise<IterationRecord> {
  const atomics: AtomicAction[] = [];
  // Actions the scenario forgot to await must not edit a record that was already handed out.
  let closed = false;
  const { signal } = opts;
  const ctx: IterationContext = {
    iteration: opts.iteration,
    signal,
    async atomic<T>(name: string, action: () => Promise<T> | T): Promise<T> {
      signal.throwIfAborted();
      const t = performance.now();
      try {
        const value = await action();
        if (!closed) atomics.push({ name, durationMs: performance.now() - t });
        return value;
      } catch (err) {
        if (!closed) atomics.push({ name, durationMs: performance.now() - t, failed: true });
        throw err;
      }
    },
  };
  const t0 = performance.now();
  let error: IterationError | undefined;
  try {
    await scenario(ctx);
  } catch (err) {
    error = (opts.classify ?? classifyError)(err, signal);
  }
  const end = performance.now();
  closed = true;
  const record: IterationRecord = { iteration: opts.iteration, start: t0 - opts.origin, durationMs: end - t0, atomics };
  if (error) record.error = error;
  return record;
}

/**
 * Per-action totals of one iteration. A repeated action counts once with its durations summed,
 * as Rally merges repeats; `failed` if any occurrence failed. Insertion order is first use.
 */
export function atomicTotals(record: IterationRecord): Map<string, { durationMs: number; failed: boolean }> {
  const totals = new Map<string, { durationMs: number; failed: boolean }>();
  for (const a of record.atomics) {
    const t = totals.get(a.name);
    if (t) {
      t.durationMs += a.durationMs;
      t.failed ||= a.failed === true;
    } else {
      totals.set(a.name, { durationMs: a.durationMs, failed: a.failed === true });
    }
  }
  return totals;
}

/** Action names in first-seen order across the records. */
export function atomicNames(records: readonly IterationRecord[]): string[] {
  const names = new Set<string>();
  for (const r of records) for (const a of r.atomics) names.add(a.name);
  return [...names];
}
