import { test, expect } from '@playwright/test';
import { setTimeout as delay } from 'node:timers/promises';
import { constant, constantForDuration, rps } from '../lib/load/runners.js';
import { runIteration, type IterationContext, type Scenario } from '../lib/load/atomic.js';
import { runCompleted } from '../lib/load/sla.js';

// Timings run on a shared, busy machine: lower bounds are tight (they follow from the
// schedule), upper bounds are loose.

/** A fake scenario that records how many iterations overlap; honours ctx.signal unless told not to. */
function probe(sleepMs: number, opts: { honourSignal?: boolean } = {}) {
  const state = { active: 0, maxActive: 0, started: 0, finished: 0 };
  const scenario: Scenario = async (ctx: IterationContext) => {
    state.started++;
    state.active++;
    state.maxActive = Math.max(state.maxActive, state.active);
    try {
      await ctx.atomic('fake.sleep', () => delay(sleepMs, undefined, opts.honourSignal === false ? {} : { signal: ctx.signal }));
    } finally {
      state.active--;
      state.finished++;
    }
  };
  return { state, scenario };
}

test.describe('constant runner', () => {
  test('runs `times` iterations at exactly `concurrency`', async () => {
    const { state, scenario } = probe(20);
    const res = await constant(scenario, { times: 20, concurrency: 4 });
    expect(res.runner).toBe('constant');
    expect(res.stopReason).toBe('completed');
    expect(res.abandoned).toBe(0);
    expect(res.iterations.map((r) => r.iteration)).toEqual([...Array(20).keys()]);
    expect(res.iterations.every((r) => !r.error)).toBe(true);
    expect(state.maxActive).toBe(4);
    // 20 iterations / 4 = 5 rounds of >= 20 ms.
    expect(res.wallMs).toBeGreaterThanOrEqual(95);
    for (const r of res.iterations) {
      expect(r.durationMs).toBeGreaterThanOrEqual(19);
      expect(r.atomics).toHaveLength(1);
      expect(r.atomics[0]!.name).toBe('fake.sleep');
      expect(r.start).toBeGreaterThanOrEqual(0);
    }
    expect(runCompleted(res).success).toBe(true);
  });

  test('concurrency 1 runs iterations back to back without overlap', async () => {
    const { state, scenario } = probe(5);
    const res = await constant(scenario, { times: 6, concurrency: 1 });
    expect(state.maxActive).toBe(1);
    for (let i = 1; i < res.iterations.length; i++) {
      const prev = res.iterations[i - 1]!;
      expect(res.iterations[i]!.start).toBeGreaterThanOrEqual(prev.start + prev.durationMs - 0.01);
    }
  });

  test('concurrency above times starts only `times` iterations', async () => {
    const { state, scenario } = probe(5);
    const res = await constant(scenario, { times: 3, concurrency: 10 });
    expect(res.iterations).toHaveLength(3);
    expect(state.started).toBe(3);
  });

  test('rejects nonsensical options', async () => {
    const { scenario } = probe(1);
    await expect(constant(scenario, { times: 1, concurrency: 0 })).rejects.toThrow(RangeError);
    await expect(constant(scenario, { times: -1, concurrency: 1 })).rejects.toThrow(RangeError);
    await expect(rps(scenario, { times: 1, rps: 0 })).rejects.toThrow(RangeError);
    await expect(constantForDuration(scenario, { durationMs: Number.NaN, concurrency: 1 })).rejects.toThrow(RangeError);
  });
});

test.describe('rps runner', () => {
  test('starts iterations on the rate schedule', async () => {
    const { scenario } = probe(5);
    // Reference: bare timers due at the same instants, in the same event loop. On a loaded machine
    // both are late; the runner must not be later than plain timers (a runner that schedules each
    // start after the previous one drifts: iteration 19 would trail its timer by 19 × the lag).
    const t0 = performance.now();
    const reference = Promise.all(Array.from({ length: 20 }, (_, i) => new Promise<number>((ok) => setTimeout(() => ok(performance.now() - t0), i * 20))));
    const res = await rps(scenario, { times: 20, rps: 50 });
    const timerAt = await reference;
    expect(res.stopReason).toBe('completed');
    expect(res.iterations).toHaveLength(20);
    // Iteration i is due at i * 20 ms: never early, and not much later than a plain timer due then.
    for (const r of res.iterations) {
      expect(r.start).toBeGreaterThanOrEqual(r.iteration * 20 - 1);
      expect(r.start).toBeLessThan(timerAt[r.iteration]! + 60);
    }
    // Achieved rate over the schedule: the 20th start is due at 380 ms; never above the rate.
    const achieved = (19 * 1000) / res.iterations[19]!.start;
    expect(achieved).toBeLessThanOrEqual(50.2);
  });

  test('maxConcurrency caps in-flight iterations and therefore the achieved rate', async () => {
    const { state, scenario } = probe(100);
    const res = await rps(scenario, { times: 10, rps: 100, maxConcurrency: 2 });
    expect(res.iterations).toHaveLength(10);
    expect(state.maxActive).toBe(2);
    // 10 iterations of 100 ms, 2 at a time: at least 500 ms although 100 rps would need 100 ms.
    expect(res.wallMs).toBeGreaterThanOrEqual(490);
  });

  test('without maxConcurrency, slow iterations overlap to keep the rate', async () => {
    const { state, scenario } = probe(100);
    const res = await rps(scenario, { times: 10, rps: 100 });
    expect(state.maxActive).toBeGreaterThanOrEqual(5);
    // One at a time would take 1000 ms.
    expect(res.wallMs).toBeLessThan(900);
  });
});

test.describe('constantForDuration runner', () => {
  test('keeps `concurrency` busy until the duration passes, then lets running iterations finish', async () => {
    const { state, scenario } = probe(20);
    const res = await constantForDuration(scenario, { durationMs: 200, concurrency: 3 });
    expect(res.runner).toBe('constant_for_duration');
    expect(res.stopReason).toBe('completed');
    expect(state.maxActive).toBe(3);
    expect(state.active).toBe(0);
    // About 3 x 10 iterations; each is >= 20 ms so never more than 3 x 10 + 3.
    expect(res.iterations.length).toBeGreaterThanOrEqual(12);
    expect(res.iterations.length).toBeLessThanOrEqual(33);
    expect(res.iterations.every((r) => r.start < 200 && !r.error)).toBe(true);
    expect(res.wallMs).toBeGreaterThanOrEqual(200);
    expect(res.iterations.map((r) => r.iteration)).toEqual([...Array(res.iterations.length).keys()]);
  });
});

test.describe('bounds: deadline, abort signal, iteration timeout, grace', () => {
  test('deadline stops issuing, aborts in-flight iterations and leaves nothing running', async () => {
    const { state, scenario } = probe(50);
    const t = performance.now();
    const res = await constant(scenario, { times: 1000, concurrency: 2, deadlineMs: 120 });
    const took = performance.now() - t;
    expect(res.stopReason).toBe('deadline');
    expect(took).toBeGreaterThanOrEqual(115);
    // Without the deadline the run would take 25 s (1000 × 50 ms / 2); the bound leaves room for a
    // loaded 2-core machine (400 ms failed there while a cluster ran next to it).
    expect(took).toBeLessThan(2_000);
    expect(state.active).toBe(0);
    const cut = res.iterations.filter((r) => r.error);
    expect(cut.length).toBeGreaterThanOrEqual(1);
    expect(cut.length).toBeLessThanOrEqual(2);
    expect(cut.every((r) => r.error!.kind === 'deadline')).toBe(true);
    expect(res.iterations.length).toBeLessThan(10);
    const startedAtReturn = state.started;
    await delay(120);
    expect(state.started).toBe(startedAtReturn);
    expect(runCompleted(res).success).toBe(false);
  });

  test('deadline also bounds the rps and duration runners', async () => {
    const a = probe(30);
    const r1 = await rps(a.scenario, { times: 1000, rps: 20, deadlineMs: 150 });
    expect(r1.stopReason).toBe('deadline');
    // Upper bounds here and below are loose (timers run late on a loaded machine); without the
    // deadline or the abort these runs would last 50 s, 10 s and 13 s.
    expect(r1.wallMs).toBeLessThan(5_000);
    expect(a.state.active).toBe(0);
    const b = probe(30);
    const r2 = await constantForDuration(b.scenario, { durationMs: 10_000, concurrency: 2, deadlineMs: 100 });
    expect(r2.stopReason).toBe('deadline');
    expect(r2.wallMs).toBeLessThan(5_000);
    expect(b.state.active).toBe(0);
  });

  test('an external AbortSignal stops the run with kind `aborted`', async () => {
    const { state, scenario } = probe(40);
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 70);
    const res = await constant(scenario, { times: 1000, concurrency: 3, signal: ctl.signal });
    expect(res.stopReason).toBe('aborted');
    expect(res.wallMs).toBeLessThan(5_000);
    expect(state.active).toBe(0);
    expect(res.iterations.filter((r) => r.error).every((r) => r.error!.kind === 'aborted')).toBe(true);
  });

  test('scenarios that never do I/O cannot starve the deadline', async () => {
    let n = 0;
    const instant: Scenario = async () => { n++; if (n % 2) throw new Error('instant failure'); };
    const t = performance.now();
    const res = await constant(instant, { times: 1e9, concurrency: 4, deadlineMs: 100 });
    expect(res.stopReason).toBe('deadline');
    // Starved, the run would go on for its 1e9 iterations (hours); the bound is loose because a
    // loaded CI machine delays timers by seconds, not because the deadline may be late.
    expect(performance.now() - t).toBeLessThan(10_000);
    const r2 = await constantForDuration(instant, { durationMs: 1e9, concurrency: 2, deadlineMs: 50 });
    expect(r2.stopReason).toBe('deadline');
    expect(r2.wallMs).toBeLessThan(10_000);
  });

  test('an already aborted signal runs nothing', async () => {
    const { state, scenario } = probe(10);
    const res = await rps(scenario, { times: 10, rps: 100, signal: AbortSignal.abort() });
    expect(res.stopReason).toBe('aborted');
    expect(res.iterations).toHaveLength(0);
    expect(state.started).toBe(0);
    expect(runCompleted(res).success).toBe(false);
  });

  test('a scenario that ignores ctx.signal is abandoned after the grace period, and counted', async () => {
    const { scenario } = probe(600, { honourSignal: false });
    const t = performance.now();
    const res = await constant(scenario, { times: 5, concurrency: 1, deadlineMs: 50, graceMs: 50 });
    const took = performance.now() - t;
    expect(took).toBeLessThan(400);
    expect(res.stopReason).toBe('deadline');
    expect(res.abandoned).toBe(1);
    expect(res.iterations).toHaveLength(1);
    expect(res.iterations[0]!.error?.kind).toBe('abandoned');
    const verdict = runCompleted(res);
    expect(verdict.success).toBe(false);
    expect(verdict.detail).toContain('abandoned');
    // Let the ignored timer finish so it cannot disturb later tests.
    await delay(600);
  });

  test('iterationTimeoutMs aborts only the slow iteration', async () => {
    let n = 0;
    const scenario: Scenario = async (ctx) => {
      const ms = n++ === 1 ? 500 : 5;
      await ctx.atomic('maybe.slow', () => delay(ms, undefined, { signal: ctx.signal }));
    };
    const res = await constant(scenario, { times: 4, concurrency: 1, iterationTimeoutMs: 60 });
    expect(res.stopReason).toBe('completed');
    expect(res.iterations.map((r) => r.error?.kind ?? 'ok')).toEqual(['ok', 'iteration-timeout', 'ok', 'ok']);
    // Not awaited to its end (500 ms).
    expect(res.iterations[1]!.durationMs).toBeLessThan(500);
    expect(res.iterations[1]!.atomics[0]!.failed).toBe(true);
  });
});

test.describe('iteration context', () => {
  test('times atomic actions in order and classifies errors', async () => {
    const ctl = new AbortController();
    const rec = await runIteration(async (ctx) => {
      const v = await ctx.atomic('keystone.create_user', async () => { await delay(10); return 42; });
      expect(v).toBe(42);
      await ctx.atomic('keystone.add_role', () => { throw Object.assign(new Error('Conflict'), { status: 409 }); });
    }, { iteration: 7, origin: performance.now(), signal: ctl.signal });
    expect(rec.iteration).toBe(7);
    expect(rec.atomics.map((a) => a.name)).toEqual(['keystone.create_user', 'keystone.add_role']);
    expect(rec.atomics[0]!.durationMs).toBeGreaterThanOrEqual(9);
    expect(rec.atomics[0]!.failed).toBeUndefined();
    expect(rec.atomics[1]!.failed).toBe(true);
    expect(rec.error).toEqual({ kind: 'http-409', message: 'Conflict' });
    expect(rec.durationMs).toBeGreaterThanOrEqual(rec.atomics[0]!.durationMs);
  });

  test('transport kinds, plain errors and non-errors get a kind', async () => {
    const sig = new AbortController().signal;
    const kindOf = async (thrown: unknown) => (await runIteration(async () => { throw thrown; }, { iteration: 0, origin: 0, signal: sig })).error?.kind;
    expect(await kindOf(Object.assign(new Error('reset'), { kind: 'no-response' }))).toBe('no-response');
    expect(await kindOf(new TypeError('x'))).toBe('TypeError');
    expect(await kindOf('a string')).toBe('unknown');
  });

  test('atomic refuses to start once the signal is aborted', async () => {
    const ctl = new AbortController();
    let ran = false;
    const rec = await runIteration(async (ctx) => {
      ctl.abort();
      await ctx.atomic('never', () => { ran = true; });
    }, { iteration: 0, origin: 0, signal: ctl.signal });
    expect(ran).toBe(false);
    expect(rec.error?.kind).toBe('aborted');
    expect(rec.atomics).toHaveLength(0);
  });
});
