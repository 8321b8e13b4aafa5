import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { canonical, describe, finalRead, sameValue, verdict, type CheckResult } from './common.js';

type Entity = Record<string, unknown>;

/**
 * Concurrent PATCHes of one entity: for each attribute, the final read shows the value of a write
 * that was not superseded, i.e. no write to that attribute was acknowledged after it completed and
 * before the read began. Unknown writes may or may not have landed; failed writes did not.
 * History shape: f 'update' with invoke value = the patch ({ attribute: value }); f 'read' whose ok
 * value is the entity. The initial state is `opts.initial`, else the first read acknowledged
 * before any update began; without either, an attribute with no settled write is not judged.
 * A history in which no attribute was judged is invalid: nothing was checked.
 */
export function checkNoLostUpdate(history: HistoryLike, opts: { initial?: Entity } = {}): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const read = finalRead(pairs);
  if (!read) return verdict('no-lost-update', ['no acknowledged final read']);
  const final = (read.completion?.value ?? {}) as Entity;
  const updates = pairs.filter((p) => p.invoke.f === 'update');
  const initial = opts.initial ?? initialRead(pairs, updates);

  const violations: string[] = [];
  const counts = { attributes: 0, judged: 0, acked: 0, unknown: 0, failed: 0, lost: 0 };
  for (const p of updates) counts[p.outcome === 'ok' ? 'acked' : p.outcome === 'info' ? 'unknown' : 'failed']++;

  // Attributes any write aimed at (a failed write still names one to judge); writes that may be
  // in the read: not failed, and begun before the read finished.
  const attributes = new Set(updates.flatMap((p) => Object.keys(patchOf(p))));
  const effective = updates.filter((p) => p.outcome !== 'fail' && p.start < read.end);
  counts.attributes = attributes.size;

  for (const attr of attributes) {
    const writes = effective.filter((p) => attr in patchOf(p));
    const settled = writes.filter((p) => p.outcome === 'ok' && p.end < read.start);
    const survivors = writes.filter((w) => !settled.some((s) => s.start > w.end));
    const allowed = survivors.map((w) => patchOf(w)[attr]);
    if (settled.length === 0) {
      if (!initial) continue;
      allowed.push(initial[attr]);
    }
    counts.judged++;
    if (allowed.some((v) => sameValue(v, final[attr]))) continue;
    counts.lost++;
    const last = settled.sort((a, b) => b.end - a.end)[0];
    // With no settled write, the value came from a failed write or from nowhere: not a lost update as such.
    violations.push(`${settled.length ? 'lost update of' : 'unexplained value of'} '${attr}': ${describe(read)} shows ${canonical(final[attr])}` +
      (last ? `, after ${describe(last)} set ${canonical(patchOf(last)[attr])}` : '') +
      `; allowed: ${allowed.map(canonical).join(' | ')}`);
  }
  if (counts.judged === 0) violations.push('no attribute could be judged (no update, or no settled write and no initial state): nothing was checked');
  return verdict('no-lost-update', violations, counts);
}

function patchOf(p: OpPair): Entity {
  return (p.invoke.value ?? {}) as Entity;
}

function initialRead(pairs: readonly OpPair[], updates: readonly OpPair[]): Entity | undefined {
  const firstUpdate = Math.min(...updates.map((p) => p.start));
  const before = pairs.filter((p) => p.invoke.f === 'read' && p.outcome === 'ok' && p.end < firstUpdate);
  return before.length ? (before[before.length - 1]!.completion?.value as Entity) : undefined;
}
