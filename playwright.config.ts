import { defineConfig } from '@playwright/test';
import { shardDir, shardOf } from './reports/merge-shards.js';

/**
 * One run, several projects. Everything but `selftest` talks to a real Keystone that the `cluster`
 * setup project brings up (or reaches, with KS_TARGET=external) and `cluster teardown` checks for
 * leaks and removes: Playwright runs them exactly when a project that depends on them runs, in every
 * shard, and shows bring-up and teardown in the reports as tests with a step per phase. `selftest`
 * depends on nothing, so `--project=selftest` starts no cluster. Retries stay 0: a flaky test is a bug.
 */
const RESULTS_JSON = process.env.PW_JSON ?? 'reports/out/results.json';
// --shard=i/n: Allure results and a blob report per shard in reports/shards/shard-i-of-n/, for `npm run merge`
// (set in the main process, before workers start; workers inherit it and see no --shard themselves).
const SHARD = process.argv.includes('--list') ? undefined : shardOf(process.argv); // --list runs no test: no shard output
if (SHARD) process.env.ALLURE_RESULTS_DIR ??= `${shardDir(SHARD)}/allure-results`;
// As global setup and teardown had: no time limit (a cold image build or a Galera or CockroachDB
// topology on 2 cores takes what it takes; CI's job timeout bounds it).
const CLUSTER_TIMEOUT = 0;

export default defineConfig({
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 10 * 60_000,
  expect: { timeout: 10_000 },
  // Keystone serves a few requests per second on 2 cores: more workers only queue in uwsgi.
  workers: Number(process.env.KS_WORKERS ?? 2),
  // Only the runner's safety net: SIGINT/SIGTERM and exit remove the run's containers (fixtures/run-guard.ts).
  globalSetup: './fixtures/run-guard.ts',
  outputDir: 'test-results',
  reporter: [
    ['list'],
    ['json', { outputFile: RESULTS_JSON }],
    ['junit', { outputFile: process.env.PW_JUNIT ?? 'reports/out/junit.xml' }],
    ['allure-playwright', { resultsDir: process.env.ALLURE_RESULTS_DIR ?? 'allure-results', detail: false, environmentInfo: { node: process.version, target: process.env.KS_TARGET ?? 'embedded', backend: process.env.KS_BACKEND ?? 'postgres', keystone: process.env.KS_KEYSTONE_PATCH ? `patched: ${process.env.KS_KEYSTONE_PATCH}` : process.env.KS_KEYSTONE_IMAGE ?? 'stock' } }],
    ['./reports/rbac-reporter.ts', { outputFile: process.env.KS_RBAC_FILE ?? 'reports/rbac.json' }],
    ['./reports/gate-reporter.ts', { outputFile: process.env.KS_GATE_FILE ?? 'reports/gate.json' }],
    ['./reports/summary-line-reporter.ts', { jsonFile: RESULTS_JSON }],
    ...(SHARD ? [['blob', { outputDir: `${shardDir(SHARD)}/blob`, fileName: `report-${SHARD.current}-of-${SHARD.total}.zip` }] as const] : []),
  ],
  // Every project here must have tests: the gate fails a selected project with none, and a full
  // gate fails a project no phase runs (reports/verdict.ts).
  projects: [
    { name: 'selftest', testDir: 'selftest' },
    // Support projects, not gate phases (lib/config/cli-projects.ts supportProjects): they run when
    // a project that depends on them does, and --grep or file filters never thin them out.
    // `default: false`: a run without --project does not make them top-level projects either.
    { name: 'cluster', testDir: 'fixtures', testMatch: 'cluster.setup.ts', teardown: 'cluster teardown', default: false, timeout: CLUSTER_TIMEOUT },
    { name: 'cluster teardown', testDir: 'fixtures', testMatch: 'cluster.teardown.ts', default: false, timeout: CLUSTER_TIMEOUT },
    { name: 'chaos preflight', testDir: 'fixtures', testMatch: 'chaos.preflight.ts', default: false },
    // One test at a time: parallel tests make stock Keystone's conflict leaks (measured by the
    // concurrency project) show up at random as dropped requests in contract checks.
    { name: 'conformance', testDir: 'suites/conformance', workers: Number(process.env.KS_CONFORMANCE_WORKERS ?? 1), dependencies: ['cluster'] },
    // The persona x operation table (suites/rbac/matrix.ts); run it on a cluster started with
    // KS_ENFORCE_SCOPE=true (both oslo_policy flags) for the secure set.
    { name: 'rbac', testDir: 'suites/rbac', dependencies: ['cluster'] },
    { name: 'concurrency', testDir: 'suites/concurrency', dependencies: ['cluster'] },
    { name: 'chaos', testDir: 'suites/chaos', dependencies: ['chaos preflight', 'cluster'] },
    { name: 'load', testDir: 'suites/load', dependencies: ['cluster'] },
  ],
});
