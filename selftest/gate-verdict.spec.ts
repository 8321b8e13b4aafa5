import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import config from '../playwright.config.js';
import { supportProjects } from '../lib/config/cli-projects.js';
import { judgePhase, mergePhases, type PhaseFacts, type PhaseGate } from '../reports/verdict.js';

// Hand-made phase results: each rule gets the run that used to pass and must now fail, and one that passes.

const run = (over: Partial<PhaseFacts> = {}): PhaseFacts => ({
  status: 'passed', selectedProjects: ['conformance'], projects: [{ project: 'conformance', ran: 3, skipped: 0 }],
  failures: [], skipped: [], globalErrors: [], allowNotRun: [], ...over,
});
const skip = (reason?: string) => ({ test: 'spec › t', project: 'conformance', file: 'suites/conformance/x.spec.ts', ...(reason !== undefined ? { reason } : {}) });

test('a run that executed tests and skipped with reasons passes, its skips listed', () => {
  const j = judgePhase(run({ projects: [{ project: 'conformance', ran: 3, skipped: 1 }], skipped: [skip('TOTP is not enabled')] }));
  expect(j).toEqual({ verdict: 'pass', accepted: true, failures: [], globalErrors: [] });
});

test('a run that executed no test is "not run", not a pass', () => {
  // Was a pass: Playwright's status stays "passed" when every test skips (chaos on an external target).
  const allSkipped = run({ selectedProjects: ['chaos'], projects: [{ project: 'chaos', ran: 0, skipped: 8 }], skipped: Array(8).fill(skip('the regions share one Keystone endpoint')) });
  const j = judgePhase(allSkipped);
  expect(j.verdict).toBe('not run');
  expect(j.accepted).toBe(false);
  expect(j.globalErrors.join('\n')).toMatch(/chaos: not run, no test was executed \(8 skipped: the regions share one Keystone endpoint\); KS_GATE_ALLOW_NOT_RUN=chaos/);
  // Allowed explicitly: still "not run", but accepted.
  expect(judgePhase({ ...allSkipped, allowNotRun: ['chaos'] })).toMatchObject({ verdict: 'not run', accepted: true, globalErrors: [] });
  // Allowing another phase does not allow this one.
  expect(judgePhase({ ...allSkipped, allowNotRun: ['load'] }).accepted).toBe(false);
  // No --project on the command line: the projects that had tests are the ones judged.
  expect(judgePhase({ ...allSkipped, selectedProjects: [] }).accepted).toBe(false);
});

test('a test skipped without a reason fails the run as not-run', () => {
  for (const reason of [undefined, '', '  ']) {
    const j = judgePhase(run({ projects: [{ project: 'conformance', ran: 3, skipped: 1 }], skipped: [skip(reason)] }));
    expect(j.verdict).toBe('fail');
    expect(j.failures).toEqual([expect.objectContaining({ category: 'not-run', test: 'spec › t', message: expect.stringMatching(/skipped without a reason/) })]);
  }
});

test('a selected project with no test fails the run (rbac configured, suites/rbac absent)', () => {
  // Was a pass: conformance ran 165 tests beside an rbac project that had none.
  const j = judgePhase(run({ selectedProjects: ['conformance', 'rbac'] }));
  expect(j.verdict).toBe('fail');
  expect(j.globalErrors).toEqual([expect.stringMatching(/project "rbac" was selected but has no test/)]);
  expect(judgePhase(run({ selectedProjects: ['conformance', 'rbac'], projects: [{ project: 'conformance', ran: 3, skipped: 0 }, { project: 'rbac', ran: 0, skipped: 0 }] })).verdict).toBe('fail');
});

test('failures, global errors and a failed status still fail the run', () => {
  expect(judgePhase(run({ status: 'failed' })).verdict).toBe('fail');
  expect(judgePhase(run({ globalErrors: ['leak check: 1 resource'] })).verdict).toBe('fail');
  expect(judgePhase(run({ failures: [{ category: 'contract', test: 't', project: 'conformance', file: 'f', message: 'm' }] })).verdict).toBe('fail');
});

const phase = (verdict: PhaseGate['verdict'], selected: string[], over: Partial<PhaseGate> = {}): PhaseGate => ({
  verdict, status: 'passed', durationSeconds: 1, counts: { passed: verdict === 'pass' ? 1 : 0 }, failuresByCategory: {},
  configuredProjects: ['selftest', 'conformance', 'concurrency', 'chaos', 'load'], selectedProjects: selected, ...over,
});
const fullGate = (chaos: PhaseGate | undefined) => [
  { phase: 'conformance', gate: phase('pass', ['conformance']) }, { phase: 'concurrency', gate: phase('pass', ['concurrency']) },
  { phase: 'chaos', gate: chaos }, { phase: 'load', gate: phase('pass', ['load']) },
];

test('the merged gate passes when every named phase passed and every configured project ran', () => {
  const g = mergePhases({ phases: fullGate(phase('pass', ['chaos'])), subset: false, allowNotRun: [] });
  expect(g.verdict).toBe('pass');
  expect(g.globalErrors).toEqual([]);
});

test('the merged gate fails a named phase that wrote no verdict', () => {
  const g = mergePhases({ phases: fullGate(undefined), subset: false, allowNotRun: [] });
  expect(g.verdict).toBe('fail');
  expect(g.phases[2]).toMatchObject({ phase: 'chaos', verdict: 'not run', reason: 'wrote no verdict' });
  expect(g.globalErrors.join('\n')).toMatch(/phase chaos was named but wrote no verdict/);
  // Allowing "not run" does not excuse a phase that died.
  expect(mergePhases({ phases: fullGate(undefined), subset: false, allowNotRun: ['chaos'] }).verdict).toBe('fail');
});

test('the merged gate fails a "not run" phase unless KS_GATE_ALLOW_NOT_RUN lists it', () => {
  const notRun = phase('not run', ['chaos'], { counts: { passed: 0, skipped: 8 } });
  const g = mergePhases({ phases: fullGate(notRun), subset: false, allowNotRun: [] });
  expect(g.verdict).toBe('fail');
  expect(g.phases[2]).toMatchObject({ verdict: 'not run', reason: 'no test executed' });
  expect(g.globalErrors.join('\n')).toMatch(/phase chaos: not run .*KS_GATE_ALLOW_NOT_RUN=chaos/);
  const allowed = mergePhases({ phases: fullGate(notRun), subset: false, allowNotRun: ['chaos'] });
  expect(allowed.verdict).toBe('pass');
  expect(allowed.phases[2]).toMatchObject({ verdict: 'not run', reason: expect.stringMatching(/allowed by KS_GATE_ALLOW_NOT_RUN/) });
});

test('a configured project that no phase of a full gate runs fails it; a chosen subset lists it instead', () => {
  const withRbac = (g: PhaseGate) => ({ ...g, configuredProjects: [...g.configuredProjects!, 'rbac'] });
  const phases = fullGate(phase('pass', ['chaos'])).map((p) => ({ ...p, gate: withRbac(p.gate!) }));
  const g = mergePhases({ phases, subset: false, allowNotRun: [] });
  expect(g.verdict).toBe('fail');
  expect(g.globalErrors).toEqual([expect.stringMatching(/project "rbac" is configured in playwright.config.ts but no gate phase runs it/)]);
  const subset = mergePhases({ phases: phases.slice(0, 1), subset: true, allowNotRun: [] });
  expect(subset.verdict).toBe('pass');
  expect(subset.notSelected).toEqual(['concurrency', 'chaos', 'load', 'rbac']);
});

test('the merged gate fails on a phase that failed, and carries its failures and skips', () => {
  const failed = phase('fail', ['chaos'], { failures: [{ category: 'not-run', test: 't', project: 'chaos', file: 'f', message: 'skipped without a reason' }], skipped: [skip()] });
  const g = mergePhases({ phases: fullGate(failed), subset: false, allowNotRun: ['chaos'] });
  expect(g.verdict).toBe('fail');
  expect(g.failures).toHaveLength(1);
  expect(g.skipped).toHaveLength(1);
});

test('every project configured in playwright.config.ts has spec files', () => {
  const support = supportProjects((config.projects ?? []).map((p) => ({ ...p, name: p.name! })));
  for (const p of config.projects ?? []) {
    const dir = p.testDir!;
    expect(existsSync(dir), `project ${p.name}: ${dir} does not exist`).toBe(true);
    // A support project (the cluster setup and teardown) is one file its testMatch names.
    if (support.has(p.name!)) expect(existsSync(join(dir, String(p.testMatch))), `support project ${p.name}: no ${p.testMatch} in ${dir}`).toBe(true);
    else expect(readdirSync(dir, { recursive: true }).map(String).some((f) => f.endsWith('.spec.ts')), `project ${p.name}: no spec file in ${dir}`).toBe(true);
  }
});

test('the cluster comes from setup and teardown projects: every Keystone-facing project depends on it, selftest on nothing', () => {
  const byName = new Map((config.projects ?? []).map((p) => [p.name!, p]));
  const support = supportProjects((config.projects ?? []).map((p) => ({ ...p, name: p.name! })));
  expect([...support].sort()).toEqual(['chaos preflight', 'cluster', 'cluster teardown']);
  expect(byName.get('cluster')?.teardown).toBe('cluster teardown');
  expect(byName.get('selftest')?.dependencies ?? []).toEqual([]);
  for (const p of ['conformance', 'rbac', 'concurrency', 'chaos', 'load']) expect(byName.get(p)?.dependencies, p).toContain('cluster');
  // Support projects are never top-level without --project: --grep and file filters leave them whole.
  for (const p of support) expect(byName.get(p)?.default, p).toBe(false);
  expect(config.retries).toBe(0);
});

test('the merged gate names the retry phase\'s injected leaks though a later phase does not repeat them (once each)', () => {
  const injectedLeak = { operation: 'POST /v3/projects', conflictsInjected: 3, retriedToSuccess: 0, leaked: 3, driverFunctions: ['resource.backends.sql.create_project'] };
  const stormLeak = { operation: 'PATCH /v3/projects/{project_id}', conflictsProvoked: 2, retriedToSuccess: 0, leaked: 1, driverFunctions: [] };
  const phases = [
    { phase: 'concurrency', gate: phase('fail', ['concurrency'], { leakedOperations: [stormLeak] }) },
    { phase: 'retry', gate: phase('fail', ['conformance'], { leakedOperations: [stormLeak, injectedLeak], retryInjection: { injections: 3 } }) },
    { phase: 'load', gate: phase('pass', ['load'], { leakedOperations: [stormLeak] }) },
  ];
  const g = mergePhases({ phases, subset: true, allowNotRun: [] });
  expect(g.leakedOperations).toEqual([stormLeak, injectedLeak]);
  expect(g.retryInjection).toEqual({ injections: 3 });
  expect(g.verdict).toBe('fail');
});

test('the merged verdict carries the rbac phase\'s matrix, and an rbac mismatch fails it as category rbac', () => {
  const mismatch = { category: 'rbac' as const, test: 'matrix.spec.ts › projects.create › project-member › in', project: 'rbac', file: 'suites/rbac/matrix.spec.ts', message: 'RBAC mismatch: projects.create as project-member (in scope): expected 403, got 201 [policy identity:create_project]' };
  const rbac = { policy: 'secure', cellsRun: 16, passed: 15, mismatched: 1 };
  const failed = phase('fail', ['rbac'], { failures: [mismatch], failuresByCategory: { rbac: 1 }, rbac });
  const g = mergePhases({ phases: [{ phase: 'rbac', gate: failed }], subset: true, allowNotRun: [] });
  expect(g.verdict).toBe('fail');
  expect(g.rbac).toEqual(rbac);
  expect(g.failuresByCategory).toEqual({ rbac: 1 });
  expect(g.failures[0]!.message).toMatch(/projects\.create as project-member.*identity:create_project/);
  expect(mergePhases({ phases: [{ phase: 'rbac', gate: phase('pass', ['rbac'], { rbac: { ...rbac, passed: 16, mismatched: 0 } }) }], subset: true, allowNotRun: [] }).verdict).toBe('pass');
});

test('each phase row says its isolation and what it asked of Keystone, counted for its own run only', async () => {
  const { countPhaseTraffic, describeTraffic } = await import('../reports/phase-traffic.js');
  const requests = [{ runId: 'r1' }, { runId: 'r1' }, { runId: 'r0' }, {}];
  const t = countPhaseTraffic(requests, [{ runId: 'r1' }, { runId: 'r0' }], 'r1', 2);
  expect(t).toEqual({ requests: 2, readBacks: 1, perSecond: 1.5 });
  expect(describeTraffic({ requests: 9876, readBacks: 4321, perSecond: 5.3 })).toBe('9,876 requests + 4,321 read-backs, 5.3/s');
  // No run id (selftest-only runs) or nothing sent: no rate invented.
  expect(countPhaseTraffic(requests, [], undefined, 10)).toEqual({ requests: 0, readBacks: 0, perSecond: null });
  const conformance = phase('pass', ['conformance'], { isolation: 'read committed', traffic: t });
  const g = mergePhases({ phases: [{ phase: 'conformance', gate: conformance }], subset: true, allowNotRun: [] });
  expect(g.phases[0]).toMatchObject({ phase: 'conformance', isolation: 'read committed', traffic: { requests: 2, readBacks: 1 } });
});
