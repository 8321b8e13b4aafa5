import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { describe, finalRead, invokeValue, verdict, type CheckResult } from './common.js';

/**
 * Concurrent creates of one name: exactly one 201, every other create a 409 (unknown outcomes
 * allowed), and exactly one row of that name in the final read.
 * History shape: f 'create' with invoke value { name }; f 'read' whose ok value is an array of { name }.
 */
export function checkUniqueName(history: HistoryLike): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const creates = pairs.filter((p) => p.invoke.f === 'create');
  const read = finalRead(pairs);
  const violations: string[] = [];
  const counts = { creates: creates.length, ok: 0, conflict: 0, unknown: 0, otherFail: 0, names: 0 };
  if (creates.length === 0) violations.push('no create in the history: nothing was checked');
  if (!read) violations.push('no acknowledged final read');

  const byName = new Map<string, OpPair[]>();
  for (const p of creates) {
    const name = String(invokeValue<{ name: string }>(p).name);
    byName.set(name, [...(byName.get(name) ?? []), p]);
  }
  counts.names = byName.size;

  for (const [name, group] of byName) {
    const acked = group.filter((p) => p.outcome === 'ok');
    const conflicts = group.filter((p) => p.outcome === 'fail' && p.completion?.status === 409);
    // A fail with no status never reached Keystone (refused connection): it says nothing about the name.
    const otherFails = group.filter((p) => p.outcome === 'fail' && p.completion?.status !== undefined && p.completion.status !== 409);
    const unknown = group.filter((p) => p.outcome === 'info');
    counts.ok += acked.length; counts.conflict += conflicts.length; counts.unknown += unknown.length; counts.otherFail += otherFails.length;

    if (acked.length > 1) violations.push(`name '${name}': ${acked.length} creates acknowledged: ${acked.map(describe).join('; ')}`);
    if (acked.length === 0 && unknown.length === 0) violations.push(`name '${name}': no create succeeded (${group.length} attempted)`);
    for (const p of acked) if (p.completion?.status !== undefined && p.completion.status !== 201) violations.push(`name '${name}': create acknowledged with ${p.completion.status}, expected 201: ${describe(p)}`);
    for (const p of otherFails) violations.push(`name '${name}': losing create answered ${p.completion?.status}, expected 409: ${describe(p)}`);

    if (!read) continue;
    const rows = ((read.completion?.value as Array<{ name?: string }> | undefined) ?? []).filter((r) => r?.name === name).length;
    // A row must exist once a create was acked before the read began, or once any 409 proved one existed.
    const mustExist = acked.some((p) => p.end < read.start) || conflicts.some((p) => p.end < read.start);
    if (rows > 1) violations.push(`name '${name}': ${rows} rows in the final read ${describe(read)}`);
    else if (rows === 0 && mustExist) violations.push(`name '${name}': no row in the final read ${describe(read)} although a create was acknowledged or conflicted`);
  }
  return verdict('unique-name', violations, counts);
}
