import { test, expect } from '@playwright/test';
import { cpuAt, cpuBetween, parseProcStat, peakRssBetween, processTree, type TreeSample } from '../lib/load/proc-tree.js';
import { parseRallyJsonReport, RallyReportError, rallyTaskUuid } from '../lib/load/rally-report.js';

// A cut-down `rally task report --json` (revision 1.2) with the fields the bench reads.
const iteration = (timestamp: number, duration: number, atomics: [string, number, number][], error: string[] = []) => ({
  duration, idle_duration: 0, timestamp, error, output: { additive: [], complete: [] },
  atomic_actions: atomics.map(([name, s, e]) => ({ name, started_at: s, finished_at: e, children: [], failed: false })),
});
const report = {
  info: { generated_at: '2026-12-03T16:00:00', rally_version: '3.3.0', format_version: '1.2' },
  tasks: [{
    uuid: 't', status: 'finished', subtasks: [
      { uuid: 's2', title: 'KeystoneBasic.create_and_delete_role', workloads: [{
        position: 1, scenario: { 'KeystoneBasic.create_and_delete_role': {} }, load_duration: 3.0, full_duration: 9.5, pass_sla: true,
        data: [iteration(2000.0, 1.5, [['keystone_v3.create_role', 2000.0, 2000.5], ['keystone_v3.delete_role', 2000.5, 2001.5]]),
          iteration(2001.0, 2.0, [['keystone_v3.create_role', 2001.0, 2003.0]], ['Conflict', 'Conflict occurred (HTTP 409)\nmore', 'Traceback ...'])],
      }] },
      { uuid: 's1', title: 'KeystoneBasic.authenticate_user_and_validate_token', workloads: [{
        position: 0, scenario: { 'KeystoneBasic.authenticate_user_and_validate_token': {} }, load_duration: 2.5, full_duration: 5, pass_sla: false,
        // Out of start order on purpose: the parser sorts by timestamp.
        data: [iteration(1000.5, 2.0, [['keystone_v3.fetch_token', 1000.5, 1001.0], ['keystone_v3.validate_token', 1001.0, 1002.5]]),
          iteration(1000.0, 1.0, [['keystone_v3.fetch_token', 1000.0, 1000.25], ['keystone_v3.validate_token', 1000.25, 1000.75], ['keystone_v3.validate_token', 1000.75, 1001.0]])],
      }] },
    ],
  }],
};

test.describe('Rally JSON report', () => {
  test('workloads in position order, durations in ms in start order, load window from the iterations', () => {
    const [auth, role] = parseRallyJsonReport(report);
    expect(auth!.scenario).toBe('KeystoneBasic.authenticate_user_and_validate_token');
    expect(auth!.durationsMs).toEqual([1000, 2000]);
    expect(auth!.loadDurationS).toBe(2.5);
    expect(auth!.loadStartMs).toBe(1_000_000);
    expect(auth!.loadEndMs).toBe(1_002_500);
    expect(auth!.passSla).toBe(false);
    // A repeated action is one sample per iteration, durations summed (Rally's merge_atomic_actions).
    expect(auth!.atomics).toEqual([
      { name: 'keystone_v3.fetch_token', durationsMs: [250, 500] },
      { name: 'keystone_v3.validate_token', durationsMs: [750, 1500] },
    ]);
    expect(role!.iterations).toBe(2);
    expect(role!.failures).toBe(1);
    expect(role!.durationsMs).toEqual([1500, 2000]); // the failed iteration counts, as in Rally's table
    expect(role!.errors).toEqual(['Conflict: Conflict occurred (HTTP 409)']);
    expect(role!.atomics.find((a) => a.name === 'keystone_v3.delete_role')!.durationsMs).toEqual([1000]);
  });

  test('something that is not a report is refused with one line', () => {
    expect(() => parseRallyJsonReport({ results: [] })).toThrow(RallyReportError);
    expect(() => parseRallyJsonReport({ tasks: [{ subtasks: [{ workloads: [{ scenario: { a: {} }, data: [{ duration: 'x', timestamp: 1 }] }] }] }] })).toThrow(/duration/);
  });

  test('the task UUID from rally task start output', () => {
    const out = '--------------------------------------------------------------------------------\nTask  6fd0bd2a-1f3c-4e0c-9b53-2b4b0c1f7a11: started\n--------------------------------------------------------------------------------';
    expect(rallyTaskUuid(out)).toBe('6fd0bd2a-1f3c-4e0c-9b53-2b4b0c1f7a11');
    expect(rallyTaskUuid('Running Task... This can take a while...')).toBeUndefined();
  });
});

test.describe('/proc process-tree sampling', () => {
  test('parses stat lines whose command holds spaces and parentheses', () => {
    // Fields: pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime prio nice threads itreal start vsize rss
    const line = '4242 (rally (worker) 1) S 4200 4200 4200 0 -1 4194560 100 0 0 0 150 30 12 3 20 0 1 0 5000 123456789 2560 18446744073709551615';
    expect(parseProcStat(line)).toEqual({ pid: 4242, ppid: 4200, cpuTicks: 195, rssPages: 2560 });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  test('the tree is the root and everything below it, nothing beside it', () => {
    const s = (pid: number, ppid: number) => ({ pid, ppid, cpuTicks: 1, rssPages: 1 });
    const tree = processTree([s(1, 0), s(10, 1), s(11, 10), s(12, 11), s(20, 1), s(13, 10)], 10);
    expect(tree.map((p) => p.pid).sort((a, b) => a - b)).toEqual([10, 11, 12, 13]);
    expect(processTree([s(1, 0)], 99)).toEqual([]);
  });

  test('CPU inside a window interpolates between samples; peak RSS includes the sample current at its start', () => {
    const samples: TreeSample[] = [
      { tMs: 0, cpuS: 0, rssBytes: 100, processes: 1 },
      { tMs: 1000, cpuS: 2, rssBytes: 300, processes: 3 },
      { tMs: 2000, cpuS: 3, rssBytes: 200, processes: 3 },
      { tMs: 3000, cpuS: 7, rssBytes: 150, processes: 1 },
    ];
    expect(cpuAt(samples, 500)).toBe(1);
    expect(cpuAt(samples, -5)).toBe(0);
    expect(cpuAt(samples, 9999)).toBe(7);
    expect(cpuBetween(samples, 1500, 2500)).toBeCloseTo(5 - 2.5, 12);
    expect(peakRssBetween(samples, 1500, 2500)).toBe(300);
    expect(peakRssBetween(samples, 2000, 3000)).toBe(300);
    expect(peakRssBetween(samples, 2001, 3000)).toBe(200);
  });
});
