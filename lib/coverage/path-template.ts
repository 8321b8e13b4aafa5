/**
 * Maps recorded requests (`GET /identity/v3/projects/abc/tags/foo?x=1`, full URLs, ...) onto
 * api-ref path templates (`/v3/projects/{project_id}/tags/{tag}`).
 *
 * Like Keystone's router (werkzeug), the path is resolved first and the method second: the most
 * specific template that matches the path wins, and a method it does not document is reported as
 * such instead of falling through to a looser template.
 */

type Segment = { kind: 'literal'; value: string } | { kind: 'param'; name: string };

export interface CompiledTemplate {
  template: string;
  segments: readonly Segment[];
  params: readonly string[];
  literalCount: number;
}

const PARAM = /^\{([^{}/]+)\}$/;

export function compileTemplate(template: string): CompiledTemplate {
  const clean = template.split(/[?#]/, 1)[0] ?? '';
  if (!clean.startsWith('/')) throw new Error(`path template must start with "/": ${template}`);
  const segments: Segment[] = splitSegments(clean).map((s) => {
    const m = PARAM.exec(s);
    if (m) return { kind: 'param', name: m[1]! };
    if (s.includes('{') || s.includes('}')) throw new Error(`partial placeholders are not supported: ${template}`);
    return { kind: 'literal', value: s };
  });
  const params = segments.flatMap((s) => (s.kind === 'param' ? [s.name] : []));
  if (new Set(params).size !== params.length) throw new Error(`duplicate placeholder in ${template}`);
  return { template, segments, params, literalCount: segments.length - params.length };
}

/** Returns the placeholder values when `path` (already normalised) fits the template, else null. */
export function matchTemplate(compiled: CompiledTemplate, path: string): Record<string, string> | null {
  return matchSegments(compiled, splitSegments(path));
}

function matchSegments(compiled: CompiledTemplate, segs: readonly string[]): Record<string, string> | null {
  if (segs.length !== compiled.segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segs.length; i++) {
    const t = compiled.segments[i]!;
    const s = segs[i]!;
    if (t.kind === 'literal') {
      if (t.value !== s) return null;
    } else {
      if (s === '') return null;
      params[t.name] = safeDecode(s);
    }
  }
  return params;
}

/**
 * Negative when `a` is more specific than `b`: more literal segments first, then the one whose
 * first differing segment is a literal (`/v3/auth/tokens/{x}` beats `/v3/auth/{y}/revoked`).
 */
export function compareSpecificity(a: CompiledTemplate, b: CompiledTemplate): number {
  if (a.literalCount !== b.literalCount) return b.literalCount - a.literalCount;
  const n = Math.min(a.segments.length, b.segments.length);
  for (let i = 0; i < n; i++) {
    const ka = a.segments[i]!.kind;
    const kb = b.segments[i]!.kind;
    if (ka !== kb) return ka === 'literal' ? -1 : 1;
  }
  return 0;
}

/**
 * Reduces a recorded request target to the api path: drops scheme/host, query and fragment,
 * any deployment base path before the `v3` segment (`/identity/v3/...`), duplicate and trailing
 * slashes. Returns null when there is no `v3` segment (version discovery, other services).
 */
export function normalizeRequestPath(raw: string): string | null {
  let p = raw.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) {
    try {
      p = new URL(p).pathname;
    } catch {
      return null;
    }
  }
  p = p.split(/[?#]/, 1)[0] ?? '';
  const segs = splitSegments(p);
  const i = segs.indexOf('v3');
  if (i < 0) return null;
  return '/' + segs.slice(i).join('/');
}

function splitSegments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface MatchableOperation {
  method: string;
  path: string;
  head?: boolean;
  aliases?: readonly string[];
}

export interface OperationMatch<T> {
  operation: T;
  params: Record<string, string>;
  /** The template that matched (the row's path or one of its aliases). */
  template: string;
  /** A HEAD request answered by the GET row's implicit HEAD (the row has `head: true`). */
  viaHead: boolean;
}

export type Resolution<T> =
  | ({ kind: 'matched' } & OperationMatch<T>)
  | { kind: 'method-not-documented'; template: string; allowed: string[]; path: string }
  | { kind: 'unknown-path'; path: string | null };

interface Entry<T> {
  compiled: CompiledTemplate;
  byMethod: Map<string, T>;
  isAlias: boolean;
  order: number;
}

export class OperationMatcher<T extends MatchableOperation> {
  private readonly byLength = new Map<number, Entry<T>[]>();

  constructor(operations: readonly T[]) {
    const entries = new Map<string, Entry<T>>();
    let order = 0;
    const add = (template: string, op: T, isAlias: boolean) => {
      const compiled = compileTemplate(template);
      // Same shape, different placeholder names ({id} vs {idp_id}) is one route to a router.
      const key = compiled.segments.map((s) => (s.kind === 'literal' ? s.value : '{}')).join('/');
      let e = entries.get(key);
      if (!e) {
        e = { compiled, byMethod: new Map(), isAlias, order: order++ };
        entries.set(key, e);
      }
      const method = op.method.toUpperCase();
      const prior = e.byMethod.get(method);
      if (prior && prior !== op) throw new Error(`two operations for ${method} ${template}`);
      e.byMethod.set(method, op);
      if (!isAlias) e.isAlias = false;
    };
    for (const op of operations) {
      add(op.path, op, false);
      for (const alias of op.aliases ?? []) add(alias, op, true);
    }
    for (const e of entries.values()) {
      const n = e.compiled.segments.length;
      const list = this.byLength.get(n) ?? [];
      list.push(e);
      this.byLength.set(n, list);
    }
    for (const list of this.byLength.values()) {
      list.sort((a, b) => compareSpecificity(a.compiled, b.compiled) || Number(a.isAlias) - Number(b.isAlias) || a.order - b.order);
    }
  }

  resolve(method: string, rawPath: string): Resolution<T> {
    const path = normalizeRequestPath(rawPath);
    if (path === null) return { kind: 'unknown-path', path: null };
    const segs = splitSegments(path);
    for (const e of this.byLength.get(segs.length) ?? []) {
      const params = matchSegments(e.compiled, segs);
      if (!params) continue;
      const m = method.toUpperCase();
      const direct = e.byMethod.get(m);
      if (direct) return { kind: 'matched', operation: direct, params, template: e.compiled.template, viaHead: false };
      if (m === 'HEAD') {
        const get = e.byMethod.get('GET');
        if (get?.head) return { kind: 'matched', operation: get, params, template: e.compiled.template, viaHead: true };
      }
      return { kind: 'method-not-documented', template: e.compiled.template, allowed: [...e.byMethod.keys()].sort(), path };
    }
    return { kind: 'unknown-path', path };
  }

  match(method: string, rawPath: string): OperationMatch<T> | null {
    const r = this.resolve(method, rawPath);
    if (r.kind !== 'matched') return null;
    const { kind: _kind, ...match } = r;
    return match;
  }
}

export function createMatcher<T extends MatchableOperation>(operations: readonly T[]): OperationMatcher<T> {
  return new OperationMatcher(operations);
}
