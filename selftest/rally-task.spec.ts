import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from '@playwright/test';
import type { IterationRecord } from '../lib/load/atomic.js';
import { KEYSTONE_BASIC } from '../lib/load/keystone-scenarios.js';
import { parseRallyTask, RallyTaskError, readRallyTask } from '../lib/load/rally-task.js';
import { rallyJson, rallyPercentile, rallyTaskResults } from '../reports/rally-export.js';
import type { ScenarioRunSummary } from '../reports/load-report.js';

const one = (workload: string) => `KeystoneBasic.create_user:\n  - ${workload.replace(/\n/g, '\n    ')}\n`;

test.describe('Rally task files in (lib/load/rally-task.ts)', () => {
  test('the shipped example runs all 21 KeystoneBasic scenarios with each runner', () => {
    const ws = readRallyTask('bench/tasks/keystone-basic.yaml');
    expect(ws.map((w) => w.scenario.name).sort()).toEqual(KEYSTONE_BASIC.map((s) => s.name).sort());
    expect(new Set(ws.map((w) => w.runner.type))).toEqual(new Set(['constant', 'rps', 'constant_for_duration']));
    const auth = ws.find((w) => w.scenario.short === 'authenticate_user_and_validate_token')!;
    expect(auth.runner).toEqual({ type: 'constant_for_duration', duration: 10, concurrency: 2 });
    expect(auth.sla.outliers).toEqual({ max: 2, min_iterations: 3, sigmas: 10 });
    expect(ws.find((w) => w.scenario.short === 'add_and_remove_user_role')!.users).toEqual({ tenants: 1, usersPerTenant: 2 });
    expect(ws.find((w) => w.scenario.short === 'create_tenant_with_users')!.args.usersPerTenant).toBe(2);
    expect(ws.find((w) => w.scenario.short === 'create_and_update_user')!.args.updateUserFields).toEqual({ enabled: false });
  });

  test('v1: Rally defaults (runner times 1 concurrency 1, SLA failure_rate max 0), JSON as well as YAML', () => {
    const [w] = parseRallyTask(JSON.stringify({ 'KeystoneBasic.create_tenant': [{}] }), 'task.json');
    expect(w!.runner).toEqual({ type: 'constant', times: 1, concurrency: 1 });
    expect(w!.sla).toEqual({ failure_rate: { max: 0 } });
    // Rally's own spelling of "no runner" is serial (times 1): the export says so.
    expect(w!.rally).toMatchObject({ runnerType: 'serial', runner: {}, args: {}, contexts: {} });
  });

  test('v2: subtasks with workloads and inline workloads; a repeated scenario gets its own key', () => {
    const ws = parseRallyTask(`
version: 2
title: keystone
subtasks:
  - title: users
    workloads:
      - scenario: {KeystoneBasic.create_user: {}}
        runner: {constant: {times: 3, concurrency: 2}}
        sla: {max_seconds_per_iteration: 5}
      - scenario: {KeystoneBasic.create_user: {}}
        runner: {rps: {times: 4, rps: 2.5}}
  - title: roles
    scenario: {KeystoneBasic.add_and_remove_user_role: {}}
    runner: {constant_for_duration: {duration: 1.5, concurrency: 1, timeout: 30}}
    contexts: {users: {tenants: 2, users_per_tenant: 1}}
`, 'v2.yaml');
    expect(ws.map((w) => [w.key, w.subtask, w.position, w.runner.type])).toEqual([
      ['KeystoneBasic.create_user', 'users', 0, 'constant'],
      ['KeystoneBasic.create_user #2', 'users', 1, 'rps'],
      ['KeystoneBasic.add_and_remove_user_role', 'roles', 2, 'constant_for_duration'],
    ]);
    expect(ws[0]!.sla).toEqual({ max_seconds_per_iteration: 5 });
    expect(ws[1]!.runner).toEqual({ type: 'rps', times: 4, rps: 2.5 });
    expect(ws[2]!.runner).toEqual({ type: 'constant_for_duration', duration: 1.5, concurrency: 1, timeout: 30 });
    expect(ws[2]!.users).toEqual({ tenants: 2, usersPerTenant: 1 });
  });

  test('reads a task as Rally itself does (Rally\'s TaskConfig on the example and on a v2 task)', () => {
    const rally = spawnSync('which', ['rally'], { encoding: 'utf8' });
    test.skip(rally.status !== 0, 'rally is not installed (Debian: apt-get install rally python3-rally-openstack)');
    // The interpreter rally runs under (its script's #!), which has the rally package.
    const python = readFileSync(rally.stdout.trim(), 'utf8').split('\n')[0]!.replace(/^#!\s*/, '').trim();
    const v2 = 'version: 2\ntitle: t\nsubtasks:\n  - title: users\n    workloads:\n      - scenario: {KeystoneBasic.create_user: {}}\n        runner: {rps: {times: 4, rps: 2.5}}\n'
      + '      - scenario: {KeystoneBasic.create_tenant: {}}\n        sla: {}\n      - scenario: {KeystoneBasic.create_tenant: {}}\n        sla: {outliers: {max: 1}}\n'
      + '  - title: roles\n    scenario: {KeystoneBasic.add_and_remove_user_role: {}}\n    runner: {constant_for_duration: {duration: 1.5, timeout: 30}}\n    contexts: {users: {tenants: 2, users_per_tenant: 1}}\n';
    const script = [
      'import json, sys, yaml',
      'from rally.task.task_cfg import TaskConfig',
      'out = []',
      'for text in json.load(sys.stdin):',
      '    cfg = TaskConfig(yaml.safe_load(text))',
      '    out.append([dict(name=w["name"], runner_type=w["runner_type"], runner=w["runner"], sla=w["sla"], contexts=w["contexts"], args=w["args"]) for s in cfg.subtasks for w in s["workloads"]])',
      'print(json.dumps(out))',
    ].join('\n');
    const texts = [readFileSync('bench/tasks/keystone-basic.yaml', 'utf8'), v2];
    const got = spawnSync(python, ['-c', script], { input: JSON.stringify(texts), encoding: 'utf8' });
    expect(got.status, got.stderr).toBe(0);
    const theirs = JSON.parse(got.stdout) as unknown[][];
    const ours = texts.map((t) => parseRallyTask(t).map((w) => ({ name: w.scenario.name, runner_type: w.rally.runnerType, runner: w.rally.runner, sla: w.rally.sla, contexts: w.rally.contexts, args: w.rally.args })));
    expect(ours).toEqual(theirs);
  });

  // Each input the harness cannot honour, and the one line it must be refused with.
  const refused: [string, string, string][] = [
    ['a scenario that is not KeystoneBasic', 'NovaServers.boot_server:\n  - {}\n', 'task: "NovaServers.boot_server" is not supported here (one of: KeystoneBasic.create_user,'],
    ['a workload key Rally knows but this harness does not (hooks)', one('hooks: []'), 'task.KeystoneBasic.create_user[0]: unknown key "hooks" (known here: args, runner, context, sla, description)'],
    ['an unknown runner type', one('runner: {type: serial, times: 2}'), 'task.KeystoneBasic.create_user[0].runner.type: must be one of constant, constant_for_duration, rps'],
    ['an unknown runner key', one('runner: {type: constant, times: 2, max_cpu_count: 4}'), 'KeystoneBasic.create_user[0].runner: unknown key "max_cpu_count" (known here: type, times, concurrency, timeout)'],
    ['a runner value of the wrong type', one('runner: {type: constant, times: "2"}'), 'KeystoneBasic.create_user[0].runner.times: must be integer'],
    ['an increasing rps (Rally\'s dict form)', one('runner: {type: rps, times: 2, rps: {start: 1, end: 5, step: 1}}'), 'KeystoneBasic.create_user[0].runner.rps: must be number'],
    ['constant_for_duration without a duration', one('runner: {type: constant_for_duration, concurrency: 2}'), 'KeystoneBasic.create_user[0].runner: must have required property \'duration\''],
    ['a context other than users', one('context: {roles: [admin]}'), 'KeystoneBasic.create_user[0].context: unknown key "roles" (known here: users)'],
    ['an unknown users-context key', one('context: {users: {tenants: 1, user_domain: x}}'), 'KeystoneBasic.create_user[0].context.users: unknown key "user_domain" (known here: tenants, users_per_tenant)'],
    ['an unknown SLA', one('sla: {max_failures: 1}'), 'KeystoneBasic.create_user[0].sla: unknown key "max_failures" (known here: failure_rate, max_seconds_per_iteration, max_avg_duration, max_avg_duration_per_atomic, outliers, performance_degradation)'],
    ['an SLA out of range', one('sla: {failure_rate: {max: 200}}'), 'KeystoneBasic.create_user[0].sla.failure_rate.max: must be <= 100'],
    ['an argument the scenario here does not take', one('args: {domain_name: Default}'), 'KeystoneBasic.create_user[0].args: unknown key "domain_name" (this takes no keys here)'],
    ['a scenario needing users without the users context', 'KeystoneBasic.add_and_remove_user_role:\n  - {}\n', 'KeystoneBasic.add_and_remove_user_role[0]: KeystoneBasic.add_and_remove_user_role needs Rally\'s users context'],
    ['a Jinja template', '{% set n = 2 %}\nKeystoneBasic.create_user:\n  - runner: {type: constant, times: {{n}}}\n', 'Jinja template syntax ({% %} / {{ }}) is not supported: render the task first'],
    ['v2 with an unknown top-level key', 'version: 2\ntitle: t\nenv: x\nsubtasks: [{title: s, scenario: {KeystoneBasic.create_user: {}}}]\n', 'task: unknown key "env" (known here: version, title, description, tags, subtasks)'],
    ['v2 without a title (Rally requires one)', 'version: 2\nsubtasks: [{title: s, scenario: {KeystoneBasic.create_user: {}}}]\n', 'task: must have required property \'title\''],
    ['a v2 subtask without a title', 'version: 2\ntitle: t\nsubtasks: [{scenario: {KeystoneBasic.create_user: {}}}]\n', 'task.subtasks[0]: must have required property \'title\''],
    ['v2 runner with two types', 'version: 2\ntitle: t\nsubtasks: [{title: s, scenario: {KeystoneBasic.create_user: {}}, runner: {constant: {}, rps: {rps: 1}}}]\n', 'task.subtasks[0].runner: must NOT have more than 1 properties'],
    ['not YAML', 'KeystoneBasic.create_user: [\n', 'bad.yaml: not YAML/JSON:'],
  ];
  for (const [what, text, message] of refused) {
    test(`refuses ${what} with one line`, () => {
      let err: unknown;
      try { parseRallyTask(text, 'bad.yaml'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(RallyTaskError);
      const m = (err as Error).message;
      expect(m.split('\n')).toHaveLength(1);
      expect(m.startsWith('bad.yaml: ')).toBe(true);
      expect(m).toContain(message);
    });
  }
});

/** A hand-made stored summary: 4 iterations, the third failed in its second atomic action. */
function summary(): ScenarioRunSummary & { iterationRecords: IterationRecord[] } {
  const it = (i: number, ms: number, err = false): IterationRecord => ({
    iteration: i, start: i * 250, durationMs: ms,
    atomics: [{ name: 'keystone_v3.fetch_token', durationMs: ms * 0.6 }, { name: 'keystone_v3.validate_token', durationMs: ms * 0.4, ...(err ? { failed: true as const } : {}) }],
    ...(err ? { error: { kind: 'http-500', message: 'Internal Server Error' } } : {}),
  });
  return {
    scenario: 'KeystoneBasic.authenticate_user_and_validate_token', runner: { type: 'constant', times: 4, concurrency: 2 },
    context: { tenants: 0, usersPerTenant: 0 }, args: {}, startedAt: '2026-12-02T10:00:00.000Z', wallMs: 2000, stopReason: 'completed',
    abandoned: 0, iterations: 4, failures: 1, iterationsPerSecond: 1.5, stats: {} as ScenarioRunSummary['stats'],
    slas: [{ name: 'failure_rate', criterion: { max: 0 }, success: false, detail: 'Failure rate criteria 0.00% <= 25.00% <= 0.00% - Failed' }],
    passed: false, errors: [], iterationRecords: [it(0, 500), it(1, 700), it(2, 900, true), it(3, 650)],
  };
}

test.describe('Rally task results out (reports/rally-export.ts)', () => {
  test('Rally\'s percentile, and statistics as Rally\'s MainStatsTable computes them', () => {
    expect(rallyPercentile([], 0.5)).toBeNull();
    expect(rallyPercentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(rallyPercentile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6, 10);
    const doc = rallyTaskResults([summary()], { runId: 'r1', title: 't', description: 'd' }) as { tasks: { pass_sla: boolean; subtasks: { workloads: Record<string, any>[] }[] }[] };
    const w = doc.tasks[0]!.subtasks[0]!.workloads[0]!;
    expect(doc.tasks[0]!.pass_sla).toBe(false);
    expect(w.scenario).toEqual({ 'KeystoneBasic.authenticate_user_and_validate_token': {} });
    expect(w.runner).toEqual({ constant: { times: 4, concurrency: 2 } });
    expect(w.sla).toEqual({ failure_rate: { max: 0 } });
    expect(w.data[2].error).toEqual(['http-500', 'Internal Server Error', '']);
    expect(w.data[0].atomic_actions[1].started_at).toBeCloseTo(w.data[0].atomic_actions[0].finished_at, 9);
    expect(w.statistics.durations.total.data).toEqual({ iteration_count: 4, min: 0.5, median: 0.675, '90%ile': 0.84, '95%ile': 0.87, max: 0.9, avg: 0.688, success: '75.0%' });
    expect(w.statistics.durations.atomics.map((a: { name: string; data: { success: string } }) => [a.name, a.data.success]))
      .toEqual([['keystone_v3.fetch_token', '100.0%'], ['keystone_v3.validate_token', '75.0%']]);
  });

  test('writes Rally\'s float fields with a decimal point (rally task import refuses ints there)', () => {
    const text = rallyJson({ data: [{ timestamp: 1700000000, duration: 2, idle_duration: 0, atomic_actions: [{ started_at: 1, finished_at: 1.5 }] }], total_iteration_count: 4 });
    expect(text).toContain('"timestamp": 1700000000.0');
    expect(text).toContain('"duration": 2.0');
    expect(text).toContain('"idle_duration": 0.0');
    expect(text).toContain('"started_at": 1.0');
    expect(text).toContain('"finished_at": 1.5');
    expect(text).toContain('"total_iteration_count": 4\n');
  });

  test('Debian\'s rally imports the export, recomputes the same statistics, and renders it with task report and trends', () => {
    const rally = spawnSync('which', ['rally']).status === 0;
    test.skip(!rally, 'rally is not installed (Debian: apt-get install rally python3-rally-openstack)');
    test.setTimeout(120_000);
    const dir = mkdtempSync(join(tmpdir(), 'kscv-rally-'));
    try {
      // Rally keeps its own database even to render a file: a throwaway one in the temp dir.
      const conf = join(dir, 'rally.conf');
      writeFileSync(conf, `[database]\nconnection = sqlite:///${join(dir, 'rally.sqlite')}\n`);
      const run = (...args: string[]) => execFileSync('rally', ['--config-file', conf, ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      run('db', 'create');
      const file = join(dir, 'ours.json');
      const ours = rallyTaskResults([summary()], { runId: 'selftest', title: 'selftest', description: 'hand-made' });
      writeFileSync(file, rallyJson(ours));
      run('task', 'report', '--uuid', file, '--out', join(dir, 'report.html'));
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      expect(html).toContain('authenticate_user_and_validate_token');
      expect(html).toContain('keystone_v3.validate_token');
      run('task', 'trends', '--tasks', file, file, '--out', join(dir, 'trends.html'));
      expect(readFileSync(join(dir, 'trends.html'), 'utf8')).toContain('authenticate_user_and_validate_token');
      // Import stores the iterations and recomputes the statistics from them: they must equal ours.
      run('env', 'create', '--name', 'selftest');
      const imported = /Task UUID: ([0-9a-f-]+)/.exec(run('task', 'import', '--file', file))?.[1];
      expect(imported, 'rally task import printed no task UUID').toBeTruthy();
      run('task', 'report', '--uuid', imported!, '--json', '--out', join(dir, 'back.json'));
      const back = JSON.parse(readFileSync(join(dir, 'back.json'), 'utf8'));
      const w = (d: any) => d.tasks[0].subtasks[0].workloads[0];
      expect(w(back).statistics).toEqual(w(ours).statistics);
      expect(w(back).total_iteration_count).toBe(4);
      expect(w(back).pass_sla).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
