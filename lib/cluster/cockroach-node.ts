import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { ownershipLabels } from './ownership.js';

const run = promisify(execFile);

/*
 * One CockroachDB node of the embedded topology, from the user's image (KS_COCKROACH_IMAGE): the
 * gate never downloads or builds CockroachDB (its licence is not open source). Everything this
 * module generates (names, `cockroach start`/`init` arguments, the setup SQL, Keystone's URL, the
 * conflict counters' SQL and parser) is a pure function with a selftest (selftest/cockroach.spec.ts);
 * only startCockroachNode and the docker-exec helpers touch an engine.
 */

export const COCKROACH_SQL_PORT = 26257;
export const COCKROACH_HTTP_PORT = 8080;
/** The database and SQL user Keystone uses (insecure mode: no password exists). */
export const KEYSTONE_DATABASE = 'keystone';
export const KEYSTONE_SQL_USER = 'keystone';

export const cockroachNodeName = (runId: string, index: number): string => `ks-gate-${runId}-crdb-${index}`;
/** The nodes' own network: only the nodes and their SQL proxies are on it, so Keystone reaches a node only through its proxy. */
export const cockroachNetworkName = (runId: string): string => `ks-gate-${runId}-crdb`;

export interface CockroachNodeSpec {
  runId: string;
  /** 1-based. */
  index: number;
  size: number;
  /** The region this node (and its Keystone) stands for: CockroachDB's locality. */
  region: string;
}

/**
 * `cockroach start` for node i: insecure (no certificates to generate; a throwaway test cluster
 * on the suite's own network), every node in --join, an in-memory store (the data lives as long
 * as the run), and the node's region as its locality so multi-region behaviour is visible in
 * crdb_internal. The image's entrypoint is `cockroach` in the official images; we run it by
 * path-independent name through the container command.
 */
export function cockroachStartArgs(spec: CockroachNodeSpec): string[] {
  if (!Number.isInteger(spec.size) || spec.size < 1) throw new RangeError(`CockroachDB cluster size ${spec.size} must be at least 1`);
  if (!Number.isInteger(spec.index) || spec.index < 1 || spec.index > spec.size) throw new RangeError(`CockroachDB node index ${spec.index} must be in [1, ${spec.size}]`);
  if (!/^[A-Za-z0-9-]+$/.test(spec.region)) throw new Error(`region "${spec.region}" cannot be a CockroachDB locality tier value`);
  const name = cockroachNodeName(spec.runId, spec.index);
  const join = Array.from({ length: spec.size }, (_, k) => `${cockroachNodeName(spec.runId, k + 1)}:${COCKROACH_SQL_PORT}`).join(',');
  return [
    'start', '--insecure',
    `--join=${join}`,
    `--listen-addr=:${COCKROACH_SQL_PORT}`,
    `--advertise-addr=${name}:${COCKROACH_SQL_PORT}`,
    `--http-addr=:${COCKROACH_HTTP_PORT}`,
    `--locality=region=${spec.region}`,
    // Memory: three nodes and three Keystones share a small machine.
    '--store=type=mem,size=512MiB', '--cache=64MiB', '--max-sql-memory=128MiB',
  ];
}

/** `cockroach init` once, against node 1, after every node started (they wait for it). */
export function cockroachInitArgs(runId: string): string[] {
  return ['init', '--insecure', `--host=${cockroachNodeName(runId, 1)}:${COCKROACH_SQL_PORT}`];
}

/** `cockroach sql` inside a node's container (its own address: always reachable once the node serves SQL). */
export function cockroachSqlArgs(sql: string, format: 'csv' | 'tsv' = 'csv'): string[] {
  return ['sql', '--insecure', `--host=localhost:${COCKROACH_SQL_PORT}`, `--format=${format}`, '-e', sql];
}

/**
 * The database and user Keystone needs. Insecure clusters refuse passwords, so the user has none;
 * it owns the database so `keystone-manage db_sync` can create and alter its tables.
 */
export function cockroachSetupSql(): string {
  return [
    `CREATE DATABASE IF NOT EXISTS ${KEYSTONE_DATABASE}`,
    `CREATE USER IF NOT EXISTS ${KEYSTONE_SQL_USER}`,
    `GRANT ALL ON DATABASE ${KEYSTONE_DATABASE} TO ${KEYSTONE_SQL_USER}`,
    `ALTER DATABASE ${KEYSTONE_DATABASE} OWNER TO ${KEYSTONE_SQL_USER}`,
  ].join('; ') + ';';
}

/**
 * Keystone's SQLAlchemy URL to node i through its SQL proxy, with the sqlalchemy-cockroachdb
 * dialect (`cockroachdb://`, psycopg2 underneath). `injectRetries` (KS_COCKROACH_INJECT_RETRIES)
 * turns on CockroachDB's own retry-error injection for every Keystone session: libpq's `options`
 * sets the session variable at connect, so every explicit transaction meets a retry error first —
 * the strongest retry-coverage test there is, on versions that have the variable (21.2+).
 */
export function cockroachKeystoneUrl(hostPort: string, injectRetries: boolean): string {
  if (!/^[A-Za-z0-9._-]+:\d{1,5}$/.test(hostPort)) throw new Error(`"${hostPort}" is not host:port`);
  const query = ['sslmode=disable'];
  if (injectRetries) query.push(`options=${encodeURIComponent('-c inject_retry_errors_enabled=true')}`);
  return `cockroachdb://${KEYSTONE_SQL_USER}@${hostPort}/${KEYSTONE_DATABASE}?${query.join('&')}`;
}

/**
 * The conflict counters of one node: every transaction restart by kind (`txn.restarts.writetooold`,
 * `txn.restarts.serializable`, ...) and aborts. node_metrics is per node: the topology sums nodes.
 */
export const CONFLICT_COUNTERS_SQL =
  "SELECT name, value FROM crdb_internal.node_metrics WHERE name LIKE 'txn.restarts%' OR name = 'txn.aborts' ORDER BY name";

export type ConflictCounters = Record<string, number>;

/**
 * Parses `cockroach sql --format=csv` output of CONFLICT_COUNTERS_SQL: a `name,value` header, then
 * one row per counter. Rejects anything else (an error text, a missing header, a non-number), so a
 * broken read is never taken for "0 conflicts".
 */
export function parseConflictCounters(csv: string): ConflictCounters {
  const lines = csv.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines[0] !== 'name,value') throw new Error(`CockroachDB node_metrics: expected a "name,value" header, got: ${(lines[0] ?? '(nothing)').slice(0, 120)}`);
  const out: ConflictCounters = {};
  for (const line of lines.slice(1)) {
    const m = /^(txn\.(?:restarts(?:\.[a-z0-9_]+)?|aborts)),(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)$/i.exec(line);
    if (!m) throw new Error(`CockroachDB node_metrics: unexpected row "${line.slice(0, 120)}"`);
    out[m[1]!] = (out[m[1]!] ?? 0) + Number(m[2]);
  }
  if (out['txn.aborts'] === undefined) throw new Error('CockroachDB node_metrics: no txn.aborts row (not a CockroachDB node, or a version without the counter)');
  return out;
}

/** Counters of several nodes, summed. */
export function sumCounters(nodes: ConflictCounters[]): ConflictCounters {
  const out: ConflictCounters = {};
  for (const n of nodes) for (const [k, v] of Object.entries(n)) out[k] = (out[k] ?? 0) + v;
  return out;
}

export interface ConflictDelta {
  /** Restarts of every kind in the window (`txn.restarts` itself is a histogram count on some versions: the kinds are summed instead). */
  restarts: number;
  aborts: number;
  byKind: Record<string, number>;
}

/**
 * Conflicts between two readings (before and after a scenario). A counter that went down means a
 * node restarted in between: the window cannot be judged, so it throws rather than report a
 * smaller or negative figure.
 */
export function conflictDelta(before: ConflictCounters, after: ConflictCounters): ConflictDelta {
  const byKind: Record<string, number> = {};
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d < 0) throw new Error(`CockroachDB counter ${k} went down (${before[k]} -> ${v}): a node restarted during the window`);
    if (d > 0 && k !== 'txn.restarts') byKind[k] = d;
  }
  const restarts = Object.entries(byKind).filter(([k]) => k.startsWith('txn.restarts.')).reduce((n, [, d]) => n + d, 0);
  return { restarts, aborts: byKind['txn.aborts'] ?? 0, byKind };
}

/** Runs `cockroach sql` in a node's container (docker exec: the host never dials a container address). */
export async function cockroachSql(containerId: string, sql: string, timeoutMs = 30_000): Promise<string> {
  const { stdout } = await run('docker', ['exec', containerId, 'cockroach', ...cockroachSqlArgs(sql)], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** Conflict counters summed over the given nodes' containers. */
export async function readConflictCounters(containerIds: string[]): Promise<ConflictCounters> {
  return sumCounters(await Promise.all(containerIds.map(async (id) => parseConflictCounters(await cockroachSql(id, CONFLICT_COUNTERS_SQL)))));
}

export interface CockroachNode {
  index: number;
  name: string;
  container: StartedTestContainer;
}

/**
 * Starts node i on the nodes' network and returns once it listens; it serves SQL only after
 * `cockroach init` (topology-cockroachdb.ts). The wait is on the log line every version prints
 * while it waits for the join/init ("initial startup completed" or the "waiting for init" hint).
 */
export async function startCockroachNode(image: string, spec: CockroachNodeSpec): Promise<CockroachNode> {
  const name = cockroachNodeName(spec.runId, spec.index);
  const container = await new GenericContainer(image)
    .withName(name)
    .withLabels({ ...ownershipLabels(spec.runId), 'ks-gate.role': 'database', 'ks-gate.db-node': String(spec.index) })
    .withNetworkMode(cockroachNetworkName(spec.runId))
    .withEntrypoint(['cockroach'])
    .withCommand(cockroachStartArgs(spec))
    .withWaitStrategy(Wait.forLogMessage(/initial startup completed|cockroach init|node starting/i))
    .withStartupTimeout(180_000)
    .start();
  return { index: spec.index, name, container };
}
