import { setTimeout as sleep } from 'node:timers/promises';
import type { Keystone } from '../keystone/client.js';
import { passwordAuthBody } from '../keystone/credentials.js';
import type { ResourceFactory } from '../keystone/factory.js';
import type { KsResponse } from '../keystone/http.js';
import { subjectToken } from '../keystone/services/tokens.js';
import { describe, verdict, type CheckResult } from './checkers/common.js';
import { classifyDefault, type Settled } from './driver.js';
import { eventsOf, pairsOf, type History, type HistoryLike, type OpPair, type Outcome } from './history.js';

/**
 * A light, mixed identity workload across regions (auth, validate, revoke, create, update, grant,
 * delete), recorded as a Jepsen-style history, and the checks judged on it once faults are
 * healed: no acknowledged write lost on any region, every region agrees, a cut-off minority
 * acknowledges no write.
 *
 * Each region has its own clients (processes), so a stalled region stalls only its own clients
 * and every region keeps being sampled: that is what per-region availability is computed from.
 * Every invoke value carries `region`; tokens appear in the history by label only.
 */

export type WorkloadOpKind = 'auth' | 'validate' | 'revoke' | 'create' | 'update' | 'grant' | 'delete';

/** Reads dominate, as in a real cloud; every write path Keystone replicates is present. */
export const DEFAULT_MIX: Readonly<Record<WorkloadOpKind, number>> = Object.freeze({
  validate: 25, auth: 15, create: 20, update: 12, grant: 10, delete: 8, revoke: 10,
});

/** Logical functions that change the database (auth with a password does not, in Zed). */
export const WRITE_FUNCTIONS: ReadonlySet<string> = new Set(['create', 'update', 'delete', 'grant', 'revoke']);

export const OPS = {
  issue: 'POST /v3/auth/tokens',
  validate: 'GET /v3/auth/tokens',
  revoke: 'DELETE /v3/auth/tokens',
  createProject: 'POST /v3/projects',
  createUser: 'POST /v3/users',
  updateProject: 'PATCH /v3/projects/{project_id}',
  grant: 'PUT /v3/projects/{project_id}/users/{user_id}/roles/{role_id}',
  deleteProject: 'DELETE /v3/projects/{project_id}',
  deleteUser: 'DELETE /v3/users/{user_id}',
} as const;

/** Description every workload project is created with (the value before any update). */
export const INITIAL_DESCRIPTION = 'v0';

export interface WorkloadRegion {
  name: string;
  /** Admin client of that region. */
  client: Keystone;
}

/** What the workload runs inside: everything it creates lives in `domainId`, so deleting the domain removes it all. */
export interface WorkloadFixture {
  domainId: string;
  /** The role the workload grants (and the one its user holds on `projectId`). */
  roleId: string;
  projectId: string;
  user: { id: string; name: string; password: string };
  /** Names of created entities start with it. */
  namePrefix: string;
}

/**
 * Creates the workload's domain, role, project and password user (holding the role on the
 * project) through the factory, which deletes them at the end of the test; deleting the domain
 * also deletes whatever the workload created in it, acknowledged or not.
 */
export async function prepareMixedWorkload(admin: Keystone, factory: ResourceFactory): Promise<WorkloadFixture> {
  const domain = await factory.domain();
  const role = await factory.role();
  const project = await factory.project({ domain_id: domain.id });
  const password = factory.name('pw');
  const user = await factory.user({ domain_id: domain.id, password });
  const granted = await admin.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, role.id);
  if (granted.status !== 204) throw new Error(`granting the workload user its role answered HTTP ${granted.status}`);
  return { domainId: domain.id, roleId: role.id, projectId: project.id, user: { id: user.id, name: user.name, password }, namePrefix: factory.name('w') };
}

export interface MixedWorkloadOptions {
  regions: readonly WorkloadRegion[];
  fixture: WorkloadFixture;
  history: History;
  /** Clients per region; default 2 (3 regions: 6 clients, light enough for Keystone on 2 cores). */
  clientsPerRegion?: number;
  /** Pause of each client between two operations; default 200 ms. */
  thinkMs?: number;
  mix?: Partial<Record<WorkloadOpKind, number>>;
  /** Injectable for reproducible choices; default Math.random. */
  random?: () => number;
}

export interface OutcomeCounts { invoked: number; ok: number; fail: number; info: number; /** No HTTP answer below 500. */ unserved: number }

export interface WorkloadCounters extends OutcomeCounts {
  byRegion: Record<string, OutcomeCounts>;
}

interface Entity { kind: 'project' | 'user'; name: string; id: string; deleting: boolean; /** Part of a grant: never deleted, so acked grants stay checkable. */ pinned: boolean; busy: number }
interface IssuedToken { label: string; secret: string; revoking: boolean }

interface PlannedOp {
  op: string;
  f: string;
  value: Record<string, unknown>;
  run(): Promise<KsResponse>;
  /** Bookkeeping once the outcome is known (always called). */
  settle?(settled: Settled<KsResponse>): void;
  /** Recorded as the completion's value on ok. */
  result?(res: KsResponse): unknown;
}

const newCounts = (): OutcomeCounts => ({ invoked: 0, ok: 0, fail: 0, info: 0, unserved: 0 });

export class MixedWorkload {
  readonly counters: WorkloadCounters;
  private readonly entities: Entity[] = [];
  private readonly tokens: IssuedToken[] = [];
  private readonly mix: Array<[WorkloadOpKind, number]>;
  private readonly random: () => number;
  private seq = 0;
  private nextProcess = 0;

  constructor(private readonly options: MixedWorkloadOptions) {
    if (options.regions.length === 0) throw new RangeError('the workload needs at least one region');
    this.mix = Object.entries({ ...DEFAULT_MIX, ...options.mix }).filter(([, w]) => w > 0) as Array<[WorkloadOpKind, number]>;
    if (this.mix.length === 0) throw new RangeError('the workload mix has no operation with a positive weight');
    this.random = options.random ?? Math.random;
    this.counters = { ...newCounts(), byRegion: Object.fromEntries(options.regions.map((r) => [r.name, newCounts()])) };
  }

  /**
   * Runs until `signal` aborts, then waits for the operations in flight: they are not cancelled,
   * so each ends with a real outcome (an answer, or the client's own timeout).
   */
  async run(signal: AbortSignal): Promise<WorkloadCounters> {
    const perRegion = this.options.clientsPerRegion ?? 2;
    if (!Number.isInteger(perRegion) || perRegion < 1) throw new RangeError(`clientsPerRegion must be an integer >= 1, got ${perRegion}`);
    // Admin tokens are fetched before any fault: the workload measures Keystone, not token bootstrap.
    await Promise.all(this.options.regions.map((r) => r.client.tokenSource()));
    await Promise.all(this.options.regions.flatMap((region) => Array.from({ length: perRegion }, () => this.client(region, signal))));
    return this.counters;
  }

  private async client(region: WorkloadRegion, signal: AbortSignal): Promise<void> {
    const { history } = this.options;
    const thinkMs = this.options.thinkMs ?? 200;
    let process = this.nextProcess++;
    while (!signal.aborted) {
      const planned = this.plan(region);
      const handle = history.invoke(process, planned.op, { f: planned.f, value: planned.value });
      this.count(region.name, 'invoked');
      let settled: Settled<KsResponse>;
      try {
        settled = { result: await planned.run() };
      } catch (error) {
        settled = { error };
      }
      planned.settle?.(settled);
      const { type, ...completion } = classifyDefault(settled);
      if (type === 'ok' && planned.result && 'result' in settled) completion.value = planned.result(settled.result);
      handle.complete(type, completion);
      this.count(region.name, type);
      if (completion.status === undefined || completion.status >= 500) this.count(region.name, 'unserved');
      // The request behind an unknown outcome may still act: its process number is not reused (as in Jepsen).
      if (type === 'info') process = this.nextProcess++;
      if (thinkMs > 0) await sleep(thinkMs, undefined, { signal }).catch(() => undefined);
    }
  }

  private count(region: string, key: keyof OutcomeCounts | Outcome): void {
    this.counters[key]++;
    this.counters.byRegion[region]![key]++;
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length ? xs[Math.floor(this.random() * xs.length)] : undefined;
  }

  private pickKind(): WorkloadOpKind {
    const total = this.mix.reduce((a, [, w]) => a + w, 0);
    let x = this.random() * total;
    for (const [kind, w] of this.mix) if ((x -= w) < 0) return kind;
    return this.mix[this.mix.length - 1]![0];
  }

  private plan(region: WorkloadRegion): PlannedOp {
    const kind = this.pickKind();
    const planned = this.planKind(kind, region);
    if (planned) return planned;
    // No target yet (no token to validate, no project to update): make one.
    return ['validate', 'revoke'].includes(kind) ? this.planKind('auth', region)! : this.planKind('create', region)!;
  }

  private planKind(kind: WorkloadOpKind, region: WorkloadRegion): PlannedOp | undefined {
    const { fixture } = this.options;
    const ks = region.client;
    const r = region.name;
    const seq = ++this.seq;
    switch (kind) {
      case 'auth': {
        const label = `t${seq}`;
        const body = passwordAuthBody({ username: fixture.user.name, userId: fixture.user.id, password: fixture.user.password, projectId: fixture.projectId });
        return {
          op: OPS.issue, f: 'issue', value: { token: label, region: r },
          run: () => ks.tokens.issue(body, { nocatalog: true }),
          settle: (s) => { if ('result' in s && s.result.status === 201) this.tokens.push({ label, secret: subjectToken(s.result), revoking: false }); },
        };
      }
      case 'validate': {
        // Half the validations go to tokens whose revocation was asked for: what the revocation invariant is judged on.
        const revoked = this.tokens.filter((t) => t.revoking);
        const token = this.pick(revoked.length && this.random() < 0.5 ? revoked : this.tokens);
        if (!token) return undefined;
        return { op: OPS.validate, f: 'validate', value: { token: token.label, region: r }, run: () => ks.tokens.validate(token.secret, { nocatalog: true }) };
      }
      case 'revoke': {
        const token = this.pick(this.tokens.filter((t) => !t.revoking));
        if (!token) return undefined;
        token.revoking = true;
        return { op: OPS.revoke, f: 'revoke', value: { token: token.label, region: r }, run: () => ks.tokens.revoke(token.secret) };
      }
      case 'create': {
        const project = this.random() < 0.6;
        const name = `${fixture.namePrefix}-${project ? 'p' : 'u'}${seq}`;
        const entityKind = project ? 'project' : 'user';
        return {
          op: project ? OPS.createProject : OPS.createUser, f: 'create',
          value: { kind: entityKind, name, region: r, ...(project ? { description: INITIAL_DESCRIPTION } : {}) },
          run: () => (project
            ? ks.projects.create({ name, domain_id: fixture.domainId, description: INITIAL_DESCRIPTION })
            : ks.users.create({ name, domain_id: fixture.domainId })),
          settle: (s) => {
            const id = 'result' in s && s.result.status === 201 ? entityId(s.result) : undefined;
            if (id) this.entities.push({ kind: entityKind, name, id, deleting: false, pinned: false, busy: 0 });
          },
          result: (res) => ({ id: entityId(res) }),
        };
      }
      case 'update': {
        const target = this.pick(this.entities.filter((e) => e.kind === 'project' && !e.deleting));
        if (!target) return undefined;
        target.busy++;
        const description = `v${seq}`;
        return {
          op: OPS.updateProject, f: 'update', value: { kind: 'project', id: target.id, name: target.name, description, region: r },
          run: () => ks.projects.update(target.id, { description }),
          settle: () => { target.busy--; },
        };
      }
      case 'grant': {
        const project = this.pick(this.entities.filter((e) => e.kind === 'project' && !e.deleting));
        const user = this.pick(this.entities.filter((e) => e.kind === 'user' && !e.deleting));
        if (!project || !user) return undefined;
        // Pinned whatever the outcome: an unknown grant may have landed, and a delete would cascade it away.
        project.pinned = user.pinned = true;
        return {
          op: OPS.grant, f: 'grant', value: { projectId: project.id, userId: user.id, region: r },
          run: () => ks.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, fixture.roleId),
        };
      }
      case 'delete': {
        const target = this.pick(this.entities.filter((e) => !e.pinned && !e.deleting && e.busy === 0));
        if (!target) return undefined;
        target.deleting = true;
        return {
          op: target.kind === 'project' ? OPS.deleteProject : OPS.deleteUser, f: 'delete',
          value: { kind: target.kind, id: target.id, name: target.name, region: r },
          run: () => (target.kind === 'project' ? ks.projects.delete(target.id) : ks.users.delete(target.id)),
        };
      }
    }
  }
}

/**
 * A deterministic check of the revocation invariant across regions around a fault, whatever the
 * random mix happened to do: tokens issued before the fault, revoked through a region that keeps
 * its quorum while the fault is in force, then validated on every region (the one hit included)
 * right after the heal, when a node that was cut off may still serve stale reads, and again once
 * every region has recovered. Recorded in the workload's history under its own processes.
 */
export class RevocationProbe {
  private readonly tokens: Array<{ label: string; secret: string }> = [];
  private nextProcess = 1_000_000;

  constructor(private readonly regions: readonly WorkloadRegion[], private readonly fixture: WorkloadFixture, private readonly history: History) {}

  /** Issues `count` tokens in `region`; returns how many were issued. */
  async issue(region: WorkloadRegion, count = 2): Promise<number> {
    const body = passwordAuthBody({ username: this.fixture.user.name, userId: this.fixture.user.id, password: this.fixture.user.password, projectId: this.fixture.projectId });
    for (let i = 0; i < count; i++) {
      const label = `probe-${this.tokens.length + 1}`;
      const res = await this.record(OPS.issue, 'issue', { token: label, region: region.name }, () => region.client.tokens.issue(body, { nocatalog: true }));
      if (res?.status === 201) this.tokens.push({ label, secret: subjectToken(res) });
    }
    return this.tokens.length;
  }

  /** Revokes every probe token through `region`; returns the statuses (undefined: no answer). */
  async revoke(region: WorkloadRegion): Promise<Array<number | undefined>> {
    const out: Array<number | undefined> = [];
    for (const t of this.tokens) out.push((await this.record(OPS.revoke, 'revoke', { token: t.label, region: region.name }, () => region.client.tokens.revoke(t.secret)))?.status);
    return out;
  }

  /** Validates every probe token on every region, regions in parallel; returns "region token status" lines. */
  async validateEverywhere(): Promise<string[]> {
    const lines = await Promise.all(this.regions.map(async (region) => {
      const seen: string[] = [];
      for (const t of this.tokens) {
        const res = await this.record(OPS.validate, 'validate', { token: t.label, region: region.name }, () => region.client.tokens.validate(t.secret, { nocatalog: true }));
        seen.push(`${region.name} ${t.label} ${res?.status ?? 'no answer'}`);
      }
      return seen;
    }));
    return lines.flat();
  }

  private async record(op: string, f: string, value: Record<string, unknown>, run: () => Promise<KsResponse>): Promise<KsResponse | undefined> {
    const handle = this.history.invoke(this.nextProcess++, op, { f, value });
    let settled: Settled<KsResponse>;
    try {
      settled = { result: await run() };
    } catch (error) {
      settled = { error };
    }
    const { type, ...completion } = classifyDefault(settled);
    handle.complete(type, completion);
    return 'result' in settled ? settled.result : undefined;
  }
}

function entityId(res: KsResponse): string | undefined {
  const body = res.body as { project?: { id?: string }; user?: { id?: string } } | null;
  return body?.project?.id ?? body?.user?.id;
}

// ---------------------------------------------------------------------------------------------
// Final state and the checks judged on it.

/** What one region lists of the workload's domain once faults are healed. */
export interface RegionState {
  region: string;
  projects: Array<{ id: string; name: string; description?: string }>;
  users: Array<{ id: string; name: string }>;
  /** Assignments of the workload's role: user on project. */
  assignments: Array<{ userId: string; projectId: string }>;
  /** Set when the region could not be read before the deadline; such a region is left out of the checks. */
  error?: string;
}

/**
 * Lists the workload's projects, users and grants on every region. A 5xx or no answer is retried
 * (a region may still be recovering) until `timeoutMs`; any other unexpected answer is final.
 */
export async function readRegionStates(regions: readonly WorkloadRegion[], fixture: WorkloadFixture, timeoutMs = 60_000): Promise<RegionState[]> {
  const deadline = Date.now() + timeoutMs;
  return Promise.all(regions.map(async ({ name, client }): Promise<RegionState> => {
    try {
      const projects = await servedList(() => client.projects.list({ domain_id: fixture.domainId }), deadline);
      const users = await servedList(() => client.users.list({ domain_id: fixture.domainId }), deadline);
      const assignments = await servedList(() => client.roleAssignments.list({ 'role.id': fixture.roleId }), deadline);
      return {
        region: name,
        projects: (projects.body.projects as Array<{ id: string; name: string; description?: string }>).map(({ id, name: n, description }) => ({ id, name: n, description })),
        users: (users.body.users as Array<{ id: string; name: string }>).map(({ id, name: n }) => ({ id, name: n })),
        assignments: (assignments.body.role_assignments as Array<{ user?: { id: string }; scope: { project?: { id: string } } }>)
          .filter((a) => a.user && a.scope.project)
          .map((a) => ({ userId: a.user!.id, projectId: a.scope.project!.id })),
      };
    } catch (e) {
      return { region: name, projects: [], users: [], assignments: [], error: (e as Error).message };
    }
  }));
}

async function servedList(list: () => Promise<KsResponse>, deadline: number): Promise<KsResponse> {
  let last = 'no attempt';
  do {
    try {
      const res = await list();
      if (res.status === 200) return res;
      last = `${res.method} ${res.path}: HTTP ${res.status}`;
      if (res.status < 500) break;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(1_000);
  } while (Date.now() < deadline);
  throw new Error(`not readable: ${last}`);
}

interface CreateValue { kind: 'project' | 'user'; name: string; description?: string }
interface TargetValue { kind: 'project' | 'user'; id: string; name: string; description?: string }
interface GrantValue { projectId: string; userId: string }

const valueOf = <T>(p: OpPair): T => (p.invoke.value ?? {}) as T;

function groupBy<K>(pairs: readonly OpPair[], key: (p: OpPair) => K): Map<K, OpPair[]> {
  const out = new Map<K, OpPair[]>();
  for (const p of pairs) out.set(key(p), [...(out.get(key(p)) ?? []), p]);
  return out;
}

/**
 * No acknowledged write lost, on every readable region:
 * - an acknowledged create is listed, unless a delete of it may have happened;
 * - an acknowledged delete is not listed; a create that definitely failed is not listed either;
 * - an acknowledged grant is listed (granted entities are never deleted by the workload);
 * - an updated project shows a description some update could have left last: not one
 *   overwritten by an acknowledged update invoked after it completed (no lost update).
 * Unknown outcomes (5xx, timeouts) may have landed or not: they constrain nothing.
 */
export function checkAckedWrites(history: HistoryLike, states: readonly RegionState[]): CheckResult {
  const pairs = pairsOf(eventsOf(history));
  const of = (f: string) => pairs.filter((p) => p.invoke.f === f);
  const deletes = groupBy(of('delete'), (p) => valueOf<TargetValue>(p).id);
  const updates = groupBy(of('update'), (p) => valueOf<TargetValue>(p).id);
  const readable = states.filter((s) => !s.error);
  const violations: string[] = [];
  const writes = pairs.filter((p) => p.invoke.f && WRITE_FUNCTIONS.has(p.invoke.f));
  const counts = {
    regionsChecked: readable.length,
    createsAcked: 0, deletesAcked: 0, updatesAcked: 0, grantsAcked: 0,
    unknownWrites: writes.filter((p) => p.outcome === 'info').length,
    lostCreates: 0, lostDeletes: 0, phantoms: 0, lostGrants: 0, lostUpdates: 0,
  };
  const mayBeDeleted = (id: string | undefined) => !!id && (deletes.get(id) ?? []).some((p) => p.outcome !== 'fail');
  const createdIds = new Map<string, OpPair>();

  for (const c of of('create')) {
    const v = valueOf<CreateValue>(c);
    const id = c.outcome === 'ok' ? (c.completion?.value as { id?: string } | undefined)?.id : undefined;
    if (c.outcome === 'ok') counts.createsAcked++;
    if (id) createdIds.set(id, c);
    const deleteAcked = id ? (deletes.get(id) ?? []).find((p) => p.outcome === 'ok') : undefined;
    if (deleteAcked) counts.deletesAcked++;
    for (const s of readable) {
      const listed = (v.kind === 'project' ? s.projects : s.users).some((e) => e.name === v.name);
      if (c.outcome === 'ok' && !mayBeDeleted(id) && !listed) {
        counts.lostCreates++;
        violations.push(`lost create: ${v.kind} '${v.name}' acknowledged by ${describe(c)} is missing in ${s.region}`);
      }
      if (deleteAcked && listed) {
        counts.lostDeletes++;
        violations.push(`lost delete: ${v.kind} '${v.name}' deleted by ${describe(deleteAcked)} is still listed in ${s.region}`);
      }
      if (c.outcome === 'fail' && listed) {
        counts.phantoms++;
        violations.push(`phantom: ${v.kind} '${v.name}' is listed in ${s.region} although its create failed (${describe(c)})`);
      }
    }
  }

  for (const g of of('grant')) {
    if (g.outcome !== 'ok') continue;
    counts.grantsAcked++;
    const v = valueOf<GrantValue>(g);
    if (mayBeDeleted(v.projectId) || mayBeDeleted(v.userId)) continue;
    for (const s of readable) {
      if (!s.assignments.some((a) => a.userId === v.userId && a.projectId === v.projectId)) {
        counts.lostGrants++;
        violations.push(`lost grant: user ${v.userId} on project ${v.projectId} acknowledged by ${describe(g)} is missing in ${s.region}`);
      }
    }
  }

  for (const [id, ups] of updates) {
    counts.updatesAcked += ups.filter((u) => u.outcome === 'ok').length;
    const created = createdIds.get(id);
    if (!created || mayBeDeleted(id)) continue;
    const allowed = allowedFinalValues(ups, valueOf<CreateValue>(created).description);
    for (const s of readable) {
      const listed = s.projects.find((p) => p.id === id);
      if (!listed) continue; // reported as a lost create above
      if (!allowed.has(listed.description ?? '')) {
        counts.lostUpdates++;
        const last = ups.filter((u) => u.outcome === 'ok').sort((a, b) => b.end - a.end)[0];
        violations.push(`lost update: project '${valueOf<TargetValue>(ups[0]!).name}' in ${s.region} shows '${listed.description}', ` +
          `expected one of ${[...allowed].map((d) => `'${d}'`).join(', ')}${last ? ` (last acknowledged: ${describe(last)})` : ''}`);
      }
    }
  }
  return verdict('no-lost-write', violations, counts);
}

/**
 * Values an update history may leave: any update that did not definitely fail and was not
 * overwritten by an acknowledged update invoked after it completed; the initial value only if
 * no update was acknowledged. Unknown outcomes never complete, so they are never overwritten.
 */
export function allowedFinalValues(updates: readonly OpPair[], initial: string | undefined): Set<string> {
  const acked = updates.filter((u) => u.outcome === 'ok');
  const allowed = new Set<string>();
  for (const u of updates) {
    if (u.outcome === 'fail') continue;
    if (acked.some((y) => y !== u && u.end < y.start)) continue;
    allowed.add(String(valueOf<TargetValue>(u).description));
  }
  if (acked.length === 0 && initial !== undefined) allowed.add(initial);
  return allowed;
}

/** After healing, every readable region lists the same projects (with descriptions), users and grants. */
export function checkRegionsAgree(states: readonly RegionState[]): CheckResult {
  const readable = states.filter((s) => !s.error);
  const facets: Array<[string, (s: RegionState) => string[]]> = [
    ['project', (s) => s.projects.map((p) => `${p.name} (${p.id}) description '${p.description ?? ''}'`)],
    ['user', (s) => s.users.map((u) => `${u.name} (${u.id})`)],
    ['grant', (s) => s.assignments.map((a) => `user ${a.userId} on project ${a.projectId}`)],
  ];
  const violations: string[] = [];
  for (const [facet, keys] of facets) {
    const byRegion = new Map(readable.map((s) => [s.region, new Set(keys(s))]));
    const union = new Set([...byRegion.values()].flatMap((k) => [...k]));
    for (const key of union) {
      const having = [...byRegion].filter(([, k]) => k.has(key)).map(([r]) => r);
      if (having.length < readable.length) {
        violations.push(`regions disagree on ${facet} ${key}: listed in ${having.join(', ')}, not in ${readable.map((s) => s.region).filter((r) => !having.includes(r)).join(', ')}`);
      }
    }
  }
  return verdict('regions-agree', violations, {
    regionsCompared: readable.length,
    projects: readable[0]?.projects.length ?? 0,
    users: readable[0]?.users.length ?? 0,
    grants: readable[0]?.assignments.length ?? 0,
  });
}

/**
 * A region cut off from the Primary component must not acknowledge writes: none invoked there
 * from `graceMs` after the fault began (time for the cut to be in place), and none answered from
 * `settleMs` on (the node evicted, about 6.5 s with default EVS timeouts: a commit certified
 * just before the cut has been answered by then), while the fault lasts. Its writes
 * acknowledged at other times are judged by checkAckedWrites like any other.
 */
export function checkMinorityRefusedWrites(history: HistoryLike, region: string, window: { start: number; end: number }, graceMs = 1_000, settleMs = 10_000): CheckResult {
  const mine = pairsOf(eventsOf(history)).filter((p) => p.invoke.f !== undefined && WRITE_FUNCTIONS.has(p.invoke.f)
    && (p.invoke.value as { region?: string } | undefined)?.region === region);
  const invokedInWindow = mine.filter((p) => p.start >= window.start + graceMs && p.start < window.end);
  const acked = mine.filter((p) => p.outcome === 'ok' && p.end <= window.end
    && (p.start >= window.start + graceMs || p.end >= window.start + settleMs));
  return verdict('minority-refuses-writes', acked.map((p) => `${region} acknowledged ${describe(p)} (invoked ${((p.start - window.start) / 1000).toFixed(1)} s, answered ${((p.end - window.start) / 1000).toFixed(1)} s into the partition)`), {
    writesInvoked: invokedInWindow.length,
    inFlightAtCut: mine.filter((p) => p.start < window.start + graceMs && p.end > window.start).length,
    acknowledged: acked.length,
    refusedOrUnknown: invokedInWindow.filter((p) => p.outcome !== 'ok').length,
  });
}
