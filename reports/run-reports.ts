import { join } from 'node:path';
import { renderCoverageHtml } from '../lib/coverage/coverage-report.js';
import { writeAllureRunEntry } from './allure-summary.js';
import { prefixOf } from './allure-dashboard.js';
import { judgeCoverage, type CoverageJudgement } from './coverage-verdict.js';
import { writeRunCoverage } from './coverage-writer.js';
import { renderRetryTable, writeRetryCoverage } from './retry-coverage-report.js';
import { describeLeak } from '../lib/workload/retry-coverage.js';
import { describeInjectedLeak } from '../lib/workload/injected-retry-matrix.js';
import { renderInjectionTable, writeRetryInjection } from './retry-injection-report.js';

const OUT = join(process.cwd(), 'reports', 'out');

/**
 * Run-wide reports written at the end of the run, before the gate reporter's verdict reads them:
 * reports/coverage.json and reports/retry-coverage.json, each also shown in Allure. Called by
 * the gate reporter at the end of the run, once every worker has written its rows.
 */
export async function writeRunReports(info: { backend: string; keystoneVariant: string; databaseIsolation?: string; fullConformanceRun: boolean }): Promise<CoverageJudgement | undefined> {
  const allureDir = process.env.ALLURE_RESULTS_DIR ?? 'allure-results';
  const coverage = await writeRunCoverage(join(OUT, 'requests'));
  // A slice covers part of the api-ref by design: informational (skipped), never red; a full run judges it.
  const judged = coverage ? judgeCoverage(coverage, info.fullConformanceRun) : undefined;
  if (coverage && judged) {
    writeAllureRunEntry(allureDir, 'api coverage', judged.status, [
      { name: 'coverage.html', body: renderCoverageHtml(coverage), type: 'text/html' },
    ], judged.summary, { message: judged.failure ? `${prefixOf('contract')}${judged.failure}` : judged.summary, severity: 'normal' });
  }
  const injected = writeRetryInjection(OUT);
  if (injected) {
    const leaking = injected.rows.filter((r) => r.leaks || r.leaksAs4xx);
    const text = [`${injected.injections} conflicts injected; ${injected.writes.injected} of ${injected.writes.total} api-ref write operations met one`,
      ...(leaking.length ? leaking.map(describeInjectedLeak) : ['no injected conflict leaked']), ...injected.verdict.reasons.filter((r) => !r.startsWith('leak:'))].join('\n');
    writeAllureRunEntry(allureDir, 'retry coverage under injected conflicts', injected.verdict.pass ? 'passed' : 'failed', [
      { name: 'retry-injection.html', body: renderInjectionTable(injected), type: 'text/html' },
    ], text, injected.verdict.pass ? {} : { message: `${prefixOf(leaking.length ? 'leaked-conflict' : 'harness')}${text}`, severity: leaking.length ? 'critical' : 'trivial' });
  }
  const meta = { backend: info.backend, keystone: info.keystoneVariant, isolation: info.databaseIsolation ?? null, generatedAt: new Date().toISOString() };
  const leaks = writeRetryCoverage(join(OUT, 'retry-coverage'), 'reports/retry-coverage.json', meta);
  const rows = (await import('./retry-coverage-report.js')).mergeRetryRows(join(OUT, 'retry-coverage'));
  if (rows.length) {
    // Read committed raises no serialization failure: no leak there is "not applicable", never a pass.
    const applicable = !/read.committed/i.test(info.databaseIsolation ?? '');
    const text = leaks.length ? leaks.map(describeLeak).join('\n') : applicable ? 'no conflict leaked' : 'not applicable: read committed raises no serialization failure';
    writeAllureRunEntry(allureDir, 'retry coverage', leaks.length ? 'failed' : applicable ? 'passed' : 'skipped', [
      { name: 'retry-coverage.html', body: renderRetryTable(`Retry coverage (${info.keystoneVariant}, ${info.backend})`, rows, null), type: 'text/html' },
    ], text, leaks.length ? { message: `${prefixOf('leaked-conflict')}${text}`, severity: 'critical' } : {});
  }
  return judged;
}
