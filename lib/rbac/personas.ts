/**
 * The RBAC personas: who holds which role at which scope. Pure data; fixtures/rbac.ts creates
 * them in Keystone. Side A (domain A, project P in A) holds the matrix's columns; side B (domain
 * B, project Q in B) holds the same roles and owns the out-of-scope targets.
 */
export type Role = 'admin' | 'member' | 'reader';
export type ScopeKind = 'system' | 'domain' | 'project' | 'none';
export type Side = 'A' | 'B';

export interface PersonaSpec {
  /** Stable id, part of every cell id: `system-admin`, `domain-reader`, `project-member`, `no-role`. */
  id: string;
  /** Two-letter code the matrix uses: SA SM SR DA DM DR PA PM PR NR (B side: lower-case). */
  code: string;
  scope: ScopeKind;
  role?: Role;
  side: Side;
}

const ROLES: Role[] = ['admin', 'member', 'reader'];

function scoped(scope: 'system' | 'domain' | 'project', side: Side): PersonaSpec[] {
  return ROLES.map((role) => {
    const code = `${scope[0]!.toUpperCase()}${role[0]!.toUpperCase()}`;
    return { id: `${scope}-${role}${side === 'B' ? '-b' : ''}`, code: side === 'A' ? code : code.toLowerCase(), scope, role, side };
  });
}

/** The matrix columns: system, domain A, project P (x admin, member, reader) and a user with no role (unscoped token). */
export const MATRIX_PERSONAS: readonly PersonaSpec[] = Object.freeze([
  ...scoped('system', 'A'), ...scoped('domain', 'A'), ...scoped('project', 'A'),
  { id: 'no-role', code: 'NR', scope: 'none', side: 'A' },
]);

/**
 * Domain B / project Q counterparts. They exist so out-of-scope targets have real owners (a user of
 * domain B, a token of project Q); by symmetry their own in-scope cells are side A's cells, so
 * they are not matrix columns (that would double the matrix for no new judgement).
 */
export const COUNTERPART_PERSONAS: readonly PersonaSpec[] = Object.freeze([...scoped('domain', 'B'), ...scoped('project', 'B')]);

export const PERSONA_CODES = MATRIX_PERSONAS.map((p) => p.code);
export type PersonaCode = 'SA' | 'SM' | 'SR' | 'DA' | 'DM' | 'DR' | 'PA' | 'PM' | 'PR' | 'NR';

export function personaByCode(code: string): PersonaSpec {
  const p = MATRIX_PERSONAS.find((x) => x.code === code);
  if (!p) throw new Error(`unknown persona code ${code}`);
  return p;
}

/**
 * The manager role (domain/project manager personas) arrived in Keystone 2023.2 (major 24).
 * Returns why manager personas are not run, or undefined when the release has them.
 */
export function managerPersonasSkipReason(keystoneMajor: number | undefined, hasManagerRole: boolean): string | undefined {
  if (hasManagerRole) return undefined;
  const rel = keystoneMajor === undefined ? 'this Keystone' : `Keystone ${keystoneMajor}${keystoneMajor === 22 ? ' (Zed)' : ''}`;
  return `${rel} has no 'manager' role (bootstrap creates it from 2023.2, Keystone 24): domain/project manager personas do not exist here`;
}
