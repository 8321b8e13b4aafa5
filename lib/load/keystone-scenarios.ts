/**
 * Rally's KeystoneBasic scenarios (rally_openstack/task/scenarios/keystone/basic.py, all 21) as
 * lib/load scenarios over this harness's Keystone client. Atomic action names are Rally's own
 * (`keystone_v3.*`, from rally_openstack/common/services/identity), so a report here reads
 * like a Rally report and figures compare row by row.
 *
 * Deliberate differences from Rally, each to measure Keystone rather than the client:
 * - Rally resolves the domain (and, for a user created with a project, lists roles to find
 *   `member`) inside every create_user/create_project; the context resolves both once.
 * - create_and_list_{users,tenants,services,ec2credentials} also check that the entity just
 *   created is in the list (Rally checks this only for roles): a lost insert fails the iteration.
 * - Every entity goes through the ScenarioContext, which deletes what the scenario did not.
 */
import type { Concern } from '../coverage/operations.js';
import type { Keystone } from '../keystone/client.js';
import { passwordAuthBody, type PasswordCredentials } from '../keystone/credentials.js';
import { expectStatus, type KsResponse } from '../keystone/http.js';
import { subjectToken } from '../keystone/services/tokens.js';
import type { IterationContext, Scenario } from './atomic.js';
import type { ScenarioContext } from './scenario-context.js';

/** Rally's atomic action names for Keystone v3. */
export const ATOMIC = {
  createUser: 'keystone_v3.create_user',
  createUsers: 'keystone_v3.create_users',
  updateUser: 'keystone_v3.update_user',
  deleteUser: 'keystone_v3.delete_user',
  getUser: 'keystone_v3.get_user',
  listUsers: 'keystone_v3.list_users',
  createProject: 'keystone_v3.create_project',
  updateProject: 'keystone_v3.update_project',
  deleteProject: 'keystone_v3.delete_project',
  getProject: 'keystone_v3.get_project',
  listProjects: 'keystone_v3.list_projects',
  createRole: 'keystone_v3.create_role',
  deleteRole: 'keystone_v3.delete_role',
  getRole: 'keystone_v3.get_role',
  listRoles: 'keystone_v3.list_roles',
  addRole: 'keystone_v3.add_role',
  revokeRole: 'keystone_v3.revoke_role',
  createService: 'keystone_v3.create_service',
  deleteService: 'keystone_v3.delete_service',
  listServices: 'keystone_v3.list_services',
  // Rally's name for a service GET really is plural.
  getService: 'keystone_v3.get_services',
  createEc2: 'keystone_v3.create_ec2creds',
  listEc2: 'keystone_v3.list_ec2creds',
  deleteEc2: 'keystone_v3.delete_ec2creds',
  fetchToken: 'keystone_v3.fetch_token',
  validateToken: 'keystone_v3.validate_token',
} as const;

export interface KeystoneBasicDeps {
  /** Admin client (Rally's admin_keystone). */
  admin: Keystone;
  /** Credentials of that admin: fetch_token authenticates afresh with them, as Rally does. */
  adminCredentials: PasswordCredentials;
  context: ScenarioContext;
}

/** Rally's scenario arguments, with the defaults of its sample tasks scaled to 2 cores. */
export interface KeystoneBasicArgs {
  /** create_tenant_with_users (Rally sample: 10). */
  usersPerTenant: number;
  /** create_user_set_enabled_and_delete: initial `enabled`, then toggled. */
  enabled: boolean;
  /** get_entities: service fetched by name, or null to create an ephemeral one. */
  serviceName: string | null;
  /** create_and_update_user: fields set by the update and checked afterwards (Rally sample). */
  updateUserFields: Record<string, unknown>;
}

export const DEFAULT_ARGS: KeystoneBasicArgs = {
  usersPerTenant: 2,
  enabled: true,
  serviceName: 'keystone',
  updateUserFields: { enabled: false },
};

export interface KeystoneBasicScenario {
  /** Rally's name, e.g. `KeystoneBasic.create_user`. */
  name: string;
  /** The method name alone (`create_user`), for file names and titles. */
  short: string;
  description: string;
  /** Keystone concerns touched (lib/coverage/operations.ts keys), for test tags. */
  concerns: readonly Concern[];
  /** Needs Rally's users context (a tenant and users made before the run). */
  needsUsers: boolean;
  /** HTTP requests one iteration sends, for budgets (SLA limits, time outs). */
  requests(args: KeystoneBasicArgs): number;
  make(deps: KeystoneBasicDeps, args?: Partial<KeystoneBasicArgs>): Scenario;
}

/** The admin-side operations the scenarios are made of, each one timed atomic action (none from untimed()). */
class Ops {
  constructor(private readonly d: KeystoneBasicDeps, private readonly it: IterationContext, private readonly timing = true) {}

  /** The same operations without their own atomic rows, for use inside a batch atomic (Rally's create_users). */
  untimed(): Ops {
    return new Ops(this.d, this.it, false);
  }

  private atomic<T>(name: string, action: () => Promise<T>): Promise<T> {
    if (this.timing) return this.it.atomic(name, action);
    this.it.signal.throwIfAborted();
    return action();
  }

  private get ks(): Keystone { return this.d.admin; }
  private get ctx(): ScenarioContext { return this.d.context; }

  createUser(fields: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
    const name = this.ctx.name('user');
    return this.atomic(ATOMIC.createUser, () => this.ctx.create('user', name,
      () => this.ks.users.create({ name, domain_id: this.ctx.domainId, enabled: true, ...fields }), (r) => r.body.user));
  }
  /** Rally's create_user with a project: default project set, then the member role granted (no role listing, see header). */
  async createUserInProject(projectId: string): Promise<{ id: string }> {
    const name = this.ctx.name('user');
    const user = await this.atomic(ATOMIC.createUser, () => this.ctx.create('user', name,
      () => this.ks.users.create({ name, domain_id: this.ctx.domainId, default_project_id: projectId, enabled: true }), (r) => r.body.user));
    await this.addRole(this.ctx.memberRoleId, user.id, projectId);
    return user;
  }
  updateUser(id: string, fields: Record<string, unknown>): Promise<KsResponse> {
    return this.atomic(ATOMIC.updateUser, async () => expectStatus(await this.ks.users.update(id, fields), 200));
  }
  deleteUser(id: string): Promise<void> {
    return this.atomic(ATOMIC.deleteUser, () => this.ctx.remove('user', id, () => this.ks.users.delete(id)));
  }
  getUser(id: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.getUser, async () => expectStatus(await this.ks.users.show(id), 200));
  }
  listUsers(): Promise<KsResponse> {
    return this.atomic(ATOMIC.listUsers, async () => expectStatus(await this.ks.users.list(), 200));
  }

  createProject(): Promise<{ id: string; name: string }> {
    const name = this.ctx.name('project');
    return this.atomic(ATOMIC.createProject, () => this.ctx.create('project', name,
      () => this.ks.projects.create({ name, domain_id: this.ctx.domainId }), (r) => r.body.project));
  }
  updateProject(id: string, fields: Record<string, unknown>): Promise<KsResponse> {
    return this.atomic(ATOMIC.updateProject, async () => expectStatus(await this.ks.projects.update(id, fields), 200));
  }
  deleteProject(id: string): Promise<void> {
    return this.atomic(ATOMIC.deleteProject, () => this.ctx.remove('project', id, () => this.ks.projects.delete(id)));
  }
  getProject(id: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.getProject, async () => expectStatus(await this.ks.projects.show(id), 200));
  }
  listProjects(): Promise<KsResponse> {
    return this.atomic(ATOMIC.listProjects, async () => expectStatus(await this.ks.projects.list(), 200));
  }

  createRole(): Promise<{ id: string; name: string }> {
    const name = this.ctx.name('role');
    return this.atomic(ATOMIC.createRole, () => this.ctx.create('role', name, () => this.ks.roles.create({ name }), (r) => r.body.role));
  }
  deleteRole(id: string): Promise<void> {
    return this.atomic(ATOMIC.deleteRole, () => this.ctx.remove('role', id, () => this.ks.roles.delete(id)));
  }
  getRole(id: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.getRole, async () => expectStatus(await this.ks.roles.show(id), 200));
  }
  listRoles(): Promise<KsResponse> {
    return this.atomic(ATOMIC.listRoles, async () => expectStatus(await this.ks.roles.list(), 200));
  }
  /** Rally's list_roles(user_id, project_id): the roles of a user on a project. */
  listUserRoles(userId: string, projectId: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.listRoles, async () =>
      expectStatus(await this.ks.grants.list({ scope: 'projects', scopeId: projectId, actor: 'users', actorId: userId }), 200));
  }
  addRole(roleId: string, userId: string, projectId: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.addRole, async () =>
      expectStatus(await this.ks.grants.grant({ scope: 'projects', scopeId: projectId, actor: 'users', actorId: userId }, roleId), 204));
  }
  revokeRole(roleId: string, userId: string, projectId: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.revokeRole, async () =>
      expectStatus(await this.ks.grants.revoke({ scope: 'projects', scopeId: projectId, actor: 'users', actorId: userId }, roleId), 204));
  }

  createService(): Promise<{ id: string; name: string }> {
    const name = this.ctx.name('service');
    // Rally's default type is "rally_test_type"; ours carries the prefix too, so it is recognisably the gate's.
    const type = `${this.ctx.prefix}_load_type`;
    return this.atomic(ATOMIC.createService, () => this.ctx.create('service', name,
      () => this.ks.services.create({ name, type, description: this.ctx.name('description'), enabled: true }), (r) => r.body.service));
  }
  deleteService(id: string): Promise<void> {
    return this.atomic(ATOMIC.deleteService, () => this.ctx.remove('service', id, () => this.ks.services.delete(id)));
  }
  listServices(): Promise<KsResponse> {
    return this.atomic(ATOMIC.listServices, async () => expectStatus(await this.ks.services.list(), 200));
  }
  getService(id: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.getService, async () => expectStatus(await this.ks.services.show(id), 200));
  }

  fetchToken(): Promise<string> {
    // A fresh password authentication, never the cached admin token (Rally builds new clients for it).
    return this.atomic(ATOMIC.fetchToken, async () => subjectToken(expectStatus(await this.ks.tokens.issue(passwordAuthBody(this.d.adminCredentials)), 201)));
  }
  validateToken(token: string): Promise<KsResponse> {
    return this.atomic(ATOMIC.validateToken, async () => expectStatus(await this.ks.tokens.validate(token), 200));
  }
}

/** Fails the iteration unless `id` is among the listed entities (skipped when Keystone truncated the list). */
function expectListed(res: KsResponse, key: string, id: string, field = 'id'): void {
  const body = res.body as Record<string, unknown> & { truncated?: boolean };
  if (body.truncated) return;
  const items = (body[key] ?? []) as Record<string, unknown>[];
  if (!items.some((e) => e[field] === id)) {
    throw new Error(`${res.method} ${res.path}: the ${key.replace(/s$/, '')} ${id} created in this iteration is not listed (${items.length} listed; request ${res.requestId})`);
  }
}

function expectEqual(what: string, actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`${what} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
}

type Body = (ops: Ops, deps: KeystoneBasicDeps, args: KeystoneBasicArgs, it: IterationContext) => Promise<void>;

function scenario(short: string, def: {
  description: string;
  concerns: Concern[];
  needsUsers?: boolean;
  requests: number | ((a: KeystoneBasicArgs) => number);
  run: Body;
}): KeystoneBasicScenario {
  return {
    name: `KeystoneBasic.${short}`,
    short,
    description: def.description,
    concerns: def.concerns,
    needsUsers: def.needsUsers ?? false,
    requests: (a) => (typeof def.requests === 'number' ? def.requests : def.requests(a)),
    make(deps, partial = {}) {
      const args = { ...DEFAULT_ARGS, ...partial };
      return (it) => def.run(new Ops(deps, it), deps, args, it);
    },
  };
}

/** Every KeystoneBasic scenario, in basic.py's order. */
export const KEYSTONE_BASIC: readonly KeystoneBasicScenario[] = [
  scenario('create_user', {
    description: 'Create a user with a random name.',
    concerns: ['users'], requests: 1,
    run: async (ops) => { await ops.createUser(); },
  }),
  scenario('create_delete_user', {
    description: 'Create a user, then delete it.',
    concerns: ['users'], requests: 2,
    run: async (ops) => {
      const user = await ops.createUser();
      await ops.deleteUser(user.id);
    },
  }),
  scenario('create_user_set_enabled_and_delete', {
    description: 'Create a user with `enabled`, toggle it, delete the user.',
    concerns: ['users'], requests: 3,
    run: async (ops, _d, args) => {
      const user = await ops.createUser({ enabled: args.enabled });
      await ops.updateUser(user.id, { enabled: !args.enabled });
      await ops.deleteUser(user.id);
    },
  }),
  scenario('create_tenant', {
    description: 'Create a project (tenant) with a random name.',
    concerns: ['projects'], requests: 1,
    run: async (ops) => { await ops.createProject(); },
  }),
  scenario('authenticate_user_and_validate_token', {
    description: 'Authenticate with a password (a new token), then validate that token.',
    concerns: ['auth-tokens'], requests: 2,
    run: async (ops) => {
      const token = await ops.fetchToken();
      await ops.validateToken(token);
    },
  }),
  scenario('create_tenant_with_users', {
    description: 'Create a project and `usersPerTenant` users in it, each with the member role.',
    concerns: ['projects', 'users', 'role-grants'], requests: (a) => 1 + 2 * a.usersPerTenant,
    run: async (ops, _d, args, it) => {
      const project = await ops.createProject();
      // One atomic for the batch, as Rally's create_users; the per-user actions inside get no rows of
      // their own, so the stacked chart does not count them twice.
      const inner = ops.untimed();
      await it.atomic(ATOMIC.createUsers, async () => {
        for (let i = 0; i < args.usersPerTenant; i++) await inner.createUserInProject(project.id);
      });
    },
  }),
  scenario('create_and_list_users', {
    description: 'Create a user, then list all users.',
    concerns: ['users'], requests: 2,
    run: async (ops) => {
      const user = await ops.createUser();
      expectListed(await ops.listUsers(), 'users', user.id);
    },
  }),
  scenario('create_and_list_tenants', {
    description: 'Create a project, then list all projects.',
    concerns: ['projects'], requests: 2,
    run: async (ops) => {
      const project = await ops.createProject();
      expectListed(await ops.listProjects(), 'projects', project.id);
    },
  }),
  scenario('add_and_remove_user_role', {
    description: "Create a role, grant it to a context user on the user's tenant, revoke it.",
    concerns: ['roles', 'role-grants'], needsUsers: true, requests: 3,
    run: async (ops, d, _a, it) => {
      const user = d.context.userFor(it.iteration);
      const role = await ops.createRole();
      await ops.addRole(role.id, user.id, user.projectId);
      await ops.revokeRole(role.id, user.id, user.projectId);
    },
  }),
  scenario('create_and_delete_role', {
    description: 'Create a role, then delete it.',
    concerns: ['roles'], requests: 2,
    run: async (ops) => {
      const role = await ops.createRole();
      await ops.deleteRole(role.id);
    },
  }),
  scenario('create_add_and_list_user_roles', {
    description: "Create a role, grant it to a context user on the user's tenant, list the user's roles there.",
    concerns: ['roles', 'role-grants'], needsUsers: true, requests: 3,
    run: async (ops, d, _a, it) => {
      const user = d.context.userFor(it.iteration);
      const role = await ops.createRole();
      await ops.addRole(role.id, user.id, user.projectId);
      expectListed(await ops.listUserRoles(user.id, user.projectId), 'roles', role.id);
    },
  }),
  scenario('get_entities', {
    description: 'Create a project, a user in it and a role; get each by id; get a service found by name (or an ephemeral one) by id.',
    concerns: ['projects', 'users', 'roles', 'role-grants', 'services'], requests: 9,
    run: async (ops, _d, args) => {
      const project = await ops.createProject();
      const user = await ops.createUserInProject(project.id);
      const role = await ops.createRole();
      await ops.getProject(project.id);
      await ops.getUser(user.id);
      await ops.getRole(role.id);
      let serviceId: string;
      if (args.serviceName === null) {
        serviceId = (await ops.createService()).id;
      } else {
        const list = (await ops.listServices()).body.services as { id: string; name?: string }[];
        const found = list.find((s) => s.name === args.serviceName);
        if (!found) throw new Error(`no service named ${args.serviceName} in the catalog`);
        serviceId = found.id;
      }
      await ops.getService(serviceId);
    },
  }),
  scenario('create_and_delete_service', {
    description: 'Create a service, then delete it.',
    concerns: ['services'], requests: 2,
    run: async (ops) => {
      const service = await ops.createService();
      await ops.deleteService(service.id);
    },
  }),
  scenario('create_update_and_delete_tenant', {
    description: 'Create a project, give it a new name and description, delete it.',
    concerns: ['projects'], requests: 3,
    run: async (ops, d) => {
      const project = await ops.createProject();
      await ops.updateProject(project.id, { name: d.context.name('project'), description: d.context.name('description') });
      await ops.deleteProject(project.id);
    },
  }),
  scenario('create_user_update_password', {
    description: 'Create a user, then set a password on it.',
    concerns: ['users'], requests: 2,
    run: async (ops, d) => {
      const user = await ops.createUser();
      await ops.updateUser(user.id, { password: d.context.name('password') });
    },
  }),
  scenario('create_and_list_services', {
    description: 'Create a service, then list all services.',
    concerns: ['services'], requests: 2,
    run: async (ops) => {
      const service = await ops.createService();
      expectListed(await ops.listServices(), 'services', service.id);
    },
  }),
  scenario('create_and_list_ec2credentials', {
    description: 'As a context user: create an EC2 credential for its tenant, then list its EC2 credentials.',
    concerns: ['credentials'], needsUsers: true, requests: 2,
    run: async (_ops, d, _a, it) => {
      const user = d.context.userFor(it.iteration);
      const own = user.client.ec2Credentials;
      const cred = await it.atomic(ATOMIC.createEc2, () => d.context.createEc2(user.id, () => own.create(user.id, user.projectId)));
      const listed = await it.atomic(ATOMIC.listEc2, async () => expectStatus(await own.list(user.id), 200));
      expectListed(listed, 'credentials', cred.access, 'access');
    },
  }),
  scenario('create_and_delete_ec2credential', {
    description: 'As a context user: create an EC2 credential for its tenant, then delete it.',
    concerns: ['credentials'], needsUsers: true, requests: 2,
    run: async (_ops, d, _a, it) => {
      const user = d.context.userFor(it.iteration);
      const own = user.client.ec2Credentials;
      const cred = await it.atomic(ATOMIC.createEc2, () => d.context.createEc2(user.id, () => own.create(user.id, user.projectId)));
      await it.atomic(ATOMIC.deleteEc2, () => d.context.remove('ec2-credential', cred.access, () => own.delete(user.id, cred.access)));
    },
  }),
  scenario('create_and_get_role', {
    description: 'Create a role, then get it by id.',
    concerns: ['roles'], requests: 2,
    run: async (ops) => {
      const role = await ops.createRole();
      expectEqual('the role got by id', (await ops.getRole(role.id)).body.role?.id, role.id);
    },
  }),
  scenario('create_and_list_roles', {
    description: 'Create a role, then list all roles; the new role must be listed (as Rally asserts).',
    concerns: ['roles'], requests: 2,
    run: async (ops) => {
      const role = await ops.createRole();
      expectListed(await ops.listRoles(), 'roles', role.id);
    },
  }),
  scenario('create_and_update_user', {
    description: 'Create a user, update it with `updateUserFields`, then check each field (as Rally asserts).',
    concerns: ['users'], requests: 3,
    run: async (ops, d, args) => {
      const user = await ops.createUser();
      await ops.updateUser(user.id, args.updateUserFields);
      // Rally reads the user back outside any atomic action; so does this.
      const shown = expectStatus(await d.admin.users.show(user.id), 200).body.user as Record<string, unknown>;
      for (const [field, value] of Object.entries(args.updateUserFields)) expectEqual(`user ${user.id} ${field} after the update`, shown[field], value);
    },
  }),
];

export function keystoneBasic(short: string): KeystoneBasicScenario {
  const s = KEYSTONE_BASIC.find((x) => x.short === short || x.name === short);
  if (!s) throw new Error(`no KeystoneBasic scenario ${short}; known: ${KEYSTONE_BASIC.map((x) => x.short).join(', ')}`);
  return s;
}
