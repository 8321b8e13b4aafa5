import { eventsOf, pairsOf, type HistoryLike } from '../history.js';
import { describe, verdict, type CheckResult } from './common.js';

type Child = Record<string, unknown>;

/**
 * Deleting a parent removes what references it: no read invoked after an acknowledged delete of a
 * project/user/role lists an assignment, credential or grant referencing it.
 * History shape: f 'delete' with invoke value { kind: 'project' | 'user' | 'role' | ..., id };
 * f 'read' whose ok value is an array of children flattened by the suite so that a child
 * references parent (kind, id) when child[kind] === id, e.g. { user, project, role }.
 * Every acknowledged delete needs a read after it, or the invariant was not checked; a history
 * with no acknowledged delete is invalid for the same reason.
 */
export function checkCascade(history: HistoryLike): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const deletes = pairs.filter((p) => p.invoke.f === 'delete' && p.outcome === 'ok');
  const reads = pairs.filter((p) => p.invoke.f === 'read' && p.outcome === 'ok');
  const violations: string[] = [];
  if (deletes.length === 0) violations.push('no delete acknowledged: nothing was checked');
  let orphans = 0;
  for (const d of deletes) {
    const { kind, id } = (d.invoke.value ?? {}) as { kind?: string; id?: unknown };
    const after = reads.filter((r) => r.start > d.end);
    if (!after.length) violations.push(`no read after ${kind} ${id} was deleted by ${describe(d)}: cascade not checked`);
    for (const r of after) {
      for (const child of (r.completion?.value as Child[] | undefined) ?? []) {
        if (kind === undefined || child?.[kind] !== id) continue;
        orphans++;
        violations.push(`${describe(r)} lists ${JSON.stringify(child)} referencing ${kind} ${id}, deleted by ${describe(d)}`);
      }
    }
  }
  return verdict('cascade', violations, { deletesAcked: deletes.length, reads: reads.length, orphans });
}

