// Conflict storm: N concurrent conflicting writes per operation against one Keystone, then what
// leaked (5xx, dropped or timed-out requests), what Keystone retried (its oslo.db log lines),
// what was acknowledged but lost, and the wall time. Doubles as a benchmark of retry patches.
//
//   npx tsx bench/conflict-storm.ts --target=dev                  # the shared dev cluster (.cache/dev-cluster.env)
//   npx tsx bench/conflict-storm.ts --target=embedded             # throwaway stock cluster
//   npx tsx bench/conflict-storm.ts --target=embedded --patch=patches/keystone-retry.diff
// Options: --n=40 (requests per operation), --timeout-ms=180000 (per request: long, so that a
// busy machine's queueing is not counted as a leak), --json=<file> (machine-readable results).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import { containerLog } from '../lib/cluster/logs.js';
import { readSettings } from '../lib/config/settings.js';
import { Keystone } from '../lib/keystone/client.js';
import type { PasswordCredentials } from '../lib/keystone/credentials.js';
import { KeystoneTransportError } from '../lib/keystone/errors.js';
import { closeAllPools, expectStatus, KeystoneHttp, type KsResponse } from '../lib/keystone/http.js';
import { PasswordSession } from '../lib/keystone/session.js';

interface Target { baseUrl: string; admin: PasswordCredentials; keystoneContainer?: string; variant: string }

/** What one storm operation produced. */
export interface OperationResult {
  operation: string;
  requests: number;
  /** HTTP status (as a string) or transport outcome ('no-response', 'timeout', 'connect') → count. */
  outcomes: Record<string, number>;
  /** 5xx answers plus requests that got no answer: errors Keystone should have retried. */
  leaks: number;
  /** Writes acknowledged (2xx) but absent afterwards; null when the operation has no such check. */
  lost: number | null;
  wallSeconds: number;
  /** From Keystone's log during the operation; null when the container log is not reachable. */
  log: { retries: number; retriedFunctions: Record<string, number>; retryLimitExceeded: number; unhandledErrors: number; serializationFailuresEscaped: number } | null;
}

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'embedded' },
    patch: { type: 'string' },
    n: { type: 'string', default: '40' },
    'timeout-ms': { type: 'string', default: '180000' },
    json: { type: 'string' },
  },
});
const N = Number(args.n);
if (!Number.isInteger(N) || N < 1 || N > 500) throw new Error(`--n=${args.n}: an integer in [1, 500]`);
const TIMEOUT_MS = Number(args['timeout-ms']);
if (!Number.isInteger(TIMEOUT_MS) || TIMEOUT_MS < 1_000) throw new Error(`--timeout-ms=${args['timeout-ms']}: an integer ≥ 1000`);

const prefix = `${readSettings().resourcePrefix}-storm-${Date.now().toString(36)}`;
const log = (m: string) => process.stderr.write(`[storm] ${m}\n`);

/** One request's outcome: its status, or the transport outcome when Keystone never answered. */
async function outcome<T>(p: Promise<KsResponse<T>>): Promise<{ key: string; res?: KsResponse<T> }> {
  try {
    const res = await p;
    return { key: String(res.status), res };
  } catch (e) {
    if (e instanceof KeystoneTransportError) return { key: e.kind, res: undefined };
    throw e;
  }
}

const isLeak = (key: string) => /^5\d\d$/.test(key) || key === 'no-response' || key === 'timeout';

/** Counts oslo.db retries, exhausted retries and unhandled errors in Keystone's log for one window. */
async function logSummary(container: string | undefined, from: Date, to: Date): Promise<OperationResult['log']> {
  if (!container) return null;
  // docker's own timestamps (--timestamps) bound the window; a little slack for log buffering.
  const text = await containerLog(container, new Date(from.getTime() - 200));
  const end = to.getTime() + 1_000;
  const lines = text.split('\n').filter((l) => {
    const t = Date.parse(l.slice(0, l.indexOf(' ')));
    return Number.isFinite(t) && t <= end;
  });
  const retriedFunctions: Record<string, number> = {};
  let retries = 0;
  for (const l of lines) {
    const m = /Performing DB retry for function (\S+)/.exec(l);
    if (m) { retries++; const fn = m[1]!.replace(/^keystone\./, ''); retriedFunctions[fn] = (retriedFunctions[fn] ?? 0) + 1; }
  }
  const unhandled = lines.filter((l) => /Unhandled error/.test(l));
  return {
    retries, retriedFunctions,
    retryLimitExceeded: lines.filter((l) => /DB exceeded retry limit/.test(l)).length,
    unhandledErrors: unhandled.length,
    serializationFailuresEscaped: unhandled.filter((l) => /SerializationFailure|could not serialize/.test(l)).length,
  };
}

async function storm<T>(
  target: Target, operation: string, count: number,
  send: (i: number) => Promise<KsResponse<T>>,
  lostAfter?: (acknowledged: number[]) => Promise<number>,
): Promise<{ result: OperationResult; ok: (KsResponse<T> | undefined)[] }> {
  const from = new Date();
  const started = performance.now();
  const outs = await Promise.all(Array.from({ length: count }, (_, i) => outcome(send(i))));
  const wallSeconds = (performance.now() - started) / 1000;
  const to = new Date();
  const outcomes: Record<string, number> = {};
  for (const o of outs) outcomes[o.key] = (outcomes[o.key] ?? 0) + 1;
  const acknowledged = outs.flatMap((o, i) => (o.res && o.res.status < 300 ? [i] : []));
  const lost = lostAfter ? await lostAfter(acknowledged) : null;
  const result: OperationResult = {
    operation, requests: count, outcomes, leaks: outs.filter((o) => isLeak(o.key)).length, lost, wallSeconds,
    log: await logSummary(target.keystoneContainer, from, to),
  };
  log(`${operation}: ${JSON.stringify(outcomes)} leaks=${result.leaks} lost=${lost ?? '-'} retries=${result.log?.retries ?? '?'} ${wallSeconds.toFixed(1)} s`);
  return { result, ok: outs.map((o) => (o.res && o.res.status < 300 ? o.res : undefined)) };
}

/** The storm itself: every operation N times at once, each one against shared rows. */
async function run(target: Target): Promise<OperationResult[]> {
  const http = new KeystoneHttp(target.baseUrl, TIMEOUT_MS);
  const session = new PasswordSession(http, target.admin);
  const ks = new Keystone(http, () => session.getToken());
  const results: OperationResult[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const project = ks.projects.entity(expectStatus(await ks.projects.create({ name: `${prefix}-project`, domain_id: 'default' }), 201));
    cleanup.push(() => ks.projects.delete(project.id));
    const group = ks.groups.entity(expectStatus(await ks.groups.create({ name: `${prefix}-group`, domain_id: 'default' }), 201));
    cleanup.push(() => ks.groups.delete(group.id));
    const role = ks.roles.entities(expectStatus(await ks.roles.list({ name: 'member' }), 200))[0];
    if (!role) throw new Error('no "member" role (keystone-manage bootstrap creates it)');

    const created = await storm(target, 'POST distinct users', N,
      (i) => ks.users.create({ name: `${prefix}-u${i}`, domain_id: 'default' }));
    results.push(created.result);
    const userIds = created.ok.flatMap((r) => (r ? [ks.users.entity(r).id] : []));
    const remaining = new Set(userIds); // users the DELETE storm has not removed yet
    cleanup.unshift(async () => { for (const id of remaining) await ks.users.delete(id).catch(() => undefined); });

    results.push((await storm(target, 'PUT group members (one group)', userIds.length,
      (i) => ks.groups.addUser(group.id, userIds[i]!),
      async (acked) => {
        const members = new Set((expectStatus(await ks.groups.listUsers(group.id), 200).body.users as { id: string }[]).map((u) => u.id));
        return acked.filter((i) => !members.has(userIds[i]!)).length;
      })).result);

    results.push((await storm(target, 'PATCH users (distinct)', userIds.length,
      (i) => ks.users.update(userIds[i]!, { description: `storm ${i}` }))).result);

    results.push((await storm(target, 'PATCH one project', N,
      (i) => ks.projects.update(project.id, { description: `storm ${i}` }))).result);

    const tag = (i: number) => `storm-tag-${i}`;
    results.push((await storm(target, 'PUT project tags (one project)', N,
      async (i) => ks.http.request('PUT', `/v3/projects/${project.id}/tags/${tag(i)}`, { token: await session.getToken() }),
      async (acked) => {
        const tags = new Set(expectStatus(await ks.http.request('GET', `/v3/projects/${project.id}/tags`, { token: await session.getToken() }), 200).body.tags as string[]);
        return acked.filter((i) => !tags.has(tag(i))).length;
      })).result);

    results.push((await storm(target, 'PUT role grants (one project)', userIds.length,
      (i) => ks.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: userIds[i]! }, role.id),
      async (acked) => {
        const res = expectStatus(await ks.roleAssignments.list({ 'scope.project.id': project.id, 'role.id': role.id }), 200);
        const granted = new Set((res.body.role_assignments as { user?: { id: string } }[]).map((a) => a.user?.id));
        return acked.filter((i) => !granted.has(userIds[i]!)).length;
      })).result);

    const deleted = await storm(target, 'DELETE users', userIds.length,
      (i) => ks.users.delete(userIds[i]!),
      async (acked) => {
        let present = 0;
        for (const i of acked) if ((await ks.users.show(userIds[i]!)).status === 200) present++;
        return present;
      });
    results.push(deleted.result);
    deleted.ok.forEach((r, i) => { if (r) remaining.delete(userIds[i]!); });
  } finally {
    for (const c of cleanup) await c().catch((e) => log(`cleanup: ${String(e)}`));
    await closeAllPools();
  }
  return results;
}

function devTarget(): Target {
  let env: Record<string, string | undefined> = process.env;
  if (!env.OS_AUTH_URL) {
    // The file scripts/dev-cluster.ts writes: "export K=V" lines.
    env = Object.fromEntries(readFileSync('.cache/dev-cluster.env', 'utf8').split('\n')
      .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)).flatMap((m) => (m ? [[m[1]!, m[2]!]] : [])));
  }
  if (!env.OS_AUTH_URL || !env.OS_PASSWORD) throw new Error('no dev cluster: OS_AUTH_URL/OS_PASSWORD unset and .cache/dev-cluster.env unreadable');
  return {
    baseUrl: env.OS_AUTH_URL, variant: 'dev cluster', keystoneContainer: env.KS_DEV_KEYSTONE_CONTAINER,
    admin: {
      username: env.OS_USERNAME ?? 'admin', password: env.OS_PASSWORD, userDomainName: env.OS_USER_DOMAIN_NAME ?? 'Default',
      projectName: env.OS_PROJECT_NAME ?? 'admin', projectDomainName: env.OS_PROJECT_DOMAIN_NAME ?? 'Default',
    },
  };
}

function printTable(variant: string, results: OperationResult[]): void {
  const rows = results.map((r) => [
    r.operation, String(r.requests), String(r.leaks), r.lost === null ? '-' : String(r.lost),
    r.log ? String(r.log.retries) : '?', r.log ? String(r.log.retryLimitExceeded) : '?',
    r.log ? String(r.log.serializationFailuresEscaped) : '?', r.wallSeconds.toFixed(1),
    Object.entries(r.outcomes).map(([k, v]) => `${k}×${v}`).join(' '),
  ]);
  const head = ['operation', 'requests', 'leaks', 'lost', 'retries', 'exhausted', 'SF escaped', 'wall s', 'outcomes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\nConflict storm, ${N} concurrent requests per operation, Keystone ${variant}`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const total = (f: (r: OperationResult) => number) => results.reduce((s, r) => s + f(r), 0);
  console.log(`total: ${total((r) => r.requests)} requests, ${total((r) => r.leaks)} leaks, ${total((r) => r.lost ?? 0)} lost, ${total((r) => r.log?.retries ?? 0)} retries, ${total((r) => r.wallSeconds).toFixed(1)} s`);
  const fns: Record<string, number> = {};
  for (const r of results) for (const [f, c] of Object.entries(r.log?.retriedFunctions ?? {})) fns[f] = (fns[f] ?? 0) + c;
  if (Object.keys(fns).length) console.log(`retried functions: ${Object.entries(fns).sort((a, b) => b[1] - a[1]).map(([f, c]) => `${f}×${c}`).join(', ')}`);
}

let cluster: EmbeddedCluster | undefined;
const stopCluster = async () => { const c = cluster; cluster = undefined; await c?.stop(); };
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { void stopCluster().finally(() => process.exit(130)); });
let target: Target;
try {
  if (args.target === 'dev') target = devTarget();
  else if (args.target === 'embedded') {
    cluster = await startEmbedded({ ...readSettings(), target: 'embedded', keystonePatch: args.patch, keystoneImage: undefined });
    const region = cluster.info.regions[0]!;
    target = { baseUrl: region.baseUrl, admin: cluster.info.admin, keystoneContainer: region.keystoneContainer, variant: cluster.info.keystoneVariant };
  } else throw new Error(`--target=${args.target}: dev or embedded`);
  const results = await run(target);
  printTable(target.variant, results);
  if (args.json) writeFileSync(args.json, JSON.stringify({ variant: target.variant, n: N, results }, null, 2));
} finally {
  await stopCluster();
}
