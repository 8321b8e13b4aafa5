import { defineConfig } from '@playwright/test';
import { shardDir, shardOf } from './reports/merge-shards.js';

/**
 * One run, several projects. Everything but `selftest` talks to a real Keystone that global setup
 * brings up (or reaches, with KS_TARGET=external). Retries stay 0: a flaky test is a bug.
 */
const RESULTS_JSON = process.env.PW_JSON ?? 'reports/out/results.json';
// --shard=i/n: Allure results and a blob report per shard in reports/shards/shard-i-of-n/, for `npm run merge`
// (set in the main process, before workers start; workers inherit it and see no --shard themselves).
const SHARD = process.argv.includes('--list') ? undefined : shardOf(process.argv); // --list runs no test: no shard output
if (SHARD) process.env.ALLURE_RESULTS_DIR ??= `${shardDir(SHARD)}/allure-results`;

export default defineConfig({
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 10 * 60_000,
  expect: { timeout: 10_000 },
  // Keystone serves a few requests per second on 2 cores: more workers only queue in uwsgi.
  workers: Number(process.env.KS_WORKERS ?? 2),
  globalSetup: './fixtures/global-setup.ts',
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
    // One test at a time: parallel tests make stock Keystone's conflict leaks (measured by the
    // concurrency project) show up at random as dropped requests in contract checks.
    { name: 'conformance', testDir: 'suites/conformance', workers: Number(process.env.KS_CONFORMANCE_WORKERS ?? 1) },
    // The persona x operation table (suites/rbac/matrix.ts); run it on a cluster started with
    // KS_ENFORCE_SCOPE=true (both oslo_policy flags) for the secure set.
    { name: 'rbac', testDir: 'suites/rbac' },
    { name: 'concurrency', testDir: 'suites/concurrency' },
    { name: 'chaos', testDir: 'suites/chaos' },
    { name: 'load', testDir: 'suites/load' },
  ],
});
