import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MutantJudgement } from '../lib/mutants/judgement.js';

/** One mutant's row of reports/mutants.json and of the printed table. */
export interface MutantRow extends MutantJudgement {
  id: string;
  breaks: string;
  mustFailAs: string;
  /** The Playwright command line the mutant ran with (projects, specs, grep). */
  ran: string[];
  seconds: number;
  /** Where the run's gate file, JSON results and log are. */
  outputDir: string;
}

export function renderMutantTable(rows: readonly MutantRow[]): string {
  const head = ['mutant', 'verdict', 'must fail as', 'first failing test (category)', 'time'];
  const body = rows.map((r) => [
    r.id, r.verdict, r.mustFailAs,
    r.failure ? `${shorten(testTitle(r.failure.test), 80)} (${r.failure.category})` : `- (${shorten(r.reason, 80)})`,
    `${r.seconds.toFixed(0)} s`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const killed = rows.filter((r) => r.verdict === 'killed').length;
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line), `mutants killed: ${killed}/${rows.length}`].join('\n') + '\n';
}

export function writeMutantsJson(file: string, rows: readonly MutantRow[], run: { startedAt: string; selection: string }): void {
  mkdirSync(dirname(file), { recursive: true });
  const killed = rows.filter((r) => r.verdict === 'killed').length;
  writeFileSync(file, JSON.stringify({ ...run, killed, total: rows.length, mutants: rows }, null, 2) + '\n');
}

/** The test's own title: the gate names a test "project › file › describe › title". */
function testTitle(gateName: string): string {
  return gateName.split(' › ').at(-1) ?? gateName;
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
