import { outcomeClass } from '../conformance/server-error.js';
import { describeDefect, judgeCheck, type KnownDefect } from '../conformance/known-defects.js';
import { describeMismatch, type Cell, type PolicySet } from './expectations.js';

/**
 * The check texts a known-defect entry of an RBAC cell lists in `cases`: `status` (the answered
 * status) and `rule` (the rule a policy 403 names). A cell's id is the same under both policy sets,
 * so the check a cell runs carries the set (`status [secure]`): an entry listing `status` covers
 * both sets, one listing `status [secure]` only the secure set.
 */
export const CELL_STATUS_CHECK = 'status';
export const CELL_RULE_CHECK = 'rule';
const checkText = (check: string, policy: PolicySet | undefined) => (policy ? `${check} [${policy}]` : check);

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

export function judgeCellStatus(cell: Pick<Cell, 'op' | 'persona' | 'scope' | 'rule' | 'status'>, actual: number, defects: readonly KnownDefect[], testId: string | undefined, policy?: PolicySet): CellStatusJudgement {
  const ok = actual === cell.status;
  const observed = outcomeClass(actual);
  const j = judgeCheck(defects, testId, checkText(CELL_STATUS_CHECK, policy), ok, observed);
  if (j.kind === 'stale') return { kind: 'stale', message: `${cell.op} as ${cell.persona.id} (${cell.scope}): listed as a known defect (${j.defect.defect}), but Keystone now answers ${actual} as the table expects: remove the entry` };
  if (ok) return { kind: 'as-table' };
  if (j.kind === 'known') return { kind: 'known', annotation: `${cell.op} as ${cell.persona.id} (${cell.scope}): expected ${cell.status}, got ${actual} [policy ${cell.rule}]; ${describeDefect(j.defect)}` };
  const listed = j.kind === 'other-outcome' ? ` (listed as a known defect with outcome ${j.defect.outcome}, but this is ${observed}: a different defect)` : '';
  return { kind: 'mismatch', message: `${describeMismatch(cell, actual)}${listed}` };
}

/**
 * How a policy refusal's error body is judged: Keystone's ForbiddenAction names the rule it
 * enforced, which must be the row's rule. A Keystone that enforces another rule for the operation
 * (so an operator's override of the documented rule has no effect there) is a mismatch, unless the
 * known-defects list names this cell with check `rule` and outcome `wrong-value`.
 */
export function judgeCellRule(cell: Pick<Cell, 'op' | 'persona' | 'scope' | 'rule' | 'status'>, message: unknown, defects: readonly KnownDefect[], testId: string | undefined, policy?: PolicySet): CellStatusJudgement {
  const text = typeof message === 'string' ? message : JSON.stringify(message ?? null);
  const ok = typeof message === 'string' && message.includes(cell.rule);
  const j = judgeCheck(defects, testId, checkText(CELL_RULE_CHECK, policy), ok, 'wrong-value');
  const where = `${cell.op} as ${cell.persona.id} (${cell.scope})`;
  if (j.kind === 'stale') return { kind: 'stale', message: `${where}: listed as a known defect (${j.defect.defect}), but Keystone's 403 now names ${cell.rule} as the table expects: remove the entry` };
  if (ok) return { kind: 'as-table' };
  const said = `the ${cell.status} names another rule than ${cell.rule}: ${text.slice(0, 200)}`;
  if (j.kind === 'known') return { kind: 'known', annotation: `${where}: ${said}; ${describeDefect(j.defect)}` };
  const listed = j.kind === 'other-outcome' ? ` (listed as a known defect with outcome ${j.defect.outcome}, but this is wrong-value: a different defect)` : '';
  return { kind: 'mismatch', message: `${describeMismatch(cell, `${cell.status} but ${said}`)}${listed}` };
}
