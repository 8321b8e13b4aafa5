/**
 * Writers of the backend x latency table (`npm run compare`, lib/load/compare.ts): the printed
 * table, reports/compare.json, and an Allure run entry with the table and two charts
 * (throughput, p95) drawn by reports/charts.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompareReport, CompareRow } from '../lib/load/compare.js';
import { writeAllureRunEntry } from './allure-summary.js';
import { comparisonChart, comparisonTable, htmlPage, type ComparisonMatrix, type Table } from './charts/index.js';

export const COMPARE_COLUMNS = ['backend', 'latency', 'scenario', 'ok/n', 'it/s', 'p50 s', 'p95 s', 'errors', 'db conflicts', 'ks retries', 'leaks'] as const;

const num = (v: number | null, digits: number): string => (v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(digits));

/** A row's cells, as printed and as in the HTML table. */
export function compareCells(r: CompareRow): string[] {
  return [
    r.backend, `${r.latencyMs} ms`, r.scenario,
    `${r.ok}/${r.iterations}${r.cut ? ` (${r.cut} cut)` : ''}`,
    num(r.throughput, 3), num(r.p50S, 2), num(r.p95S, 2),
    String(r.errors), r.databaseConflicts === null ? 'n/a' : String(r.databaseConflicts), String(r.keystoneRetries), String(r.leaks),
  ];
}

/** Plain text: columns padded to their widest cell, numbers right-aligned; then one line per backend not run. */
export function renderCompareTable(rows: readonly CompareRow[], notRun: CompareReport['notRun'] = []): string {
  const head = [...COMPARE_COLUMNS];
  const body = rows.map(compareCells);
  const right = new Set([1, 3, 4, 5, 6, 7, 8, 9, 10]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), ...body.map(line)];
  if (!rows.length) out.push('(no cell was measured)');
  for (const n of notRun) out.push(`${n.backend}: not run: ${n.reason}`);
  return out.join('\n');
}

/** The two charts' matrices: rows `scenario @ latency`, one bar per backend. */
export function compareMatrices(rows: readonly CompareRow[]): { throughput: ComparisonMatrix; p95: ComparisonMatrix } {
  const backends = [...new Set(rows.map((r) => r.backend))];
  const cells = [...new Set(rows.map((r) => `${r.scenario} @ ${r.latencyMs} ms`))];
  const value = (cell: string, backend: string, f: (r: CompareRow) => number | null) => {
    const r = rows.find((x) => x.backend === backend && `${x.scenario} @ ${x.latencyMs} ms` === cell);
    return r ? f(r) : null;
  };
  const matrix = (metric: string, f: (r: CompareRow) => number | null, better: 'higher' | 'lower'): ComparisonMatrix => ({
    title: 'Keystone by backend and injected one-way latency', metric, rows: cells, columns: backends, better,
    values: cells.map((c) => backends.map((b) => value(c, b, f))),
  });
  return {
    throughput: matrix('successful iterations per second', (r) => (r.ok ? Number(r.throughput.toFixed(4)) : null), 'higher'),
    p95: matrix('p95 iteration duration (s)', (r) => (r.p95S === null ? null : Number(r.p95S.toFixed(3))), 'lower'),
  };
}

function method(report: CompareReport): string {
  const o = report.options;
  return [
    `Keystone ${report.keystone.variant}, ${report.keystone.uwsgiProcesses} uwsgi processes per API node, password_hash_rounds ${report.keystone.passwordHashRounds}; PostgreSQL ${report.keystone.pgIsolation}.`,
    `Each scenario: constant runner, ${o.times} iterations at concurrency ${o.concurrency}, iterations spread round-robin over every Keystone API node of the cluster, bounded at ${o.cellTimeoutS} s per cell; client timeout ${o.requestTimeoutS} s per request (uwsgi's harakiri ends a request at 120 s).`,
    'One cluster per backend; the latencies are stepped on it. PostgreSQL: on the Keystone-database link (SQL fault proxy); Galera: between every pair of database nodes (replication proxies); CockroachDB: on each Keystone-database link (its topology has no proxy between nodes).',
    'it/s: successful iterations per second of the runner\'s wall time. p50/p95: Rally\'s interpolated percentile over every finished iteration. errors: failed iterations; cut: stopped by the bound.',
    'db conflicts: PostgreSQL 40001/40P01 log lines; Galera wsrep_local_cert_failures + wsrep_local_bf_aborts, summed over nodes; CockroachDB txn restarts + aborts. ks retries: oslo.db "Performing DB retry" lines of the run\'s requests (by request id). leaks: requests answered 5xx/no answer/4xx with a conflict in Keystone\'s log.',
    `Machine load average (1, 5, 15 min) at start ${report.loadAverage.start.join(', ')}, at end ${report.loadAverage.end.join(', ')}.`,
  ].join('\n');
}

export function compareHtml(report: CompareReport): { html: string; svgs: string[] } {
  const m = compareMatrices(report.rows);
  const svgs = report.rows.length ? [comparisonChart({ ...m.throughput, scale: 'row' }), comparisonChart({ ...m.p95, scale: 'row' })] : [];
  const table: Table = { caption: 'One row per (backend, latency, scenario)', columns: [...COMPARE_COLUMNS], rows: report.rows.map(compareCells) };
  const notRun: Table = { caption: 'Not run', columns: ['backend', 'reason'], rows: report.notRun.map((n) => [n.backend, n.reason]) };
  const html = htmlPage('Backend x latency (npm run compare)', [
    { title: 'Table', note: method(report), tables: [table, ...(report.notRun.length ? [notRun] : [])] },
    ...(svgs.length ? [{ title: 'Charts', note: 'Bars are scaled per row; the tables give ratios to the best backend of the row.', svgs, tables: [comparisonTable(m.throughput), comparisonTable(m.p95)] }] : []),
    ...(report.problems.length ? [{ title: 'Problems', note: report.problems.join('\n') }] : []),
  ]);
  return { html, svgs };
}

/** reports/compare.json (whole or not at all) and, with `allureDir`, one Allure run entry. */
export function writeCompareReport(file: string, report: CompareReport, allureDir?: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(report, null, 2) + '\n');
  renameSync(tmp, file);
  if (!allureDir) return;
  const { html, svgs } = compareHtml(report);
  const status = report.rows.length === 0 ? 'failed' : report.problems.length ? 'failed' : 'passed';
  writeAllureRunEntry(allureDir, 'backend x latency', status, [
    { name: 'compare.html', body: html, type: 'text/html' },
    ...svgs.map((body, i) => ({ name: i === 0 ? 'throughput.svg' : 'p95.svg', body, type: 'image/svg+xml' as const })),
    { name: 'compare.json', body: JSON.stringify(report, null, 2), type: 'application/json' },
  ], `npm run compare: ${report.rows.length} rows${report.notRun.length ? `; not run: ${report.notRun.map((n) => n.backend).join(', ')}` : ''}`,
  { descriptionHtml: html.replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, ''), ...(status === 'failed' ? { message: report.problems[0] ?? 'no cell was measured' } : {}) });
}
