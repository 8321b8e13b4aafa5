import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RetryCoverageRow } from '../lib/workload/retry-coverage.js';

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** One scenario's rows as an HTML table (Allure attachment). */
export function renderRetryTable(title: string, rows: RetryCoverageRow[], databaseConflicts: number | null): string {
  const head = ['operation', 'requests', 'conflicts provoked', 'retries', 'retried → ok', 'leaks', 'conflicts as 4xx', 'other 5xx', 'timeouts', 'max retries / request', 'retried functions', 'leaking functions'];
  const body = rows.map((r) => `<tr${r.leaks ? ' style="background:#fdd"' : ''}>${[r.op, r.requests, r.conflictsProvoked, r.retries, r.retriedThenOk, r.leaks, r.conflictsAs4xx ?? 0, r.otherServerFailures, r.timeouts, r.maxRetriesOneRequest, r.retriedFunctions.join(', '), r.leakingFunctions.join(', ')].map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><style>td,th{border:1px solid #ccc;padding:3px 6px;font:13px sans-serif}table{border-collapse:collapse}</style>
<h3>${esc(title)}</h3><p>database-side conflicts logged in the window: ${esc(databaseConflicts ?? 'n/a')}</p>
<table><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr>\n${body}</table>`;
}

export interface MatrixRow extends RetryCoverageRow { scenarios: string[] }

/** Merges every scenario's rows (written by the workers) into one matrix per operation. */
export function mergeRetryRows(dir: string): MatrixRow[] {
  if (!existsSync(dir)) return [];
  const merged = new Map<string, MatrixRow>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const r = JSON.parse(line) as RetryCoverageRow & { scenario: string };
      const m = merged.get(r.op) ?? merged.set(r.op, { ...r, requests: 0, conflictsProvoked: 0, retries: 0, retriedThenOk: 0, leaks: 0, conflictsAs4xx: 0, otherServerFailures: 0, timeouts: 0, maxRetriesOneRequest: 0, retriedFunctions: [], leakingFunctions: [], leakedRequestIds: [], scenarios: [] }).get(r.op)!;
      m.requests += r.requests; m.conflictsProvoked += r.conflictsProvoked; m.retries += r.retries; m.retriedThenOk += r.retriedThenOk;
      m.leaks += r.leaks; m.conflictsAs4xx += r.conflictsAs4xx ?? 0; m.otherServerFailures += r.otherServerFailures; m.timeouts += r.timeouts ?? 0; m.maxRetriesOneRequest = Math.max(m.maxRetriesOneRequest, r.maxRetriesOneRequest);
      for (const x of r.retriedFunctions) if (!m.retriedFunctions.includes(x)) m.retriedFunctions.push(x);
      for (const x of r.leakingFunctions) if (!m.leakingFunctions.includes(x)) m.leakingFunctions.push(x);
      m.leakedRequestIds.push(...r.leakedRequestIds);
      if (!m.scenarios.includes(r.scenario)) m.scenarios.push(r.scenario);
    }
  }
  return [...merged.values()].sort((a, b) => b.leaks - a.leaks || a.op.localeCompare(b.op));
}

/** Writes reports/retry-coverage.json (and .html next to it); returns the leaking rows. */
export function writeRetryCoverage(rowsDir: string, file: string, meta: Record<string, unknown>): MatrixRow[] {
  const rows = mergeRetryRows(rowsDir);
  if (!rows.length) return [];
  mkdirSync(dirname(file), { recursive: true });
  const leaks = rows.filter((r) => r.leaks > 0);
  // Read committed raises no serialization failure: 0 leaks there says nothing about retries.
  const applicable = !/read.committed/i.test(String(meta.isolation ?? ''));
  writeFileSync(file, JSON.stringify({ ...meta, verdict: leaks.length ? 'fail' : applicable ? 'pass' : 'not-applicable', operations: rows }, null, 2));
  writeFileSync(file.replace(/\.json$/, '.html'), renderRetryTable('Retry coverage per operation', rows, null));
  return leaks;
}
