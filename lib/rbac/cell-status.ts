import { outcomeClass } from '../conformance/server-error.js';
import { describeDefect, judgeCheck, type KnownDefect } from '../conformance/known-defects.js';
import { describeMismatch, type Cell } from './expectations.js';

/** The check text a known-defect entry of an RBAC cell lists in `cases`. */
export const CELL_STATUS_CHECK = 'status';

/**
 * How one cell's answered status is judged against the table and the known-defects list: as the
 * table says; a mismatch (the message starts "RBAC mismatch", which the tally counts); a listed
 * Keystone deviation that reproduced exactly as listed (test id, check `status`, outcome class);
 * or a stale entry (listed, but Keystone now answers as the table says: remove the entry).
 * The table is never bent: a deviation is listed as a defect of the Keystone under test.
 */
export type CellStatusJudgement =
  | { kind: 'as-table' }
  | { kind: 'mismatch'; message: string }
  | { kind: 'known'; annotation: string }
  | { kind: 'stale'; message: string };

export function judgeCellStatus(cell: Pick<Cell, 'op' | 'persona' | 'scope' | 'rule' | 'status'>, actual: number, defects: readonly KnownDefect[], testId: string | undefined): CellStatusJudgement {
  const ok = actual === cell.status;
  const observed = outcomeClass(actual);
  const j = judgeCheck(defects, testId, CELL_STATUS_CHECK, ok, observed);
  if (j.kind === 'stale') return { kind: 'stale', message: `${cell.op} as ${cell.persona.id} (${cell.scope}): listed as a known defect (${j.defect.defect}), but Keystone now answers ${actual} as the table expects: remove the entry` };
  if (ok) return { kind: 'as-table' };
  if (j.kind === 'known') return { kind: 'known', annotation: `${cell.op} as ${cell.persona.id} (${cell.scope}): expected ${cell.status}, got ${actual} [policy ${cell.rule}]; ${describeDefect(j.defect)}` };
  const listed = j.kind === 'other-outcome' ? ` (listed as a known defect with outcome ${j.defect.outcome}, but this is ${observed}: a different defect)` : '';
  return { kind: 'mismatch', message: `${describeMismatch(cell, actual)}${listed}` };
}
