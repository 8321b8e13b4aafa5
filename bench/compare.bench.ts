// Issue #13, the backend x latency table (the seed's "Juice" study): a chosen set of Rally
// KeystoneBasic scenarios on each available backend at injected one-way latencies, one row per
// (backend, latency, scenario): throughput, p50/p95, errors, the database's conflicts and
// Keystone's retries. One cluster per backend; the latencies are stepped on that cluster.
//
//   npm run compare                                             # postgres + galera at 0, 50, 150 ms (cockroachdb only with KS_COCKROACH_IMAGE)
//   npm run compare -- --backends=postgres --latencies=0,150 --scenarios=all --times=40 --concurrency=8
//
// PostgreSQL SERIALIZABLE is one node: its latency goes on the Keystone-database link (the SQL
// fault proxy). Galera x 3: between every pair of database nodes (the replication proxies, as the
// chaos WAN test). CockroachDB (KS_COCKROACH_IMAGE, never downloaded): on each Keystone-database
// link, since its topology has no proxy between nodes. Keystone is the reference retry patch
// unless KS_KEYSTONE_PATCH=none (stock), KS_KEYSTONE_PATCH=<diff> or KS_KEYSTONE_IMAGE=<image>.
// Output: the table on stdout, reports/compare.json, and an Allure entry (table + charts) in
// allure-results/. Exit 0 when every backend that could run produced its rows.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chaosFaults } from '../chaos/fault-factory.js';
import { withFault, type Fault } from '../chaos/fault.js';
import type { ClusterInfo } from '../lib/cluster/cluster-info.js';
import { newRunId, startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import { removeRun } from '../lib/cluster/ownership.js';
import { removeRunsOnSignal } from '../lib/cluster/run-cleanup.js';
import { cockroachUnavailable } from '../lib/cluster/topology-cockroachdb.js';
import { ConfigError, readSettings, type Backend, type Settings } from '../lib/config/settings.js';
import { Keystone } from '../lib/keystone/client.js';
import { closeAllPools, KeystoneHttp, type Exchange } from '../lib/keystone/http.js';
import { maskText, registerSecret } from '../lib/keystone/mask.js';
import { PasswordSession } from '../lib/keystone/session.js';
import {
  buildCompareRow, COMPARE_REQUEST_TIMEOUT_MS, latencyPathOf, orderRows, parseCompareArgs,
  type CompareOptions, type CompareReport, type CompareRow, type NotRun,
} from '../lib/load/compare.js';
import { keystoneBasic } from '../lib/load/keystone-scenarios.js';
import type { Scenario } from '../lib/load/atomic.js';
import { constant } from '../lib/load/runners.js';
import { ScenarioContext } from '../lib/load/scenario-context.js';
import { closeConflictWindow, openConflictWindow } from '../lib/workload/conflict-probe.js';
import { historyFromExchanges } from '../lib/workload/exchange-history.js';
import { renderCompareTable, writeCompareReport } from '../reports/compare-report.js';

const log = (m: string) => process.stderr.write(`[compare] ${m}\n`);
const t0 = performance.now();
const load = () => loadavg().map((v) => Number(v.toFixed(2)));
const loadAtStart = load();

// ---------------------------------------------------------------------------------------------
// Configuration: everything is checked before any cluster starts; a bad value is one line.

function readConfig(): { opts: CompareOptions; settings: Settings } {
  const opts = parseCompareArgs(process.argv.slice(2));
  const env = { ...process.env };
  if (env.KS_TARGET === 'external') log('KS_TARGET=external ignored: npm run compare starts its own cluster per backend');
  delete env.KS_TARGET;
  // What passing looks like, as `npm run gate` does (scripts/phase-env.sh): `none` is stock.
  if (!env.KS_KEYSTONE_PATCH && !env.KS_KEYSTONE_IMAGE) env.KS_KEYSTONE_PATCH = 'patches/keystone-retry.diff';
  const settings = { ...readSettings(env), target: 'embedded' as const };
  if (settings.injectConflicts && opts.backends.includes('cockroachdb')) throw new ConfigError('KS_INJECT_CONFLICTS does not apply to cockroachdb: leave it out of --backends or unset it');
  return { opts, settings };
}

let config: ReturnType<typeof readConfig>;
try {
  config = readConfig();
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  console.error(`compare: ${e.message}`);
  process.exit(2);
}
const { opts, settings } = config;
const requestTimeoutMs = process.env.KS_REQUEST_TIMEOUT_MS ? settings.requestTimeoutMs : COMPARE_REQUEST_TIMEOUT_MS;

// Images (the Keystone under test included), engine and base image, after the arguments were
// checked so a typo fails in a second; fast when everything is there.
if (process.env.KS_COMPARE_SKIP_SETUP !== '1') {
  const setup = spawnSync('bash', ['scripts/setup.sh'], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...(settings.keystonePatch ? { KS_KEYSTONE_PATCH: settings.keystonePatch } : {}) } });
  if (setup.status !== 0) {
    console.error('compare: scripts/setup.sh failed (see above): no cluster can start');
    process.exit(1);
  }
}

// Ctrl-C or a CI cancel, even during a bring-up: every cluster this run started goes.
const liveRuns = new Set<string>();
removeRunsOnSignal(() => liveRuns, { log });

// ---------------------------------------------------------------------------------------------
// One backend: bring-up, warm-up, then each latency in turn on the same cluster.

interface Endpoint { url: string; http: KeystoneHttp; admin: Keystone }

/** Every Keystone API node of the cluster: PostgreSQL's two nodes, or one per Galera/CockroachDB region. */
async function endpointsOf(info: ClusterInfo): Promise<Endpoint[]> {
  const urls = [...new Set(info.regions.flatMap((r) => [r.baseUrl, ...(r.readerBaseUrl ? [r.readerBaseUrl] : [])]))];
  return Promise.all(urls.map(async (url) => {
    const http = new KeystoneHttp(url, requestTimeoutMs);
    const session = new PasswordSession(http, info.admin);
    await session.getToken(); // the admin token is not part of any measurement
    return { url, http, admin: new Keystone(http, () => session.getToken()) };
  }));
}

/** The scenario, its iterations spread round-robin over the endpoints (Rally would hit one; a cluster serves from all). */
function spread(name: string, endpoints: Endpoint[], info: ClusterInfo, context: ScenarioContext): Scenario {
  const s = keystoneBasic(name);
  const made = endpoints.map((e) => s.make({ admin: e.admin, adminCredentials: info.admin, context }));
  return (it) => made[it.iteration % made.length]!(it);
}

function newContext(name: string, endpoints: Endpoint[]): ScenarioContext {
  return new ScenarioContext(endpoints[0]!.admin, { prefix: settings.resourcePrefix, tenants: keystoneBasic(name).needsUsers ? 1 : 0, usersPerTenant: 2 });
}

const CONFLICT_SOURCE: Record<Backend, string> = {
  postgres: 'PostgreSQL 40001/40P01 log lines',
  galera: 'wsrep_local_cert_failures + wsrep_local_bf_aborts, all nodes',
  cockroachdb: 'txn restarts + aborts (crdb_internal.node_metrics), all nodes',
};

/**
 * One scenario in one cell. What its iterations create is not deleted: the cluster is this run's
 * own and goes whole at the end, and a few hundred users more do not change what a cell measures,
 * while deleting them one by one cost minutes of the 20 the default set has on 2 cores.
 */
async function measure(info: ClusterInfo, endpoints: Endpoint[], latencyMs: number, name: string): Promise<CompareRow> {
  const context = newContext(name, endpoints);
  await context.setup();
  const exchanges: Exchange[] = [];
  const stops = endpoints.map((e) => e.http.observe((x) => exchanges.push(x)));
  const scenario = spread(name, endpoints, info, context);
  const window = await openConflictWindow(info);
  let result;
  try {
    result = await constant(scenario, { times: opts.times, concurrency: opts.concurrency, deadlineMs: opts.cellTimeoutS * 1000 });
  } finally {
    for (const stop of stops) stop();
  }
  const correlated = await closeConflictWindow(info, window, historyFromExchanges(exchanges));
  const row = buildCompareRow({
    backend: info.backend as Backend, latencyMs, scenario: name, runner: { times: opts.times, concurrency: opts.concurrency },
    iterations: result.iterations, wallMs: result.wallMs, retryRows: correlated.rows,
    databaseConflicts: correlated.databaseConflicts, databaseConflictSource: CONFLICT_SOURCE[info.backend as Backend],
  });
  log(`${row.backend} @ ${latencyMs} ms ${name}: ${row.ok}/${row.iterations} ok${row.cut ? ` (${row.cut} cut at ${opts.cellTimeoutS} s)` : ''} in ${row.wallS.toFixed(1)} s, ` +
    `${row.throughput.toFixed(3)} it/s, p50 ${row.p50S?.toFixed(2) ?? 'n/a'} s, p95 ${row.p95S?.toFixed(2) ?? 'n/a'} s, ` +
    `db conflicts ${row.databaseConflicts ?? 'n/a'}, retries ${row.keystoneRetries} (load ${load().join(' ')})`);
  for (const [kind, n] of Object.entries(row.errorKinds)) {
    const example = result.iterations.find((r) => r.error?.kind === kind)?.error?.message.split('\n')[0]?.slice(0, 200) ?? '';
    log(`  ${kind} x${n}: ${maskText(example)}`);
  }
  return row;
}

/** The latency of one step on this backend, or undefined at 0 ms (nothing to inject). */
function latencyFault(info: ClusterInfo, latencyMs: number): Fault | undefined {
  if (latencyMs === 0) return undefined;
  const faults = chaosFaults(settings, info);
  const path = { latencyMs, jitterMs: 0, loss: 0 };
  if (latencyPathOf(info.backend as Backend) === 'between-database-nodes') {
    const missing = faults.unsupported(['replication-latency']);
    if (missing) throw new Error(`cannot put latency between the database nodes: ${missing}`);
    return faults.replicationLatency(path);
  }
  const missing = faults.unsupported(['keystone-database-latency']);
  if (missing) throw new Error(`cannot put latency on the Keystone-database links: ${missing}`);
  const each = info.regions.map((r) => faults.keystoneDatabaseLatency(r, path));
  return each.length === 1 ? each[0] : {
    name: `${latencyMs} ms on every Keystone-database link`, kind: 'latency',
    inject: async () => { for (const f of each) await f.inject(); },
    heal: async () => { for (const f of [...each].reverse()) await f.heal(); },
  };
}

interface BackendRun { rows: CompareRow[]; meta?: CompareReport['backends'][number]; variant?: string; problems: string[] }

async function runBackend(backend: Backend): Promise<BackendRun> {
  const runId = newRunId();
  liveRuns.add(runId);
  let cluster: EmbeddedCluster | undefined;
  const rows: CompareRow[] = [];
  const out: BackendRun = { rows, problems: [] };
  try {
    log(`${backend}: starting the cluster (run ${runId})`);
    const t = performance.now();
    cluster = await startEmbedded({ ...settings, backend }, runId);
    const info = cluster.info;
    registerSecret(info.admin.password);
    const endpoints = await endpointsOf(info);
    out.variant = info.keystoneVariant;
    out.meta = { backend, runId, keystoneEndpoints: endpoints.length, bringUpS: Number(((performance.now() - t) / 1000).toFixed(1)), latencyPath: latencyPathOf(backend) };
    // Two iterations per API node of each scenario, not measured: a worker's first requests pay for what it loads lazily.
    const warmUp = { times: 2 * endpoints.length, concurrency: endpoints.length, deadlineMs: opts.cellTimeoutS * 1000 };
    log(`${backend}: up in ${out.meta.bringUpS} s, ${endpoints.length} Keystone API node(s); warm-up (${warmUp.times} iterations of each scenario, not measured)`);
    for (const name of opts.scenarios) {
      const context = newContext(name, endpoints);
      await context.setup();
      const warm = await constant(spread(name, endpoints, info, context), warmUp);
      const failed = warm.iterations.filter((r) => r.error).length;
      if (failed) log(`${backend}: warm-up of ${name}: ${failed} of ${warm.iterations.length} iterations failed`);
    }
    for (const latencyMs of opts.latenciesMs) {
      const fault = latencyFault(info, latencyMs);
      // A cell that fails (a set-up request refused, a log unreadable) is reported; the others still run.
      const step = async () => {
        for (const name of opts.scenarios) {
          try { rows.push(await measure(info, endpoints, latencyMs, name)); } catch (e) {
            out.problems.push(`${backend} @ ${latencyMs} ms ${name}: ${maskText((e as Error).message.split('\n')[0] ?? String(e))}`);
            log(out.problems.at(-1)!);
          }
        }
      };
      if (fault) {
        log(`${backend}: ${fault.name}`);
        // Bounded like every fault: healed at the bound even if a cell overran it.
        await withFault(fault, opts.scenarios.length * (opts.cellTimeoutS + 300) * 1000, step);
      } else await step();
    }
  } catch (e) {
    out.problems.push(`${backend}: ${maskText((e as Error).message.split('\n')[0] ?? String(e))}`);
    log(out.problems.at(-1)!);
  } finally {
    await closeAllPools();
    const t = performance.now();
    if (cluster) await cluster.stop(); else removeRun(runId);
    liveRuns.delete(runId);
    log(`${backend}: cluster removed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main

const rows: CompareRow[] = [];
const notRun: NotRun[] = [];
const problems: string[] = [];
const backendsMeta: CompareReport['backends'] = [];
let variant = '';
log(`backends ${opts.backends.join(', ')}; one-way latencies ${opts.latenciesMs.join(', ')} ms; scenarios ${opts.scenarios.join(', ')}; constant ${opts.times} x ${opts.concurrency}; load ${loadAtStart.join(' ')}`);
for (const backend of opts.backends) {
  if (backend === 'cockroachdb') {
    const reason = await cockroachUnavailable(settings.cockroachImage);
    if (reason) {
      notRun.push({ backend, reason: reason.replace(/^CockroachDB not run: /, '') });
      log(reason);
      continue;
    }
  }
  const r = await runBackend(backend);
  rows.push(...r.rows);
  if (r.meta) backendsMeta.push(r.meta);
  if (r.variant) variant ||= r.variant;
  problems.push(...r.problems);
  if (!r.rows.length) notRun.push({ backend, reason: r.problems[0]?.replace(`${backend}: `, '') ?? 'no cell was measured' });
}

const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' });
const report: CompareReport = {
  generatedAt: new Date().toISOString(),
  commit: commit.status === 0 ? `${commit.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}` : null,
  loadAverage: { start: loadAtStart, end: load() },
  options: { backends: opts.backends, latenciesMs: opts.latenciesMs, scenarios: opts.scenarios, times: opts.times, concurrency: opts.concurrency, cellTimeoutS: opts.cellTimeoutS, requestTimeoutS: requestTimeoutMs / 1000 },
  keystone: { variant: variant || 'n/a', uwsgiProcesses: settings.uwsgiProcesses, passwordHashRounds: settings.passwordHashRounds, pgIsolation: settings.pgIsolation },
  backends: backendsMeta,
  rows: orderRows(rows, opts),
  notRun, problems,
  wallS: Number(((performance.now() - t0) / 1000).toFixed(1)),
};
const outFile = resolve(opts.out);
writeCompareReport(outFile, report, process.env.ALLURE_RESULTS_DIR ?? 'allure-results');

console.log(`\nbackend x latency: Keystone ${report.keystone.variant} (${settings.uwsgiProcesses} uwsgi processes per API node, password_hash_rounds ${settings.passwordHashRounds}), ` +
  `constant ${opts.times} x ${opts.concurrency} per scenario and cell; one-way latency: postgres on the Keystone-database link, galera between database nodes`);
console.log(renderCompareTable(report.rows, report.notRun));
console.log(`db conflicts: postgres = serialization failures/deadlocks in its log; galera = cert failures + BF aborts. ks retries = oslo.db retries in Keystone's log for these requests.`);
console.log(`wall ${report.wallS} s; load average ${report.loadAverage.start.join(' ')} at start, ${report.loadAverage.end.join(' ')} at end; commit ${report.commit ?? 'n/a'}`);
console.log(`figures: ${outFile}; Allure entry "backend x latency" in ${process.env.ALLURE_RESULTS_DIR ?? 'allure-results'}`);
for (const p of problems) console.log(`problem: ${p}`);
process.exit(problems.length || !rows.length ? 1 : 0);
