/**
 * The backend x latency table (issue #13, the seed's "Juice" study): what `npm run compare`
 * decides without a cluster. Its options (parsed and refused here, before anything starts), where
 * each backend's latency goes, and how one measured workload becomes a row. Pure: the bench
 * (bench/compare.bench.ts) runs the clusters and hands the figures in; selftest/compare.spec.ts
 * feeds it data it must accept and data it must refuse.
 */
import { parseArgs } from 'node:util';
import { ConfigError, type Backend } from '../config/settings.js';
import type { IterationRecord } from './atomic.js';
import { KEYSTONE_BASIC } from './keystone-scenarios.js';
import { rallyPercentile } from './stats.js';
import type { RetryCoverageRow } from '../workload/retry-coverage.js';

export const COMPARE_BACKENDS: readonly Backend[] = ['postgres', 'galera', 'cockroachdb'];
/** The Juice study's one-way latencies. */
export const DEFAULT_LATENCIES_MS: readonly number[] = [0, 50, 150];
/**
 * Two cheap Rally scenarios, one write and one read path: a user create (one write transaction
 * per iteration) and a password authentication plus a token validation (reads, and the fernet
 * token's revocation check).
 */
export const DEFAULT_SCENARIOS: readonly string[] = ['create_user', 'authenticate_user_and_validate_token'];
/**
 * One round of 8 at once. Keystone (no cache) runs a hundred or more small transactions per
 * request, each a few round trips to its database: with 50 ms one-way on PostgreSQL's
 * Keystone-database link a user create took about a minute (measured 2026-12-03), and at 150 ms
 * uwsgi's harakiri (120 s) ends the requests. Two rounds would not fit 20 minutes.
 */
export const DEFAULT_TIMES = 8;
export const DEFAULT_CONCURRENCY = 8;
/**
 * Bound of one scenario's run in one cell: past uwsgi's 120 s harakiri, so a round whose requests
 * Keystone gives up on ends on its own; a cell the machine cannot finish is cut there, and says so.
 */
export const DEFAULT_CELL_TIMEOUT_S = 150;
/**
 * The client's timeout per request unless KS_REQUEST_TIMEOUT_MS says otherwise: above uwsgi's
 * harakiri (120 s), so a request Keystone gives up on counts as Keystone's failure (no response),
 * not as the client's impatience.
 */
export const COMPARE_REQUEST_TIMEOUT_MS = 130_000;
export const MAX_LATENCY_MS = 1_000;

export interface CompareOptions {
  backends: Backend[];
  /** One-way, in ms, in the order given. */
  latenciesMs: number[];
  /** KeystoneBasic short names (`create_user`). */
  scenarios: string[];
  times: number;
  concurrency: number;
  cellTimeoutS: number;
  out: string;
}

export const COMPARE_USAGE =
  'npm run compare -- [--backends=postgres,galera,cockroachdb] [--latencies=0,50,150] ' +
  '[--scenarios=create_user,authenticate_user_and_validate_token|all] [--times=8] [--concurrency=8] [--cell-timeout=150] [--out=reports/compare.json]';

function list(flag: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new ConfigError(`--${flag}=${value}: an empty item in the list (comma-separated, no blanks)`);
  const dup = items.find((s, i) => items.indexOf(s) !== i);
  if (dup !== undefined) throw new ConfigError(`--${flag}=${value}: ${dup} is listed twice`);
  return items;
}

function positiveInt(flag: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new ConfigError(`--${flag}=${value} must be an integer in [1, ${max}]`);
  return Number(value);
}

/** The bench's arguments; anything it cannot run fails here with one line, before any cluster starts. */
export function parseCompareArgs(argv: readonly string[]): CompareOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: {
        backends: { type: 'string', default: COMPARE_BACKENDS.join(',') },
        latencies: { type: 'string', default: DEFAULT_LATENCIES_MS.join(',') },
        scenarios: { type: 'string', default: DEFAULT_SCENARIOS.join(',') },
        times: { type: 'string', default: String(DEFAULT_TIMES) },
        concurrency: { type: 'string', default: String(DEFAULT_CONCURRENCY) },
        'cell-timeout': { type: 'string', default: String(DEFAULT_CELL_TIMEOUT_S) },
        out: { type: 'string', default: 'reports/compare.json' },
      },
    }));
  } catch (e) {
    throw new ConfigError(`${(e as Error).message.split('\n')[0]}; usage: ${COMPARE_USAGE}`);
  }
  const backends = list('backends', values.backends).map((b) => {
    if (!(COMPARE_BACKENDS as readonly string[]).includes(b)) throw new ConfigError(`--backends: unknown backend "${b}" (known: ${COMPARE_BACKENDS.join(', ')})`);
    return b as Backend;
  });
  const latenciesMs = list('latencies', values.latencies).map((l) => {
    if (!/^\d+$/.test(l) || Number(l) > MAX_LATENCY_MS) throw new ConfigError(`--latencies: "${l}" is not a one-way latency in whole ms within [0, ${MAX_LATENCY_MS}]`);
    return Number(l);
  });
  if (new Set(latenciesMs).size !== latenciesMs.length) throw new ConfigError(`--latencies=${values.latencies}: a latency is listed twice`);
  const known = KEYSTONE_BASIC.map((s) => s.short);
  const scenarios = values.scenarios === 'all' ? known : list('scenarios', values.scenarios).map((s) => {
    const short = s.replace(/^KeystoneBasic\./, '');
    if (!known.includes(short)) throw new ConfigError(`--scenarios: unknown KeystoneBasic scenario "${s}" (known: ${known.join(', ')}, or all)`);
    return short;
  });
  if (new Set(scenarios).size !== scenarios.length) throw new ConfigError(`--scenarios=${values.scenarios}: a scenario is listed twice`);
  if (!values.out.endsWith('.json')) throw new ConfigError(`--out=${values.out} must name a .json file`);
  return {
    backends, latenciesMs, scenarios,
    times: positiveInt('times', values.times, 100_000),
    concurrency: positiveInt('concurrency', values.concurrency, 256),
    cellTimeoutS: positiveInt('cell-timeout', values['cell-timeout'], 86_400),
    out: values.out,
  };
}

/**
 * Where a backend's injected latency goes. PostgreSQL is one node: the only network path is
 * Keystone's to its database (the SQL fault proxy). Galera: between every pair of database nodes
 * (the replication proxies), as the chaos WAN test does. CockroachDB's embedded topology has no
 * proxy between its nodes (they replicate on their own network), so there it is Keystone's path
 * to each node, and the row says so.
 */
export type LatencyPath = 'keystone-database' | 'between-database-nodes';
export function latencyPathOf(backend: Backend): LatencyPath {
  return backend === 'galera' ? 'between-database-nodes' : 'keystone-database';
}

/** One scenario's measured run in one (backend, latency) cell, as the bench hands it in. */
export interface WorkloadMeasurement {
  backend: Backend;
  latencyMs: number;
  scenario: string;
  runner: { times: number; concurrency: number };
  /** The load runner's records (lib/load/runners.ts RunResult). */
  iterations: readonly IterationRecord[];
  wallMs: number;
  /** The retry correlator's rows for the window (lib/workload/retry-coverage.ts), one per API operation. */
  retryRows: readonly RetryCoverageRow[];
  /** Database-side conflicts in the window; null when the backend's counter could not be read or went backwards. */
  databaseConflicts: number | null;
  /** What databaseConflicts counts, e.g. "PostgreSQL 40001/40P01 log lines". */
  databaseConflictSource: string;
}

/** One row of the table: one scenario in one (backend, latency) cell. */
export interface CompareRow {
  backend: Backend;
  latencyMs: number;
  latencyPath: LatencyPath;
  scenario: string;
  iterations: number;
  ok: number;
  /** Iterations that failed on their own (an HTTP error, a dropped connection, a client timeout). */
  errors: number;
  /** Iterations the cell's time bound cut or abandoned: not errors of the backend, but not measured either. */
  cut: number;
  wallS: number;
  /** Successful iterations per second of the runner's wall time. */
  throughput: number;
  /** Iteration duration, s, Rally's interpolated percentile over every iteration that finished (failed ones with their time to failure, as Rally's table). */
  p50S: number | null;
  p95S: number | null;
  /** Requests the iterations sent, as the client recorded them. */
  requests: number;
  /** oslo.db "Performing DB retry" lines of those requests (Keystone's log, by request id). */
  keystoneRetries: number;
  /** Requests whose Keystone log shows a database conflict (retried or not). */
  requestsWithConflict: number;
  /** Requests answered 5xx / no answer / 4xx with a conflict logged: conflicts that reached the client. */
  leaks: number;
  databaseConflicts: number | null;
  databaseConflictSource: string;
  /** Error kind -> iterations, e.g. {"http-500": 2, "no-response": 1}. */
  errorKinds: Record<string, number>;
  retriedFunctions: string[];
}

const CUT_KINDS = new Set(['deadline', 'aborted', 'abandoned']);

/** Turns one measured workload into its row; refuses figures that cannot be true rather than print them. */
export function buildCompareRow(m: WorkloadMeasurement): CompareRow {
  const where = `${m.backend} @ ${m.latencyMs} ms, ${m.scenario}`;
  if (!(COMPARE_BACKENDS as readonly string[]).includes(m.backend)) throw new RangeError(`${where}: unknown backend`);
  if (!Number.isInteger(m.latencyMs) || m.latencyMs < 0 || m.latencyMs > MAX_LATENCY_MS) throw new RangeError(`${where}: latency must be whole ms within [0, ${MAX_LATENCY_MS}]`);
  if (!Number.isFinite(m.wallMs) || m.wallMs < 0) throw new RangeError(`${where}: wall time ${m.wallMs} ms is not a duration`);
  if (m.iterations.length > m.runner.times) throw new RangeError(`${where}: ${m.iterations.length} iterations recorded for a run of ${m.runner.times}`);
  if (m.iterations.length > 0 && m.wallMs === 0) throw new RangeError(`${where}: iterations ran in a wall time of 0 ms`);
  const seen = new Set<number>();
  for (const r of m.iterations) {
    if (!Number.isFinite(r.durationMs) || r.durationMs < 0) throw new RangeError(`${where}: iteration ${r.iteration} has duration ${r.durationMs} ms`);
    if (seen.has(r.iteration)) throw new RangeError(`${where}: iteration ${r.iteration} recorded twice`);
    seen.add(r.iteration);
  }
  if (m.databaseConflicts !== null && (!Number.isInteger(m.databaseConflicts) || m.databaseConflicts < 0)) {
    throw new RangeError(`${where}: database conflicts ${m.databaseConflicts} (a counter that went backwards is unknown, null, not negative)`);
  }
  const cut = m.iterations.filter((r) => r.error && CUT_KINDS.has(r.error.kind));
  const finished = m.iterations.filter((r) => !(r.error && CUT_KINDS.has(r.error.kind)));
  const failed = finished.filter((r) => r.error);
  const ok = finished.length - failed.length;
  const errorKinds: Record<string, number> = {};
  for (const r of m.iterations) if (r.error) errorKinds[r.error.kind] = (errorKinds[r.error.kind] ?? 0) + 1;
  const durationsS = finished.map((r) => r.durationMs / 1000);
  const sum = (f: (r: RetryCoverageRow) => number) => m.retryRows.reduce((n, r) => n + f(r), 0);
  return {
    backend: m.backend, latencyMs: m.latencyMs, latencyPath: latencyPathOf(m.backend), scenario: m.scenario,
    iterations: m.iterations.length, ok, errors: failed.length, cut: cut.length,
    wallS: m.wallMs / 1000,
    throughput: m.wallMs > 0 ? ok / (m.wallMs / 1000) : 0,
    p50S: rallyPercentile(durationsS, 0.5),
    p95S: rallyPercentile(durationsS, 0.95),
    requests: sum((r) => r.requests),
    keystoneRetries: sum((r) => r.retries),
    requestsWithConflict: sum((r) => r.conflictsProvoked),
    leaks: sum((r) => r.leaks),
    databaseConflicts: m.databaseConflicts, databaseConflictSource: m.databaseConflictSource,
    errorKinds,
    retriedFunctions: [...new Set(m.retryRows.flatMap((r) => r.retriedFunctions))].sort(),
  };
}

/** A backend the run could not measure, with its one-line reason (CockroachDB without an image, a failed bring-up). */
export interface NotRun { backend: Backend; reason: string }

export interface CompareReport {
  generatedAt: string;
  commit: string | null;
  /** `uptime`'s load averages when the run started and ended: a shared machine's figures need them. */
  loadAverage: { start: number[]; end: number[] };
  options: Omit<CompareOptions, 'out'> & { requestTimeoutS: number };
  keystone: { variant: string; uwsgiProcesses: number; passwordHashRounds: number; pgIsolation: string };
  backends: { backend: Backend; runId: string; keystoneEndpoints: number; bringUpS: number; latencyPath: LatencyPath }[];
  rows: CompareRow[];
  notRun: NotRun[];
  problems: string[];
  wallS: number;
}

/**
 * Rows in the table's order (backends, then latencies, then scenarios, each as the options list
 * them); refuses two rows for one (backend, latency, scenario).
 */
export function orderRows(rows: readonly CompareRow[], o: Pick<CompareOptions, 'backends' | 'latenciesMs' | 'scenarios'>): CompareRow[] {
  const key = (r: CompareRow) => `${r.backend}|${r.latencyMs}|${r.scenario}`;
  const keys = rows.map(key);
  const dup = keys.find((k, i) => keys.indexOf(k) !== i);
  if (dup) throw new RangeError(`two rows for ${dup.replace(/\|/g, ' / ')}`);
  const rank = (r: CompareRow) => [o.backends.indexOf(r.backend), o.latenciesMs.indexOf(r.latencyMs), o.scenarios.indexOf(r.scenario)];
  for (const r of rows) if (rank(r).some((x) => x < 0)) throw new RangeError(`row ${key(r).replace(/\|/g, ' / ')} is outside the selected backends, latencies and scenarios`);
  return [...rows].sort((a, b) => {
    const x = rank(a), y = rank(b);
    return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
  });
}
