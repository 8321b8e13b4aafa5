import { randomBytes } from 'node:crypto';
import type { Keystone } from './client.js';
import { expectStatus, type KsResponse } from './http.js';
import type { Domain, Group, Project, Region, Role, Service, User } from './types.js';

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

  async domain(fields: Partial<Domain> = {}): Promise<Domain> {
    const d = this.ks.domains.entity(expectStatus(await this.ks.domains.create({ name: this.name('domain'), ...fields }), 201));
    // A domain must be disabled before Keystone lets it be deleted.
    this.defer(`domain ${d.id}`, async () => {
      await this.ks.domains.update(d.id, { enabled: false });
      return this.ks.domains.delete(d.id);
    });
    return d;
  }

  async project(fields: Partial<Project> = {}): Promise<Project> {
    const p = this.ks.projects.entity(expectStatus(await this.ks.projects.create({ name: this.name('project'), ...fields }), 201));
    this.defer(`project ${p.id}`, () => this.ks.projects.delete(p.id));
    return p;
  }

  /** A user; pass `password` to be able to authenticate as it. */
  async user(fields: Partial<User> & { password?: string } = {}): Promise<User> {
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
