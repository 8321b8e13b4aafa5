import { randomBytes } from 'node:crypto';
import type { Keystone } from '../keystone/client.js';
import { bootstrapRoleId } from '../keystone/bootstrap-roles.js';
import type { PasswordCredentials } from '../keystone/credentials.js';
import type { ResourceFactory } from '../keystone/factory.js';
import { expectStatus, type KeystoneHttp } from '../keystone/http.js';
import { registerSecret } from '../keystone/mask.js';
import { PasswordSession } from '../keystone/session.js';
import { COUNTERPART_PERSONAS, MATRIX_PERSONAS, type PersonaSpec, type Role } from './personas.js';

/** One persona as created: its user, and one cached token (PasswordSession) for every cell it runs. */
export interface Persona extends PersonaSpec {
  userId: string;
  domainId: string;
  session: PasswordSession;
}

/**
 * What the RBAC cells act on, created once per worker by admin: domain A holding project P and
 * the side-A personas, domain B holding project Q and the counterparts, and read-only targets on
 * both sides. Throwaway targets for writes are made per cell (suites/rbac/drivers.ts).
 */
export interface RbacWorld {
  domainA: string; domainB: string; projectP: string; projectQ: string;
  /** Plain users and groups (no role) on each side: targets of reads, memberships and grants. */
  userA: string; userB: string; groupA: string; groupB: string;
  /** The bootstrap roles, and a global role of the suite's own for grants (never one the personas hold). */
  roles: Record<Role, string>; grantRole: string;
  region: string; service: string; endpoint: string; policy: string;
  registeredLimit: string; limitP: string; limitQ: string;
  personas: Map<string, Persona>;
}

export function personaOf(w: RbacWorld, id: string): Persona {
  const p = w.personas.get(id);
  if (!p) throw new Error(`no persona ${id}`);
  return p;
}

/** Creates the world with `f` (worker-scoped: its cleanup runs when the worker ends). */
export async function buildWorld(admin: Keystone, f: ResourceFactory, http: KeystoneHttp): Promise<RbacWorld> {
  const [domainA, domainB] = [(await f.domain()).id, (await f.domain()).id];
  // Projects, users and groups live in domains A and B: deleting the domains (the factory's cleanup)
  // deletes them with their assignments, so they are made without a cleanup of their own. A worker
  // restarted after a failed cell rebuilds the world: its teardown must stay a few requests.
  const inDomain = async (kind: 'projects' | 'users' | 'groups', body: Record<string, unknown>) =>
    expectStatus(await admin.http.request('POST', `/v3/${kind}`, { token: await admin.tokenSource(), body: { [kind.slice(0, -1)]: { name: f.name(kind.slice(0, -1)), ...body } } }), 201).body[kind.slice(0, -1)] as { id: string; name: string };
  const projectP = (await inDomain('projects', { domain_id: domainA })).id;
  const projectQ = (await inDomain('projects', { domain_id: domainB })).id;
  const roles = { admin: await bootstrapRoleId(admin, 'admin'), member: await bootstrapRoleId(admin, 'member'), reader: await bootstrapRoleId(admin, 'reader') };
  const userA = (await inDomain('users', { domain_id: domainA })).id;
  const userB = (await inDomain('users', { domain_id: domainB })).id;
  const groupA = (await inDomain('groups', { domain_id: domainA })).id;
  const groupB = (await inDomain('groups', { domain_id: domainB })).id;
  const grantRole = (await f.role()).id;
  const region = (await f.region()).id;
  const service = (await f.service()).id;
  const endpoint = (await f.endpoint({ service_id: service })).id;
  const policy = (await f.policy()).id;
  const resourceName = `${f.prefix}-res-${randomBytes(3).toString('hex')}`;
  const registeredLimit = (await f.registeredLimit({ service_id: service, resource_name: resourceName, default_limit: 10 } as never)).id;
  // The limits go with their projects (and with the registered limit's service).
  const limitP = (await f.limit({ service_id: service, resource_name: resourceName, project_id: projectP, resource_limit: 5 } as never)).id;
  const limitQ = (await f.limit({ service_id: service, resource_name: resourceName, project_id: projectQ, resource_limit: 5 } as never)).id;

  const personas = new Map<string, Persona>();
  for (const spec of [...MATRIX_PERSONAS, ...COUNTERPART_PERSONAS]) {
    const domainId = spec.side === 'A' ? domainA : domainB;
    const password = randomBytes(18).toString('base64url');
    registerSecret(password);
    const user = await inDomain('users', { domain_id: domainId, password });
    const creds: PasswordCredentials = { username: user.name, userId: user.id, password };
    if (spec.scope === 'system') {
      expectStatus(await admin.http.request('PUT', `/v3/system/users/${user.id}/roles/${roles[spec.role!]}`, { token: await admin.tokenSource() }), 204);
      creds.system = true;
    } else if (spec.scope === 'domain') {
      expectStatus(await admin.grants.grant({ scope: 'domains', scopeId: domainId, actor: 'users', actorId: user.id }, roles[spec.role!]), 204);
      creds.domainId = domainId;
    } else if (spec.scope === 'project') {
      const projectId = spec.side === 'A' ? projectP : projectQ;
      expectStatus(await admin.grants.grant({ scope: 'projects', scopeId: projectId, actor: 'users', actorId: user.id }, roles[spec.role!]), 204);
      creds.projectId = projectId;
    }
    // Deleting the user drops its assignments (system ones included): the factory's user cleanup covers them.
    personas.set(spec.id, { ...spec, userId: user.id, domainId, session: new PasswordSession(http, creds) });
  }
  return { domainA, domainB, projectP, projectQ, userA, userB, groupA, groupB, roles, grantRole, region, service, endpoint, policy, registeredLimit, limitP, limitQ, personas };
}
