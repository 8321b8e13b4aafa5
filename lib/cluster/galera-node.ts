import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { ownershipLabels } from './ownership.js';

const run = promisify(execFile);

/**
 * On each node's own network, its replication proxy answers to this name: a node advertises
 * `peers:<its port>` for IST and SST, and whichever node connects resolves that name to its
 * *own* proxy, which relays to the advertised node's proxy. Network-scoped aliases make one
 * name mean a different container on every node's network.
 */
export const REPLICATION_ALIAS = 'peers';

/**
 * Ports of node `index` (1-based). They differ per node because, seen from a node, every peer
 * sits behind the same proxy address: the port is what tells the proxy which peer is meant.
 */
export function replicationPorts(index: number): { gcomm: number; ist: number; sst: number } {
  if (!Number.isInteger(index) || index < 1 || index > 99) throw new RangeError(`Galera node index ${index} must be in [1, 99]`);
  return { gcomm: 4600 + index, ist: 4700 + index, sst: 4800 + index };
}

export function galeraNodeName(runId: string, index: number): string {
  return `ks-gate-${runId}-galera-${index}`;
}

/** The node's own network: only the node and its two proxies are on it. */
export function galeraNetworkName(runId: string, index: number): string {
  return `ks-gate-${runId}-db${index}`;
}

export interface GaleraNodeSpec {
  runId: string;
  index: number;
  size: number;
  /** Only node 1, on the cluster's first start: forms the cluster and creates the Keystone database. */
  bootstrap: boolean;
  /** host:port clients use (the node's SQL proxy); informational (wsrep_incoming_addresses). */
  incomingAddress: string;
  /** Keystone's database password; needed on the bootstrap node only. */
  dbPassword?: string;
}

/**
 * The entrypoint's environment for one node. Peers are always dialled through this node's
 * replication proxy (`peers:<peer port>`), never directly: the node's network holds no peer.
 */
export function galeraEnvironment(spec: GaleraNodeSpec): Record<string, string> {
  const own = replicationPorts(spec.index);
  const peers = Array.from({ length: spec.size }, (_, k) => k + 1)
    .filter((j) => j !== spec.index)
    .map((j) => `${REPLICATION_ALIAS}:${replicationPorts(j).gcomm}`);
  const env: Record<string, string> = {
    GALERA_NODE_NAME: `galera-${spec.index}`,
    GALERA_CLUSTER_ADDRESS: `gcomm://${peers.join(',')}`,
    GALERA_BOOTSTRAP: spec.bootstrap ? '1' : '0',
    GALERA_GCOMM_PORT: String(own.gcomm),
    GALERA_IST_ADDRESS: `tcp://${REPLICATION_ALIAS}:${own.ist}`,
    GALERA_IST_BIND: `tcp://0.0.0.0:${own.ist}`,
    GALERA_SST_ADDRESS: `${REPLICATION_ALIAS}:${own.sst}`,
    GALERA_INCOMING_ADDRESS: spec.incomingAddress,
  };
  if (spec.bootstrap) {
    if (!spec.dbPassword) throw new Error('the bootstrap node needs the Keystone database password');
    Object.assign(env, { GALERA_DB_NAME: 'keystone', GALERA_DB_USER: 'keystone', GALERA_DB_PASSWORD: spec.dbPassword });
  }
  return env;
}

export interface GaleraNode {
  index: number;
  name: string;
  network: string;
  container: StartedTestContainer;
}

/**
 * Starts one node's container on its own (internal) network and returns once mariadbd accepts
 * connections; whether it has joined and synced is the cluster's business (galera-cluster.ts).
 */
export async function startGaleraNode(image: string, spec: GaleraNodeSpec): Promise<GaleraNode> {
  const name = galeraNodeName(spec.runId, spec.index);
  const network = galeraNetworkName(spec.runId, spec.index);
  const ready = spec.bootstrap ? /galera-entrypoint: database \S+ and user \S+ ready/ : /mariadbd: ready for connections/;
  const container = await new GenericContainer(image)
    .withName(name)
    .withLabels({ ...ownershipLabels(spec.runId), 'ks-gate.role': 'database', 'ks-gate.db-node': String(spec.index) })
    .withNetworkMode(network)
    .withEnvironment(galeraEnvironment(spec))
    .withWaitStrategy(Wait.forLogMessage(ready))
    .withStartupTimeout(180_000)
    .start();
  return { index: spec.index, name, network, container };
}

/** The wsrep status counters the harness reads (values as MariaDB prints them). */
export type WsrepStatus = Record<string, string>;

const STATUS_QUERY =
  "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_size','wsrep_cluster_status','wsrep_local_state_comment'," +
  "'wsrep_ready','wsrep_connected','wsrep_cluster_state_uuid','wsrep_last_committed','wsrep_local_cert_failures'," +
  "'wsrep_local_bf_aborts','wsrep_incoming_addresses')";

/** Parses `mariadb -N -B` output: one `name<TAB>value` per line. */
export function parseWsrepStatus(text: string): WsrepStatus {
  const out: WsrepStatus = {};
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab > 0) out[line.slice(0, tab).trim().toLowerCase()] = line.slice(tab + 1).trim();
  }
  return out;
}

/** Runs SQL as root through `docker exec` (unix socket): the host never dials a container address. */
export async function execSql(containerId: string, sql: string, timeoutMs = 10_000): Promise<string> {
  const { stdout } = await run('docker', ['exec', containerId, 'mariadb', '-uroot', '-N', '-B', '-e', sql], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function wsrepStatus(containerId: string, timeoutMs = 10_000): Promise<WsrepStatus> {
  return parseWsrepStatus(await execSql(containerId, STATUS_QUERY, timeoutMs));
}
