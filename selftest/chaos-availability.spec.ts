// The chaos judgement on hand-made histories: availability per region under a fault (success
// rate, worst latency, time to recover), the no-lost-write / agreement / minority checks of the
// mixed workload, and the progress line's throttling.
import { expect, test } from '@playwright/test';
import {
  availabilityByFault, availabilityUnderFault, describeRegion, samplesOf, windowsOf, type Sample,
} from '../lib/workload/availability.js';
import { History } from '../lib/workload/history.js';
import {
  allowedFinalValues, checkAckedWrites, checkMinorityRefusedWrites, checkRegionsAgree, type RegionState,
} from '../lib/workload/mixed-workload.js';
import { formatElapsed, formatProgress, ProgressLine, type ProgressSink } from '../reports/progress-line.js';

const ok = (region: string, start: number, end: number): Sample => ({ region, start, end, served: true });
const bad = (region: string, start: number, end: number): Sample => ({ region, start, end, served: false });

// A fault on C from 10 s to 25 s; A is not hit.
const samples: Sample[] = [
  ok('A', 1_000, 1_500), ok('A', 5_000, 5_400), ok('C', 1_000, 1_600), ok('C', 6_000, 6_300),
  // During: A stalls ~6.5 s on one write but serves everything; C answers one of five.
  ok('A', 11_000, 17_500), ok('A', 18_000, 18_300), ok('A', 20_000, 20_200), ok('A', 22_000, 22_400), ok('A', 24_000, 24_100),
  bad('C', 10_500, 40_500), bad('C', 12_000, 12_100), bad('C', 15_000, 15_050), ok('C', 17_000, 18_000), bad('C', 24_500, 24_600),
  // After the heal at 25 s: C fails once more, then serves three in a row.
  ok('A', 25_500, 25_900), ok('A', 27_000, 27_300),
  bad('C', 26_000, 26_500), ok('C', 27_000, 28_000), ok('C', 28_500, 28_900), ok('C', 29_000, 29_200),
];
const window = { name: 'crash C', start: 10_000, end: 25_000 };

test.describe('availability under a fault', () => {
  test('success rate and worst latency during the window, time to recover after the heal, per region', () => {
    const f = availabilityUnderFault(samples, window);
    expect(f.durationMs).toBe(15_000);
    const [a, c] = f.regions;
    expect(a!.region).toBe('A');
    expect(a!.before).toMatchObject({ ops: 2, served: 2, successRate: 1 });
    expect(a!.during).toEqual({ ops: 5, served: 5, successRate: 1, worstLatencyMs: 6_500, worstServedLatencyMs: 6_500 });
    expect(a!.recovery).toMatchObject({ recovered: true, timeToRecoverMs: 0, opsAfter: 2, failuresAfter: 0 });

    expect(c!.during.ops).toBe(5);
    expect(c!.during.served).toBe(1);
    expect(c!.during.successRate).toBeCloseTo(0.2);
    // The timeout counts with its full wait; the slowest served one is reported apart.
    expect(c!.during.worstLatencyMs).toBe(30_000);
    expect(c!.during.worstServedLatencyMs).toBe(1_000);
    // The failure invoked during the fault and timing out after the heal says nothing about recovery.
    expect(c!.recovery).toMatchObject({ recovered: true, timeToRecoverMs: 3_000, opsAfter: 4, failuresAfter: 1 });
    expect(describeRegion(c!)).toBe('C: 20% served during (1/5), worst 30.0 s, recovered 3.0 s after heal');
  });

  test('a region still failing at the end of observation, or without enough served operations since its last failure, has not recovered', () => {
    const stillDown = [...samples.filter((s) => s.region === 'C'), bad('C', 30_000, 30_100)];
    expect(availabilityUnderFault(stillDown, window).regions[0]!.recovery).toMatchObject({ recovered: false, timeToRecoverMs: null, failuresAfter: 2 });
    // Only two served since the last failure: not yet the three in a row asked for.
    const shaky = samples.filter((s) => s.region === 'C' && s.start < 29_000);
    expect(availabilityUnderFault(shaky, window).regions[0]!.recovery.recovered).toBe(false);
    expect(availabilityUnderFault(shaky, window, { stableOps: 2 }).regions[0]!.recovery).toMatchObject({ recovered: true, timeToRecoverMs: 3_000 });
    expect(() => availabilityUnderFault(samples, window, { stableOps: 0 })).toThrow(RangeError);
  });

  test('an operation in flight when the fault began counts during it: a stalled region is not left without samples', () => {
    // Both clients of C were waiting when the fault began and invoked nothing during it.
    const stalled = [ok('C', 1_000, 1_500), ok('C', 9_000, 26_000), bad('C', 9_500, 39_500), ok('C', 30_000, 30_300), ok('C', 31_000, 31_200), ok('C', 32_000, 32_100)];
    const c = availabilityUnderFault(stalled, window).regions[0]!;
    expect(c.before.ops).toBe(1);
    expect(c.during).toEqual({ ops: 2, served: 1, successRate: 0.5, worstLatencyMs: 30_000, worstServedLatencyMs: 17_000 });
    expect(c.recovery).toMatchObject({ recovered: true, timeToRecoverMs: 0 });
  });

  test('watched live, an operation still pending after the heal is no evidence of failure', () => {
    const live = [...samples.filter((s) => s.region === 'C'), { region: 'C', start: 29_500, end: Infinity, served: false }];
    expect(availabilityUnderFault(live, window, { observedUntil: 30_000 }).regions[0]!.recovery).toMatchObject({ recovered: true, timeToRecoverMs: 3_000, opsAfter: 4 });
  });

  test('an unhealed fault never counts as recovered; a region with no operation reports no rate rather than 0% or 100%', () => {
    const open = availabilityUnderFault(samples, { name: 'never healed', start: 10_000, end: Infinity }, { regions: ['A', 'B', 'C'] });
    expect(open.regions.map((r) => r.recovery.recovered)).toEqual([false, false, false]);
    const b = open.regions.find((r) => r.region === 'B')!;
    expect(b.during).toEqual({ ops: 0, served: 0, successRate: null, worstLatencyMs: null, worstServedLatencyMs: null });
    expect(availabilityUnderFault(samples, window, { regions: ['B'] }).regions[0]!.recovery).toMatchObject({ recovered: false, opsAfter: 0 });
    expect(describeRegion(b)).toContain('no ops during');
  });

  test('with several faults, recovery is observed only until the next one and each baseline starts after the previous fault', () => {
    const second = { name: 'freeze C', start: 28_700, end: 35_000 };
    const [first, next] = availabilityByFault(samples, [second, window]);
    expect(first!.fault).toBe('crash C');
    const c1 = first!.regions.find((r) => r.region === 'C')!;
    // Observation stops at 28.7 s: only two served operations after the last failure.
    expect(c1.recovery).toMatchObject({ recovered: false, opsAfter: 3, failuresAfter: 1 });
    const c2 = next!.regions.find((r) => r.region === 'C')!;
    expect(c2.before.ops).toBe(2); // 26.0 and 27.0 s: after the first heal, done before the second fault
    // 28.5 s (still in flight at 28.7 s), 29.0 s, and the 30 s timeout invoked during the first fault.
    expect(c2.during.ops).toBe(3);
  });

  test('samples and windows come from a recorded history: below 500 is served, 5xx and no answer are not', () => {
    let now = 0;
    const h = new History(() => now);
    const op = (process: number, region: string, status: number | undefined, at: number, took: number) => {
      now = at;
      const handle = h.invoke(process, 'GET /v3/auth/tokens', { f: 'validate', value: { token: 't1', region } });
      now = at + took;
      if (status === undefined) handle.info({ error: 'timeout: no response' });
      else handle.complete(status < 300 ? 'ok' : status < 500 ? 'fail' : 'info', { status });
    };
    op(0, 'A', 200, 0, 100);
    now = 500;
    const fault = h.faultStart('partition C');
    op(1, 'A', 404, 1_000, 100); // a revoked token: the service answered
    op(2, 'C', 503, 1_000, 50);
    op(3, 'C', undefined, 1_200, 30_000);
    now = 2_000;
    fault.end();
    op(4, 'C', 201, 3_000, 100);
    now = 3_200;
    h.invoke(5, 'POST /v3/projects', { f: 'read' }).ok({ status: 200 }); // no region: not a sample

    const s = samplesOf(h);
    expect(s.map((x) => [x.region, x.served])).toEqual([['A', true], ['A', true], ['C', false], ['C', false], ['C', true]]);
    expect(windowsOf(h)).toEqual([{ name: 'partition C', start: 500, end: 2_000 }]);
    const [f] = availabilityByFault(s, windowsOf(h));
    expect(f!.regions.map((r) => [r.region, r.during.successRate])).toEqual([['A', 1], ['C', 0]]);
    // The timeout invoked during the fault ends after the heal but is no evidence against recovery.
    expect(f!.regions.find((r) => r.region === 'C')!.recovery).toMatchObject({ recovered: true, timeToRecoverMs: 0, opsAfter: 1, failuresAfter: 0 });
  });
});

// ---------------------------------------------------------------------------------------------

/** A hand-made workload history: each call is invoke + completion at the times given. */
function workloadHistory() {
  let now = 0;
  const h = new History(() => now);
  let process = 0;
  const record = (f: string, value: Record<string, unknown>, outcome: 'ok' | 'fail' | 'info', at: number, end: number, result?: unknown) => {
    now = at;
    const handle = h.invoke(process++, `op ${f}`, { f, value });
    now = end;
    handle.complete(outcome, { status: outcome === 'ok' ? 200 : outcome === 'fail' ? 404 : 503, ...(result ? { value: result } : {}) });
  };
  return { h, record };
}

const state = (region: string, partial: Partial<RegionState> = {}): RegionState => ({ region, projects: [], users: [], assignments: [], ...partial });

test.describe('mixed workload checks', () => {
  const { h, record } = workloadHistory();
  record('create', { kind: 'project', name: 'p1', region: 'A', description: 'v0' }, 'ok', 0, 10, { id: 'id-p1' });
  record('create', { kind: 'project', name: 'p2', region: 'B', description: 'v0' }, 'ok', 20, 30, { id: 'id-p2' });
  record('create', { kind: 'user', name: 'u1', region: 'C' }, 'ok', 40, 50, { id: 'id-u1' });
  record('create', { kind: 'project', name: 'p3', region: 'C', description: 'v0' }, 'fail', 60, 70);
  record('create', { kind: 'project', name: 'p4', region: 'C', description: 'v0' }, 'info', 80, 90);
  record('delete', { kind: 'project', id: 'id-p2', name: 'p2', region: 'A' }, 'ok', 100, 110);
  record('grant', { projectId: 'id-p1', userId: 'id-u1', region: 'B' }, 'ok', 120, 130);
  record('update', { kind: 'project', id: 'id-p1', name: 'p1', description: 'v5', region: 'A' }, 'ok', 140, 150);
  record('update', { kind: 'project', id: 'id-p1', name: 'p1', description: 'v6', region: 'B' }, 'ok', 160, 170);
  const good = (region: string) => state(region, {
    projects: [{ id: 'id-p1', name: 'p1', description: 'v6' }, { id: 'id-p4', name: 'p4', description: 'v0' }],
    users: [{ id: 'id-u1', name: 'u1' }],
    assignments: [{ userId: 'id-u1', projectId: 'id-p1' }],
  });

  test('every acknowledged write is found on every region; unknown outcomes constrain nothing', () => {
    const r = checkAckedWrites(h, [good('A'), good('B'), good('C')]);
    expect(r.details).toEqual([]);
    expect(r.counts).toMatchObject({ regionsChecked: 3, createsAcked: 3, deletesAcked: 1, grantsAcked: 1, updatesAcked: 2, lostCreates: 0 });
    expect(checkRegionsAgree([good('A'), good('B'), good('C')]).valid).toBe(true);
  });

  test('a lost create, a resurrected delete, a phantom, a lost grant and a lost update are each named with the region', () => {
    const broken = state('C', {
      projects: [{ id: 'id-p2', name: 'p2' }, { id: 'id-p3', name: 'p3' }, { id: 'id-p1', name: 'p1', description: 'v5' }],
      users: [],
      assignments: [],
    });
    const r = checkAckedWrites(h, [good('A'), broken]);
    expect(r.valid).toBe(false);
    expect(r.counts).toMatchObject({ lostCreates: 1, lostDeletes: 1, phantoms: 1, lostGrants: 1, lostUpdates: 1 });
    const text = r.details.join('\n');
    expect(text).toContain("lost create: user 'u1'");
    expect(text).toContain("lost delete: project 'p2'");
    expect(text).toContain("phantom: project 'p3'");
    expect(text).toContain('lost grant: user id-u1 on project id-p1');
    expect(text).toContain("lost update: project 'p1' in C shows 'v5'");
    expect(r.details.every((d) => d.includes(' C') || d.includes('in C'))).toBe(true);
    // A region that could not be read is left out, not counted as having lost everything.
    expect(checkAckedWrites(h, [good('A'), { ...broken, error: 'not readable' }]).valid).toBe(true);
  });

  test('regions that disagree are named, with what each one lists', () => {
    const c = good('C');
    c.projects = c.projects.filter((p) => p.id !== 'id-p4');
    c.assignments = [];
    const r = checkRegionsAgree([good('A'), good('B'), c]);
    expect(r.valid).toBe(false);
    expect(r.details).toEqual([
      "regions disagree on project p4 (id-p4) description 'v0': listed in A, B, not in C",
      'regions disagree on grant user id-u1 on project id-p1: listed in A, B, not in C',
    ]);
  });

  test('allowed final values: not one overwritten by a later acknowledged update, any unknown one, the initial only without acks', () => {
    const { h: u, record: rec } = workloadHistory();
    rec('update', { id: 'x', description: 'a' }, 'ok', 0, 10);
    rec('update', { id: 'x', description: 'b' }, 'ok', 5, 20); // concurrent with a
    rec('update', { id: 'x', description: 'c' }, 'info', 8, 9);
    rec('update', { id: 'x', description: 'd' }, 'fail', 30, 40);
    expect([...allowedFinalValues(u.pairs(), 'v0')].sort()).toEqual(['a', 'b', 'c']);
    rec('update', { id: 'x', description: 'e' }, 'ok', 50, 60);
    expect([...allowedFinalValues(u.pairs(), 'v0')].sort()).toEqual(['c', 'e']);
    expect([...allowedFinalValues([], 'v0')]).toEqual(['v0']);
  });

  test('the minority acknowledges no write during the partition (after the grace), other regions and times are not its business', () => {
    const { h: m, record: rec } = workloadHistory();
    const partition = { start: 1_000, end: 16_000 };
    rec('create', { kind: 'project', name: 'early', region: 'C' }, 'ok', 1_200, 1_400); // within the grace
    rec('create', { kind: 'project', name: 'refused', region: 'C' }, 'info', 5_000, 12_000);
    rec('validate', { token: 't', region: 'C' }, 'ok', 6_000, 6_100); // a read
    rec('update', { id: 'x', description: 'majority', region: 'A' }, 'ok', 7_000, 7_500);
    rec('grant', { projectId: 'p', userId: 'u', region: 'C' }, 'ok', 15_000, 17_000); // answered after the heal
    rec('update', { id: 'y', description: 'before the cut', region: 'C' }, 'ok', 900, 4_000); // committed before the cut, answered late
    expect(checkMinorityRefusedWrites(m.events, 'C', partition)).toMatchObject({ valid: true, counts: { writesInvoked: 2, inFlightAtCut: 2, acknowledged: 0, refusedOrUnknown: 1 } });
    rec('revoke', { token: 't', region: 'C' }, 'ok', 9_000, 9_300);
    // Invoked before the cut, answered long after the node must have been evicted.
    rec('delete', { kind: 'user', id: 'u', region: 'C' }, 'ok', 500, 12_000);
    const r = checkMinorityRefusedWrites(m.events, 'C', partition);
    expect(r.valid).toBe(false);
    expect(r.details).toEqual([
      expect.stringMatching(/^C acknowledged #\d+ p\d+ op revoke ok 200 \(invoked 8\.0 s, answered 8\.3 s into the partition\)$/),
      expect.stringMatching(/^C acknowledged #\d+ p\d+ op delete ok 200 \(invoked -0\.5 s, answered 11\.0 s into the partition\)$/),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

test.describe('progress line', () => {
  const state = { elapsedMs: 83_400, opsPerSec: 2.44, ops: 187, errors: 12, fault: 'crash RegionThree database node' };

  test('formats elapsed time, throughput, errors and the fault in force', () => {
    expect(formatProgress('chaos', state)).toBe('[chaos] 01:23 | 2.4 ops/s | 187 ops, 12 errors | fault: crash RegionThree database node');
    expect(formatProgress('chaos', { ...state, fault: undefined })).toContain('fault: none');
    expect(formatElapsed(3_725_000)).toBe('1:02:05');
  });

  test('on a terminal: redrawn in place at most once per second, erased at the end', () => {
    let now = 0;
    const written: string[] = [];
    const sink: ProgressSink = { tty: true, columns: 60, write: (t) => void written.push(t) };
    const line = new ProgressLine('chaos', sink, { now: () => now });
    expect(line.update(state)).toBe(true);
    now = 400;
    expect(line.update(state)).toBe(false);
    now = 999;
    expect(line.update(state)).toBe(false);
    now = 1_000;
    expect(line.update(state)).toBe(true);
    expect(written).toHaveLength(2);
    for (const w of written) {
      expect(w.startsWith('\r\x1b[2K')).toBe(true);
      expect(w).not.toContain('\n');
      // Cut to the terminal's width: a wrapped line could not be redrawn.
      expect(w.replace('\r\x1b[2K', '').replace(/\r$/, '').length).toBeLessThanOrEqual(59);
    }
    line.finish(state);
    expect(written.at(-1)).toBe('\r\x1b[2K');
  });

  test('off a terminal (KS_PROGRESS=1): plain lines, same throttle; no sink: nothing at all', () => {
    let now = 0;
    const written: string[] = [];
    const line = new ProgressLine('chaos', { tty: false, write: (t) => void written.push(t) }, { now: () => now });
    for (now = 0; now <= 2_500; now += 250) line.update(state);
    expect(written).toHaveLength(3);
    expect(written.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    line.finish(state);
    expect(written).toHaveLength(4);
    const silent = new ProgressLine('chaos', undefined);
    expect(silent.enabled).toBe(false);
    expect(silent.update(state)).toBe(false);
  });
});
