import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { describe, finalRead, invokeValue, verdict, type CheckResult } from './common.js';

/**
 * Every create acknowledged before the final read began is listed exactly once; unknown outcomes
 * may be listed or not; nothing is listed that no create (still possibly effective) asked for.
 * History shape: f 'create' with invoke value { name } (names unique per create); f 'read' whose
 * ok value is an array of { name }, scoped by the suite to the entities this workload owns.
 * A history with no create acknowledged before the read is invalid: nothing was checked.
 */
export function checkNoLostInsert(history: HistoryLike): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const read = finalRead(pairs);
  if (!read) return verdict('no-lost-insert', ['no acknowledged final read']);

  const creates = new Map<string, OpPair[]>();
  for (const p of pairs) {
    if (p.invoke.f !== 'create') continue;
    const name = String(invokeValue<{ name: string }>(p).name);
    creates.set(name, [...(creates.get(name) ?? []), p]);
  }
  const listed = new Map<string, number>();
  for (const row of (read.completion?.value as Array<{ name?: string }> | undefined) ?? []) {
    listed.set(String(row?.name), (listed.get(String(row?.name)) ?? 0) + 1);
  }

  const violations: string[] = [];
  // Only a create acknowledged before the read began can be found lost: without one, nothing was checked.
  if (![...creates.values()].flat().some((p) => p.outcome === 'ok' && p.end < read.start)) violations.push(`no create acknowledged before ${describe(read)} began: nothing was checked`);
  const counts = { acked: 0, unknown: 0, failed: 0, listed: listed.size, lost: 0, phantom: 0, duplicated: 0 };
  for (const group of creates.values()) for (const p of group) counts[p.outcome === 'ok' ? 'acked' : p.outcome === 'info' ? 'unknown' : 'failed']++;

  for (const [name, group] of creates) {
    const ackedBeforeRead = group.find((p) => p.outcome === 'ok' && p.end < read.start);
    if (ackedBeforeRead && !listed.has(name)) {
      counts.lost++;
      violations.push(`lost insert: '${name}' acknowledged by ${describe(ackedBeforeRead)} but absent from ${describe(read)}`);
    }
  }
  for (const [name, n] of listed) {
    if (n > 1) { counts.duplicated++; violations.push(`'${name}' listed ${n} times in ${describe(read)}`); }
    // Only creates invoked before the read finished could show up in it.
    const possible = (creates.get(name) ?? []).filter((p) => p.start < read.end);
    if (possible.some((p) => p.outcome !== 'fail')) continue;
    counts.phantom++;
    violations.push(possible.length
      ? `'${name}' listed although its create failed: ${possible.map(describe).join('; ')}`
      : `'${name}' listed but never created by this workload`);
  }
  return verdict('no-lost-insert', violations, counts);
}
