/**
 * Tallies RBAC cell results into the report's shape: per persona and per persona x concern,
 * allowed / denied / mismatched. Pure: reports/rbac-reporter.ts feeds it Playwright's results.
 */
export interface CellResult {
  id: string; op: string; persona: string; scope: 'in' | 'out'; rule: string;
  expected: number; allowed: boolean;
  /** Status Keystone answered, when the cell got that far. */
  actual?: number;
  passed: boolean;
  /** First line of the failure, when failed. */
  message?: string;
  /** The known-defects entry this cell's deviation reproduced (the cell passed as a known defect). */
  knownDefect?: string;
}
/** mismatched: the cell's judgement failed (status, effect, error body, something changed); errored: the cell failed for another reason (harness, setup, teardown). */
export interface Counts { allowed: number; denied: number; mismatched: number; errored: number }
export interface Mismatch { operation: string; persona: string; scope: string; expected: number; actual: number | string; rule: string; message: string }

export const concernOf = (op: string) => op.split('.')[0]!;

export function tally(results: readonly CellResult[]) {
  const perPersona: Record<string, Counts> = {};
  const table: Record<string, Record<string, Counts>> = {};
  const mismatches: Mismatch[] = [];
  for (const r of results) {
    const p = (perPersona[r.persona] ??= { allowed: 0, denied: 0, mismatched: 0, errored: 0 });
    const t = ((table[r.persona] ??= {})[concernOf(r.op)] ??= { allowed: 0, denied: 0, mismatched: 0, errored: 0 });
    // Mismatched: the cell's own judgement failed (spec: every such message starts "RBAC mismatch").
    const mismatched = !r.passed && (r.message ?? '').includes('RBAC mismatch');
    const k: keyof Counts = r.passed ? (r.allowed ? 'allowed' : 'denied') : mismatched ? 'mismatched' : 'errored';
    p[k]++; t[k]++;
    if (mismatched) {
      mismatches.push({ operation: r.op, persona: r.persona, scope: r.scope, expected: r.expected, actual: r.actual ?? 'no answer', rule: r.rule, message: r.message ?? '' });
    }
  }
  return { perPersona, table, mismatches };
}

/** persona x concern as an HTML table (the Allure run entry). */
export function tallyHtml(table: Record<string, Record<string, Counts>>): string {
  const concerns = [...new Set(Object.values(table).flatMap((x) => Object.keys(x)))].sort();
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!);
  const cell = (c?: Counts) => (c ? `${c.allowed}/${c.denied}/${c.mismatched ? `<b style="color:#c00">${c.mismatched}</b>` : 0}${c.errored ? ` (+${c.errored} errored)` : ''}` : '');
  return `<table border="1" cellpadding="3"><caption>allowed / denied / mismatched per persona x concern</caption><tr><th>persona</th>${concerns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr>${
    Object.entries(table).map(([p, row]) => `<tr><th>${esc(p)}</th>${concerns.map((c) => `<td>${cell(row[c])}</td>`).join('')}</tr>`).join('')}</table>`;
}
