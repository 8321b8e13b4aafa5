// Conflict storm: N concurrent conflicting writes per operation against one Keystone, then what
// leaked (5xx, dropped or timed-out requests), what Keystone retried (its oslo.db log lines),
// what the database aborted (PostgreSQL's serialization-failure log lines), what was
// acknowledged but lost, and the wall time. Doubles as a benchmark of retry patches; its pieces
// are exported for bench/conflicts.bench.ts.
//
//   npx tsx bench/conflict-storm.ts --target=dev                  # the shared dev cluster (.cache/dev-cluster.env)
//   npx tsx bench/conflict-storm.ts --target=embedded             # throwaway stock cluster
//   npx tsx bench/conflict-storm.ts --target=embedded --patch=patches/keystone-retry.diff
// Options: --n=40 (requests per operation), --timeout-ms=180000 (per request: long, so that a
// busy machine's queueing is not counted as a leak), --json=<file> (machine-readable results).
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import { containerLog } from '../lib/cluster/logs.js';
import { readSettings } from '../lib/config/settings.js';
import { bootstrapRoleId } from '../lib/keystone/bootstrap-roles.js';
import { Keystone } from '../lib/keystone/client.js';
import type { PasswordCredentials } from '../lib/keystone/credentials.js';
import { KeystoneTransportError } from '../lib/keystone/errors.js';
import { closeAllPools, expectStatus, KeystoneHttp, type KsResponse } from '../lib/keystone/http.js';
import { PasswordSession } from '../lib/keystone/session.js';
import { parsePostgresConflicts } from '../lib/workload/database-conflicts.js';
import { withStormLatency } from '../lib/workload/storm-latency.js';

export interface StormTarget {
  baseUrl: string;
  admin: PasswordCredentials;
  variant: string;
  keystoneContainer?: string;
  /** PostgreSQL container whose log counts serialization failures; unset when not reachable. */
  databaseContainer?: string;
  /** Control API of the Keystone->database fault proxy (embedded clusters): storms run with latency on it. */
  sqlProxyControlUrl?: string;
}

export interface StormOptions {
  /** Concurrent requests per operation. */
  n: number;
  /** Per-request client timeout. */
  timeoutMs: number;
  /** One-way latency on the Keystone->database link during each storm (KS_STORM_DB_LATENCY_MS by default). */
  latencyMs: number;
}

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
  /** When the first request was sent and the last one settled (ms since epoch). */
  startedAt: number;
  endedAt: number;
  /** From the start to the first leaked request's outcome; null when nothing leaked. */
  firstLeakSeconds: number | null;
  /** This process's CPU time (user + system) while the requests were in flight. */
  driverCpuMicros: number;
  /** Serialization failures (SQLSTATE 40001) PostgreSQL logged in the window; null without its log. */
  databaseConflicts: number | null;
  /** From Keystone's log during the operation; null when the container log is not reachable. */
  log: { retries: number; retriedFunctions: Record<string, number>; retryLimitExceeded: number; unhandledErrors: number; serializationFailuresEscaped: number } | null;
}

/** The storm's command line, shared with bench/conflicts.bench.ts. */
export function parseStormArgs(argv = process.argv.slice(2), defaults: { n: number } = { n: 40 }) {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string', default: 'embedded' },
      patch: { type: 'string' },
      n: { type: 'string', default: String(defaults.n) },
      'timeout-ms': { type: 'string', default: '180000' },
      'latency-ms': { type: 'string', default: String(readSettings().stormDatabaseLatencyMs) },
      json: { type: 'string' },
    },
  });
  const n = Number(args.n);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new Error(`--n=${args.n}: an integer in [1, 500]`);
  const timeoutMs = Number(args['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1_000) throw new Error(`--timeout-ms=${args['timeout-ms']}: an integer ≥ 1000`);
  const target: 'dev' | 'embedded' | undefined = args.target === 'dev' ? 'dev' : args.target === 'embedded' ? 'embedded' : undefined;
  if (!target) throw new Error(`--target=${args.target}: dev or embedded`);
  const latencyMs = Number(args['latency-ms']);
  if (!Number.isInteger(latencyMs) || latencyMs < 0) throw new Error(`--latency-ms=${args['latency-ms']}: an integer ≥ 0`);
  return { target, patch: args.patch, json: args.json, options: { n, timeoutMs, latencyMs } as StormOptions };
}

const log = (m: string) => process.stderr.write(`[storm] ${m}\n`);

interface Outcome<T> { key: string; res?: KsResponse<T>; settledMs: number }

/** One request's outcome (its status, or the transport outcome when Keystone never answered) and when it settled. */
async function outcome<T>(p: Promise<KsResponse<T>>, started: number): Promise<Outcome<T>> {
  try {
    const res = await p;
    return { key: String(res.status), res, settledMs: performance.now() - started };
  } catch (e) {
    if (e instanceof KeystoneTransportError) return { key: e.kind, res: undefined, settledMs: performance.now() - started };
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

/**
 * Serialization failures (and deadlocks) PostgreSQL logged in the window, by its own log
 * timestamps. pg_stat_database has no such counter in PostgreSQL 15, so the log is the source.
 */
async function databaseConflictsIn(container: string | undefined, from: Date, to: Date): Promise<number | null> {
  if (!container) return null;
  const text = await containerLog(container, new Date(from.getTime() - 1_000));
  return parsePostgresConflicts(text).filter((c) => c.time >= from.getTime() - 200 && c.time <= to.getTime() + 500).length;
}

async function storm<T>(
  target: StormTarget, latencyMs: number, operation: string, count: number,
  send: (i: number) => Promise<KsResponse<T>>,
  lostAfter?: (acknowledged: number[]) => Promise<number>,
): Promise<{ result: OperationResult; ok: (KsResponse<T> | undefined)[] }> {
  const from = new Date();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outs = await withStormLatency([target.sqlProxyControlUrl], latencyMs, () => Promise.all(Array.from({ length: count }, (_, i) => outcome(send(i), started))));
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuUsed = process.cpuUsage(cpu);
  const to = new Date();
  const outcomes: Record<string, number> = {};
  for (const o of outs) outcomes[o.key] = (outcomes[o.key] ?? 0) + 1;
  const leaked = outs.filter((o) => isLeak(o.key));
  const acknowledged = outs.flatMap((o, i) => (o.res && o.res.status < 300 ? [i] : []));
  const lost = lostAfter ? await lostAfter(acknowledged) : null;
  const result: OperationResult = {
    operation, requests: count, outcomes, leaks: leaked.length, lost, wallSeconds,
    startedAt: from.getTime(), endedAt: to.getTime(),
    firstLeakSeconds: leaked.length ? Math.min(...leaked.map((o) => o.settledMs)) / 1000 : null,
    driverCpuMicros: cpuUsed.user + cpuUsed.system,
    databaseConflicts: await databaseConflictsIn(target.databaseContainer, from, to),
    log: await logSummary(target.keystoneContainer, from, to),
  };
  log(`${operation}: ${JSON.stringify(outcomes)} leaks=${result.leaks} lost=${lost ?? '-'} retries=${result.log?.retries ?? '?'} db-conflicts=${result.databaseConflicts ?? '?'} ${wallSeconds.toFixed(1)} s`);
  return { result, ok: outs.map((o) => (o.res && o.res.status < 300 ? o.res : undefined)) };
}

/** The storm itself: every operation N times at once, each one against shared rows. */
export async function runStorm(target: StormTarget, { n: N, timeoutMs, latencyMs }: StormOptions): Promise<OperationResult[]> {
  const prefix = `${readSettings().resourcePrefix}-storm-${Date.now().toString(36)}`;
  const http = new KeystoneHttp(target.baseUrl, timeoutMs);
  const session = new PasswordSession(http, target.admin);
  const ks = new Keystone(http, () => session.getToken());
  const results: OperationResult[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];
  try {
    const project = ks.projects.entity(expectStatus(await ks.projects.create({ name: `${prefix}-project`, domain_id: 'default' }), 201));
    cleanup.push(() => ks.projects.delete(project.id));
    const group = ks.groups.entity(expectStatus(await ks.groups.create({ name: `${prefix}-group`, domain_id: 'default' }), 201));
    cleanup.push(() => ks.groups.delete(group.id));
    const memberId = await bootstrapRoleId(ks, 'member');

    const created = await storm(target, latencyMs, 'POST distinct users', N,
      (i) => ks.users.create({ name: `${prefix}-u${i}`, domain_id: 'default' }));
    results.push(created.result);
    const userIds = created.ok.flatMap((r) => (r ? [ks.users.entity(r).id] : []));
    const remaining = new Set(userIds); // users the DELETE storm has not removed yet
    cleanup.unshift(async () => { for (const id of remaining) await ks.users.delete(id).catch(() => undefined); });

    results.push((await storm(target, latencyMs, 'PUT group members (one group)', userIds.length,
      (i) => ks.groups.addUser(group.id, userIds[i]!),
      async (acked) => {
        const members = new Set((expectStatus(await ks.groups.listUsers(group.id), 200).body.users as { id: string }[]).map((u) => u.id));
        return acked.filter((i) => !members.has(userIds[i]!)).length;
      })).result);

    results.push((await storm(target, latencyMs, 'PATCH users (distinct)', userIds.length,
      (i) => ks.users.update(userIds[i]!, { description: `storm ${i}` }))).result);

    results.push((await storm(target, latencyMs, 'PATCH one project', N,
      (i) => ks.projects.update(project.id, { description: `storm ${i}` }))).result);

    const tag = (i: number) => `storm-tag-${i}`;
    results.push((await storm(target, latencyMs, 'PUT project tags (one project)', N,
      async (i) => ks.http.request('PUT', `/v3/projects/${project.id}/tags/${tag(i)}`, { token: await session.getToken() }),
      async (acked) => {
        const tags = new Set(expectStatus(await ks.http.request('GET', `/v3/projects/${project.id}/tags`, { token: await session.getToken() }), 200).body.tags as string[]);
        return acked.filter((i) => !tags.has(tag(i))).length;
      })).result);

    results.push((await storm(target, latencyMs, 'PUT role grants (one project)', userIds.length,
      (i) => ks.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: userIds[i]! }, memberId),
      async (acked) => {
        const res = expectStatus(await ks.roleAssignments.list({ 'scope.project.id': project.id, 'role.id': memberId }), 200);
        const granted = new Set((res.body.role_assignments as { user?: { id: string } }[]).map((a) => a.user?.id));
        return acked.filter((i) => !granted.has(userIds[i]!)).length;
      })).result);

    const deleted = await storm(target, latencyMs, 'DELETE users', userIds.length,
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

function devTarget(): StormTarget {
  let env: Record<string, string | undefined> = process.env;
  if (!env.OS_AUTH_URL) {
    // The file scripts/dev-cluster.ts writes: "export K=V" lines.
    env = Object.fromEntries(readFileSync('.cache/dev-cluster.env', 'utf8').split('\n')
      .map((l) => /^export ([A-Z_]+)=(.*)$/.exec(l)).flatMap((m) => (m ? [[m[1]!, m[2]!]] : [])));
  }
  if (!env.OS_AUTH_URL || !env.OS_PASSWORD) throw new Error('no dev cluster: OS_AUTH_URL/OS_PASSWORD unset and .cache/dev-cluster.env unreadable');
  return {
    baseUrl: env.OS_AUTH_URL, variant: 'dev cluster', keystoneContainer: env.KS_DEV_KEYSTONE_CONTAINER,
    databaseContainer: env.KS_DATABASE_CONTAINERS?.split(',')[0] || undefined,
    admin: {
      username: env.OS_USERNAME ?? 'admin', password: env.OS_PASSWORD, userDomainName: env.OS_USER_DOMAIN_NAME ?? 'Default',
      projectName: env.OS_PROJECT_NAME ?? 'admin', projectDomainName: env.OS_PROJECT_DOMAIN_NAME ?? 'Default',
    },
  };
}

/**
 * Runs `use` against the shared dev cluster, or against a throwaway embedded cluster (stock, or
 * stock + `patch`) that is removed afterwards, also on SIGINT/SIGTERM.
 */
export async function withStormTarget<R>(kind: 'dev' | 'embedded', patch: string | undefined, use: (target: StormTarget) => Promise<R>): Promise<R> {
  if (kind === 'dev') return use(devTarget());
  let cluster: EmbeddedCluster | undefined;
  const stopCluster = async () => { const c = cluster; cluster = undefined; await c?.stop(); };
  const onSignal = () => { void stopCluster().finally(() => process.exit(130)); };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, onSignal);
  try {
    cluster = await startEmbedded({ ...readSettings(), target: 'embedded', keystonePatch: patch, keystoneImage: undefined });
    const region = cluster.info.regions[0]!;
    return await use({
      baseUrl: region.baseUrl, admin: cluster.info.admin, variant: cluster.info.keystoneVariant,
      keystoneContainer: region.keystoneContainer, databaseContainer: region.databaseContainer, sqlProxyControlUrl: region.sqlProxyControlUrl,
    });
  } finally {
    await stopCluster();
    for (const sig of ['SIGINT', 'SIGTERM'] as const) process.off(sig, onSignal);
  }
}

/** A plain-text table: columns padded to their widest cell. */
export function formatTable(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

function printTable(variant: string, n: number, results: OperationResult[]): void {
  const rows = results.map((r) => [
    r.operation, String(r.requests), String(r.leaks), r.lost === null ? '-' : String(r.lost),
    r.log ? String(r.log.retries) : '?', r.log ? String(r.log.retryLimitExceeded) : '?',
    r.log ? String(r.log.serializationFailuresEscaped) : '?', r.databaseConflicts === null ? '?' : String(r.databaseConflicts),
    r.wallSeconds.toFixed(1), Object.entries(r.outcomes).map(([k, v]) => `${k}×${v}`).join(' '),
  ]);
  const head = ['operation', 'requests', 'leaks', 'lost', 'retries', 'exhausted', 'SF escaped', 'db conflicts', 'wall s', 'outcomes'];
  console.log(`\nConflict storm, ${n} concurrent requests per operation, Keystone ${variant}`);
  console.log(formatTable(head, rows));
  const total = (f: (r: OperationResult) => number) => results.reduce((s, r) => s + f(r), 0);
  console.log(`total: ${total((r) => r.requests)} requests, ${total((r) => r.leaks)} leaks, ${total((r) => r.lost ?? 0)} lost, ${total((r) => r.log?.retries ?? 0)} retries, ${total((r) => r.wallSeconds).toFixed(1)} s`);
  const fns: Record<string, number> = {};
  for (const r of results) for (const [f, c] of Object.entries(r.log?.retriedFunctions ?? {})) fns[f] = (fns[f] ?? 0) + c;
  if (Object.keys(fns).length) console.log(`retried functions: ${Object.entries(fns).sort((a, b) => b[1] - a[1]).map(([f, c]) => `${f}×${c}`).join(', ')}`);
}

// Run as a script only; bench/conflicts.bench.ts imports the pieces above.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { target, patch, json, options } = parseStormArgs();
  await withStormTarget(target, patch, async (t) => {
    const results = await runStorm(t, options);
    printTable(t.variant, options.n, results);
    if (json) writeFileSync(json, JSON.stringify({ variant: t.variant, n: options.n, results }, null, 2));
  });
}
