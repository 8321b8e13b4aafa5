import { stableUuid } from '../coverage/test-ids.js';
import { MATRIX_PERSONAS, type PersonaCode, type PersonaSpec } from './personas.js';

/**
 * The shape of the RBAC table (suites/rbac/matrix.ts) and the pure functions over it: cell ids,
 * expected outcomes per policy set, and the cells a policy override must flip. No Keystone here.
 */
export type PolicySet = 'secure' | 'legacy';
/** In scope: the target lies in the persona's domain A / project P (or is the persona's own). Out: domain B / project Q (or someone else's). */
export type TargetScope = 'in' | 'out';

/** Who is allowed, per target scope; every other persona is denied with `denied` (403 unless Keystone hides the resource: 404). */
export interface Expectation {
  allowIn: readonly PersonaCode[];
  /** Undefined when the row has no out-of-scope target (global resources, lists scoped by the token). */
  allowOut?: readonly PersonaCode[];
  denied?: 403 | 404;
  /**
   * Personas the policy passes but the API code then refuses, with the status it answers (e.g. 400
   * for an application credential a system token cannot bind, 401 for an OAuth1 authorisation of a
   * role the user does not hold): decided from keystone/api/*.py and the api-ref, said in the row's note.
   */
  refusedIn?: Readonly<Partial<Record<PersonaCode, number>>>;
  refusedOut?: Readonly<Partial<Record<PersonaCode, number>>>;
}

export interface MatrixRow {
  /** Operation id of lib/coverage/operations.ts. */
  op: string;
  /** Keystone's policy rule (keystone/common/policies/*.py), named in every mismatch. */
  rule: string;
  /** The Zed default check string, for the reader (not evaluated). */
  check: string;
  /** Status of an allowed call. */
  ok: number;
  /** enforce_scope = true, enforce_new_defaults = true. */
  secure: Expectation;
  /** Both flags off (new check OR deprecated check, scope types not enforced). Absent: not tabled yet. */
  legacy?: Expectation;
  /** One row per concern carries it: the CI slice. */
  slice?: true;
  /**
   * Who refuses: 'policy' (default) answers ForbiddenAction naming the rule; 'controller' means the
   * policy passes and the API code refuses with its own 403 message (checked without the rule name).
   */
  deniedBy?: 'policy' | 'controller';
  /** Why Keystone answers this way, when the check string alone does not say it. */
  note?: string;
}

/** An api-ref operation that no persona cell can judge, with the reason. */
export interface NotApplicable { op: string; notApplicable: string }
/** An operation with a policy rule whose cells are not driven yet (listed in the report as a gap, never as a pass). */
export interface Pending { op: string; rule?: string; pending: string }
export type TableEntry = MatrixRow | NotApplicable | Pending;

export const isRow = (e: TableEntry): e is MatrixRow => 'secure' in e;

/** `allow('SA SM SR PA', 'SA PA')`: codes allowed in scope, and out of scope (omit: no out-of-scope target). */
export function allow(inCodes: string, outCodes?: string, denied: 403 | 404 = 403): Expectation {
  const parse = (s: string) => s.split(/\s+/).filter(Boolean).map((c) => {
    if (!MATRIX_PERSONAS.some((p) => p.code === c)) throw new Error(`allow(): unknown persona code '${c}'`);
    return c as PersonaCode;
  });
  return { allowIn: parse(inCodes), ...(outCodes !== undefined ? { allowOut: parse(outCodes) } : {}), denied };
}

/**
 * `refuse(allow('PA'), 'SA:401', 'PA:401')`: the policy passes these personas (in scope, out of
 * scope) and the API code refuses them with the status given. A persona is either allowed or
 * refused, never both.
 */
export function refuse(e: Expectation, inCodes: string, outCodes = ''): Expectation {
  const parse = (s: string, allowed: readonly PersonaCode[] | undefined, where: string) => Object.fromEntries(s.split(/\s+/).filter(Boolean).map((pair) => {
    const m = /^([A-Z]{2}):([1-5]\d\d)$/.exec(pair);
    if (!m) throw new Error(`refuse(): '${pair}' is not CODE:STATUS`);
    const [, code, status] = m;
    if (!MATRIX_PERSONAS.some((p) => p.code === code)) throw new Error(`refuse(): unknown persona code '${code}'`);
    if (allowed?.includes(code as PersonaCode)) throw new Error(`refuse(): ${code} is both allowed and refused ${where} scope`);
    if (Number(status) < 400) throw new Error(`refuse(): ${pair}: a refusal is a 4xx`);
    return [code, Number(status)];
  })) as Partial<Record<PersonaCode, number>>;
  if (outCodes.trim() && e.allowOut === undefined) throw new Error('refuse(): out-of-scope refusals on a row without out-of-scope cells');
  return { ...e, refusedIn: parse(inCodes, e.allowIn, 'in'), ...(outCodes.trim() ? { refusedOut: parse(outCodes, e.allowOut, 'out') } : {}) };
}

export interface Cell {
  /** Stable: `<op> <persona> <in|out>`. */
  id: string;
  op: string;
  rule: string;
  persona: PersonaSpec;
  scope: TargetScope;
  allowed: boolean;
  /** Expected status: the row's `ok` when allowed, the controller's refusal (Expectation.refusedIn/Out), else 403/404. */
  status: number;
  /** The policy passes this persona and the API code refuses it (status above): not a policy verdict. */
  refused?: true;
  slice: boolean;
}

/** Whether the policy rule itself passes the cell's persona (allowed, or refused only after the policy by the API code). */
export const policyPasses = (c: Pick<Cell, 'allowed' | 'refused'>): boolean => c.allowed || !!c.refused;

export function cellId(op: string, personaId: string, scope: TargetScope): string {
  return `${op} ${personaId} ${scope}`;
}

/** The cell's test id (its `id` annotation, what known-defect entries list): derived from the cell id, the same under both policy sets. */
export const cellTestId = (id: string): string => stableUuid(`rbac cell ${id}`);

/** Out-of-scope cells exist for domain and project personas only: system scope has no outside, the no-role user no scope. */
function scopesFor(p: PersonaSpec, e: Expectation): TargetScope[] {
  return e.allowOut !== undefined && (p.scope === 'domain' || p.scope === 'project') ? ['in', 'out'] : ['in'];
}

/** Every cell of the table under one policy set; rows without an expectation for it give none. */
export function cells(entries: readonly TableEntry[], policy: PolicySet, personas: readonly PersonaSpec[] = MATRIX_PERSONAS): Cell[] {
  const out: Cell[] = [];
  for (const row of entries.filter(isRow)) {
    const e = policy === 'secure' ? row.secure : row.legacy;
    if (!e) continue;
    for (const p of personas) {
      for (const scope of scopesFor(p, e)) {
        const allowed = (scope === 'in' ? e.allowIn : e.allowOut!).includes(p.code as PersonaCode);
        const refusal = (scope === 'in' ? e.refusedIn : e.refusedOut)?.[p.code as PersonaCode];
        out.push({
          id: cellId(row.op, p.id, scope), op: row.op, rule: row.rule, persona: p, scope, allowed,
          status: allowed ? row.ok : refusal ?? e.denied ?? 403, ...(refusal !== undefined ? { refused: true as const } : {}), slice: !!row.slice,
        });
      }
    }
  }
  return out;
}

/**
 * The cells a one-rule policy override must flip: those of the overridden rule whose policy verdict
 * differs once `allowedAfter` decides who passes. Computed from the table, compared with a run. A
 * cell the API code refuses after the policy passed flips only if the override denies it (403).
 */
export function flippedCells(all: readonly Cell[], rule: string, allowedAfter: (c: Cell) => boolean): Cell[] {
  return all.filter((c) => c.rule === rule && policyPasses(c) !== allowedAfter(c));
}

/** The table's completeness: every operation id has exactly one entry. Returns the problems found. */
export function tableProblems(entries: readonly TableEntry[], operationIds: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  for (const e of entries) seen.set(e.op, (seen.get(e.op) ?? 0) + 1);
  for (const id of operationIds) if (!seen.has(id)) problems.push(`no row for ${id}`);
  for (const [id, n] of seen) {
    if (!operationIds.includes(id)) problems.push(`row for unknown operation ${id}`);
    if (n > 1) problems.push(`${n} rows for ${id}`);
  }
  for (const e of entries) if ('notApplicable' in e && !e.notApplicable.trim()) problems.push(`${e.op}: not applicable without a reason`);
  return problems;
}

/** The CI slice: exactly one row marked `slice` per concern (the operation id up to its first dot). */
export function sliceProblems(entries: readonly TableEntry[]): string[] {
  const byConcern = new Map<string, string[]>();
  for (const e of entries.filter(isRow)) {
    const concern = e.op.split('.')[0];
    byConcern.set(concern, [...(byConcern.get(concern) ?? []), ...(e.slice ? [e.op] : [])]);
  }
  return [...byConcern].filter(([, ops]) => ops.length !== 1)
    .map(([concern, ops]) => (ops.length ? `${concern}: ${ops.length} slice rows (${ops.join(', ')})` : `${concern}: no slice row`));
}

/** The mismatch line the report and the gate carry. */
export function describeMismatch(c: Pick<Cell, 'op' | 'persona' | 'scope' | 'rule' | 'status'>, actual: number | string): string {
  return `RBAC mismatch: ${c.op} as ${c.persona.id} (${c.scope} scope): expected ${c.status}, got ${actual} [policy ${c.rule}]`;
}
