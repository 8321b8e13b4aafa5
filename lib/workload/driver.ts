import { performance } from 'node:perf_hooks';
import type { Completion, History, Outcome, WriteExpectation } from './history.js';
import { intSetting } from '../config/settings.js';

/** The parts of the Keystone client's response the driver reads (structural, so lib/keystone stays independent). */
export interface ResponseLike {
  status: number;
  requestId?: string;
}

/** The parts of the client's thrown errors the driver reads: transport errors carry `kind`, status errors `status`. */
export interface ErrorLike {
  kind?: string;
  status?: number;
  requestId?: string;
  message?: string;
}

/** One operation to run: what to record at invoke, and the thunk that performs it. */
export interface Op<R = unknown> {
  op: string;
  f?: string;
  value?: unknown;
  /** Writes: must be acknowledged, or which refusals are legitimate (set with mustAck / mayRefuse). */
  expect?: WriteExpectation;
  /** `signal` aborts at the deadline; an op may ignore it and let its own timeout run. */
  run(process: number, signal: AbortSignal): Promise<R>;
  /** The value to record on completion (e.g. the items a read listed). */
  result?(result: R): unknown;
}

export type Settled<R = unknown> = { result: R } | { error: unknown };

export interface Classification extends Completion {
  type: Outcome;
}

export type Classifier<R = unknown> = (settled: Settled<R>) => Classification;

export interface RunOptions<R = unknown> {
  ops: Iterable<Op<R>> | AsyncIterable<Op<R>>;
  history: History;
  /** Number of workers; default KS_CONCURRENCY or 32. */
  concurrency?: number;
  /** Milliseconds after start past which no op is started and in-flight ops are signalled to abort. */
  deadline?: number;
  classify?: Classifier<R>;
}

export interface DriverStats {
  invoked: number;
  ok: number;
  fail: number;
  info: number;
  wallMs: number;
  /** The driver process's own CPU (user + system) over the run: what a load generator takes from the machine under test. */
  cpuMs: number;
  cpuMsPerOp: number;
  /** Highest number of ops in flight at once (never above `concurrency`). */
  maxInFlight: number;
  deadlineReached: boolean;
}

export function defaultConcurrency(): number {
  return intSetting('KS_CONCURRENCY', 32, 1, 1024);
}

/**
 * 2xx ok, 4xx fail, 5xx info: Keystone usually rolls back on a 500, but a 500 from a proxy or a
 * commit that failed after the write landed cannot be ruled out, so it is not a definite failure.
 * A thrown error is info unless it is a refused connection (the request never left).
 */
export function classifyDefault(settled: Settled): Classification {
  if ('result' in settled) {
    const res = settled.result as ResponseLike;
    return { type: typeOfStatus(res.status), status: res.status, requestId: res.requestId };
  }
  const err = (settled.error ?? {}) as ErrorLike;
  const error = settled.error instanceof Error ? settled.error.message : String(settled.error);
  if (typeof err.status === 'number') return { type: typeOfStatus(err.status), status: err.status, requestId: err.requestId, error };
  // The transport kind leads the message so checkers and the correlator can tell a timeout from a drop.
  return { type: err.kind === 'connect' ? 'fail' : 'info', requestId: err.requestId, error: err.kind ? `${err.kind}: ${error}` : error };
}

function typeOfStatus(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'fail';
  return 'info';
}

/**
 * Runs ops with at most `concurrency` in flight, pulling from one shared iterator, recording each
 * as invoke + completion. After an unknown outcome the worker takes a fresh process number (as in
 * Jepsen): the old request may still be acting, so its process must not be reused.
 */
export async function runConcurrent<R>(opts: RunOptions<R>): Promise<DriverStats> {
  const concurrency = opts.concurrency ?? defaultConcurrency();
  const classify = (opts.classify ?? classifyDefault) as Classifier<R>;
  const iterator = toAsyncIterator(opts.ops);
  const abort = new AbortController();
  const stats: DriverStats = { invoked: 0, ok: 0, fail: 0, info: 0, wallMs: 0, cpuMs: 0, cpuMsPerOp: 0, maxInFlight: 0, deadlineReached: false };
  let inFlight = 0;
  let nextProcess = concurrency;
  const started = performance.now();
  const cpuStart = process.cpuUsage();

  // Iterator pulls are serialised: generators are not re-entrant.
  let pulling: Promise<unknown> = Promise.resolve();
  const pull = (): Promise<IteratorResult<Op<R>>> => {
    const next = pulling.then(() => iterator.next());
    pulling = next.catch(() => undefined);
    return next;
  };

  // Checked before each invoke too: a busy event loop fires the timer late.
  const pastDeadline = () => {
    if (!abort.signal.aborted && opts.deadline !== undefined && performance.now() - started >= opts.deadline) {
      stats.deadlineReached = true;
      abort.abort(new Error(`driver deadline of ${opts.deadline} ms reached`));
    }
    return abort.signal.aborted;
  };
  // The timer is what signals in-flight ops when no worker is between ops to notice. Node may fire
  // it a fraction of a millisecond before performance.now() reaches the deadline: re-armed until it
  // is really past, or every worker blocked on an op that waits for the abort would wait forever.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const armDeadline = (ms: number) => { timer = setTimeout(() => { if (!pastDeadline()) armDeadline(Math.max(1, opts.deadline! - (performance.now() - started))); }, ms); };
  if (opts.deadline !== undefined) armDeadline(opts.deadline);

  const worker = async (initialProcess: number): Promise<void> => {
    let proc = initialProcess;
    while (!pastDeadline()) {
      const item = await pull();
      if (item.done || pastDeadline()) return;
      const op = item.value;
      const handle = opts.history.invoke(proc, op.op, { f: op.f, value: op.value, expect: op.expect });
      stats.invoked++;
      stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
      let settled: Settled<R>;
      try {
        settled = { result: await op.run(proc, abort.signal) };
      } catch (error) {
        settled = { error };
      } finally {
        inFlight--;
      }
      const { type, ...completion } = classifyOrInfo(op, classify, settled);
      handle.complete(type, completion);
      stats[type]++;
      if (type === 'info') proc = nextProcess++;
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  } finally {
    if (timer) clearTimeout(timer);
    await iterator.return?.();
  }
  const cpu = process.cpuUsage(cpuStart);
  stats.wallMs = performance.now() - started;
  stats.cpuMs = (cpu.user + cpu.system) / 1000;
  stats.cpuMsPerOp = stats.invoked ? stats.cpuMs / stats.invoked : 0;
  return stats;
}

/** A classifier or result extractor that throws must not leave the invocation open: record it as unknown. */
function classifyOrInfo<R>(op: Op<R>, classify: Classifier<R>, settled: Settled<R>): Classification {
  try {
    const c = classify(settled);
    if (c.type === 'ok' && 'result' in settled && op.result) c.value = op.result(settled.result);
    return c;
  } catch (err) {
    return { type: 'info', error: `recording the outcome threw: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function toAsyncIterator<T>(ops: Iterable<T> | AsyncIterable<T>): AsyncIterator<T> {
  if (Symbol.asyncIterator in ops) return (ops as AsyncIterable<T>)[Symbol.asyncIterator]();
  const it = (ops as Iterable<T>)[Symbol.iterator]();
  return {
    next: async () => it.next(),
    return: async () => it.return?.() ?? { done: true, value: undefined },
  };
}
