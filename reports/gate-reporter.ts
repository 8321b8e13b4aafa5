import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { writeRunReports } from './run-reports.js';
import { dirname } from 'node:path';
import { describeInjectedLeak, type InjectionMatrixRow } from '../lib/workload/injected-retry-matrix.js';
import type { FullConfig, FullResult, Reporter, Suite, TestCase, TestError, TestResult } from '@playwright/test/reporter';
import { fullProjectRun, selectedProjects, supportProjects } from '../lib/config/cli-projects.js';
import { readHandover, type ClusterSummary } from '../lib/cluster/handover.js';
import { stampResults, writeRunEnvironment, type GatedEnvironment, type ResultStamp } from './allure-dashboard.js';
import { readRunSecrets, removeRunSecrets, runSecretsFile } from '../lib/keystone/run-secrets.js';
import { secretCanary } from './secret-canary.js';
import { describeTraffic, readPhaseTraffic } from './phase-traffic.js';
import { packShard, shardDir, type Shard } from './merge-shards.js';
import { ALLOW_NOT_RUN_ENV, allowedNotRun, judgePhase, type FailureCategory, type GateFailure, type ProjectCount, type SkippedTest } from './verdict.js';

const PROJECT_CATEGORY: Record<string, FailureCategory> = {
  conformance: 'contract', rbac: 'rbac', concurrency: 'invariant', chaos: 'availability', load: 'sla', selftest: 'harness',
};

interface KnownDefectSeen { test: string; project: string; defect: string }

/**
 * Writes reports/gate.json: one verdict, counts, and failures by category. A test names its own
 * category with an annotation `{ type: 'gate-category', description }` (e.g. a 5xx on bad input);
 * otherwise the project decides. The verdict is reports/verdict.ts's `judgePhase` (no test run,
 * a skip without a reason, a selected project without tests: not a pass), and the run's exit
 * status follows it, so `npx playwright test` alone fails the same way the gate does.
 */
export default class GateReporter implements Reporter {
  private readonly failures: GateFailure[] = [];
  private readonly knownDefects: KnownDefectSeen[] = [];
  private readonly globalErrors: string[] = [];
  private readonly skipped: SkippedTest[] = [];
  private readonly perProject = new Map<string, ProjectCount>();
  private configuredProjects: string[] = [];
  /** Projects that serve the others (the cluster setup and teardown, the chaos preflight): not gate phases. */
  private support = new Set<string>();
  private runProjects: string[] = [];
  private counts = { passed: 0, failed: 0, skipped: 0, timedOut: 0, interrupted: 0 };
  /** Gate test name (project|title path) -> allure-playwright's key for the same test, to stamp its category in Allure. */
  private readonly allureKeys = new Map<string, string>();
  private startedAt = new Date();
  /** Set under --shard=i/n: the verdict and raw rows also go to reports/shards/shard-i-of-n/ for `npm run merge`. */
  private shard: Shard | undefined;

  constructor(private readonly options: { outputFile?: string } = {}) {}

  private selftestOnly = false;

  onBegin(config: FullConfig, suite: Suite): void {
    this.startedAt = new Date();
    // The harness's own tests are not a gate run: keep them from overwriting the gate verdict.
    const projects = suite.suites.map((s) => s.project()?.name);
    this.selftestOnly = projects.length > 0 && projects.every((p) => p === 'selftest');
    this.support = supportProjects(config.projects);
    this.configuredProjects = config.projects.map((p) => p.name).filter((p) => !this.support.has(p));
    this.shard = config.shard ? { current: config.shard.current, total: config.shard.total } : undefined;
    // A selected project with no test has no suite here: the command line says it was asked for.
    this.runProjects = selectedProjects(process.argv).filter((p) => !this.support.has(p));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const project = test.parent.project()?.name ?? 'unknown';
    this.allureKeys.set(`${project}|${test.titlePath().slice(1).join(' › ')}`, test.titlePath().join(' > '));
    const expected = test.expectedStatus === result.status;
    // Known defects reproduced: reported beside the verdict, never hidden (expectations/*.yaml).
    const annotations = [...test.annotations, ...((result as { annotations?: typeof test.annotations }).annotations ?? [])];
    for (const a of new Set(annotations.filter((x) => x.type === 'known-defect').map((x) => x.description ?? ''))) {
      this.knownDefects.push({ test: test.titlePath().slice(1).join(' › '), project, defect: a });
    }
    // The cluster's bring-up and teardown are in the reports as tests (with their time), not in the
    // gate's counts. Their failure is what global setup's and teardown's errors were: a global error
    // (bring-up failed, a leak check found leftovers), which fails the run and which a mutant run
    // reads as "outside tests" (lib/mutants/judgement.ts).
    if (this.support.has(project)) {
      if (result.status === 'skipped' || expected) return;
      const message = (result.error?.message ?? result.status).replace(/\u001b\[[0-9;]*m/g, '').split('\n').slice(0, 6).join('\n');
      this.globalErrors.push(`${project}: ${message}`);
      return;
    }
    const count = this.perProject.get(project) ?? { project, ran: 0, skipped: 0 };
    this.perProject.set(project, count);
    if (result.status === 'skipped') {
      this.counts.skipped++;
      count.skipped++;
      const reason = annotations.find((a) => (a.type === 'skip' || a.type === 'fixme') && a.description?.trim())?.description;
      this.skipped.push({ test: test.titlePath().slice(1).join(' › '), project, file: test.location.file, ...(reason ? { reason } : {}) });
      return;
    }
    count.ran++;
    if (expected) this.counts.passed++;
    else {
      this.counts.failed++;
      if (result.status === 'timedOut') this.counts.timedOut++;
      if (result.status === 'interrupted') this.counts.interrupted++;
      const annotated = test.annotations.find((a) => a.type === 'gate-category')?.description as FailureCategory | undefined;
      const message = (result.error?.message ?? result.status).replace(/\u001b\[[0-9;]*m/g, '').split('\n').slice(0, 6).join('\n');
      this.failures.push({ category: annotated ?? PROJECT_CATEGORY[project] ?? 'contract', test: test.titlePath().slice(1).join(' › '), project, file: test.location.file, message });
    }
  }

  onError(error: TestError): void {
    this.globalErrors.push((error.message ?? String(error.value)).replace(/\u001b\[[0-9;]*m/g, ''));
  }

  /**
   * The secret canary, once every other reporter has written (they come first in
   * playwright.config.ts): a secret of the run in a report, or in this verdict's own messages,
   * is a global error. The registry is removed afterwards: it holds the secrets in clear.
   */
  private checkCanary(): number {
    const registry = runSecretsFile(this.cluster().runId);
    const secrets = readRunSecrets(registry);
    const texts = [{ name: 'gate verdict messages', text: JSON.stringify([this.failures, this.globalErrors, this.skipped, this.knownDefects]) }];
    const finding = secretCanary(secrets, CANARY_DIRS, texts, (f) => f.endsWith('.ts'));
    if (finding) this.globalErrors.push(finding);
    removeRunSecrets(registry);
    return secrets.length;
  }

  /**
   * Allure as the dashboard (reports/allure-dashboard.ts): each failed result of this run gets the
   * category gate.json gives it, a passed one that showed a known defect is marked so, and the run
   * leaves what it gated for the environment widget.
   */
  private writeAllure(failures: readonly GateFailure[]): void {
    const dir = process.env.ALLURE_RESULTS_DIR ?? 'allure-results';
    const stamps = new Map<string, ResultStamp>();
    const keyOf = (project: string, test: string) => this.allureKeys.get(`${project}|${test}`);
    for (const f of failures) { const k = keyOf(f.project, f.test); if (k && !stamps.has(k)) stamps.set(k, { category: f.category }); }
    for (const d of this.knownDefects) {
      const k = keyOf(d.project, d.test);
      if (k) stamps.set(k, { ...stamps.get(k), knownDefects: [...(stamps.get(k)?.knownDefects ?? []), d.defect] });
    }
    try {
      stampResults(dir, stamps, this.startedAt.getTime());
      const summary = this.cluster().summary;
      if (!this.selftestOnly && summary) {
        const info = summary as GatedEnvironment;
        const phase = /([^/]+)\.gate\.json$/.exec(this.options.outputFile ?? '')?.[1];
        const run = phase && phase !== 'gate' ? phase : this.runProjects.join('+') || 'all projects';
        writeRunEnvironment(dir, run, { ...info, enforceScope: /^(1|true|yes|on)$/i.test(process.env.KS_ENFORCE_SCOPE ?? '') });
      }
    } catch (e) {
      // The verdict is already decided; the dashboard's own trouble is said, not made a gate failure.
      process.stderr.write(`[gate] allure dashboard: ${(e as Error).message}\n`);
    }
  }

  /**
   * The run's cluster as the `cluster` setup project handed it to this runner (its summary and run
   * id; lib/cluster/handover.ts): the setup ran in a worker, whose environment never reaches the
   * runner. Read when needed: the file stays until the runner exits (fixtures/run-guard.ts).
   */
  private cluster(): { runId?: string; summary?: ClusterSummary } {
    return readHandover(process.pid) ?? {};
  }

  async onEnd(result: FullResult): Promise<{ status: FullResult['status'] } | undefined> {
    // Run-wide reports first (coverage, retry matrix): the verdict below reads them.
    let coverageJudged: boolean | undefined;
    const info: ClusterSummary = this.cluster().summary ?? {};
    const runId = this.cluster().runId;
    if (!this.selftestOnly) {
      const judged = await writeRunReports({ backend: info?.backend ?? 'unknown', keystoneVariant: info?.keystoneVariant ?? 'unknown', databaseIsolation: info?.databaseIsolation, fullConformanceRun: fullProjectRun(process.argv, 'conformance') })
        .catch((e) => { this.globalErrors.push(`run reports: ${(e as Error).message}`); return undefined; });
      // Only a full conformance run judges api coverage (reports/coverage-verdict.ts).
      coverageJudged = judged?.judged;
      if (judged?.failure) this.failures.push({ category: 'contract', test: 'api coverage', project: 'conformance', file: 'reports/coverage.json', message: judged.failure });
    }
    // Retry phase (KS_INJECT_CONFLICTS): every operation that leaked an injected conflict, and a
    // run that injected nothing, fails the verdict (reports/retry-injection.json).
    // Only the run that injected judges it: later phases of one gate find the same file.
    const injectedFile = readJson('reports/retry-injection.json') as { runs?: string[]; verdict?: { pass: boolean; reasons: string[] }; rows?: InjectionMatrixRow[]; injections?: number; attributed?: number; ambiguous?: number; writes?: { total: number; injected: number } } | undefined;
    // The concurrency phase injects too: its storms judge their own requests from Keystone's log,
    // and the matrix names what the storms never reach (stock Keystone leaks its setup's writes).
    const injected = injectedFile?.runs?.includes(runId ?? '') ? injectedFile : undefined;
    if (!this.selftestOnly && injected?.verdict && !injected.verdict.pass) {
      for (const r of (injected.rows ?? []).filter((x) => x.leaks || x.leaksAs4xx)) {
        this.failures.push({ category: 'leaked-conflict', test: `retry matrix › ${r.operation}`, project: 'retry', file: 'reports/retry-injection.json', message: describeInjectedLeak(r) });
      }
      for (const reason of injected.verdict.reasons.filter((x) => !x.startsWith('leak:'))) this.globalErrors.push(`retry phase: ${reason}`);
    }
    const canaried = this.checkCanary();
    // What the verdict is judged on, kept in gate.json so `npm run merge` can judge shards' union alike.
    const facts = { status: result.status, selectedProjects: this.runProjects, projects: [...this.perProject.values()], failures: [...this.failures], skipped: this.skipped, globalErrors: [...this.globalErrors] };
    const judged = judgePhase({ ...facts, allowNotRun: allowedNotRun(process.env[ALLOW_NOT_RUN_ENV]) });
    const { verdict, failures, globalErrors } = judged;
    this.writeAllure(failures);
    const byCategory: Record<string, GateFailure[]> = {};
    for (const f of failures) (byCategory[f.category] ??= []).push(f);
    const retry = readJson('reports/retry-coverage.json') as { operations?: { op: string; leaks: number; conflictsProvoked: number; retriedThenOk: number; leakingFunctions: string[] }[] } | undefined;
    const leakedOperations = [
      ...(retry?.operations ?? []).filter((o) => o.leaks > 0).map((o) => ({ operation: o.op, conflictsProvoked: o.conflictsProvoked, retriedToSuccess: o.retriedThenOk, leaked: o.leaks, driverFunctions: o.leakingFunctions })),
      ...(injected?.rows ?? []).filter((r) => r.leaks || r.leaksAs4xx).map((r) => ({ operation: r.operation, conflictsInjected: r.conflictsInjected, retriedToSuccess: r.retriedThenOk, leaked: r.leaks + r.leaksAs4xx, driverFunctions: r.leakingFunctions })),
    ];
    // The rbac phase's matrix (reports/rbac-reporter.ts wrote it just before, in this run): counts and mismatches.
    const rbacFile = process.env.KS_RBAC_FILE ?? 'reports/rbac.json';
    const rbacReport = existsSync(rbacFile) && statSync(rbacFile).mtimeMs >= this.startedAt.getTime()
      ? readJson(rbacFile) as { policy: string; cellsRun: number; passed: number; failed: number; wallSeconds: number; mismatches: unknown[]; notDriven: unknown[] } | undefined : undefined;
    const coverage = readJson('reports/coverage.json') as { total: number; covered: number; justified: number; uncovered: number } | undefined;
    const gate = {
      verdict, status: result.status, startedAt: this.startedAt.toISOString(), durationSeconds: Math.round(result.duration / 100) / 10,
      // What it asked of Keystone (requests and read-backs of this run, and their rate): the figure that bounds the phase's time.
      traffic: this.selftestOnly ? undefined : readPhaseTraffic('reports/out', runId, result.duration / 1000),
      // What the phase was judged on: the gate's conformance phase runs at read committed (contracts), the concurrency and retry phases under SERIALIZABLE (conflicts).
      isolation: this.selftestOnly ? undefined : info?.databaseIsolation,
      counts: this.counts,
      configuredProjects: this.configuredProjects, selectedProjects: this.runProjects,
      failuresByCategory: Object.fromEntries(Object.entries(byCategory).map(([k, v]) => [k, v.length])),
      leakedOperations,
      knownDefects: this.knownDefects,
      retryInjection: injected ? { injections: injected.injections, attributed: injected.attributed, ambiguous: injected.ambiguous, writeOperationsInjected: injected.writes?.injected, writeOperationsTotal: injected.writes?.total } : undefined,
      rbac: rbacReport ? { policy: rbacReport.policy, cellsRun: rbacReport.cellsRun, passed: rbacReport.passed, mismatched: rbacReport.failed, wallSeconds: rbacReport.wallSeconds, operationsNotDriven: rbacReport.notDriven.length, mismatches: rbacReport.mismatches } : undefined,
      coverage: coverage ? { total: coverage.total, covered: coverage.covered, justified: coverage.justified, uncovered: coverage.uncovered, judged: coverageJudged ?? false } : undefined,
      skipped: this.skipped,
      failures, globalErrors,
      ...(this.shard ? { shard: this.shard, phase: process.env.KS_GATE_PHASE || undefined, runId, cluster: info, facts, wholeConformanceShard: fullProjectRun(process.argv, 'conformance', { shardsMakeWhole: true }) } : {}),
    };
    const file = this.selftestOnly ? 'reports/out/gate-selftest.json' : this.options.outputFile ?? 'reports/gate.json';
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(gate, null, 2));
    // Not for `--list`: it runs no test, and its empty verdict would stand in for the shard.
    if (this.shard && !this.selftestOnly && !process.argv.includes('--list')) {
      const dir = shardDir(this.shard);
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/gate.json`, JSON.stringify(gate, null, 2));
      packShard(dir);
    }
    const lines = [`gate verdict: ${verdict.toUpperCase()} (${this.counts.passed} passed, ${this.counts.failed} failed, ${this.counts.skipped} skipped) -> ${file}`];
    for (const [cat, fs] of Object.entries(byCategory)) lines.push(`  ${cat}: ${fs.length} — ${fs.slice(0, 3).map((f) => f.test).join('; ')}${fs.length > 3 ? '; ...' : ''}`);
    for (const l of leakedOperations) lines.push(`  leak: ${l.operation}: ${'conflictsInjected' in l ? `${l.conflictsInjected} conflicts injected` : `${l.conflictsProvoked} conflicts provoked`}, ${l.retriedToSuccess} retried, ${l.leaked} leaked (${l.driverFunctions.join(', ') || 'function unknown'})`);
    if (gate.traffic?.requests) lines.push(`  asked of Keystone: ${describeTraffic(gate.traffic)}${gate.isolation ? `; database isolation ${gate.isolation}` : ''}`);
    if (this.knownDefects.length) lines.push(`  known defects of the Keystone under test (not failures; listed in KS_KNOWN_DEFECTS): ${this.knownDefects.length}`);
    if (canaried) lines.push(`  secret canary: ${canaried} secret(s) of this run looked for in ${CANARY_DIRS.join(', ')}`);
    for (const s of this.skipped.filter((x) => x.reason)) lines.push(`  skipped: ${s.test} — ${s.reason}`);
    for (const e of globalErrors) lines.push(`  global error: ${e.split('\n')[0]}`);
    process.stdout.write(lines.join('\n') + '\n');
    // "Not run" and unexplained skips leave Playwright's status at passed: the verdict overrides it.
    return result.status === 'passed' && !judged.accepted ? { status: 'failed' } : undefined;
  }
}

// Where a run writes (config outputDir, allure-playwright's resultsDir, reports/): the canary reads them all.
const CANARY_DIRS = ['test-results', process.env.ALLURE_RESULTS_DIR ?? 'allure-results', 'reports'];

function readJson(file: string): unknown {
  try { return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined; } catch { return undefined; }
}
