import { randomBytes } from 'node:crypto';
import { bootstrapRoleId } from './bootstrap-roles.js';
import type { Keystone } from './client.js';
import { expectStatus, type KsResponse } from './http.js';
import type { Domain, Group, Project, Region, Role, Service, User } from './types.js';
import type { Credential, Endpoint } from './types.js';
import { randomPassword } from '../cluster/keys.js';
import { passwordAuthBody } from './credentials.js';
import { registerSecret } from './mask.js';
import { subjectToken } from './services/tokens.js';
import type { Ec2Credential } from './services/ec2-credentials.js';
import type { EndpointGroup } from './services/endpoint-filter.js';
import type { Limit } from './services/limits.js';
import type { Policy } from './services/policies.js';
import type { RegisteredLimit } from './services/registered-limits.js';
import type { ApplicationCredential } from './services/application-credentials.js';
import type { Trust } from './services/trusts.js';
import type { GrantTarget } from './services/role-grants.js';
import type { Consumer } from './services/oauth1.js';
import type { IdentityProvider } from './services/identity-providers.js';
import type { Mapping } from './services/mappings.js';
import type { ServiceProvider } from './services/service-providers.js';

type Cleanup = { what: string; run: () => Promise<KsResponse<unknown>> };

/**
 * Creates uniquely prefixed resources and deletes them in reverse order at the end of the test,
 * whatever its outcome. It only ever deletes what it created itself (its own registry), which
 * keeps the suite safe against a shared cloud.
 */
export class ResourceFactory {
  private readonly cleanups: Cleanup[] = [];

  constructor(private readonly ks: Keystone, readonly prefix: string) {}

  /** A unique name carrying the suite prefix (the leak check looks for it). */
  name(kind: string): string {
    return `${this.prefix}-${kind}-${randomBytes(5).toString('hex')}`;
  }

  /** Registers an extra cleanup for something created outside the factory (a grant, a membership). */
  defer(what: string, run: () => Promise<KsResponse<unknown>>): void {
    this.cleanups.push({ what, run });
  }

  /**
   * Registers the undo of a write made outside the factory, only if Keystone made it (`res`
   * carries `createdStatus`: 201 for a create, 204 for a PUT of an association or a grant). A write
   * the test expects to be refused may still be accepted by a faulty Keystone, and what it made
   * must not leak; a refused write made nothing, and its error body has nothing to undo by.
   * `what` and `undo` get the created body (a label naming the new id is built only then).
   */
  deferIfCreated<B>(res: KsResponse<B>, what: string | ((body: B) => string), undo: (body: B) => Promise<KsResponse<unknown>>, createdStatus = 201): void {
    if (res.status !== createdStatus) return;
    this.defer(typeof what === 'string' ? what : what(res.body), () => undo(res.body));
  }

  async domain(fields: Partial<Domain> = {}): Promise<Domain> {
    const d = this.ks.domains.entity(expectStatus(await this.ks.domains.create({ name: this.name('domain'), ...fields }), 201));
    // A domain must be disabled before Keystone lets it be deleted. Its delete cascades over every
    // user, group and project of the domain, a transaction each: with conflict injection on (the
    // concurrency and retry phases), each of those meets its own injected conflict and one retry
    // of the whole unit, so a storm's domain took over 60 s to delete on a loaded machine (44
    // retries, 2026-12-03). Cleanup is not the judged call: it gets three request timeouts.
    this.defer(`domain ${d.id}`, async () => {
      await this.ks.domains.update(d.id, { enabled: false });
      return this.ks.domains.delete(d.id, { timeoutMs: 3 * this.ks.http.defaultTimeoutMs });
    });
    return d;
  }

  async project(fields: Partial<Project> = {}): Promise<Project> {
    const p = this.ks.projects.entity(expectStatus(await this.ks.projects.create({ name: this.name('project'), ...fields }), 201));
    this.defer(`project ${p.id}`, () => this.ks.projects.delete(p.id));
    return p;
  }

  /** A user; pass `password` to be able to authenticate as it (masked, and looked for by the canary, from here on). */
  async user(fields: Partial<User> & { password?: string } = {}): Promise<User> {
    registerSecret(fields.password);
    const u = this.ks.users.entity(expectStatus(await this.ks.users.create({ name: this.name('user'), ...fields }), 201));
    this.defer(`user ${u.id}`, () => this.ks.users.delete(u.id));
    return u;
  }

  async group(fields: Partial<Group> = {}): Promise<Group> {
    const g = this.ks.groups.entity(expectStatus(await this.ks.groups.create({ name: this.name('group'), ...fields }), 201));
    this.defer(`group ${g.id}`, () => this.ks.groups.delete(g.id));
    return g;
  }

  async role(fields: Partial<Role> = {}): Promise<Role> {
    const r = this.ks.roles.entity(expectStatus(await this.ks.roles.create({ name: this.name('role'), ...fields }), 201));
    this.defer(`role ${r.id}`, () => this.ks.roles.delete(r.id));
    return r;
  }

  async region(fields: Partial<Region> = {}): Promise<Region> {
    const id = this.name('region');
    const r = expectStatus(await this.ks.regions.createWithId(id, { description: 'gate', ...fields }), 201).body.region as Region;
    this.defer(`region ${r.id}`, () => this.ks.regions.delete(r.id));
    return r;
  }

  async service(fields: Partial<Service> = {}): Promise<Service> {
    const s = this.ks.services.entity(expectStatus(await this.ks.services.create({ name: this.name('service'), type: this.name('type'), ...fields }), 201));
    this.defer(`service ${s.id}`, () => this.ks.services.delete(s.id));
    return s;
  }

  /** Every party of a grant: a domain holding a project, a user and a group, and a global role. */
  async grantParties(): Promise<{ domain: Domain; project: Project; user: User; group: Group; role: Role }> {
    const domain = await this.domain();
    const project = await this.project({ domain_id: domain.id });
    const user = await this.user({ domain_id: domain.id });
    const group = await this.group({ domain_id: domain.id });
    return { domain, project, user, group, role: await this.role() };
  }

  /**
   * PUTs a role grant as `caller` (the factory's client by default) and returns Keystone's answer
   * for the test to judge. A grant that was made (204) gets its revoke registered, whoever asked.
   */
  async grant(t: GrantTarget, roleId: string, caller: Keystone = this.ks): Promise<KsResponse> {
    const r = await caller.grants.grant(t, roleId);
    this.deferIfCreated(r, `${t.inherited ? 'inherited ' : ''}grant on ${t.scope}/${t.actor}`, () => this.ks.grants.revoke(t, roleId), 204);
    return r;
  }

  /**
   * A user with a password and `roleId` on `projectId`: the usual delegator (trustor, app
   * credential or OAuth1 owner) and the "plain member" of 403 tests.
   */
  async userWithRole(projectId: string, roleId: string, fields: Partial<User> = {}): Promise<{ user: User; password: string }> {
    const password = randomBytes(18).toString('base64url');
    const user = await this.user({ ...fields, password } as Partial<User> & { password: string });
    expectStatus(await this.ks.grants.grant({ scope: 'projects', scopeId: projectId, actor: 'users', actorId: user.id }, roleId), 204);
    // Deleting the user drops its assignments too; no separate revoke is needed.
    return { user, password };
  }

  /** An application credential; `owner` is a client on the user's own token (Keystone refuses anyone else). */
  async applicationCredential(owner: Keystone, userId: string, fields: Record<string, unknown> = {}): Promise<ApplicationCredential> {
    const res = expectStatus(await owner.applicationCredentials.create(userId, { name: this.name('appcred'), ...fields }), 201);
    const ac = res.body.application_credential;
    this.defer(`application credential ${ac.id}`, () => this.ks.applicationCredentials.delete(userId, ac.id));
    return ac;
  }

  /** A trust; `trustor` is a client on the trustor's token (Keystone requires caller = trustor). */
  async trust(trustor: Keystone, fields: Record<string, unknown>): Promise<Trust> {
    const t = trustor.trusts.entity(expectStatus(await trustor.trusts.create(fields), 201));
    this.defer(`trust ${t.id}`, () => this.ks.trusts.delete(t.id));
    return t;
  }

  /** An OAuth1 consumer (with its one-time `secret`). */
  async consumer(fields: Record<string, unknown> = {}): Promise<Consumer> {
    const c = this.ks.consumers.entity(expectStatus(await this.ks.consumers.create({ description: this.name('consumer'), ...fields }), 201));
    this.defer(`consumer ${c.id}`, () => this.ks.consumers.delete(c.id));
    return c;
  }

  /** A federation identity provider whose id carries the prefix. */
  async identityProvider(fields: Record<string, unknown> = {}): Promise<IdentityProvider> {
    const id = this.name('idp');
    const idp = expectStatus(await this.ks.identityProviders.register(id, fields), 201).body.identity_provider;
    this.defer(`identity provider ${id}`, () => this.ks.identityProviders.delete(id));
    return idp;
  }

  async mapping(rules: unknown[]): Promise<Mapping> {
    const id = this.name('mapping');
    const m = expectStatus(await this.ks.mappings.create(id, { rules }), 201).body.mapping;
    this.defer(`mapping ${id}`, () => this.ks.mappings.delete(id));
    return m;
  }

  async serviceProvider(fields: Record<string, unknown> = {}): Promise<ServiceProvider> {
    const id = this.name('sp');
    const sp = expectStatus(await this.ks.serviceProviders.register(id, { auth_url: 'https://sp.example.test/v3/OS-FEDERATION/identity_providers/gate/protocols/saml2/auth', sp_url: 'https://sp.example.test/Shibboleth.sso/SAML2/ECP', ...fields }), 201).body.service_provider;
    this.defer(`service provider ${id}`, () => this.ks.serviceProviders.delete(id));
    return sp;
  }

  /** An endpoint of `service_id` (give one of the test's own services: never the identity service), no region by default. */
  async endpoint(fields: Partial<Endpoint> & { service_id: string }): Promise<Endpoint> {
    const e = this.ks.endpoints.entity(expectStatus(await this.ks.endpoints.create({ interface: 'public', url: `http://${this.name('endpoint')}.gate.invalid/v1`, ...fields }), 201));
    this.defer(`endpoint ${e.id}`, () => this.ks.endpoints.delete(e.id));
    return e;
  }

  /** A /v3/credentials entry of `user_id` (a non-ec2 type unless given). */
  async credential(fields: Partial<Credential> & { user_id: string }): Promise<Credential> {
    const c = this.ks.credentials.entity(expectStatus(await this.ks.credentials.create({ type: 'gate', blob: JSON.stringify({ gate: this.name('blob') }), ...fields }), 201));
    this.defer(`credential ${c.id}`, () => this.ks.credentials.delete(c.id));
    return c;
  }

  /** An EC2 credential of a user for a project (OS-EC2). */
  async ec2Credential(userId: string, projectId: string): Promise<Ec2Credential> {
    const c = expectStatus(await this.ks.ec2Credentials.create(userId, projectId), 201).body.credential;
    registerSecret(c.secret);
    this.defer(`ec2 credential of ${userId}`, () => this.ks.ec2Credentials.delete(userId, c.access));
    return c;
  }

  async policy(fields: Partial<Policy> = {}): Promise<Policy> {
    const p = this.ks.policies.entity(expectStatus(await this.ks.policies.create({ type: 'application/json', blob: JSON.stringify({ gate: this.name('policy') }), ...fields }), 201));
    this.defer(`policy ${p.id}`, () => this.ks.policies.delete(p.id));
    return p;
  }

  async endpointGroup(filters: Record<string, string>, fields: Partial<EndpointGroup> = {}): Promise<EndpointGroup> {
    const g = this.ks.endpointFilter.entity(expectStatus(await this.ks.endpointFilter.create({ name: this.name('epgroup'), filters, ...fields }), 201));
    this.defer(`endpoint group ${g.id}`, () => this.ks.endpointFilter.delete(g.id));
    return g;
  }

  /** One registered limit (give a service of the test's own: registered limits are unique per service, region and resource). */
  async registeredLimit(fields: Partial<RegisteredLimit> & { service_id: string }): Promise<RegisteredLimit> {
    const r = expectStatus(await this.ks.registeredLimits.createBatch([{ resource_name: this.name('resource'), default_limit: 10, ...fields }]), 201).body.registered_limits[0]!;
    this.defer(`registered limit ${r.id}`, () => this.ks.registeredLimits.delete(r.id));
    return r;
  }

  /** One project or domain limit; a registered limit for the same service, region and resource must exist. */
  async limit(fields: Partial<Limit> & { service_id: string; resource_name: string }): Promise<Limit> {
    const l = expectStatus(await this.ks.limits.createBatch([{ resource_limit: 5, ...fields }]), 201).body.limits[0]!;
    this.defer(`limit ${l.id}`, () => this.ks.limits.delete(l.id));
    return l;
  }

  /**
   * A plain member: a new project, a new user holding only the `member` role on it, and that
   * user's project-scoped token (for 403 cases: `admin.as(async () => m.token)`).
   */
  async member(): Promise<{ user: User; project: Project; password: string; token: string }> {
    const password = randomPassword();
    const project = await this.project();
    const user = await this.user({ password, default_project_id: project.id });
    const roleId = await bootstrapRoleId(this.ks, 'member');
    expectStatus(await this.ks.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, roleId), 204);
    const issued = expectStatus(await this.ks.tokens.issue(passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id })), 201);
    return { user, project, password, token: subjectToken(issued) };
  }

  /** Runs every cleanup in reverse creation order; 404 counts as done. Returns what could not be deleted. */
  async cleanup(): Promise<string[]> {
    const failures: string[] = [];
    while (this.cleanups.length) {
      const c = this.cleanups.pop()!;
      try {
        const r = await c.run();
        if (r.status >= 300 && r.status !== 404) failures.push(`${c.what}: HTTP ${r.status}`);
      } catch (e) {
        failures.push(`${c.what}: ${(e as Error).message}`);
      }
    }
    return failures;
  }
}
