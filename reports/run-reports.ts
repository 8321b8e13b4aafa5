import { join } from 'node:path';
import { renderCoverageHtml } from '../lib/coverage/coverage-report.js';
import { writeAllureRunEntry } from './allure-summary.js';
import { writeRunCoverage } from './coverage-writer.js';
import { renderRetryTable, writeRetryCoverage } from './retry-coverage-report.js';
import { describeLeak } from '../lib/workload/retry-coverage.js';
import { describeInjectedLeak } from '../lib/workload/injected-retry-matrix.js';
import { renderInjectionTable, writeRetryInjection } from './retry-injection-report.js';

const OUT = join(process.cwd(), 'reports', 'out');

/**
 * Run-wide reports written at global teardown, before the gate reporter's verdict reads them:
 * reports/coverage.json and reports/retry-coverage.json, each also shown in Allure. Called by
 * the gate reporter at the end of the run, once every worker has written its rows.
 */
export async function writeRunReports(info: { backend: string; keystoneVariant: string; databaseIsolation?: string }): Promise<void> {
  const allureDir = process.env.ALLURE_RESULTS_DIR ?? 'allure-results';
  const coverage = await writeRunCoverage(join(OUT, 'requests'));
  if (coverage) {
    writeAllureRunEntry(allureDir, 'api coverage', coverage.uncovered ? 'failed' : 'passed', [
      { name: 'coverage.html', body: renderCoverageHtml(coverage), type: 'text/html' },
    ], `${coverage.covered} covered, ${coverage.justified} justified, ${coverage.uncovered} uncovered of ${coverage.total} api-ref operations`);
  }
  const injected = writeRetryInjection(OUT);
  if (injected) {
    const leaking = injected.rows.filter((r) => r.leaks || r.leaksAs4xx);
    writeAllureRunEntry(allureDir, 'retry coverage under injected conflicts', injected.verdict.pass ? 'passed' : 'failed', [
      { name: 'retry-injection.html', body: renderInjectionTable(injected), type: 'text/html' },
    ], [`${injected.injections} conflicts injected; ${injected.writes.injected} of ${injected.writes.total} api-ref write operations met one`,
      ...(leaking.length ? leaking.map(describeInjectedLeak) : ['no injected conflict leaked']), ...injected.verdict.reasons.filter((r) => !r.startsWith('leak:'))].join('\n'));
  }
  const meta = { backend: info.backend, keystone: info.keystoneVariant, isolation: info.databaseIsolation ?? null, generatedAt: new Date().toISOString() };
  const leaks = writeRetryCoverage(join(OUT, 'retry-coverage'), 'reports/retry-coverage.json', meta);
  const rows = (await import('./retry-coverage-report.js')).mergeRetryRows(join(OUT, 'retry-coverage'));
  if (rows.length) {
    // Read committed raises no serialization failure: no leak there is "not applicable", never a pass.
    const applicable = !/read.committed/i.test(info.databaseIsolation ?? '');
    writeAllureRunEntry(allureDir, 'retry coverage', leaks.length ? 'failed' : applicable ? 'passed' : 'skipped', [
      { name: 'retry-coverage.html', body: renderRetryTable(`Retry coverage (${info.keystoneVariant}, ${info.backend})`, rows, null), type: 'text/html' },
    ], leaks.length ? leaks.map(describeLeak).join('\n') : applicable ? 'no conflict leaked' : 'not applicable: read committed raises no serialization failure');
  }
}
