import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Operation } from './operations.js';
import { OperationMatcher } from './path-template.js';

/** One request as the client's request log recorded it, tagged with the test that sent it. */
export interface ExercisedRequest {
  method: string;
  /** `/v3/...`, with or without query, base path or origin. */
  path: string;
  /** null when no response came back (timeout, reset): such a request does not cover anything. */
  status: number | null;
  testId: string;
  testTitle: string;
}

/** Operation id -> why it is acceptable that no test exercises it. */
export type JustifiedGaps = Readonly<Record<string, string>>;

export type CoverageState = 'covered' | 'justified' | 'uncovered';

export interface CoverageOperationRow {
  id: string;
  method: string;
  path: string;
  concern: string;
  state: CoverageState;
  extra: boolean;
  /** Titles of the tests that got a response from this operation. */
  tests: string[];
  statuses: number[];
  /** Some response was 2xx: the positive case ran, not only error paths. */
  positive: boolean;
  /** Writes only: a bad-input test (title "bad input" or "malformed") sent this operation a request. */
  badInput?: boolean;
  /** Tests that sent HEAD to this GET row (Keystone's implicit HEAD); not counted as covering the GET. */
  headTests?: string[];
  headStatuses?: number[];
  gap?: string;
  needsExternal?: string;
  note?: string;
}

export interface CoverageCounts {
  total: number;
  covered: number;
  justified: number;
  uncovered: number;
}

export interface UnmatchedRequest {
  method: string;
  path: string;
  count: number;
  reason: 'unknown-path' | 'method-not-documented';
  tests: string[];
}

export interface CoverageReport extends CoverageCounts {
  generatedAt: string;
  /** The api-ref rows only; `extras` summarises the rows flagged `extra`. */
  extras: CoverageCounts;
  byConcern: Record<string, CoverageCounts>;
  operations: CoverageOperationRow[];
  /** Requests no row describes: a missing table row or a test hitting something undocumented. */
  unmatched: UnmatchedRequest[];
  /** Justified gap ids that tests cover after all: the justification is stale. */
  /** POST/PUT/PATCH operations no bad-input test reached (body-less writes appear here too). */
  writesWithoutBadInput: string[];
  staleGaps: string[];
  /** Justified gap ids that name no operation (typos would otherwise hide a gap). */
  unknownGaps: string[];
}

export interface BuildOptions {
  now?: Date;
  /** Caps `unmatched` so one runaway test cannot bloat the report. */
  maxUnmatched?: number;
}

export function buildCoverageReport(
  operations: readonly Operation[],
  requests: readonly ExercisedRequest[],
  gaps: JustifiedGaps = {},
  opts: BuildOptions = {},
): CoverageReport {
  const matcher = new OperationMatcher(operations);
  const acc = new Map<string, { tests: Set<string>; statuses: Set<number>; headTests: Set<string>; headStatuses: Set<number>; badInput: boolean }>();
  for (const op of operations) acc.set(op.id, { tests: new Set(), statuses: new Set(), headTests: new Set(), headStatuses: new Set(), badInput: false });
  const unmatched = new Map<string, UnmatchedRequest & { testSet: Set<string> }>();

  for (const req of requests) {
    const title = req.testTitle || req.testId;
    const r = matcher.resolve(req.method, req.path);
    if (r.kind === 'matched') {
      const a = acc.get(r.operation.id)!;
      // Bad input that got no answer was still sent: the case exists (and its failure is reported).
      if (BAD_INPUT_TEST.test(title) && (req.status === null || req.status >= 400)) a.badInput = true;
      // A request without a response proves nothing about the operation.
      if (req.status === null) continue;
      if (r.viaHead) {
        a.headTests.add(title);
        a.headStatuses.add(req.status);
      } else {
        a.tests.add(title);
        a.statuses.add(req.status);
      }
      continue;
    }
    const path = r.kind === 'method-not-documented' ? r.path : (r.path ?? req.path.split(/[?#]/, 1)[0]!);
    const key = `${req.method.toUpperCase()} ${path}`;
    let u = unmatched.get(key);
    if (!u) {
      u = { method: req.method.toUpperCase(), path, count: 0, reason: r.kind, tests: [], testSet: new Set() };
      unmatched.set(key, u);
    }
    u.count++;
    u.testSet.add(title);
  }

  const ids = new Set(operations.map((op) => op.id));
  const rows: CoverageOperationRow[] = operations.map((op) => {
    const a = acc.get(op.id)!;
    const statuses = [...a.statuses].sort((x, y) => x - y);
    const covered = statuses.length > 0;
    const gap = gaps[op.id];
    const state: CoverageState = covered ? 'covered' : gap ? 'justified' : 'uncovered';
    const row: CoverageOperationRow = {
      id: op.id, method: op.method, path: op.path, concern: op.concern, state, extra: op.extra === true,
      tests: [...a.tests].sort(), statuses, positive: statuses.some((s) => s >= 200 && s < 300),
    };
    if (WRITE_METHODS.has(op.method)) row.badInput = a.badInput;
    if (a.headTests.size) {
      row.headTests = [...a.headTests].sort();
      row.headStatuses = [...a.headStatuses].sort((x, y) => x - y);
    }
    if (gap && !covered) row.gap = gap;
    if (op.needsExternal) row.needsExternal = op.needsExternal;
    if (op.note) row.note = op.note;
    return row;
  });

  const stateById = new Map(rows.map((r) => [r.id, r.state]));
  const apiRef = rows.filter((r) => !r.extra);
  const byConcern: Record<string, CoverageCounts> = {};
  for (const r of apiRef) tally((byConcern[r.concern] ??= zero()), r.state);

  const maxUnmatched = opts.maxUnmatched ?? 500;
  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    ...counts(apiRef),
    extras: counts(rows.filter((r) => r.extra)),
    byConcern,
    operations: rows,
    unmatched: [...unmatched.values()]
      .sort((a, b) => b.count - a.count || a.path.localeCompare(b.path))
      .slice(0, maxUnmatched)
      .map(({ testSet, ...u }) => ({ ...u, tests: [...testSet].sort() })),
    writesWithoutBadInput: rows.filter((r) => r.badInput === false).map((r) => r.id).sort(),
    staleGaps: Object.keys(gaps).filter((id) => stateById.get(id) === 'covered').sort(),
    unknownGaps: Object.keys(gaps).filter((id) => !ids.has(id)).sort(),
  };
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Bad-input tests say so in their titles ("bad input on POST …", "… reject malformed bodies …"). */
const BAD_INPUT_TEST = /bad input|malformed bod(?:y|ies)/i;

function zero(): CoverageCounts {
  return { total: 0, covered: 0, justified: 0, uncovered: 0 };
}

function tally(c: CoverageCounts, state: CoverageState): void {
  c.total++;
  c[state]++;
}

function counts(rows: readonly CoverageOperationRow[]): CoverageCounts {
  const c = zero();
  for (const r of rows) tally(c, r.state);
  return c;
}

export const DEFAULT_COVERAGE_FILE = 'reports/coverage.json';

/** Writes the report as pretty JSON (creating the directory) and returns the absolute path. */
export async function writeCoverageReport(report: CoverageReport, file: string = DEFAULT_COVERAGE_FILE): Promise<string> {
  const abs = resolve(file);
  await mkdir(dirname(abs), { recursive: true });
  await writeFile(abs, JSON.stringify(report, null, 2) + '\n', 'utf8');
  return abs;
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function pct(n: number, d: number): string {
  return d === 0 ? '-' : `${((100 * n) / d).toFixed(1)}%`;
}

/** A self-contained HTML page (inline CSS, no scripts) for attaching to Allure as text/html. */
export function renderCoverageHtml(report: CoverageReport, title = 'Keystone v3 API coverage'): string {
  const summary = (label: string, c: CoverageCounts) =>
    `<tr><th>${esc(label)}</th><td>${c.total}</td><td class="covered">${c.covered} (${pct(c.covered, c.total)})</td>` +
    `<td class="justified">${c.justified}</td><td class="uncovered">${c.uncovered}</td></tr>`;

  const concerns = Object.keys(report.byConcern);
  const concernRows = concerns.map((k) => summary(k, report.byConcern[k]!)).join('');

  const opRows = report.operations
    .map((r) => {
      const tests = r.tests.length ? `<ul>${r.tests.map((t) => `<li>${esc(t)}</li>`).join('')}</ul>` : '';
      const head = r.headTests?.length ? `<div class="muted">HEAD: ${esc(r.headTests.join(', '))} (${esc(r.headStatuses!.join(', '))})</div>` : '';
      const why = [r.gap && `gap: ${r.gap}`, r.needsExternal && `needs: ${r.needsExternal}`, r.note && `note: ${r.note}`]
        .filter(Boolean)
        .map((t) => `<div class="muted">${esc(t)}</div>`)
        .join('');
      return (
        `<tr class="${r.state}"><td>${esc(r.concern)}</td><td><code>${esc(r.id)}</code>${r.extra ? ' <span class="tag">extra</span>' : ''}</td>` +
        `<td><code>${esc(r.method)}</code></td><td><code>${esc(r.path)}</code></td><td>${esc(r.state)}${r.state === 'covered' && !r.positive ? ' <span class="tag">errors only</span>' : ''}</td>` +
        `<td>${esc(r.statuses.join(', '))}</td><td>${tests}${head}${why}</td></tr>`
      );
    })
    .join('\n');

  const unmatched = report.unmatched.length
    ? `<h2>Requests matching no operation (${report.unmatched.length})</h2><table><thead><tr><th>Method</th><th>Path</th><th>Reason</th><th>Count</th><th>Tests</th></tr></thead><tbody>` +
      report.unmatched
        .map((u) => `<tr><td><code>${esc(u.method)}</code></td><td><code>${esc(u.path)}</code></td><td>${esc(u.reason)}</td><td>${u.count}</td><td>${esc(u.tests.join(', '))}</td></tr>`)
        .join('') +
      '</tbody></table>'
    : '';

  const gapIssues = [
    report.writesWithoutBadInput.length && `<p>Writes no bad-input test reached (some take no body): ${report.writesWithoutBadInput.map((g) => `<code>${esc(g)}</code>`).join(', ')}</p>`,
    report.staleGaps.length && `<p>Stale justifications (covered after all): ${report.staleGaps.map((g) => `<code>${esc(g)}</code>`).join(', ')}</p>`,
    report.unknownGaps.length && `<p class="uncovered">Justifications naming no operation: ${report.unknownGaps.map((g) => `<code>${esc(g)}</code>`).join(', ')}</p>`,
  ]
    .filter(Boolean)
    .join('');

  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:16px;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:16px}
th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
thead th{background:#f3f3f3;position:sticky;top:0}
code{font:12px ui-monospace,monospace}
ul{margin:0;padding-left:16px}
.muted{color:#666;font-size:12px}
.tag{background:#eee;border-radius:3px;padding:0 4px;font-size:11px}
tr.covered td:nth-child(5),td.covered{color:#1a7f37}
tr.justified td:nth-child(5),td.justified{color:#9a6700}
tr.uncovered td:nth-child(5),td.uncovered,p.uncovered{color:#cf222e;font-weight:600}
</style></head><body>
<h1>${esc(title)}</h1>
<p class="muted">Generated ${esc(report.generatedAt)}. Counts are over the ${report.total} api-ref operations; extras are listed separately.</p>
<table><thead><tr><th></th><th>Total</th><th>Covered</th><th>Justified</th><th>Uncovered</th></tr></thead><tbody>
${summary('api-ref', report)}${summary('extras (not in api-ref)', report.extras)}
</tbody></table>
${gapIssues}
<h2>By concern</h2>
<table><thead><tr><th>Concern</th><th>Total</th><th>Covered</th><th>Justified</th><th>Uncovered</th></tr></thead><tbody>${concernRows}</tbody></table>
<h2>Operations</h2>
<table><thead><tr><th>Concern</th><th>Id</th><th>Method</th><th>Path</th><th>State</th><th>Statuses</th><th>Tests / notes</th></tr></thead><tbody>
${opRows}
</tbody></table>
${unmatched}
</body></html>
`;
}
