import { test, expect } from '@playwright/test';
import { setTimeout as sleep } from 'node:timers/promises';
import { History, type OpEvent } from '../lib/workload/history.js';
import { classifyDefault, defaultConcurrency, runConcurrent, type Op } from '../lib/workload/driver.js';

const response = (status: number) => ({ status, headers: {}, body: null, requestId: `req-${status}`, method: 'POST', path: '/v3/x', durationMs: 1 });
const transportError = (kind: string) => Object.assign(new Error(`transport ${kind}`), { kind, requestId: `req-${kind}` });

function op<R>(run: Op<R>['run'], extra: Partial<Op<R>> = {}): Op<R> {
  return { op: 'POST /v3/x', f: 'create', run, ...extra };
}

test.describe('workload driver', () => {
  test('never has more ops in flight than the concurrency, and keeps every worker busy', async () => {
    const history = new History();
    let inFlight = 0;
    let peak = 0;
    const ops = Array.from({ length: 60 }, (_, i) => op(async () => {
      peak = Math.max(peak, ++inFlight);
      await sleep(1 + (i % 5));
      inFlight--;
      return response(201);
    }));
    const stats = await runConcurrent({ ops, history, concurrency: 7 });
    expect(peak).toBe(7);
    expect(stats.maxInFlight).toBe(7);
    expect(stats).toMatchObject({ invoked: 60, ok: 60, fail: 0, info: 0, deadlineReached: false });
    expect(history.pairs().every((p) => p.outcome === 'ok' && p.completion?.status === 201)).toBe(true);
    expect(new Set(history.pairs().map((p) => p.invoke.process))).toEqual(new Set([0, 1, 2, 3, 4, 5, 6]));
    expect(stats.cpuMs).toBeGreaterThan(0);
    expect(stats.cpuMsPerOp).toBeCloseTo(stats.cpuMs / 60, 6);
  });

  test('classifies statuses and thrown errors: unknown outcomes are info, never ok or fail', async () => {
    const history = new History();
    const outcomes: Array<() => Promise<unknown>> = [
      async () => response(201),
      async () => response(409),
      async () => response(500),
      async () => { throw transportError('no-response'); },
      async () => { throw transportError('timeout'); },
      async () => { throw transportError('connect'); },
      async () => { throw Object.assign(new Error('HTTP 404'), { status: 404 }); },
    ];
    const stats = await runConcurrent({ ops: outcomes.map((run) => op(run)), history, concurrency: 1 });
    const completions = history.pairs().map((p) => [p.outcome, p.completion?.status ?? p.completion?.error]);
    expect(completions).toEqual([
      ['ok', 201], ['fail', 409], ['info', 500], ['info', 'no-response: transport no-response'], ['info', 'timeout: transport timeout'],
      ['fail', 'connect: transport connect'], ['fail', 404],
    ]);
    expect(stats).toMatchObject({ ok: 1, fail: 3, info: 3 });
    // After an unknown outcome the old request may still act, so the worker continues under a new process.
    expect(history.pairs().map((p) => p.invoke.process)).toEqual([0, 0, 0, 1, 2, 3, 3]);
    expect((history.events[history.events.length - 1] as OpEvent).requestId).toBeUndefined();
    expect(history.pairs()[3]!.completion?.requestId).toBe('req-no-response');
  });

  test('records the value an op extracts from an ok result, and accepts async generators', async () => {
    const history = new History();
    async function* reads() {
      yield op(async () => ({ ...response(200), body: { projects: [{ name: 'a' }] } }), {
        f: 'read', result: (r) => (r.body as { projects: unknown[] }).projects,
      });
    }
    await runConcurrent({ ops: reads(), history, concurrency: 4 });
    expect(history.pairs()[0]!.completion).toMatchObject({ type: 'ok', f: 'read', value: [{ name: 'a' }] });
  });

  test('honours the deadline: no op starts after it, in-flight ops are signalled, all are completed', async () => {
    const history = new History();
    let started = 0;
    function* forever() {
      for (;;) {
        yield op((_process, signal) => new Promise((resolve, reject) => {
          started++;
          // Every 7th op waits for the abort like a long request; the others take 10 ms.
          if (started % 7 === 0) signal.addEventListener('abort', () => reject(transportError('timeout')));
          else setTimeout(() => resolve(response(201)), 10);
        }));
      }
    }
    const t0 = performance.now();
    const stats = await runConcurrent({ ops: forever(), history, concurrency: 4, deadline: 150 });
    const elapsed = performance.now() - t0;
    expect(stats.deadlineReached).toBe(true);
    // Without the deadline the ops never end; loose because timers run late on a loaded machine.
    expect(elapsed).toBeLessThan(10_000);
    expect(stats.invoked).toBeGreaterThan(4);
    const invokes = history.events.filter((e) => e.type === 'invoke');
    expect(Math.max(...invokes.map((e) => e.time)) - t0).toBeLessThanOrEqual(150 + 20);
    expect(history.pairs().every((p) => p.completion !== undefined)).toBe(true);
    expect(stats.info).toBeGreaterThan(0);
    expect(stats.ok + stats.fail + stats.info).toBe(stats.invoked);
  });

  test('the deadline ends a run in which every op waits for the abort, even when the timer fires early', async () => {
    // Node can fire a timer a fraction of a millisecond before performance.now() reaches it; the
    // deadline check then said "not yet" and nothing ever signalled the ops (a selftest hung 10 min).
    test.setTimeout(60_000);
    let waited = 0;
    for (let run = 0; run < 300; run++) {
      const history = new History();
      const waitsForAbort = () => op((_p, signal) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(transportError('timeout')))));
      const stats = await Promise.race([
        runConcurrent({ ops: [waitsForAbort(), waitsForAbort()], history, concurrency: 2, deadline: 2 }),
        new Promise<never>((_r, reject) => setTimeout(() => reject(new Error(`run ${run}: the deadline never signalled the ops`)), 2_000)),
      ]);
      expect(stats.deadlineReached).toBe(true);
      // A busy event loop may reach the deadline before the second op starts: every op started is info.
      expect(stats.info).toBe(stats.invoked);
      waited += stats.invoked;
    }
    expect(waited, 'ops that waited for the abort').toBeGreaterThan(300);
  });

    test('concurrency defaults to KS_CONCURRENCY, else 32', () => {
    const saved = process.env.KS_CONCURRENCY;
    try {
      process.env.KS_CONCURRENCY = '5';
      expect(defaultConcurrency()).toBe(5);
      delete process.env.KS_CONCURRENCY;
      expect(defaultConcurrency()).toBe(32);
    } finally {
      if (saved === undefined) delete process.env.KS_CONCURRENCY; else process.env.KS_CONCURRENCY = saved;
    }
  });

  test('a throwing classifier records info instead of leaving the op open', async () => {
    const history = new History();
    await runConcurrent({ ops: [op(async () => response(201))], history, concurrency: 1, classify: () => { throw new Error('boom'); } });
    expect(history.pairs()[0]!.completion).toMatchObject({ type: 'info', error: 'recording the outcome threw: boom' });
    expect(classifyDefault({ error: 'plain string' })).toEqual({ type: 'info', requestId: undefined, error: 'plain string' });
  });
});
