import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PasswordCredentials } from '../keystone/credentials.js';
import type { InjectionSettings } from './conflict-injection/injection-settings.js';

/** One Keystone endpoint; in multi-region topologies each node is a region. */
export interface RegionEndpoint {
  region: string;
  baseUrl: string;
  /** Container of this region's Keystone (the node at baseUrl), when the suite started it. */
  keystoneContainer?: string;
  /**
   * Another Keystone API node of this region on the same database (embedded PostgreSQL with
   * KS_API_NODES=2): read-backs of writes and revocation checks go here, so a node that answers
   * from a per-process cache is seen. Absent: the region has one API node; readers use baseUrl.
   */
  readerBaseUrl?: string;
  /** Every Keystone API container of this region, keystoneContainer first (log collection, correlator). */
  keystoneContainers?: string[];
  /** Container of this region's database node, when the suite started it. */
  databaseContainer?: string;
  /** Galera: the database node's container name (chaos and logs name nodes by it). */
  databaseNode?: string;
  /** Galera: the node's own docker network; disconnecting the node from it cuts it off entirely. */
  databaseNetwork?: string;
  /** Control API (chaos/proxy) of the TCP fault proxy on this region's Keystone->database path (Galera and PostgreSQL). */
  sqlProxyControlUrl?: string;
  /**
   * Galera: control API of the proxy every replication link of this node crosses once (WAN
   * latency, loss, partition of the node). A link i-j crosses proxies i and j, so its one-way
   * delay is the sum of both settings. Use direction 'both' here: the proxy's 'upstream' means
   * "towards this node" on links a peer dialled and "away from it" on links this node dialled.
   */
  replicationProxyControlUrl?: string;
}

/** What the cluster setup hands to the workers: where Keystone is and how to reach it as admin. */
export interface ClusterInfo {
  target: 'embedded' | 'external';
  backend: string;
  keystoneVariant: string;
  runId: string;
  /** True only for clusters the suite started: the only ones chaos may touch by default. */
  ownedBySuite: boolean;
  regions: RegionEndpoint[];
  admin: PasswordCredentials;
  databaseIsolation?: string;
  network?: string;
  startedAt: string;
  bringUpSeconds: number;
  /** Set when the database injects conflicts (KS_INJECT_CONFLICTS): the run's retry matrix reads its log. */
  conflictInjection?: InjectionSettings & { tables: number };
  /** What the Keystone under test said it is (keystone package version, /v3 version id). */
  keystone?: { packageVersion?: string; apiVersion?: string };
  /** Global setup's decision on the known-defects list (lib/conformance/known-defects.ts) and why. */
  knownDefects?: { file?: string; load: boolean; reason: string };
}

/** Every Keystone container the suite can read logs of, all regions and all API nodes. */
export function keystoneContainerIds(info: Pick<ClusterInfo, 'regions'>): string[] {
  const ids = info.regions.flatMap((r) => r.keystoneContainers ?? (r.keystoneContainer ? [r.keystoneContainer] : []));
  return [...new Set(ids)];
}

/** Where region i's read-backs go: its other API node when it has one, else its only node. */
export function readerBaseUrl(info: Pick<ClusterInfo, 'regions'>, index = 0): string {
  const r = info.regions[index];
  if (!r) throw new RangeError(`no region ${index} in the cluster (it has ${info.regions.length})`);
  return r.readerBaseUrl ?? r.baseUrl;
}

/** The file is 0600 and lives outside reports: it carries the admin password. */
export function writeClusterInfo(path: string, info: ClusterInfo): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(info, null, 2), { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readClusterInfo(path = process.env.KS_CLUSTER_FILE): ClusterInfo {
  if (!path) throw new Error('KS_CLUSTER_FILE is not set: the cluster setup project did not run (run through `npx playwright test`, without --no-deps)');
  return JSON.parse(readFileSync(path, 'utf8')) as ClusterInfo;
}
