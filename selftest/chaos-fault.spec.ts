// withFault's contract (bounded hold, heal in finally, recorded start/end) and the external-chaos
// guard, with scripted fake faults.
import { test, expect } from '@playwright/test';
import {
  ALLOW_EXTERNAL_CHAOS_ENV,
  ChaosNotAllowedError,
  assertChaosAllowed,
  withFault,
  type Fault,
  type FaultEvent,
} from '../chaos/fault.js';

interface ScriptedFault extends Fault {
  log: string[];
}

function scriptedFault(behaviour: { injectFails?: boolean; healFailures?: number } = {}): ScriptedFault {
  let healFailuresLeft = behaviour.healFailures ?? 0;
  const log: string[] = [];
  return {
    name: 'scripted',
    kind: 'freeze',
    log,
    async inject() {
      log.push(`inject@${Math.round(performance.now())}`);
      if (behaviour.injectFails) throw new Error('inject broke');
    },
    async heal() {
      log.push(`heal@${Math.round(performance.now())}`);
      if (healFailuresLeft-- > 0) throw new Error('heal broke');
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const kinds = (log: string[]): string[] => log.map((entry) => entry.split('@')[0]!);

test('holds for the duration, heals once, records start and end', async () => {
  const fault = scriptedFault();
  const events: FaultEvent[] = [];
  const started = performance.now();
  await withFault(fault, 150, undefined, (event) => events.push(event));
  const elapsed = performance.now() - started;

  expect(kinds(fault.log)).toEqual(['inject', 'heal']);
  expect(elapsed).toBeGreaterThanOrEqual(150);
  // Loose: timers run late on a loaded machine.
  expect(elapsed).toBeLessThan(2_000);
  expect(events.map((e) => e.type)).toEqual(['fault-start', 'fault-end']);
  expect(events[0]).toMatchObject({ name: 'scripted', kind: 'freeze' });
  expect(events[1]!.time - events[0]!.time).toBeGreaterThanOrEqual(150);
  expect(Date.parse(events[0]!.wall)).not.toBeNaN();
  expect(events[1]!.error).toBeUndefined();
});

test('with a body: heals as soon as the body finishes and returns its result', async () => {
  const fault = scriptedFault();
  const started = performance.now();
  const result = await withFault(fault, 10_000, async () => {
    await sleep(50);
    return 42;
  });
  expect(result).toBe(42);
  expect(performance.now() - started).toBeLessThan(2_000);
  expect(kinds(fault.log)).toEqual(['inject', 'heal']);
});

test('a body that overruns the bound is not allowed to extend the fault', async () => {
  const fault = scriptedFault();
  const events: FaultEvent[] = [];
  let bodyDoneAt = 0;
  await withFault(
    fault,
    100,
    async () => {
      await sleep(400);
      bodyDoneAt = performance.now();
    },
    (event) => events.push(event),
  );
  const healedAt = events[1]!.time;
  expect(healedAt - events[0]!.time).toBeLessThan(300);
  expect(bodyDoneAt).toBeGreaterThan(healedAt); // the body kept running, on a healed system
  expect(kinds(fault.log)).toEqual(['inject', 'heal']);
});

test('heals when the body throws, and rethrows the body error', async () => {
  const fault = scriptedFault();
  await expect(
    withFault(fault, 1_000, async () => {
      throw new Error('workload broke');
    }),
  ).rejects.toThrow('workload broke');
  expect(kinds(fault.log)).toEqual(['inject', 'heal']);
});

test('heals when injection throws half-way, and records the injection error', async () => {
  const fault = scriptedFault({ injectFails: true });
  const events: FaultEvent[] = [];
  await expect(withFault(fault, 1_000, undefined, (event) => events.push(event))).rejects.toThrow('inject broke');
  expect(kinds(fault.log)).toEqual(['inject', 'heal']);
  expect(events[1]).toMatchObject({ type: 'fault-end', error: 'inject broke' });
});

test('retries a failing heal, and fails loudly when it never succeeds', async () => {
  const flaky = scriptedFault({ healFailures: 1 });
  await withFault(flaky, 10);
  expect(kinds(flaky.log)).toEqual(['inject', 'heal', 'heal']);

  const broken = scriptedFault({ healFailures: 99 });
  const events: FaultEvent[] = [];
  await expect(withFault(broken, 10, undefined, (event) => events.push(event))).rejects.toThrow(/heal failed 3 times/);
  expect(kinds(broken.log)).toEqual(['inject', 'heal', 'heal', 'heal']);
  expect(events[1]!.error).toMatch(/heal failed/);
});

test('rejects unbounded durations before touching anything', async () => {
  const fault = scriptedFault();
  await expect(withFault(fault, Infinity)).rejects.toThrow(RangeError);
  await expect(withFault(fault, 0)).rejects.toThrow(RangeError);
  expect(fault.log).toEqual([]);
});

test('guard: owned targets pass; external ones need the opt-in variable', () => {
  const saved = process.env[ALLOW_EXTERNAL_CHAOS_ENV];
  try {
    delete process.env[ALLOW_EXTERNAL_CHAOS_ENV];
    expect(() => assertChaosAllowed({ description: 'container galera1', ownedBySuite: true })).not.toThrow();
    expect(() => assertChaosAllowed({ description: 'staging cloud', ownedBySuite: false })).toThrow(ChaosNotAllowedError);
    process.env[ALLOW_EXTERNAL_CHAOS_ENV] = 'true'; // only exactly "1" opts in
    expect(() => assertChaosAllowed({ description: 'staging cloud', ownedBySuite: false })).toThrow(/KS_ALLOW_EXTERNAL_CHAOS=1/);
    process.env[ALLOW_EXTERNAL_CHAOS_ENV] = '1';
    expect(() => assertChaosAllowed({ description: 'staging cloud', ownedBySuite: false })).not.toThrow();
  } finally {
    if (saved === undefined) delete process.env[ALLOW_EXTERNAL_CHAOS_ENV];
    else process.env[ALLOW_EXTERNAL_CHAOS_ENV] = saved;
  }
});
