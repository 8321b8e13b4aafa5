// Nemesis schedule generators and phase classification (pure), and the schedule runner with
// fake faults.
import { test, expect } from '@playwright/test';
import type { Fault, FaultEvent } from '../chaos/fault.js';
import {
  phaseAt,
  randomSchedule,
  recordedIntervals,
  runSchedule,
  scheduleEnd,
  scheduledIntervals,
  validateSchedule,
  windowedSchedule,
} from '../chaos/nemesis.js';

function fakeFault(name: string, log: string[] = [], healFails = false): Fault {
  return {
    name,
    kind: 'partition',
    async inject() {
      log.push(`inject ${name}`);
    },
    async heal() {
      log.push(`heal ${name}`);
      if (healFails) throw new Error(`${name} stuck`);
    },
  };
}

const crash = fakeFault('crash galera2');
const freeze = fakeFault('freeze galera3');

test('windowed: before/during/after per fault, back to back', () => {
  const schedule = windowedSchedule({ faults: [crash, freeze], beforeMs: 1_000, duringMs: 5_000, afterMs: 2_000, rounds: 2 });
  expect(schedule.map((s) => [s.fault.name, s.at, s.durationMs])).toEqual([
    ['crash galera2', 1_000, 5_000],
    ['freeze galera3', 9_000, 5_000],
    ['crash galera2', 17_000, 5_000],
    ['freeze galera3', 25_000, 5_000],
  ]);
  expect(scheduleEnd(schedule)).toBe(30_000);
  expect(() => validateSchedule(schedule)).not.toThrow();

  const intervals = scheduledIntervals(schedule, 100);
  expect(phaseAt(intervals, 100 + 500, 2_000)).toEqual({ phase: 'before', faults: [] });
  expect(phaseAt(intervals, 100 + 1_000, 2_000)).toEqual({ phase: 'during', faults: ['crash galera2'] });
  expect(phaseAt(intervals, 100 + 6_000, 2_000)).toEqual({ phase: 'after', faults: ['crash galera2'] });
  expect(phaseAt(intervals, 100 + 8_500, 2_000)).toEqual({ phase: 'before', faults: [] });
  expect(() => windowedSchedule({ faults: [crash], beforeMs: 0, duringMs: 0, afterMs: 0 })).toThrow(RangeError);
});

test('random: reproducible from the seed, one fault at a time, within the total', () => {
  const options = { faults: [crash, freeze], totalMs: 120_000, seed: 7, gapMs: [2_000, 10_000], durationMs: [3_000, 8_000] } as const;
  const first = randomSchedule(options);
  const again = randomSchedule(options);
  expect(again.map((s) => [s.fault.name, s.at, s.durationMs])).toEqual(first.map((s) => [s.fault.name, s.at, s.durationMs]));
  expect(randomSchedule({ ...options, seed: 8 }).map((s) => s.at)).not.toEqual(first.map((s) => s.at));

  expect(first.length).toBeGreaterThan(3);
  let previousEnd = 0;
  for (const step of first) {
    expect(step.at - previousEnd).toBeGreaterThanOrEqual(2_000);
    expect(step.at - previousEnd).toBeLessThanOrEqual(10_000);
    expect(step.durationMs).toBeGreaterThanOrEqual(3_000);
    expect(step.durationMs).toBeLessThanOrEqual(8_000);
    previousEnd = step.at + step.durationMs;
  }
  expect(scheduleEnd(first)).toBeLessThanOrEqual(120_000);
  expect(new Set(first.map((s) => s.fault.name)).size).toBe(2);
});

test('validation: a fault cannot overlap itself; different faults may overlap', () => {
  expect(() =>
    validateSchedule([
      { at: 0, fault: crash, durationMs: 1_000 },
      { at: 500, fault: crash, durationMs: 1_000 },
    ]),
  ).toThrow(/overlaps itself/);
  expect(() =>
    validateSchedule([
      { at: 0, fault: crash, durationMs: 1_000 },
      { at: 500, fault: freeze, durationMs: 1_000 },
    ]),
  ).not.toThrow();
  expect(() => validateSchedule([{ at: -1, fault: crash, durationMs: 1 }])).toThrow(RangeError);
  expect(() => validateSchedule([{ at: 0, fault: crash, durationMs: Infinity }])).toThrow(RangeError);
});

test('recorded intervals pair start/end events; an unhealed fault stays open', () => {
  const event = (type: FaultEvent['type'], name: string, time: number): FaultEvent => ({
    type,
    name,
    kind: 'crash',
    time,
    wall: new Date(0).toISOString(),
  });
  const intervals = recordedIntervals([
    event('fault-start', 'a', 10),
    event('fault-start', 'b', 15),
    event('fault-end', 'a', 20),
    event('fault-start', 'a', 30),
    event('fault-end', 'a', 40),
  ]);
  expect(intervals).toEqual([
    { name: 'a', start: 10, end: 20 },
    { name: 'b', start: 15, end: Infinity },
    { name: 'a', start: 30, end: 40 },
  ]);
  expect(phaseAt(intervals, 18, 5).faults.sort()).toEqual(['a', 'b']);
});

test('runner: injects each step on time, heals it, records everything', async () => {
  const log: string[] = [];
  const events: FaultEvent[] = [];
  const a = fakeFault('a', log);
  const b = fakeFault('b', log);
  const origin = performance.now();
  const outcomes = await runSchedule(
    [
      { at: 0, fault: a, durationMs: 150 },
      { at: 50, fault: b, durationMs: 50 },
    ],
    { recorder: (event) => events.push(event) },
  );
  expect(outcomes.map((o) => o.status)).toEqual(['done', 'done']);
  expect(log).toEqual(['inject a', 'inject b', 'heal b', 'heal a']);
  const intervals = recordedIntervals(events);
  const [ia, ib] = [intervals.find((i) => i.name === 'a')!, intervals.find((i) => i.name === 'b')!];
  expect(ib.start - origin).toBeGreaterThanOrEqual(50);
  expect(ia.end - ia.start).toBeGreaterThanOrEqual(150);
  expect(ib.end - ib.start).toBeGreaterThanOrEqual(50);
  expect(ib.end).toBeLessThan(ia.end);
});

test('runner: abort heals the faults in force at once and skips the rest', async () => {
  const log: string[] = [];
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 100);
  const outcomes = await runSchedule(
    [
      { at: 0, fault: fakeFault('long', log), durationMs: 10_000 },
      { at: 5_000, fault: fakeFault('later', log), durationMs: 1_000 },
    ],
    { signal: controller.signal },
  );
  expect(performance.now() - started).toBeLessThan(2_000);
  expect(outcomes.map((o) => o.status)).toEqual(['done', 'skipped']);
  expect(log).toEqual(['inject long', 'heal long']);
});

test('runner: a step that cannot heal fails the run, after the others finished', async () => {
  const log: string[] = [];
  const run = runSchedule([
    { at: 0, fault: fakeFault('stuck', log, true), durationMs: 10 },
    { at: 0, fault: fakeFault('fine', log), durationMs: 10 },
  ]);
  await expect(run).rejects.toThrow(/1 of 2 steps failed: stuck/);
  expect(log.filter((entry) => entry === 'heal fine')).toHaveLength(1);
  expect(log.filter((entry) => entry === 'heal stuck')).toHaveLength(3);
});
