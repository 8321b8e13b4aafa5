import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { describe, finalRead, verdict, type CheckResult } from './common.js';

/**
 * Memberships, grants, tags: the final set equals acknowledged adds minus acknowledged removes, in
 * real-time order. An element is judged only when one acknowledged op on it completed before the
 * read began and every other possibly-effective op on it completed before that op began; otherwise
 * presence is allowed iff some op (or the initial set) could have put it there, absence likewise.
 * History shape: f 'add' | 'remove' with invoke value { element: string }; f 'read' whose ok value
 * is the array of elements. `opts.initial`: the members before the workload.
 */
export function checkSetSemantics(history: HistoryLike, opts: { initial?: Iterable<string> } = {}): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const read = finalRead(pairs);
  if (!read) return verdict('set-semantics', ['no acknowledged final read']);
  const initial = new Set(opts.initial ?? []);
  const present = new Set(((read.completion?.value as unknown[] | undefined) ?? []).map(String));

  const opsOn = new Map<string, OpPair[]>();
  for (const p of pairs) {
    if (p.invoke.f !== 'add' && p.invoke.f !== 'remove') continue;
    // Failed ops had no effect; ops begun after the read finished cannot be in it.
    if (p.outcome === 'fail' || p.start >= read.end) continue;
    const element = String((p.invoke.value as { element?: unknown } | undefined)?.element);
    opsOn.set(element, [...(opsOn.get(element) ?? []), p]);
  }

  const lostAdds: string[] = [];
  const resurrected: string[] = [];
  const phantoms: string[] = [];
  const elements = new Set([...opsOn.keys(), ...present, ...initial]);
  let determined = 0;
  for (const element of elements) {
    const ops = opsOn.get(element) ?? [];
    const isPresent = present.has(element);
    const last = ops.find((d) => d.outcome === 'ok' && d.end < read.start && ops.every((o) => o === d || o.end < d.start));
    if (last) {
      determined++;
      if (last.invoke.f === 'add' && !isPresent) lostAdds.push(`lost add: '${element}' added by ${describe(last)}, absent from ${describe(read)}`);
      if (last.invoke.f === 'remove' && isPresent) resurrected.push(`resurrected remove: '${element}' removed by ${describe(last)}, present in ${describe(read)}`);
      continue;
    }
    const canBePresent = initial.has(element) || ops.some((o) => o.invoke.f === 'add');
    const canBeAbsent = !initial.has(element) || ops.some((o) => o.invoke.f === 'remove');
    if (isPresent && !canBePresent) phantoms.push(`phantom: '${element}' present in ${describe(read)} but never added`);
    if (!isPresent && !canBeAbsent) lostAdds.push(`lost add: initial member '${element}' absent from ${describe(read)} but never removed`);
  }
  const counts = { elements: elements.size, determined, lostAdds: lostAdds.length, resurrectedRemoves: resurrected.length, phantoms: phantoms.length };
  return verdict('set-semantics', [...lostAdds, ...resurrected, ...phantoms], counts);
}
