import type { OpPair } from '../history.js';

export interface CheckResult {
  valid: boolean;
  invariant: string;
  /** One line per violation, naming the events involved so a report can point at them. */
  details: string[];
  counts?: Record<string, number>;
}

/** Beyond this many lines a report gets no clearer, only longer. */
const MAX_DETAILS = 50;

export function verdict(invariant: string, violations: string[], counts?: Record<string, number>): CheckResult {
  const details = violations.length > MAX_DETAILS
    ? [...violations.slice(0, MAX_DETAILS), `... and ${violations.length - MAX_DETAILS} more`]
    : violations;
  return { valid: violations.length === 0, invariant, details, ...(counts ? { counts } : {}) };
}

/** The last acknowledged read: the state every checker compares against. */
export function finalRead(pairs: readonly OpPair[], f = 'read'): OpPair | undefined {
  let last: OpPair | undefined;
  for (const p of pairs) if (p.invoke.f === f && p.outcome === 'ok' && (!last || p.end > last.end)) last = p;
  return last;
}

/** Values recorded by this pair's invocation (what the op asked for). */
export function invokeValue<T>(p: OpPair): Partial<T> {
  return (p.invoke.value ?? {}) as Partial<T>;
}

/** "#12 p3 PATCH /v3/projects/{project_id} ok 200 req-…": enough to find the request in Keystone's log. */
export function describe(p: OpPair): string {
  const c = p.completion;
  const parts = [`#${p.invoke.index}`, `p${p.invoke.process}`, p.invoke.op, c ? c.type : 'pending'];
  if (c?.status !== undefined) parts.push(String(c.status));
  if (c?.requestId) parts.push(c.requestId);
  return parts.join(' ');
}

/** Structural equality through a key-sorted JSON encoding (attribute values are JSON from Keystone). */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x) ?? 'undefined';
}
