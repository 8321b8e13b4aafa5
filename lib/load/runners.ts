/**
 * Rally's runners: constant (times at a concurrency), rps (times at a rate, capped concurrency)
 * and constant_for_duration. Every run is bounded by an optional deadline and AbortSignal; on a
 * stop, in-flight iterations are aborted through ctx.signal and awaited before the runner returns.
 */
import { setMaxListeners } from 'node:events';
import { runIteration, type ErrorClassifier, type IterationRecord, type Scenario } from './atomic.js';

export interface RunnerBounds {
  /** Budget for the whole run from its start; when it passes, in-flight iterations are aborted. */
  deadlineMs?: number;
  /** External stop (e.g. the test's own timeout); same effect as the deadline. */
  signal?: AbortSignal;
  /** Rally's per-iteration `timeout`: aborts that iteration's ctx.signal. */
  iterationTimeoutMs?: number;
  /**
   * How long a stop waits for aborted iterations to settle. Only a scenario that ignores
   * ctx.signal outlives it; such iterations are recorded as `abandoned` and counted.
   */
  graceMs?: number;
  classifyError?: ErrorClassifier;
}

export interface ConstantOptions extends RunnerBounds {
  times: number;
  concurrency: number;
}

export interface RpsOptions extends RunnerBounds {
  times: number;
  /** Iterations started per second. */
  rps: number;
  /** When this many are in flight the next start waits, so the achieved rate can fall below `rps`. */
  maxConcurrency?: number;
}

export interface ConstantForDurationOptions extends RunnerBounds {
  /** Starts new iterations until this much time has passed; running ones finish normally. */
  durationMs: number;
  concurrency: number;
}

export type RunnerName = 'constant' | 'rps' | 'constant_for_duration';
export type StopReason = 'completed' | 'deadline' | 'aborted';

export interface RunResult {
  runner: RunnerName;
  /** Sorted by iteration index. Iterations cut by a stop carry error kind `deadline` or `aborted`. */
  iterations: IterationRecord[];
  wallMs: number;
  stopReason: StopReason;
  /** Iterations still running when the grace period ran out (the scenario ignored ctx.signal). */
  abandoned: number;
}

/** The abort reason handed to ctx.signal; `kind` lands in IterationError.kind. */
export class LoadStop extends Error {
  constructor(readonly kind: 'deadline' | 'aborted' | 'iteration-timeout') {
    super(`load run stopped: ${kind}`);
    this.name = 'LoadStop';
  }
}

const DEFAULT_GRACE_MS = 10_000;

export async function constant(scenario: Scenario, opts: ConstantOptions): Promise<RunResult> {
  checkCount('times', opts.times);
  checkPositiveInt('concurrency', opts.concurrency);
  const run = new Run('constant', scenario, opts);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!run.stopped && next < opts.times) {
      await run.launch(next++);
      await run.breathe();
    }
  };
  const workers = Array.from({ length: Math.min(opts.concurrency, opts.times) }, worker);
  await run.untilStopped(Promise.all(workers));
  return run.finish();
}

export async function rps(scenario: Scenario, opts: RpsOptions): Promise<RunResult> {
  checkCount('times', opts.times);
  if (!(opts.rps > 0) || !Number.isFinite(opts.rps)) throw new RangeError(`rps must be a positive number, got ${opts.rps}`);
  const max = opts.maxConcurrency ?? Number.POSITIVE_INFINITY;
  if (max !== Number.POSITIVE_INFINITY) checkPositiveInt('maxConcurrency', max);
  const run = new Run('rps', scenario, opts);
  const issue = async (): Promise<void> => {
    for (let i = 0; i < opts.times && !run.stopped; i++) {
      // Schedule against the run's origin, not the previous start, so timer jitter does not accumulate.
      await run.sleepUntil((i * 1000) / opts.rps);
      await run.waitForSlot(max);
      if (run.stopped) break;
      void run.launch(i);
      await run.breathe();
    }
    await run.inflightSettled();
  };
  await run.untilStopped(issue());
  return run.finish();
}

export async function constantForDuration(scenario: Scenario, opts: ConstantForDurationOptions): Promise<RunResult> {
  if (!(opts.durationMs >= 0) || !Number.isFinite(opts.durationMs)) throw new RangeError(`durationMs must be a finite number >= 0, got ${opts.durationMs}`);
  checkPositiveInt('concurrency', opts.concurrency);
  const run = new Run('constant_for_duration', scenario, opts);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!run.stopped && run.elapsed() < opts.durationMs) {
      await run.launch(next++);
      await run.breathe();
    }
  };
  await run.untilStopped(Promise.all(Array.from({ length: opts.concurrency }, worker)));
  return run.finish();
}

function checkCount(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${name} must be an integer >= 0, got ${v}`);
}

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be an integer >= 1, got ${v}`);
}

interface Inflight {
  promise: Promise<void>;
  start: number;
}

/** Shared bookkeeping: stop handling, in-flight set, records, and cleanup of every timer and listener. */
class Run {
  private readonly t0 = performance.now();
  private readonly stopCtl = new AbortController();
  private readonly records: IterationRecord[] = [];
  private readonly inflight = new Map<number, Inflight>();
  private slotWaiters: Array<() => void> = [];
  private reason: StopReason = 'completed';
  private closed = false;
  private readonly deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly onExternalAbort = (): void => this.stop('aborted');
  private readonly stoppedPromise: Promise<void>;

  constructor(
    private readonly runner: RunnerName,
    private readonly scenario: Scenario,
    private readonly bounds: RunnerBounds,
  ) {
    // Every in-flight iteration listens for the stop; hundreds at high rps are expected, not a leak.
    setMaxListeners(0, this.stopCtl.signal);
    this.stoppedPromise = new Promise((resolve) => this.stopCtl.signal.addEventListener('abort', () => resolve(), { once: true }));
    if (bounds.signal?.aborted) this.stop('aborted');
    else bounds.signal?.addEventListener('abort', this.onExternalAbort, { once: true });
    if (bounds.deadlineMs !== undefined) this.deadlineTimer = setTimeout(() => this.stop('deadline'), Math.max(0, bounds.deadlineMs));
  }

  get stopped(): boolean {
    return this.stopCtl.signal.aborted;
  }

  elapsed(): number {
    return performance.now() - this.t0;
  }

  private lastBreath = performance.now();

  /**
   * A scenario that settles without I/O (a bug that throws at once, a stub) chains only
   * microtasks, which would starve the deadline and abort timers; yield to them every few ms.
   */
  async breathe(): Promise<void> {
    if (performance.now() - this.lastBreath < 5) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    this.lastBreath = performance.now();
  }

  private stop(reason: 'deadline' | 'aborted'): void {
    if (this.stopped) return;
    this.reason = reason;
    this.stopCtl.abort(new LoadStop(reason));
    this.wakeSlotWaiters();
  }

  /** Resolves when the iteration settles; never rejects. */
  launch(iteration: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const ctl = new AbortController();
    const stopSignal = this.stopCtl.signal;
    const forwardStop = (): void => ctl.abort(stopSignal.reason);
    stopSignal.addEventListener('abort', forwardStop, { once: true });
    const timeout = this.bounds.iterationTimeoutMs;
    const timer = timeout === undefined ? undefined : setTimeout(() => ctl.abort(new LoadStop('iteration-timeout')), timeout);
    const promise = runIteration(this.scenario, { iteration, origin: this.t0, signal: ctl.signal, classify: this.bounds.classifyError })
      .then((record) => {
        if (!this.closed) this.records.push(record);
      })
      .finally(() => {
        clearTimeout(timer);
        stopSignal.removeEventListener('abort', forwardStop);
        this.inflight.delete(iteration);
        this.wakeSlotWaiters();
      });
    this.inflight.set(iteration, { promise, start: this.elapsed() });
    return promise;
  }

  async waitForSlot(max: number): Promise<void> {
    while (!this.stopped && this.inflight.size >= max) {
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
  }

  private wakeSlotWaiters(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of waiters) w();
  }

  /** Sleeps until `offsetMs` after the run's start, waking early on a stop. */
  async sleepUntil(offsetMs: number): Promise<void> {
    // Node timers run on a millisecond clock and can fire up to ~1 ms early; never start early.
    for (let d = this.t0 + offsetMs - performance.now(); d > 0 && !this.stopped; d = this.t0 + offsetMs - performance.now()) {
      await this.sleep(d);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    const signal = this.stopCtl.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  async inflightSettled(): Promise<void> {
    await Promise.all([...this.inflight.values()].map((f) => f.promise));
  }

  /** Waits for `work` or for a stop, whichever comes first; finish() then handles the in-flight rest. */
  async untilStopped(work: Promise<unknown>): Promise<void> {
    await Promise.race([work, this.stoppedPromise]);
  }

  async finish(): Promise<RunResult> {
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let settled = false;
    const grace = this.stoppedPromise.then(
      () => new Promise<void>((resolve) => {
        // The callback can run after the race is over; it must not leave a timer behind then.
        if (settled) resolve();
        else graceTimer = setTimeout(resolve, this.bounds.graceMs ?? DEFAULT_GRACE_MS);
      }),
    );
    await Promise.race([this.inflightSettled(), grace]);
    settled = true;
    clearTimeout(graceTimer);
    clearTimeout(this.deadlineTimer);
    this.bounds.signal?.removeEventListener('abort', this.onExternalAbort);
    this.closed = true;
    const now = this.elapsed();
    const abandoned = [...this.inflight.entries()];
    for (const [iteration, f] of abandoned) {
      this.records.push({
        iteration,
        start: f.start,
        durationMs: now - f.start,
        atomics: [],
        error: { kind: 'abandoned', message: `still running ${Math.round(now - f.start)} ms after start when the grace period ran out; the scenario ignores ctx.signal` },
      });
    }
    this.wakeSlotWaiters();
    this.records.sort((a, b) => a.iteration - b.iteration);
    return { runner: this.runner, iterations: this.records, wallMs: now, stopReason: this.reason, abandoned: abandoned.length };
  }
}
