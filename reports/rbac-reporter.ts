import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { prefixOf } from './allure-dashboard.js';
import { writeAllureRunEntry } from './allure-summary.js';
import { tally, tallyHtml, type CellResult } from '../lib/rbac/tally.js';
import { KNOWN_DEFECT_ANNOTATION } from '../lib/conformance/known-defects.js';
import { MATRIX } from '../suites/rbac/matrix.js';

/**
 * Writes reports/rbac.json (per persona and persona x concern: allowed / denied / mismatched; each
 * mismatch with operation, persona, expected and actual status, policy rule), an Allure run entry
 * with the table, and prints cells run / passed / failed and wall time. Silent when no cell ran.
 */
export default class RbacReporter implements Reporter {
  private readonly results: CellResult[] = [];
  private policy = '';
  private started = Date.now();
  private cellBegun = false;
  constructor(private readonly options: { outputFile?: string } = {}) {}

  onBegin(): void { this.started = Date.now(); }

  /** The matrix's wall time starts with its first cell, not with the cluster's bring-up (a test of the `cluster` project). */
  onTestBegin(test: TestCase): void {
    if (!this.cellBegun && test.annotations.some((a) => a.type === 'rbac-cell')) {
      this.cellBegun = true;
      this.started = Date.now();
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    const cell = test.annotations.find((a) => a.type === 'rbac-cell')?.description;
    if (!cell || result.status === 'skipped') return;
    const c = JSON.parse(cell) as Omit<CellResult, 'passed' | 'actual' | 'message'> & { policy: string; persona: string };
    this.policy = c.policy;
    const all = [...test.annotations, ...((result as { annotations?: typeof test.annotations }).annotations ?? [])];
    const actual = all.find((a) => a.type === 'rbac-actual')?.description;
    const knownDefect = all.find((a) => a.type === KNOWN_DEFECT_ANNOTATION)?.description;
    const passed = result.status === test.expectedStatus;
    const message = passed ? undefined : (result.error?.message ?? result.status).replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0];
    this.results.push({ id: c.id, op: c.op, persona: c.persona, scope: c.scope, rule: c.rule, expected: c.expected, allowed: c.allowed, ...(actual ? { actual: Number(actual) } : {}), passed, ...(message ? { message } : {}), ...(knownDefect ? { knownDefect } : {}) });
  }

  onEnd(_result: FullResult): void {
    if (!this.results.length) return;
    const wallSeconds = Math.round((Date.now() - this.started) / 100) / 10;
    const { perPersona, table, mismatches } = tally(this.results);
    const passed = this.results.filter((r) => r.passed).length;
    const errored = this.results.filter((r) => !r.passed && !(r.message ?? '').includes('RBAC mismatch')).map((r) => ({ cell: r.id, message: r.message }));
    // Cells whose deviation the known-defects list names exactly: they pass (the tally still counts them by the table's allowed/denied), and are named here.
    const knownDefects = this.results.filter((r) => r.knownDefect).map((r) => ({ cell: r.id, defect: r.knownDefect! }));
    const notDriven = MATRIX.filter((e) => 'pending' in e).map((e) => ({ op: e.op, rule: (e as { rule?: string }).rule, why: (e as { pending: string }).pending }));
    const notApplicable = MATRIX.filter((e) => 'notApplicable' in e).map((e) => ({ op: e.op, why: (e as { notApplicable: string }).notApplicable }));
    const report = {
      policy: this.policy, cellsRun: this.results.length, passed, failed: this.results.length - passed, wallSeconds,
      perPersona, personaByConcern: table, mismatches, errored, knownDefects, notDriven, notApplicable,
    };
    const file = this.options.outputFile ?? process.env.KS_RBAC_FILE ?? 'reports/rbac.json';
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(report, null, 2));
    const entry = rbacRunEntry(report);
    writeAllureRunEntry(process.env.ALLURE_RESULTS_DIR ?? 'allure-results', 'rbac matrix', entry.status,
      [{ name: 'persona x concern', body: tallyHtml(table), type: 'text/html' }, { name: 'rbac.json', body: JSON.stringify(report, null, 2), type: 'application/json' }],
      `${report.cellsRun} cells (${this.policy} policies), ${passed} passed, ${mismatches.length} mismatched, ${errored.length} errored; ${notDriven.length} operations not driven yet, ${notApplicable.length} not applicable`,
      entry.message ? { message: entry.message, severity: entry.severity } : {});
    const lines = [`rbac: ${report.cellsRun} cells run (${this.policy}), ${passed} passed, ${report.failed} failed, wall ${wallSeconds} s -> ${file}`];
    for (const k of knownDefects) lines.push(`  known defect: ${k.defect}`);
    for (const e of errored.slice(0, 5)) lines.push(`  errored (not a policy mismatch): ${e.cell}: ${e.message}`);
    for (const m of mismatches.slice(0, 20)) lines.push(`  mismatch: ${m.operation} as ${m.persona} (${m.scope}): expected ${m.expected}, got ${m.actual} [${m.rule}]`);
    if (mismatches.length > 20) lines.push(`  ... ${mismatches.length - 20} more in ${file}`);
    process.stdout.write(lines.join('\n') + '\n');
  }
}

/**
 * The "rbac matrix" Allure entry's status and category: red whenever a cell failed (a cell that
 * errored before its policy could be judged is no pass either), filed under RBAC for a mismatch and
 * under harness when every failure is an error, so the Categories tab never shows it uncategorised.
 */
export function rbacRunEntry(report: { failed: number; mismatches: readonly { operation: string; persona: string; scope: string; expected: unknown; actual?: unknown; rule?: string }[]; errored: readonly { cell: string; message?: string }[] }): { status: 'passed' | 'failed'; message?: string; severity?: string } {
  if (!report.failed) return { status: 'passed' };
  const m = report.mismatches[0];
  if (m) return { status: 'failed', severity: 'critical', message: `${prefixOf('rbac')}${report.mismatches.length} cell(s) mismatched, first: ${m.operation} as ${m.persona} (${m.scope}): expected ${m.expected}, got ${m.actual ?? '?'} [${m.rule ?? '?'}]` };
  const e = report.errored[0];
  return { status: 'failed', severity: 'trivial', message: `${prefixOf('harness')}${report.failed} cell(s) failed before their policy was judged${e ? `, first: ${e.cell}: ${e.message ?? ''}` : ''}` };
}
