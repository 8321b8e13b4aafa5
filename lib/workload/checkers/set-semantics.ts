import { eventsOf, pairsOf, type HistoryLike, type OpPair } from '../history.js';
import { describe, finalRead, verdict, type CheckResult } from './common.js';

/**
 * Memberships, grants, tags: the final set equals acknowledged adds minus acknowledged removes, in
 * real-time order. An op takes effect at some instant between its invocation and its completion
 * (any time after its invocation if its outcome is unknown). Absence of an element is allowed
 * only if an acknowledged or unknown remove could have taken effect after every add acknowledged
 * before the read began, i.e. the remove completed (or may complete) after the last such add was
 * invoked; presence likewise needs an add that could have followed every acknowledged remove (or
 * the initial set, when no remove was acknowledged). Overlapping ops do not exempt an element.
 * History shape: f 'add' | 'remove' with invoke value { element: string }; f 'read' whose ok value
 * is the array of elements. `opts.initial`: the members before the workload.
 * A history with no element to judge is invalid: nothing was checked.
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
    // Ops that certainly took effect before the read: acknowledged before it began.
    const before = (f: string) => ops.filter((o) => o.invoke.f === f && o.outcome === 'ok' && o.end < read.start);
    // Can an op of kind `f` have taken effect after every op in `settled` (and before the read)?
    const canFollow = (f: string, settled: OpPair[]) => {
      const latest = Math.max(-Infinity, ...settled.map((s) => s.start));
      return ops.some((o) => o.invoke.f === f && o.end > latest);
    };
    const addsBefore = before('add');
    const removesBefore = before('remove');
    if (addsBefore.length || removesBefore.length) determined++;
    const canBeAbsent = (addsBefore.length === 0 && !initial.has(element)) || canFollow('remove', addsBefore);
    const canBePresent = (removesBefore.length === 0 && initial.has(element)) || canFollow('add', removesBefore);
    if (!isPresent && !canBeAbsent) {
      const last = addsBefore.sort((a, b) => b.start - a.start)[0];
      lostAdds.push(last
        ? `lost add: '${element}' added by ${describe(last)}, absent from ${describe(read)}, and no remove could have followed it`
        : `lost add: initial member '${element}' absent from ${describe(read)} but never removed`);
    }
    if (isPresent && !canBePresent) {
      const last = removesBefore.sort((a, b) => b.start - a.start)[0];
      if (last) resurrected.push(`resurrected remove: '${element}' removed by ${describe(last)}, present in ${describe(read)}, and no add could have followed it`);
      else phantoms.push(`phantom: '${element}' present in ${describe(read)} but never added`);
    }
  }
  const counts = { elements: elements.size, determined, lostAdds: lostAdds.length, resurrectedRemoves: resurrected.length, phantoms: phantoms.length };
  const nothing = elements.size === 0 ? ['no element added, removed, initial or listed: nothing was checked'] : [];
  return verdict('set-semantics', [...nothing, ...lostAdds, ...resurrected, ...phantoms], counts);
}
