import { randomBytes } from 'node:crypto';
import { expect } from '@playwright/test';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { expectStatus, type HttpMethod, type KsResponse } from '../../lib/keystone/http.js';
import { bodyForMessage, registerSecret } from '../../lib/keystone/mask.js';
import { parseOAuth1TokenPair, type OAuth1TokenPair } from '../../lib/keystone/services/oauth1.js';
import type { Cell } from '../../lib/rbac/expectations.js';
import { PasswordSession } from '../../lib/keystone/session.js';
import { personaOf, type Persona, type RbacWorld } from '../../lib/rbac/world.js';

/**
 * How each operation of the RBAC table is performed: the target (shared read-only, or a throwaway
 * made by admin for writes), the request the persona sends, and the two judgements: an allowed
 * call took effect, a denied call changed nothing (both read back as admin).
 */
export interface CellContext {
  w: RbacWorld;
  /** The bootstrap admin on a system-scoped token: makes throwaways, reads back. */
  admin: Keystone;
  /**
   * The bootstrap admin on its project-scoped token: the only admin that reads OS-OAUTH1 access
   * tokens under enforce_scope (access_token.py: admin_required, scope_types [project]).
   */
  projectAdmin: Keystone;
  /** Test-scoped: throwaways are deleted after the cell, whatever happened. */
  f: ResourceFactory;
  cell: Cell;
  persona: Persona;
}
export interface Prepared {
  method: HttpMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Allowed: the call took effect (read back as admin). */
  effect?: (res: KsResponse) => Promise<void>;
  /** Denied: nothing changed (read back as admin). */
  unchanged?: () => Promise<void>;
}
export type Driver = (c: CellContext) => Promise<Prepared>;

const adminGet = async (c: CellContext, path: string) => c.admin.http.request('GET', path, { token: await c.admin.tokenSource() });
const adminHead = async (c: CellContext, path: string) => c.admin.http.request('HEAD', path, { token: await c.admin.tokenSource() });
const side = (c: CellContext) => (c.cell.scope === 'in' ? 'A' : 'B');
const domainOf = (c: CellContext) => (side(c) === 'A' ? c.w.domainA : c.w.domainB);
const projectOf = (c: CellContext) => (side(c) === 'A' ? c.w.projectP : c.w.projectQ);
const userOf = (c: CellContext) => (side(c) === 'A' ? c.w.userA : c.w.userB);
const groupOf = (c: CellContext) => (side(c) === 'A' ? c.w.groupA : c.w.groupB);

async function expectExists(c: CellContext, path: string, exists: boolean, why: string): Promise<void> {
  const r = await adminGet(c, path);
  expect(r.status, `${why}: admin GET ${path}`).toBe(exists ? 200 : 404);
}

/** A read: allowed means the answer carries `key` (and, for a member, the target's id). */
function read(path: (c: CellContext) => string, key: string, id?: (c: CellContext) => string, method: HttpMethod = 'GET'): Driver {
  return async (c) => ({
    method, path: path(c),
    effect: async (res) => {
      if (method === 'HEAD') return;
      expect(res.body?.[key], `response carries "${key}"`).toBeDefined();
      if (id) expect(res.body[key].id, `response is the target's`).toBe(id(c));
    },
  });
}

/**
 * A create: allowed means admin finds the new entity (and the cell deletes it); denied means no
 * entity carries the unique name in `field` (`name`, or `description` where there is no name).
 */
function create(collection: string, key: string, body: (c: CellContext, name: string) => Record<string, unknown>, opts: { idPath?: (id: string) => string; before?: (c: CellContext, id: string) => Promise<unknown>; field?: string } = {}): Driver {
  return async (c) => {
    const name = c.f.name(key);
    const field = opts.field ?? 'name';
    const memberPath = opts.idPath ?? ((id: string) => `${collection}/${id}`);
    return {
      method: 'POST', path: collection, body: { [key]: body(c, name) },
      effect: async (res) => {
        const id = res.body?.[key]?.id as string;
        expect(id, 'created id').toBeTruthy();
        c.f.defer(`${key} ${id}`, async () => { await opts.before?.(c, id); return c.admin.http.request('DELETE', memberPath(id), { token: await c.admin.tokenSource() }); });
        await expectExists(c, memberPath(id), true, 'created entity');
      },
      unchanged: async () => {
        const r = await adminGet(c, `${collection}?${field}=${encodeURIComponent(name)}`);
        expect(r.status).toBe(200);
        expect(r.body[`${key}s`].filter((x: Record<string, unknown>) => x[field] === name), `no ${key} with ${field} ${name}`).toHaveLength(0);
      },
    };
  };
}

/**
 * A create by PUT on a caller-chosen id (federation idps, mappings, service providers): allowed
 * means admin GETs it (and the cell deletes it), denied means admin gets 404.
 */
function putCreate(memberPath: (id: string) => string, key: string, body: (c: CellContext) => Record<string, unknown>): Driver {
  return async (c) => {
    const id = c.f.name(key.replace(/_/g, '-'));
    return {
      method: 'PUT', path: memberPath(id), body: { [key]: body(c) },
      effect: async () => {
        c.f.defer(`${key} ${id}`, async () => adminSend(c, 'DELETE', memberPath(id)));
        await expectExists(c, memberPath(id), true, `created ${key}`);
      },
      unchanged: () => expectExists(c, memberPath(id), false, `no ${key} created`),
    };
  };
}

/** An update of a throwaway: allowed means admin reads the new description, denied the old one. */
function update(make: (c: CellContext) => Promise<string>, memberPath: (id: string) => string, key: string, field = 'description', valueOf: (name: string) => string = (n) => n): Driver {
  return async (c) => {
    const id = await make(c);
    const value = valueOf(c.f.name('changed'));
    const readField = async () => (await adminGet(c, memberPath(id))).body?.[key]?.[field];
    const before = await readField();
    return {
      method: 'PATCH', path: memberPath(id), body: { [key]: { [field]: value } },
      effect: async () => expect(await readField(), `${key}.${field} after PATCH`).toBe(value),
      unchanged: async () => expect(await readField(), `${key}.${field} unchanged`).toBe(before),
    };
  };
}

/** A delete of a throwaway: allowed means admin gets 404, denied means it is still there. */
function remove(make: (c: CellContext) => Promise<string>, memberPath: (id: string) => string): Driver {
  return async (c) => {
    const id = await make(c);
    return {
      method: 'DELETE', path: memberPath(id),
      effect: () => expectExists(c, memberPath(id), false, 'deleted'),
      unchanged: () => expectExists(c, memberPath(id), true, 'still there'),
    };
  };
}

/** A PUT/DELETE of a relation (grant, membership, tag) checked with admin HEAD/GET on `check`. */
function relation(method: 'PUT' | 'DELETE', path: (c: CellContext) => Promise<string>, check: (p: string) => string = (p) => p, present = 204, setup?: (c: CellContext, p: string) => Promise<void>): Driver {
  return async (c) => {
    const p = await path(c);
    if (method === 'DELETE') await setup?.(c, p);
    const has = async () => (await adminHead(c, check(p))).status;
    const before = await has();
    const after = method === 'PUT' ? present : 404;
    if (method === 'PUT') c.f.defer(`relation ${p}`, async () => c.admin.http.request('DELETE', p, { token: await c.admin.tokenSource() }));
    return {
      method, path: p,
      effect: async () => expect(await has(), `admin check of ${check(p)} after ${method}`).toBe(after),
      unchanged: async () => expect(await has(), `admin check of ${check(p)} unchanged`).toBe(before),
    };
  };
}
const adminPut = async (c: CellContext, p: string) => { const r = await c.admin.http.request('PUT', p, { token: await c.admin.tokenSource() }); expect([201, 204]).toContain(r.status); };
const adminSend = async (c: CellContext, method: HttpMethod, p: string, body?: unknown, headers?: Record<string, string>) => c.admin.http.request(method, p, { token: await c.admin.tokenSource(), body, headers });

/**
 * A relation admin has made (PUT, its removal deferred) that the persona reads with HEAD or GET:
 * allowed means the status the row expects (204: it is there); nothing to change if denied.
 */
function present(path: (c: CellContext) => Promise<string>, method: HttpMethod = 'HEAD'): Driver {
  return async (c) => {
    const p = await path(c);
    await adminPutUndone(c, p);
    return { method, path: p };
  };
}
/** Admin makes a relation (PUT) and defers its removal, whoever removes it first (404 then counts as done). */
async function adminPutUndone(c: CellContext, p: string): Promise<void> {
  await adminPut(c, p);
  c.f.defer(`relation ${p}`, async () => adminSend(c, 'DELETE', p));
}

/**
 * A write judged on an admin read-back: allowed means `readBack` gives `after`, denied that it
 * still gives what it gave before the call.
 */
async function judged(req: Omit<Prepared, 'effect' | 'unchanged'>, readBack: () => Promise<unknown>, after: unknown, what: string): Promise<Prepared> {
  const before = await readBack();
  return {
    ...req,
    effect: async () => expect(await readBack(), `${what} after ${req.method}`).toEqual(after),
    unchanged: async () => expect(await readBack(), `${what} unchanged`).toEqual(before),
  };
}

/**
 * A POST of a batch collection (registered limits, limits): allowed means admin finds exactly one
 * entry by `query` (and the cell deletes it), denied means none.
 */
function createBatch(collection: string, key: string, make: (c: CellContext) => Promise<{ entry: Record<string, unknown>; query: string }>): Driver {
  return async (c) => {
    const { entry, query } = await make(c);
    const find = async () => {
      const r = await adminGet(c, `${collection}?${query}`);
      expect(r.status, `admin GET ${collection}?${query}`).toBe(200);
      return r.body[key] as { id: string }[];
    };
    return {
      method: 'POST', path: collection, body: { [key]: [entry] },
      effect: async (res) => {
        const id = res.body?.[key]?.[0]?.id as string;
        expect(id, 'created id').toBeTruthy();
        c.f.defer(`${key} ${id}`, async () => adminSend(c, 'DELETE', `${collection}/${id}`));
        expect((await find()).map((x) => x.id), `admin finds the created ${key}`).toEqual([id]);
      },
      unchanged: async () => expect(await find(), `no ${key} created`).toHaveLength(0),
    };
  };
}

// Throwaways, made by admin through the test-scoped factory.
const tDomain = async (c: CellContext) => (await c.f.domain()).id;
const tProject = async (c: CellContext) => (await c.f.project({ domain_id: domainOf(c) })).id;
const tUser = async (c: CellContext) => (await c.f.user({ domain_id: domainOf(c) })).id;
const tGroup = async (c: CellContext) => (await c.f.group({ domain_id: domainOf(c) })).id;
const tRole = async (c: CellContext) => (await c.f.role()).id;
const tRegion = async (c: CellContext) => (await c.f.region()).id;
const tService = async (c: CellContext) => (await c.f.service()).id;
const tEndpoint = async (c: CellContext) => (await c.f.endpoint({ service_id: c.w.service })).id;
const tPolicy = async (c: CellContext) => (await c.f.policy()).id;
const tCredential = async (c: CellContext) => (await c.f.credential({ user_id: c.cell.scope === 'in' ? c.persona.userId : c.w.userB })).id;
const tRegisteredLimit = async (c: CellContext) => (await c.f.registeredLimit({ service_id: c.w.service })).id;
const tLimit = async (c: CellContext) => {
  const rl = await c.f.registeredLimit({ service_id: c.w.service });
  return (await c.f.limit({ service_id: c.w.service, resource_name: rl.resource_name, project_id: projectOf(c) })).id;
};

const grantPath = (target: 'projects' | 'domains', actor: 'users' | 'groups') => (c: CellContext) =>
  `/v3/${target}/${target === 'projects' ? projectOf(c) : domainOf(c)}/${actor}/${actor === 'users' ? userOf(c) : groupOf(c)}/roles`;
const grantOps = (target: 'projects' | 'domains', actor: 'users' | 'groups', prefix: string): Record<string, Driver> => ({
  [`${prefix}.list`]: read(grantPath(target, actor), 'roles'),
  [`${prefix}.check`]: present(async (c) => `${grantPath(target, actor)(c)}/${c.w.grantRole}`),
  [`${prefix}.grant`]: relation('PUT', async (c) => `${grantPath(target, actor)(c)}/${c.w.grantRole}`),
  [`${prefix}.revoke`]: relation('DELETE', async (c) => `${grantPath(target, actor)(c)}/${c.w.grantRole}`, undefined, 204, adminPut),
});

/**
 * OS-INHERIT grants, on a throwaway user/group of the side's domain (a world user's inherited grant
 * would be granted and revoked by concurrent cells of the same op): the same rules as direct grants.
 */
const inheritPath = (target: 'projects' | 'domains', actor: 'users' | 'groups') => async (c: CellContext) =>
  `/v3/OS-INHERIT/${target}/${target === 'projects' ? projectOf(c) : domainOf(c)}/${actor}/${actor === 'users' ? await tUser(c) : await tGroup(c)}/roles/${c.w.grantRole}/inherited_to_projects`;
const inheritOps = (target: 'projects' | 'domains', actor: 'users' | 'groups', prefix: string): Record<string, Driver> => ({
  ...(target === 'domains' ? { [`${prefix}.list`]: read((c) => `/v3/OS-INHERIT/domains/${domainOf(c)}/${actor}/${actor === 'users' ? userOf(c) : groupOf(c)}/roles/inherited_to_projects`, 'roles') } : {}),
  [`${prefix}.check`]: present(inheritPath(target, actor)),
  [`${prefix}.grant`]: relation('PUT', inheritPath(target, actor)),
  [`${prefix}.revoke`]: relation('DELETE', inheritPath(target, actor), undefined, 204, adminPut),
});

/** Project tags: a throwaway project of the side's domain carrying `tags` (set by admin), and its tags as admin reads them. */
const taggedProject = async (c: CellContext, tags: string[]) => {
  const id = await tProject(c);
  expect((await adminSend(c, 'PUT', `/v3/projects/${id}/tags`, { tags })).status, 'admin sets the tags').toBe(200);
  return id;
};
const tagsOf = (c: CellContext, id: string) => async () => ((await adminGet(c, `/v3/projects/${id}/tags`)).body?.tags as string[] ?? []).slice().sort();

/** Implied roles: an inference rule between two throwaway roles (not made yet). */
const inference = async (c: CellContext) => `/v3/roles/${await tRole(c)}/implies/${await tRole(c)}`;
/** A system grant of the suite's role to a throwaway user/group (a world one is granted and revoked by the grant/revoke cells). */
const systemGrant = (actor: 'users' | 'groups') => async (c: CellContext) => `/v3/system/${actor}/${actor === 'users' ? await tUser(c) : await tGroup(c)}/roles/${c.w.grantRole}`;

/** A fresh token of `p`'s user (its own password auth): a token the cell may revoke without touching the persona's cached one. */
const freshToken = (c: CellContext, p: Persona) => new PasswordSession(c.admin.http, p.session.credentials).getToken();

/** A token of `p`'s user without scope (create_trust is project-scoped: oslo.policy counts an unscoped token as project scope). */
const unscopedToken = (c: CellContext, p: Persona) => {
  const { username, password, userId } = p.session.credentials;
  return new PasswordSession(c.admin.http, { username, password, userId }).getToken();
};
/** A trust made by its trustor (Keystone requires the caller to be the trustor); admin deletes it after the cell. */
async function trustBy(c: CellContext, trustorToken: string, trustor: string, trustee: string, projectId?: string): Promise<string> {
  const trust = { trustor_user_id: trustor, trustee_user_id: trustee, impersonation: false, ...(projectId ? { project_id: projectId, roles: [{ id: c.w.roles.member }] } : {}) };
  const r = await c.admin.http.request('POST', '/v3/OS-TRUST/trusts', { token: trustorToken, body: { trust } });
  expect(r.status, 'the trustor creates the trust').toBe(201);
  const id = r.body.trust.id as string;
  c.f.defer(`trust ${id}`, async () => adminSend(c, 'DELETE', `/v3/OS-TRUST/trusts/${id}`));
  return id;
}
const counterpart = (c: CellContext) => personaOf(c.w, 'project-member-b');
/** Reads: a trust of project Q's member on Q delegating member, to the persona (in) or to a plain user of A (out). */
const trusteeTrust = async (c: CellContext) =>
  trustBy(c, await counterpart(c).session.getToken(), counterpart(c).userId, c.cell.scope === 'in' ? c.persona.userId : c.w.userA, c.w.projectQ);
const trustRead = (suffix: (c: CellContext) => string, key: string, id?: (c: CellContext) => string, method: HttpMethod = 'GET'): Driver => async (c) => {
  const trust = await trusteeTrust(c);
  return read(() => `/v3/OS-TRUST/trusts/${trust}${suffix(c)}`, key, id ?? (key === 'trust' ? () => trust : undefined), method)(c);
};

// OS-EP-FILTER, OS-OAUTH1 and OS-FEDERATION throwaways (global resources: no in/out).
const EPG = '/v3/OS-EP-FILTER/endpoint_groups';
const CONSUMERS = '/v3/OS-OAUTH1/consumers';
const IDPS = '/v3/OS-FEDERATION/identity_providers';
const MAPPINGS = '/v3/OS-FEDERATION/mappings';
const SPS = '/v3/OS-FEDERATION/service_providers';
const tEndpointGroup = async (c: CellContext) => (await c.f.endpointGroup({ interface: 'admin' })).id;
const tConsumer = async (c: CellContext) => (await c.f.consumer()).id;
const tIdp = async (c: CellContext) => (await c.f.identityProvider()).id;
/** A mapping rule set: any REMOTE_USER becomes a local user of that name (never used to authenticate here). */
const mappingRules = (name: string) => [{ local: [{ user: { name: '{0}' } }], remote: [{ type: 'REMOTE_USER' }, { type: 'HTTP_X_GATE', any_one_of: [name] }] }];
const tMapping = async (c: CellContext) => (await c.f.mapping(mappingRules('before'))).id;
const tSp = async (c: CellContext) => (await c.f.serviceProvider()).id;
/** An identity provider with one protocol mapped to a throwaway mapping: the protocol's path. */
const tProtocol = async (c: CellContext) => {
  const path = `${IDPS}/${await tIdp(c)}/protocols/gate`;
  expect((await adminSend(c, 'PUT', path, { protocol: { mapping_id: await tMapping(c) } })).status, 'admin adds the protocol').toBe(201);
  c.f.defer(`protocol ${path}`, async () => adminSend(c, 'DELETE', path));
  return path;
};

/**
 * Domain configs: an LDAP configuration (stored, never dialled: gate.invalid) on a throwaway domain.
 * The configuration's removal is deferred right after the domain's creation, so it runs before the
 * domain's: Keystone deletes a domain's users through the domain's identity driver.
 */
const LDAP_CONFIG = { identity: { driver: 'ldap' }, ldap: { url: 'ldap://gate.invalid', user_tree_dn: 'ou=Users,dc=gate,dc=invalid' } };
const configPath = (domain: string, ...parts: string[]) => [`/v3/domains/${domain}/config`, ...parts].join('/');
/** A throwaway domain, with LDAP_CONFIG stored by admin unless `bare`; returns its id. */
async function configuredDomain(c: CellContext, bare = false): Promise<string> {
  const id = await tDomain(c);
  c.f.defer(`config of domain ${id}`, async () => adminSend(c, 'DELETE', configPath(id)));
  if (!bare) expect((await adminSend(c, 'PUT', configPath(id), { config: LDAP_CONFIG })).status, 'admin stores the configuration').toBe(201);
  return id;
}
/** The whole configuration as admin reads it (the status when there is none). */
const configOf = (c: CellContext, id: string) => async () => {
  const r = await adminGet(c, configPath(id));
  return r.status === 200 ? r.body.config : r.status;
};
/** A read of the configuration (`parts`: group, option): allowed means the answer is what admin stored. */
const configRead = (expected: Record<string, unknown>, ...parts: string[]): Driver => async (c) => {
  const id = await configuredDomain(c);
  return { method: 'GET', path: configPath(id, ...parts), effect: async (res) => expect(res.body?.config, 'the stored configuration').toEqual(expected) };
};
/** A PATCH of the whole configuration, of the ldap group or of its url: the ldap url changes, nothing else. */
const configUpdate = (body: (url: string) => Record<string, unknown>, ...parts: string[]): Driver => async (c) => {
  const id = await configuredDomain(c);
  const url = `ldap://${c.f.name('after')}.gate.invalid`;
  return judged({ method: 'PATCH', path: configPath(id, ...parts), body: { config: body(url) } }, configOf(c, id), { ...LDAP_CONFIG, ldap: { ...LDAP_CONFIG.ldap, url } }, 'the domain configuration');
};
/** A DELETE of the whole configuration, of a group or of an option: admin reads back `after` (404: none left). */
const configDelete = (after: unknown, ...parts: string[]): Driver => async (c) => {
  const id = await configuredDomain(c);
  return judged({ method: 'DELETE', path: configPath(id, ...parts) }, configOf(c, id), after, 'the domain configuration');
};

/** Endpoint policy: a throwaway policy associated with a throwaway endpoint, a throwaway service, or that service in the world's region. */
const policyAssociation = (kind: 'endpoint' | 'service' | 'service-region') => async (c: CellContext) => {
  const base = `/v3/policies/${await tPolicy(c)}/OS-ENDPOINT-POLICY`;
  if (kind === 'endpoint') return `${base}/endpoints/${await tEndpoint(c)}`;
  const service = `${base}/services/${await tService(c)}`;
  return kind === 'service' ? service : `${service}/regions/${c.w.region}`;
};
/** Associate, verify (GET: 204) and delete one kind of policy association, judged with admin HEAD on the association. */
const policyAssociationOps = (prefix: string, kind: 'endpoint' | 'service' | 'service-region'): Record<string, Driver> => ({
  [`${prefix}.associate`]: relation('PUT', policyAssociation(kind)),
  [`${prefix}.verify`]: present(policyAssociation(kind), 'GET'),
  [`${prefix}.delete`]: relation('DELETE', policyAssociation(kind), undefined, 204, adminPutUndone),
});

/** OS-EP-FILTER associations: the world's endpoint, or a throwaway endpoint group, with a throwaway project of domain A. */
const EP_FILTER = '/v3/OS-EP-FILTER';
const projectEndpoint = async (c: CellContext) => `${EP_FILTER}/projects/${await tProject(c)}/endpoints/${c.w.endpoint}`;
const endpointGroupProject = async (c: CellContext) => `${EPG}/${await tEndpointGroup(c)}/projects/${await tProject(c)}`;
/** A list under a throwaway endpoint group. */
const endpointGroupList = (suffix: string, key: string): Driver => async (c) => { const id = await tEndpointGroup(c); return read(() => `${EPG}/${id}/${suffix}`, key)(c); };


/**
 * Application credentials and access rules a user owns. A user creates its own only (keystone/api/users.py),
 * with a token of its own: a project persona's cached P-scoped token; any other user (system,
 * domain, no-role, holding no project role) its unscoped token, cached per persona: oslo.policy counts
 * an unscoped token as project scope, and the credential is bound to no project and no role.
 */
const unscopedSessions = new WeakMap<Persona, PasswordSession>();
async function ownerToken(c: CellContext, p: Persona): Promise<string> {
  if (p.scope === 'project' || p.scope === 'none') return p.session.getToken();
  let s = unscopedSessions.get(p);
  if (!s) {
    const { username, password, userId } = p.session.credentials;
    s = new PasswordSession(c.admin.http, { username, password, userId });
    unscopedSessions.set(p, s);
  }
  return s.getToken();
}
/** A secret of our own for a credential (registered first: masked everywhere, and in the run's secret canary). */
const appCredSecret = () => { const s = randomBytes(24).toString('base64url'); registerSecret(s); return s; };
const appCredPath = (userId: string, id = '') => `/v3/users/${userId}/application_credentials${id ? `/${id}` : ''}`;
interface OwnedCredential { userId: string; id: string; ruleId: string }
/**
 * The cell's owned target: an application credential with one access rule of its own (a unique path,
 * so no other credential shares it), owned by the persona's own user (in) or by project Q's member
 * (out). Admin deletes both after the cell (the credential first: a rule in use cannot be deleted).
 */
async function ownedCredential(c: CellContext): Promise<OwnedCredential> {
  const owner = c.cell.scope === 'in' ? c.persona : counterpart(c);
  const rule = { service: 'identity', method: 'GET', path: `/v3/${c.f.name('rule')}` };
  const r = await c.admin.http.request('POST', appCredPath(owner.userId), {
    token: await ownerToken(c, owner), body: { application_credential: { name: c.f.name('appcred'), secret: appCredSecret(), access_rules: [rule] } },
  });
  expect(r.status, `${owner.id} creates its own application credential: ${bodyForMessage(r.body)}`).toBe(201);
  const ac = r.body.application_credential as { id: string; access_rules: { id: string }[] };
  const ruleId = ac.access_rules[0]!.id;
  c.f.defer(`access rule ${ruleId}`, async () => adminSend(c, 'DELETE', `/v3/users/${owner.userId}/access_rules/${ruleId}`));
  c.f.defer(`application credential ${ac.id}`, async () => adminSend(c, 'DELETE', appCredPath(owner.userId, ac.id)));
  return { userId: owner.userId, id: ac.id, ruleId };
}
const accessRulePath = (t: OwnedCredential) => `/v3/users/${t.userId}/access_rules/${t.ruleId}`;

/**
 * OS-OAUTH1: a consumer and a request token for the side's project (P in scope, Q out), signed with
 * the consumer's secret (lib/keystone/services/oauth1.ts, as the conformance suite does). Deleting
 * the consumer (the factory's cleanup) deletes its request and access tokens.
 */
const sideAdmin = (c: CellContext) => personaOf(c.w, c.cell.scope === 'in' ? 'project-admin' : 'project-admin-b');
async function oauthRequestToken(c: CellContext): Promise<{ client: { id: string; secret: string }; rt: OAuth1TokenPair }> {
  const consumer = await c.f.consumer();
  const client = { id: consumer.id, secret: consumer.secret! };
  return { client, rt: parseOAuth1TokenPair(expectStatus(await c.admin.oauth1.requestToken(client, projectOf(c)), 201)) };
}
/** Authorises the request token as the side's project admin (it holds admin, so reader, on its project), delegating reader: the verifier. */
async function sideAdminAuthorizes(c: CellContext, rt: OAuth1TokenPair): Promise<string> {
  const r = await c.admin.as(async () => sideAdmin(c).session.getToken()).oauth1.authorize(rt.key, [{ id: c.w.roles.reader }]);
  expect(r.status, 'the project\'s admin authorises the request token').toBe(200);
  return r.body.token.oauth_verifier;
}
/** Exchanges the request token (signed with the consumer and request-token secrets) for an access token. */
async function oauthExchange(c: CellContext, client: { id: string; secret: string }, rt: OAuth1TokenPair, verifier: string): Promise<OAuth1TokenPair> {
  const r = await c.admin.oauth1.accessToken(client, rt, verifier);
  expect(r.status, `access token exchange: ${bodyForMessage(r.body)}`).toBe(201);
  return parseOAuth1TokenPair(r);
}
const accessTokenPath = (userId: string, key = '') => `/v3/users/${userId}/OS-OAUTH1/access_tokens${key ? `/${key}` : ''}`;
/** An access token as the bootstrap admin on its project token reads it (the status when none). */
async function projectAdminReads(c: CellContext, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await c.projectAdmin.http.request('GET', path, { token: await c.projectAdmin.tokenSource() });
  return { status: r.status, body: r.body };
}
/** The target of the access-token rows: an access token on the side's project authorised by its admin. */
async function sideAccessToken(c: CellContext): Promise<{ userId: string; key: string }> {
  const { client, rt } = await oauthRequestToken(c);
  const at = await oauthExchange(c, client, rt, await sideAdminAuthorizes(c, rt));
  return { userId: sideAdmin(c).userId, key: at.key };
}
const accessTokenRead = (suffix: string, key: string, id?: (c: CellContext) => string): Driver => async (c) => {
  const t = await sideAccessToken(c);
  return read(() => `${accessTokenPath(t.userId, t.key)}${suffix}`, key, id ?? (key === 'access_token' ? () => t.key : undefined))(c);
};

const own = (c: CellContext) => c.persona.userId;
const subjectToken = async (c: CellContext) => (c.cell.scope === 'in' ? c.persona.session.getToken() : personaOf(c.w, 'project-member-b').session.getToken());

/** Operation id → driver. An operation of the table without a driver is reported as not driven. */
export const DRIVERS: Record<string, Driver> = {
  // projects and tags
  'projects.list': read(() => '/v3/projects', 'projects'),
  'projects.get': read((c) => `/v3/projects/${projectOf(c)}`, 'project', projectOf),
  'projects.create': create('/v3/projects', 'project', (c, name) => ({ name, domain_id: domainOf(c) })),
  'projects.update': update(tProject, (id) => `/v3/projects/${id}`, 'project'),
  'projects.delete': remove(tProject, (id) => `/v3/projects/${id}`),
  'project-tags.list': read((c) => `/v3/projects/${projectOf(c)}/tags`, 'tags'),
  'project-tags.add': relation('PUT', async (c) => `/v3/projects/${await tProject(c)}/tags/rbac`),
  // in = a tag admin put on project P itself (project personas read through project_id), out = on Q
  'project-tags.check': present(async (c) => `/v3/projects/${projectOf(c)}/tags/${c.f.name('tag')}`, 'GET'),
  'project-tags.replace': async (c) => {
    const id = await taggedProject(c, ['before']);
    return judged({ method: 'PUT', path: `/v3/projects/${id}/tags`, body: { tags: ['after-1', 'after-2'] } }, tagsOf(c, id), ['after-1', 'after-2'], 'tags');
  },
  'project-tags.remove': relation('DELETE', async (c) => `/v3/projects/${await tProject(c)}/tags/rbac`, undefined, 204, adminPut),
  'project-tags.clear': async (c) => {
    const id = await taggedProject(c, ['one', 'two']);
    return judged({ method: 'DELETE', path: `/v3/projects/${id}/tags` }, tagsOf(c, id), [], 'tags');
  },
  // domains
  'domains.list': read(() => '/v3/domains', 'domains'),
  'domains.get': read((c) => `/v3/domains/${domainOf(c)}`, 'domain', domainOf),
  'domains.create': create('/v3/domains', 'domain', (_c, name) => ({ name }), { before: async (c, id) => c.admin.http.request('PATCH', `/v3/domains/${id}`, { token: await c.admin.tokenSource(), body: { domain: { enabled: false } } }) }),
  'domains.update': update(tDomain, (id) => `/v3/domains/${id}`, 'domain'),
  'domains.delete': async (c) => {
    const id = await tDomain(c);
    // Keystone deletes only a disabled domain: disable first, so the persona's DELETE is judged on policy alone.
    await c.admin.http.request('PATCH', `/v3/domains/${id}`, { token: await c.admin.tokenSource(), body: { domain: { enabled: false } } });
    return remove(async () => id, (x) => `/v3/domains/${x}`)(c);
  },
  // users
  'users.list': read(() => '/v3/users', 'users'),
  'users.get': read((c) => `/v3/users/${userOf(c)}`, 'user', userOf),
  'users.create': create('/v3/users', 'user', (c, name) => ({ name, domain_id: domainOf(c) })),
  'users.update': update(tUser, (id) => `/v3/users/${id}`, 'user'),
  'users.delete': remove(tUser, (id) => `/v3/users/${id}`),
  'users.groups.list': read((c) => `/v3/users/${userOf(c)}/groups`, 'groups'),
  'users.projects.list': read((c) => `/v3/users/${userOf(c)}/projects`, 'projects'),
  // groups
  'groups.list': read(() => '/v3/groups', 'groups'),
  'groups.get': read((c) => `/v3/groups/${groupOf(c)}`, 'group', groupOf),
  'groups.create': create('/v3/groups', 'group', (c, name) => ({ name, domain_id: domainOf(c) })),
  'groups.update': update(tGroup, (id) => `/v3/groups/${id}`, 'group'),
  'groups.delete': remove(tGroup, (id) => `/v3/groups/${id}`),
  'groups.users.list': read((c) => `/v3/groups/${groupOf(c)}/users`, 'users'),
  'groups.users.add': relation('PUT', async (c) => `/v3/groups/${await tGroup(c)}/users/${userOf(c)}`),
  'groups.users.check': async (c) => {
    const p = `/v3/groups/${await tGroup(c)}/users/${userOf(c)}`;
    await adminPut(c, p);
    return { method: 'HEAD', path: p };
  },
  'groups.users.remove': relation('DELETE', async (c) => `/v3/groups/${await tGroup(c)}/users/${userOf(c)}`, undefined, 204, adminPut),
  // roles
  'roles.list': read(() => '/v3/roles', 'roles'),
  'roles.get': read((c) => `/v3/roles/${c.w.grantRole}`, 'role', (c) => c.w.grantRole),
  'roles.create': create('/v3/roles', 'role', (_c, name) => ({ name })),
  'roles.update': update(tRole, (id) => `/v3/roles/${id}`, 'role'),
  'roles.delete': remove(tRole, (id) => `/v3/roles/${id}`),
  'implied-roles.list-all': read(() => '/v3/role_inferences', 'role_inferences'),
  'implied-roles.list': async (c) => {
    const p = await inference(c);
    await adminPut(c, p);
    return read(() => p.replace(/\/[^/]+$/, ''), 'role_inference')(c);
  },
  'implied-roles.get': async (c) => { const p = await inference(c); await adminPut(c, p); return read(() => p, 'role_inference')(c); },
  'implied-roles.check': present(inference),
  'implied-roles.create': relation('PUT', inference),
  'implied-roles.delete': relation('DELETE', inference, undefined, 204, adminPut),
  // grants and assignments
  ...grantOps('projects', 'users', 'role-grants.project-user'),
  ...grantOps('projects', 'groups', 'role-grants.project-group'),
  ...grantOps('domains', 'users', 'role-grants.domain-user'),
  ...grantOps('domains', 'groups', 'role-grants.domain-group'),
  ...inheritOps('domains', 'users', 'os-inherit.domain-user'),
  ...inheritOps('domains', 'groups', 'os-inherit.domain-group'),
  ...inheritOps('projects', 'users', 'os-inherit.project-user'),
  ...inheritOps('projects', 'groups', 'os-inherit.project-group'),
  'role-assignments.list': read(() => '/v3/role_assignments', 'role_assignments'),
  // system role assignments (on side A's plain user/group: system grants have no domain)
  'system-roles.user.list': read((c) => `/v3/system/users/${c.w.userA}/roles`, 'roles'),
  'system-roles.user.grant': relation('PUT', async (c) => `/v3/system/users/${c.w.userA}/roles/${c.w.grantRole}`),
  'system-roles.user.check': present(systemGrant('users')),
  'system-roles.user.get': present(systemGrant('users'), 'GET'),
  'system-roles.group.check': present(systemGrant('groups')),
  'system-roles.group.get': present(systemGrant('groups'), 'GET'),
  'system-roles.user.revoke': relation('DELETE', async (c) => `/v3/system/users/${c.w.userA}/roles/${c.w.grantRole}`, undefined, 204, adminPut),
  'system-roles.group.list': read((c) => `/v3/system/groups/${c.w.groupA}/roles`, 'roles'),
  'system-roles.group.grant': relation('PUT', async (c) => `/v3/system/groups/${c.w.groupA}/roles/${c.w.grantRole}`),
  'system-roles.group.revoke': relation('DELETE', async (c) => `/v3/system/groups/${c.w.groupA}/roles/${c.w.grantRole}`, undefined, 204, adminPut),
  // credentials: in scope = the persona's own, out of scope = domain B's plain user's
  'credentials.list': read(() => '/v3/credentials', 'credentials'),
  'credentials.get': async (c) => { const id = await tCredential(c); return read(() => `/v3/credentials/${id}`, 'credential', () => id)(c); },
  'credentials.create': create('/v3/credentials', 'credential', (c, name) => ({ type: 'gate', blob: JSON.stringify({ name }), user_id: c.cell.scope === 'in' ? own(c) : c.w.userB }), {}),
  'credentials.update': async (c) => {
    const id = await tCredential(c);
    const blob = JSON.stringify({ gate: c.f.name('blob') });
    const readBlob = async () => (await adminGet(c, `/v3/credentials/${id}`)).body?.credential?.blob;
    const before = await readBlob();
    return { method: 'PATCH', path: `/v3/credentials/${id}`, body: { credential: { blob } }, effect: async () => expect(await readBlob()).toBe(blob), unchanged: async () => expect(await readBlob()).toBe(before) };
  },
  'credentials.delete': remove(tCredential, (id) => `/v3/credentials/${id}`),
  // application credentials and access rules: the lists of the persona's own user (in) or of domain B's plain user (out)
  'application-credentials.list': read((c) => `/v3/users/${c.cell.scope === 'in' ? own(c) : c.w.userB}/application_credentials`, 'application_credentials'),
  'access-rules.list': read((c) => `/v3/users/${c.cell.scope === 'in' ? own(c) : c.w.userB}/access_rules`, 'access_rules'),
  // create: on the persona's own user (in) or domain B's plain user (out); allowed means admin lists
  // exactly the new credential, bound to the token's project (P for a project token, none otherwise).
  'application-credentials.create': async (c) => {
    const path = appCredPath(c.cell.scope === 'in' ? own(c) : c.w.userB);
    const name = c.f.name('appcred');
    const find = async () => {
      const r = await adminGet(c, `${path}?name=${encodeURIComponent(name)}`);
      expect(r.status, 'admin lists the user\'s application credentials').toBe(200);
      return r.body.application_credentials as { id: string; project_id?: string | null }[];
    };
    return {
      method: 'POST', path, body: { application_credential: { name, secret: appCredSecret() } },
      effect: async (res) => {
        const id = res.body?.application_credential?.id as string;
        expect(id, 'created id').toBeTruthy();
        c.f.defer(`application credential ${id}`, async () => adminSend(c, 'DELETE', `${path}/${id}`));
        const found = await find();
        expect(found.map((x) => x.id), 'admin finds the credential').toEqual([id]);
        expect(found[0]!.project_id ?? null, 'bound to the token\'s project').toBe(c.persona.scope === 'project' ? c.w.projectP : null);
      },
      unchanged: async () => expect(await find(), 'no application credential created').toEqual([]),
    };
  },
  'application-credentials.get': async (c) => { const t = await ownedCredential(c); return read(() => appCredPath(t.userId, t.id), 'application_credential', () => t.id)(c); },
  'application-credentials.delete': async (c) => { const t = await ownedCredential(c); return remove(async () => t.id, (id) => appCredPath(t.userId, id))(c); },
  'access-rules.get': async (c) => { const t = await ownedCredential(c); return read(() => accessRulePath(t), 'access_rule', () => t.ruleId)(c); },
  // The credential is deleted first (a rule in use answers 403 whoever asks); the rule outlives it, the user's until deleted.
  'access-rules.delete': async (c) => {
    const t = await ownedCredential(c);
    expect((await adminSend(c, 'DELETE', appCredPath(t.userId, t.id))).status, 'admin deletes the credential, leaving its rule').toBe(204);
    return remove(async () => accessRulePath(t), (p) => p)(c);
  },
  // catalog
  'regions.list': read(() => '/v3/regions', 'regions'),
  'regions.get': read((c) => `/v3/regions/${c.w.region}`, 'region', (c) => c.w.region),
  'regions.create': async (c) => {
    const id = c.f.name('region');
    return {
      method: 'POST', path: '/v3/regions', body: { region: { id, description: 'rbac' } },
      effect: async () => { c.f.defer(`region ${id}`, async () => c.admin.http.request('DELETE', `/v3/regions/${id}`, { token: await c.admin.tokenSource() })); await expectExists(c, `/v3/regions/${id}`, true, 'created region'); },
      unchanged: () => expectExists(c, `/v3/regions/${id}`, false, 'no region created'),
    };
  },
  'regions.update': update(tRegion, (id) => `/v3/regions/${id}`, 'region'),
  'regions.delete': remove(tRegion, (id) => `/v3/regions/${id}`),
  'services.list': read(() => '/v3/services', 'services'),
  'services.get': read((c) => `/v3/services/${c.w.service}`, 'service', (c) => c.w.service),
  'services.create': create('/v3/services', 'service', (_c, name) => ({ name, type: name })),
  'services.update': update(tService, (id) => `/v3/services/${id}`, 'service'),
  'services.delete': remove(tService, (id) => `/v3/services/${id}`),
  'endpoints.list': read(() => '/v3/endpoints', 'endpoints'),
  'endpoints.get': read((c) => `/v3/endpoints/${c.w.endpoint}`, 'endpoint', (c) => c.w.endpoint),
  'endpoints.create': async (c) => {
    const url = `http://${c.f.name('ep')}.gate.invalid/v1`;
    const find = async () => ((await adminGet(c, `/v3/endpoints?service_id=${c.w.service}`)).body.endpoints as { id: string; url: string }[]).filter((e) => e.url === url);
    return {
      method: 'POST', path: '/v3/endpoints', body: { endpoint: { service_id: c.w.service, interface: 'admin', url } },
      effect: async (res) => { const id = res.body.endpoint.id; c.f.defer(`endpoint ${id}`, async () => c.admin.http.request('DELETE', `/v3/endpoints/${id}`, { token: await c.admin.tokenSource() })); expect(await find()).toHaveLength(1); },
      unchanged: async () => expect(await find(), 'no endpoint created').toHaveLength(0),
    };
  },
  // An endpoint's url must be a URL (Keystone answers 400 otherwise).
  'endpoints.update': update(tEndpoint, (id) => `/v3/endpoints/${id}`, 'endpoint', 'url', (n) => `http://${n}.gate.invalid/v1`),
  'endpoints.delete': remove(tEndpoint, (id) => `/v3/endpoints/${id}`),
  // policies
  'policies.list': read(() => '/v3/policies', 'policies'),
  'policies.get': read((c) => `/v3/policies/${c.w.policy}`, 'policy', (c) => c.w.policy),
  'policies.create': async (c) => {
    const blob = JSON.stringify({ gate: c.f.name('policy') });
    const find = async () => ((await adminGet(c, '/v3/policies')).body.policies as { blob: string }[]).filter((p) => p.blob === blob);
    return {
      method: 'POST', path: '/v3/policies', body: { policy: { type: 'application/json', blob } },
      effect: async (res) => { const id = res.body.policy.id; c.f.defer(`policy ${id}`, async () => c.admin.http.request('DELETE', `/v3/policies/${id}`, { token: await c.admin.tokenSource() })); expect(await find()).toHaveLength(1); },
      unchanged: async () => expect(await find(), 'no policy created').toHaveLength(0),
    };
  },
  'policies.update': update(tPolicy, (id) => `/v3/policies/${id}`, 'policy', 'blob'),
  'policies.delete': remove(tPolicy, (id) => `/v3/policies/${id}`),
  // unified limits
  'registered-limits.list': read(() => '/v3/registered_limits', 'registered_limits'),
  'registered-limits.get': read((c) => `/v3/registered_limits/${c.w.registeredLimit}`, 'registered_limit', (c) => c.w.registeredLimit),
  'registered-limits.create': createBatch('/v3/registered_limits', 'registered_limits', async (c) => {
    const resource = c.f.name('resource');
    return { entry: { service_id: c.w.service, resource_name: resource, default_limit: 10 }, query: `service_id=${c.w.service}&resource_name=${encodeURIComponent(resource)}` };
  }),
  'registered-limits.update': update(tRegisteredLimit, (id) => `/v3/registered_limits/${id}`, 'registered_limit'),
  'registered-limits.delete': remove(tRegisteredLimit, (id) => `/v3/registered_limits/${id}`),
  'limits.model.get': read(() => '/v3/limits/model', 'model'),
  'limits.list': read(() => '/v3/limits', 'limits'),
  'limits.get': read((c) => `/v3/limits/${c.cell.scope === 'in' ? c.w.limitP : c.w.limitQ}`, 'limit', (c) => (c.cell.scope === 'in' ? c.w.limitP : c.w.limitQ)),
  'limits.create': createBatch('/v3/limits', 'limits', async (c) => {
    const rl = await c.f.registeredLimit({ service_id: c.w.service });
    return { entry: { service_id: c.w.service, project_id: projectOf(c), resource_name: rl.resource_name, resource_limit: 5 }, query: `service_id=${c.w.service}&resource_name=${encodeURIComponent(rl.resource_name)}&project_id=${projectOf(c)}` };
  }),
  'limits.update': update(tLimit, (id) => `/v3/limits/${id}`, 'limit'),
  'limits.delete': remove(tLimit, (id) => `/v3/limits/${id}`),
  // trusts and revocation events
  'os-trust.list': read(() => '/v3/OS-TRUST/trusts', 'trusts'),
  'os-trust.create': async (c) => {
    const trustee = await tUser(c);
    const trustor = c.cell.scope === 'in' ? c.persona.userId : counterpart(c).userId;
    const find = async () => {
      const r = await adminGet(c, `/v3/OS-TRUST/trusts?trustee_user_id=${trustee}`);
      expect(r.status, 'admin lists the trustee\'s trusts').toBe(200);
      return (r.body.trusts as { id: string }[]).map((t) => t.id);
    };
    return {
      method: 'POST', path: '/v3/OS-TRUST/trusts', body: { trust: { trustor_user_id: trustor, trustee_user_id: trustee, impersonation: false } },
      effect: async (res) => {
        const id = res.body?.trust?.id as string;
        expect(id, 'created id').toBeTruthy();
        c.f.defer(`trust ${id}`, async () => adminSend(c, 'DELETE', `/v3/OS-TRUST/trusts/${id}`));
        expect(await find(), 'admin finds the trust').toEqual([id]);
      },
      unchanged: async () => expect(await find(), 'no trust created').toEqual([]),
    };
  },
  'os-trust.get': trustRead(() => '', 'trust'),
  'os-trust.delete': async (c) => {
    const id = c.cell.scope === 'in'
      ? await trustBy(c, await unscopedToken(c, c.persona), c.persona.userId, c.w.userA)
      : await trustBy(c, await counterpart(c).session.getToken(), counterpart(c).userId, c.w.userA);
    return remove(async () => id, (x) => `/v3/OS-TRUST/trusts/${x}`)(c);
  },
  'os-trust.roles.list': trustRead(() => '/roles', 'roles'),
  'os-trust.roles.check': trustRead((c) => `/roles/${c.w.roles.member}`, 'role', undefined, 'HEAD'),
  'os-trust.roles.get': trustRead((c) => `/roles/${c.w.roles.member}`, 'role', (c) => c.w.roles.member),
  'os-revoke.events.list': read(() => '/v3/OS-REVOKE/events', 'events'),
  // OS-EP-FILTER endpoint groups
  'os-ep-filter.endpoint-groups.list': read(() => EPG, 'endpoint_groups'),
  'os-ep-filter.endpoint-groups.get': async (c) => { const id = await tEndpointGroup(c); return read(() => `${EPG}/${id}`, 'endpoint_group', () => id)(c); },
  'os-ep-filter.endpoint-groups.check': async (c) => { const id = await tEndpointGroup(c); return read(() => `${EPG}/${id}`, 'endpoint_group', undefined, 'HEAD')(c); },
  'os-ep-filter.endpoint-groups.create': create(EPG, 'endpoint_group', (_c, name) => ({ name, filters: { interface: 'admin' } })),
  'os-ep-filter.endpoint-groups.update': update(tEndpointGroup, (id) => `${EPG}/${id}`, 'endpoint_group'),
  'os-ep-filter.endpoint-groups.delete': remove(tEndpointGroup, (id) => `${EPG}/${id}`),
  // domain configs: the defaults, and the configuration of a throwaway domain (create: one without)
  'domain-configs.default.get': read(() => '/v3/domains/config/default', 'config'),
  'domain-configs.default-group.get': read(() => '/v3/domains/config/ldap/default', 'config'),
  'domain-configs.default-option.get': read(() => '/v3/domains/config/ldap/url/default', 'config'),
  'domain-configs.get': configRead(LDAP_CONFIG),
  'domain-configs.group.get': configRead({ ldap: LDAP_CONFIG.ldap }, 'ldap'),
  'domain-configs.option.get': configRead({ url: LDAP_CONFIG.ldap.url }, 'ldap', 'url'),
  'domain-configs.create': async (c) => {
    const id = await configuredDomain(c, true);
    return judged({ method: 'PUT', path: configPath(id), body: { config: LDAP_CONFIG } }, configOf(c, id), LDAP_CONFIG, 'the domain configuration');
  },
  'domain-configs.update': configUpdate((url) => ({ ldap: { url } })),
  'domain-configs.group.update': configUpdate((url) => ({ ldap: { url } }), 'ldap'),
  'domain-configs.option.update': configUpdate((url) => ({ url }), 'ldap', 'url'),
  'domain-configs.delete': configDelete(404),
  'domain-configs.group.delete': configDelete({ identity: LDAP_CONFIG.identity }, 'ldap'),
  'domain-configs.option.delete': configDelete({ ...LDAP_CONFIG, ldap: { url: LDAP_CONFIG.ldap.url } }, 'ldap', 'user_tree_dn'),
  // endpoint policy
  ...policyAssociationOps('endpoint-policy.endpoint', 'endpoint'),
  ...policyAssociationOps('endpoint-policy.service', 'service'),
  ...policyAssociationOps('endpoint-policy.service-region', 'service-region'),
  'endpoint-policy.endpoints.list': read((c) => `/v3/policies/${c.w.policy}/OS-ENDPOINT-POLICY/endpoints`, 'endpoints'),
  // The effective policy of a throwaway endpoint associated with a throwaway policy (without one: 404).
  'endpoint-policy.effective.get': async (c) => {
    const [policy, endpoint] = [await tPolicy(c), await tEndpoint(c)];
    await adminPutUndone(c, `/v3/policies/${policy}/OS-ENDPOINT-POLICY/endpoints/${endpoint}`);
    return read(() => `/v3/endpoints/${endpoint}/OS-ENDPOINT-POLICY/policy`, 'policy', () => policy)(c);
  },
  // OS-EP-FILTER project/endpoint and project/endpoint-group associations
  'os-ep-filter.project-endpoint.add': relation('PUT', projectEndpoint),
  'os-ep-filter.project-endpoint.check': present(projectEndpoint),
  'os-ep-filter.project-endpoint.remove': relation('DELETE', projectEndpoint, undefined, 204, adminPutUndone),
  'os-ep-filter.project-endpoints.list': read((c) => `${EP_FILTER}/projects/${c.w.projectP}/endpoints`, 'endpoints'),
  'os-ep-filter.endpoint-projects.list': read((c) => `${EP_FILTER}/endpoints/${c.w.endpoint}/projects`, 'projects'),
  'os-ep-filter.endpoint-group-project.add': relation('PUT', endpointGroupProject, undefined, 200),
  'os-ep-filter.endpoint-group-project.get': present(endpointGroupProject, 'GET'),
  'os-ep-filter.endpoint-group-project.check': present(endpointGroupProject),
  'os-ep-filter.endpoint-group-project.remove': relation('DELETE', endpointGroupProject, undefined, 200, adminPutUndone),
  'os-ep-filter.endpoint-group-projects.list': endpointGroupList('projects', 'projects'),
  'os-ep-filter.endpoint-group-endpoints.list': endpointGroupList('endpoints', 'endpoints'),
  'os-ep-filter.project-endpoint-groups.list': read((c) => `${EP_FILTER}/projects/${c.w.projectP}/endpoint_groups`, 'endpoint_groups'),
  // OS-OAUTH1 consumers (no name: the unique value goes in the description)
  'os-oauth1.consumers.list': read(() => CONSUMERS, 'consumers'),
  'os-oauth1.consumers.get': async (c) => { const id = await tConsumer(c); return read(() => `${CONSUMERS}/${id}`, 'consumer', () => id)(c); },
  'os-oauth1.consumers.create': create(CONSUMERS, 'consumer', (_c, name) => ({ description: name }), { field: 'description' }),
  'os-oauth1.consumers.update': update(tConsumer, (id) => `${CONSUMERS}/${id}`, 'consumer'),
  'os-oauth1.consumers.delete': remove(tConsumer, (id) => `${CONSUMERS}/${id}`),
  // OS-OAUTH1 authorisation: a request token of the side's project that its admin has authorised (verifier V1).
  // Allowed: the persona re-authorises it, and the exchange with the verifier it got gives an access
  // token of the persona on that project. Refused: V1 still works, and its access token is the side admin's.
  'os-oauth1.authorize': async (c) => {
    const { client, rt } = await oauthRequestToken(c);
    const v1 = await sideAdminAuthorizes(c, rt);
    const authorizedBy = async (userId: string, verifier: string) => {
      const at = await oauthExchange(c, client, rt, verifier);
      const r = await projectAdminReads(c, accessTokenPath(userId, at.key));
      expect(r.status, 'admin reads the access token under its authorising user').toBe(200);
      expect(r.body.access_token, 'the access token').toMatchObject({ authorizing_user_id: userId, project_id: projectOf(c), consumer_id: client.id });
    };
    return {
      method: 'PUT', path: `/v3/OS-OAUTH1/authorize/${rt.key}`, body: { roles: [{ id: c.w.roles.reader }] },
      effect: async (res) => {
        const v2 = res.body?.token?.oauth_verifier as string;
        expect(v2, 'a verifier').toBeTruthy();
        await authorizedBy(c.persona.userId, v2);
      },
      unchanged: () => authorizedBy(sideAdmin(c).userId, v1),
    };
  },
  // OS-OAUTH1 access tokens: one on the side's project authorised by its admin (URL user = that admin).
  'os-oauth1.access-tokens.list': async (c) => {
    const t = await sideAccessToken(c);
    return { method: 'GET', path: accessTokenPath(t.userId), effect: async (res) => expect((res.body?.access_tokens as { id: string }[]).map((x) => x.id), 'the list carries the access token').toContain(t.key) };
  },
  'os-oauth1.access-tokens.get': accessTokenRead('', 'access_token'),
  'os-oauth1.access-tokens.roles.list': async (c) => {
    const t = await sideAccessToken(c);
    return { method: 'GET', path: `${accessTokenPath(t.userId, t.key)}/roles`, effect: async (res) => expect((res.body?.roles as { id: string }[]).map((r) => r.id), 'the delegated role').toEqual([c.w.roles.reader]) };
  },
  'os-oauth1.access-tokens.roles.get': async (c) => accessTokenRead(`/roles/${c.w.roles.reader}`, 'role', () => c.w.roles.reader)(c),
  'os-oauth1.access-tokens.revoke': async (c) => {
    const t = await sideAccessToken(c);
    const path = accessTokenPath(t.userId, t.key);
    return judged({ method: 'DELETE', path }, async () => (await projectAdminReads(c, path)).status, 404, 'the project admin\'s GET of the access token');
  },
  // OS-FEDERATION identity providers, protocols, mappings, service providers
  'os-federation.idps.list': read(() => IDPS, 'identity_providers'),
  'os-federation.idps.get': async (c) => { const id = await tIdp(c); return read(() => `${IDPS}/${id}`, 'identity_provider', () => id)(c); },
  'os-federation.idps.register': putCreate((id) => `${IDPS}/${id}`, 'identity_provider', () => ({ enabled: false, description: 'rbac' })),
  'os-federation.idps.update': update(tIdp, (id) => `${IDPS}/${id}`, 'identity_provider'),
  'os-federation.idps.delete': remove(tIdp, (id) => `${IDPS}/${id}`),
  'os-federation.protocols.list': async (c) => { const p = await tProtocol(c); return read(() => p.replace(/\/gate$/, ''), 'protocols')(c); },
  'os-federation.protocols.get': async (c) => { const p = await tProtocol(c); return read(() => p, 'protocol', () => 'gate')(c); },
  'os-federation.protocols.add': async (c) => {
    const path = `${IDPS}/${await tIdp(c)}/protocols/gate`;
    const mapping = await tMapping(c);
    c.f.defer(`protocol ${path}`, async () => adminSend(c, 'DELETE', path));
    return { method: 'PUT', path, body: { protocol: { mapping_id: mapping } }, effect: () => expectExists(c, path, true, 'added protocol'), unchanged: () => expectExists(c, path, false, 'no protocol added') };
  },
  'os-federation.protocols.update': async (c) => {
    const path = await tProtocol(c);
    const other = await tMapping(c);
    return judged({ method: 'PATCH', path, body: { protocol: { mapping_id: other } } }, async () => (await adminGet(c, path)).body?.protocol?.mapping_id, other, 'protocol.mapping_id');
  },
  'os-federation.protocols.delete': async (c) => { const path = await tProtocol(c); return remove(async () => path, (p) => p)(c); },
  'os-federation.mappings.list': read(() => MAPPINGS, 'mappings'),
  'os-federation.mappings.get': async (c) => { const id = await tMapping(c); return read(() => `${MAPPINGS}/${id}`, 'mapping', () => id)(c); },
  'os-federation.mappings.create': putCreate((id) => `${MAPPINGS}/${id}`, 'mapping', (c) => ({ rules: mappingRules(c.f.name('rule')) })),
  'os-federation.mappings.update': async (c) => {
    const id = await tMapping(c);
    const rules = mappingRules(c.f.name('after'));
    return judged({ method: 'PATCH', path: `${MAPPINGS}/${id}`, body: { mapping: { rules } } }, async () => (await adminGet(c, `${MAPPINGS}/${id}`)).body?.mapping?.rules, rules, 'mapping.rules');
  },
  'os-federation.mappings.delete': remove(tMapping, (id) => `${MAPPINGS}/${id}`),
  'os-federation.projects.list': read(() => '/v3/OS-FEDERATION/projects', 'projects'),
  'os-federation.domains.list': read(() => '/v3/OS-FEDERATION/domains', 'domains'),
  'os-federation.sps.list': read(() => SPS, 'service_providers'),
  'os-federation.sps.get': async (c) => { const id = await tSp(c); return read(() => `${SPS}/${id}`, 'service_provider', () => id)(c); },
  'os-federation.sps.register': putCreate((id) => `${SPS}/${id}`, 'service_provider', () => ({
    auth_url: 'https://sp.example.test/v3/OS-FEDERATION/identity_providers/gate/protocols/saml2/auth', sp_url: 'https://sp.example.test/Shibboleth.sso/SAML2/ECP', enabled: false,
  })),
  'os-federation.sps.update': update(tSp, (id) => `${SPS}/${id}`, 'service_provider'),
  'os-federation.sps.delete': remove(tSp, (id) => `${SPS}/${id}`),
  // tokens: in scope = the persona's own token as subject, out of scope = project Q member's
  'auth.tokens.validate': async (c) => ({ method: 'GET', path: '/v3/auth/tokens', headers: { 'X-Subject-Token': await subjectToken(c) }, effect: async (res) => expect(res.body?.token?.user?.id).toBe(c.cell.scope === 'in' ? c.persona.userId : personaOf(c.w, 'project-member-b').userId) }),
  'auth.tokens.check': async (c) => ({ method: 'HEAD', path: '/v3/auth/tokens', headers: { 'X-Subject-Token': await subjectToken(c) } }),
  'auth.tokens.revoke': async (c) => {
    const token = await freshToken(c, c.cell.scope === 'in' ? c.persona : personaOf(c.w, 'project-member-b'));
    const validity = async () => (await adminSend(c, 'GET', '/v3/auth/tokens', undefined, { 'X-Subject-Token': token })).status;
    return judged({ method: 'DELETE', path: '/v3/auth/tokens', headers: { 'X-Subject-Token': token } }, validity, 404, 'admin validation of the subject token');
  },
  'auth.catalog.get': read(() => '/v3/auth/catalog', 'catalog'),
  'auth.projects.list': read(() => '/v3/auth/projects', 'projects'),
  'auth.domains.list': read(() => '/v3/auth/domains', 'domains'),
  'auth.system.list': read(() => '/v3/auth/system', 'system'),
};
