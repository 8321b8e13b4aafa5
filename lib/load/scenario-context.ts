/**
 * Rally's context for Keystone load scenarios: the `users` context (tenants and users created
 * before the run, deleted after it) plus `admin_cleanup`/`cleanup` (whatever the iterations
 * created and did not delete themselves). Everything carries a prefixed name, and everything
 * created is deleted by the scenario or by cleanup(), whatever the run's outcome.
 */
import { randomBytes } from 'node:crypto';
import type { Keystone } from '../keystone/client.js';
import { expectStatus, type KsResponse } from '../keystone/http.js';
import { PasswordSession } from '../keystone/session.js';

/** What the context knows how to delete. */
export type EntityKind = 'user' | 'project' | 'role' | 'service' | 'ec2-credential';

export interface ContextUser {
  id: string;
  name: string;
  password: string;
  /** The tenant the user holds the member role on (Rally's context["tenant"]). */
  projectId: string;
  /** A client authenticated as this user, scoped to its tenant; the token is fetched on first use. */
  client: Keystone;
}

export interface ContextTenant {
  id: string;
  name: string;
  users: ContextUser[];
}

export interface ScenarioContextOptions {
  /** Resource prefix of the suite (Settings.resourcePrefix); the leak check looks for it. */
  prefix: string;
  /** Rally's users context. 0 tenants means no users context (admin-only scenarios). */
  tenants?: number;
  usersPerTenant?: number;
  /** Domain everything is created in, by name as Rally resolves it. */
  domainName?: string;
  /** Role Rally grants a user created with a project (its `default_role`). */
  memberRoleName?: string;
  /** Attempts per cleanup delete: cleanup is not under test, a passing conflict must not leak. */
  cleanupAttempts?: number;
  /**
   * Timeout of setup and cleanup requests. They are not measured, and on a loaded machine a
   * request can queue for a minute: failing the workload on that would only be noise.
   */
  housekeepingTimeoutMs?: number;
}

interface Tracked {
  kind: EntityKind;
  id: string;
  /** The owning user of an ec2 credential. */
  owner?: string;
}

/** A create whose outcome is unknown (no answer, or a 5xx): the entity may exist under this name. */
interface Unresolved {
  kind: Exclude<EntityKind, 'ec2-credential'>;
  name: string;
}

const COLLECTION: Record<Unresolved['kind'], { path: string; key: string }> = {
  user: { path: '/v3/users', key: 'users' },
  project: { path: '/v3/projects', key: 'projects' },
  role: { path: '/v3/roles', key: 'roles' },
  service: { path: '/v3/services', key: 'services' },
};

export class ContextClosedError extends Error {
  constructor() {
    super('scenario context is cleaning up: no new entity may be created');
    this.name = 'ContextClosedError';
  }
}

export class ScenarioContext {
  /** Filled by setup(). */
  domainId = '';
  memberRoleId = '';
  readonly tenants: ContextTenant[] = [];
  readonly users: ContextUser[] = [];

  private readonly tracked = new Map<string, Tracked>();
  private readonly unresolved: Unresolved[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  private closed = false;
  private readonly opts: Required<ScenarioContextOptions>;

  constructor(readonly admin: Keystone, opts: ScenarioContextOptions) {
    this.opts = { tenants: 0, usersPerTenant: 1, domainName: 'Default', memberRoleName: 'member', cleanupAttempts: 3, housekeepingTimeoutMs: 180_000, ...opts };
  }

  get prefix(): string {
    return this.opts.prefix;
  }

  /** A unique name under the suite prefix, like Rally's generate_random_name. */
  name(kind: string): string {
    return `${this.opts.prefix}-load-${kind}-${randomBytes(5).toString('hex')}`;
  }

  /**
   * Resolves the domain and member role once (Rally looks them up per call; here they are not what
   * is measured) and creates the users context. Call cleanup() in a finally even if this throws.
   */
  async setup(): Promise<void> {
    const { domainId, memberRoleId } = await this.lookups();
    this.domainId = domainId;
    this.memberRoleId = memberRoleId;
    const opts = { timeoutMs: this.opts.housekeepingTimeoutMs };

    for (let t = 0; t < this.opts.tenants; t++) {
      const tenantName = this.name('project');
      const project = await this.create('project', tenantName, () => this.admin.projects.create({ name: tenantName, domain_id: this.domainId }, opts), (r) => r.body.project);
      const tenant: ContextTenant = { id: project.id, name: project.name, users: [] };
      for (let u = 0; u < this.opts.usersPerTenant; u++) {
        const name = this.name('user');
        const password = randomBytes(18).toString('base64url');
        const user = await this.create('user', name, () => this.admin.users.create({ name, password, domain_id: this.domainId, default_project_id: project.id }, opts), (r) => r.body.user);
        expectStatus(await this.admin.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, this.memberRoleId, opts), 204);
        const session = new PasswordSession(this.admin.http, { username: name, userId: user.id, password, projectId: project.id });
        const cu: ContextUser = { id: user.id, name, password, projectId: project.id, client: this.admin.as(() => session.getToken()) };
        tenant.users.push(cu);
        this.users.push(cu);
      }
      this.tenants.push(tenant);
    }
  }

  /**
   * Domain and member role ids never change for one deployment: looked up once per admin HTTP
   * client, not per workload. Not per base URL: a bench that brings up clusters one after another
   * can get the same port again, with other ids behind it.
   */
  private lookups(): Promise<{ domainId: string; memberRoleId: string }> {
    const cacheKey = `${this.opts.domainName}|${this.opts.memberRoleName}`;
    const lookups = LOOKUPS.get(this.admin.http) ?? new Map<string, Promise<{ domainId: string; memberRoleId: string }>>();
    LOOKUPS.set(this.admin.http, lookups);
    let found = lookups.get(cacheKey);
    if (!found) {
      const opts = { timeoutMs: this.opts.housekeepingTimeoutMs };
      found = (async () => {
        const domains = this.admin.domains.entities(expectStatus(await this.admin.domains.list({ name: this.opts.domainName }, opts), 200));
        const domain = domains.find((d) => d.name === this.opts.domainName);
        if (!domain) throw new Error(`domain ${this.opts.domainName} not found`);
        const roles = this.admin.roles.entities(expectStatus(await this.admin.roles.list({ name: this.opts.memberRoleName }, opts), 200));
        const member = roles.find((r) => r.name === this.opts.memberRoleName && !r.domain_id);
        if (!member) throw new Error(`role ${this.opts.memberRoleName} not found (keystone-manage bootstrap creates it)`);
        return { domainId: domain.id, memberRoleId: member.id };
      })();
      found.catch(() => lookups.delete(cacheKey)); // a failed lookup is retried by the next context
      lookups.set(cacheKey, found);
    }
    return found;
  }

  /** Rally hands iterations the context users round-robin. */
  userFor(iteration: number): ContextUser {
    if (this.users.length === 0) throw new Error('this scenario needs the users context (tenants > 0)');
    return this.users[iteration % this.users.length]!;
  }

  /**
   * Sends a create, requires 201 and registers the entity for cleanup. When Keystone may have
   * created it without saying so (no answer, or a 5xx), the name is kept and looked up at cleanup.
   */
  async create<T extends { id: string }>(
    kind: Unresolved['kind'],
    name: string,
    send: () => Promise<KsResponse>,
    pick: (res: KsResponse) => T,
  ): Promise<T> {
    return this.guard(async () => {
      let res: KsResponse;
      try {
        res = await send();
      } catch (err) {
        this.unresolved.push({ kind, name });
        throw err;
      }
      if (res.status >= 500) this.unresolved.push({ kind, name });
      const entity = pick(expectStatus(res, 201));
      this.track({ kind, id: entity.id });
      return entity;
    });
  }

  /** Registers an ec2 credential (its owner's deletion would drop it too; deleted explicitly anyway). */
  async createEc2(owner: string, send: () => Promise<KsResponse>): Promise<{ access: string }> {
    return this.guard(async () => {
      const res = expectStatus(await send(), 201);
      const access = (res.body as { credential: { access: string } }).credential.access;
      this.track({ kind: 'ec2-credential', id: access, owner });
      return { access };
    });
  }

  /** Sends a delete, requires `status` (204), and forgets the entity. */
  async remove(kind: EntityKind, id: string, send: () => Promise<KsResponse>, status = 204): Promise<void> {
    await this.guard(async () => {
      expectStatus(await send(), status);
      this.tracked.delete(key(kind, id));
    });
  }

  /** Entities still registered (created and not yet deleted). */
  get pending(): number {
    return this.tracked.size;
  }

  /**
   * Deletes, newest first, every entity still registered (context users and tenants last, since
   * they were created first), then looks up creates of unknown outcome by name. Waits for requests
   * still in flight first (an abandoned iteration may yet create something) and refuses new
   * creates from then on. Returns what could not be deleted. Grants need no revoke: Keystone drops
   * a user's and a role's assignments with them.
   */
  async cleanup(): Promise<string[]> {
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    const failures: string[] = [];
    for (const t of [...this.tracked.values()].reverse()) {
      const problem = await this.deleteWithRetry(`${t.kind} ${t.id}`, () => this.deleteRequest(t));
      if (problem) failures.push(problem);
      else this.tracked.delete(key(t.kind, t.id));
    }
    for (const u of this.unresolved.splice(0)) {
      try {
        const c = COLLECTION[u.kind];
        const res = expectStatus(await this.admin.http.request('GET', c.path, { query: { name: u.name }, token: await this.admin.tokenSource(), timeoutMs: this.opts.housekeepingTimeoutMs }), 200);
        for (const e of (res.body[c.key] ?? []) as { id: string; name?: string }[]) {
          if (e.name !== u.name) continue; // a filter Keystone ignores must not widen the sweep
          const problem = await this.deleteWithRetry(`${u.kind} ${u.name}`, () => this.deleteRequest({ kind: u.kind, id: e.id }));
          if (problem) failures.push(problem);
        }
      } catch (err) {
        failures.push(`${u.kind} ${u.name} (outcome unknown): lookup failed: ${(err as Error).message}`);
      }
    }
    return failures;
  }

  private deleteRequest(t: Tracked): Promise<KsResponse> {
    const opts = { timeoutMs: this.opts.housekeepingTimeoutMs };
    switch (t.kind) {
      case 'user': return this.admin.users.delete(t.id, opts);
      case 'project': return this.admin.projects.delete(t.id, opts);
      case 'role': return this.admin.roles.delete(t.id, opts);
      case 'service': return this.admin.services.delete(t.id, opts);
      case 'ec2-credential': return this.admin.ec2Credentials.delete(t.owner!, t.id, opts);
    }
  }

  /** 404 counts as done. A 5xx or a dropped request is retried: leaks are measured elsewhere. */
  private async deleteWithRetry(what: string, send: () => Promise<KsResponse>): Promise<string | undefined> {
    let last = '';
    for (let attempt = 1; attempt <= this.opts.cleanupAttempts; attempt++) {
      try {
        const res = await send();
        if (res.status < 300 || res.status === 404) return undefined;
        last = `HTTP ${res.status}`;
        if (res.status < 500) break;
      } catch (err) {
        last = (err as Error).message;
      }
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
    return `${what}: ${last}`;
  }

  private track(t: Tracked): void {
    this.tracked.set(key(t.kind, t.id), t);
  }

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new ContextClosedError();
    const p = work();
    this.inflight.add(p);
    try {
      return await p;
    } finally {
      this.inflight.delete(p);
    }
  }
}

const key = (kind: EntityKind, id: string): string => `${kind}:${id}`;

const LOOKUPS = new WeakMap<object, Map<string, Promise<{ domainId: string; memberRoleId: string }>>>();
