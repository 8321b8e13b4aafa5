// The faults the chaos specs inject, built through the injector the settings choose: the
// suite's own containers and TCP fault proxies (the embedded Galera topology), or Chaos Mesh
// objects in Kubernetes (an external deployment, KS_CHAOS_INJECTOR=chaos-mesh). A spec asks for
// "crash this region's database"; this module decides what that means on the target.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { ClusterInfo, RegionEndpoint } from '../lib/cluster/cluster-info.js';
import { galeraRestartHook } from '../lib/cluster/galera-cluster.js';
import type { RegionSelectors } from '../lib/config/label-selectors.js';
import { ConfigError, type ChaosInjector, type ChaosMeshSettings, type Settings } from '../lib/config/settings.js';
import { errorText, type Fault, type FaultKind } from './fault.js';
import { networkEmulation, networkPartition, podFailure, podKill, type ChaosMeshCluster, type PodTargeting } from './injectors/chaos-mesh.js';
import { crashContainer, freezeContainer, partitionContainer } from './injectors/container.js';
import { proxyFault, proxyPartition } from './injectors/proxy.js';

/** How long a chaos scenario holds its fault unless it says otherwise (runChaosScenario's duringMs). */
export const DEFAULT_FAULT_HOLD_MS = 15_000;
/**
 * Chaos Mesh objects carry their own bound (spec.duration), so a fault ends even if this process
 * dies. It outlasts the hold a little: objects of one fault are created one after another, and
 * the heal deletes them at the hold anyway.
 */
export const CHAOS_MESH_BOUND_MARGIN_MS = 5_000;
/** A killed Galera node rejoins by IST; the crash heal waits until every node is Synced again. */
const GALERA_RESTART_TIMEOUT_MS = 180_000;

/** The faults the chaos specs use, by what they do to a region. */
export type ChaosFaultKind =
  | 'crash'
  | 'freeze'
  /** Cut from its peers; its own Keystone still reaches it (the minority that must refuse writes). */
  | 'partition'
  /** Cut from everything, its own Keystone included. */
  | 'disconnect'
  | 'replication-latency'
  | 'keystone-database-latency';

/** Conditions of one path, each way. */
export interface PathConditions {
  latencyMs: number;
  jitterMs: number;
  /** Probability a packet (or, on the TCP proxy, a chunk) is lost, 0..1. */
  loss: number;
}

export interface FaultOptions {
  /** How long the scenario holds the fault; default DEFAULT_FAULT_HOLD_MS. */
  holdMs?: number;
}

export interface ChaosFaults {
  readonly injector: ChaosInjector;
  /** Why this injector cannot inject `kinds` into every region of the cluster; undefined when it can. */
  unsupported(kinds: readonly ChaosFaultKind[]): string | undefined;
  crash(region: RegionEndpoint, options?: FaultOptions): Fault;
  freeze(region: RegionEndpoint, options?: FaultOptions): Fault;
  partition(region: RegionEndpoint, options?: FaultOptions): Fault;
  disconnect(region: RegionEndpoint, options?: FaultOptions): Fault;
  /** Every pair of database nodes `link` apart, one way. */
  replicationLatency(link: PathConditions, options?: FaultOptions): Fault;
  /** One region's Keystone and its database `path` apart, each way. */
  keystoneDatabaseLatency(region: RegionEndpoint, path: PathConditions, options?: FaultOptions): Fault;
}

export function chaosFaults(
  settings: Pick<Settings, 'chaosInjector' | 'chaosMesh'>,
  info: ClusterInfo,
  options: { /** Instead of KubeConfig.loadFromDefault() (tests). */ kubeConfig?: KubeConfig } = {},
): ChaosFaults {
  if (settings.chaosInjector === 'containers') return containerFaults(info);
  if (!settings.chaosMesh) throw new ConfigError('KS_CHAOS_INJECTOR=chaos-mesh without its settings (KS_CHAOS_MESH_NAMESPACE, KS_CHAOS_MESH_DATABASE_SELECTORS)');
  return chaosMeshFaults(settings.chaosMesh, info, options.kubeConfig);
}

// ---------------------------------------------------------------------------------------------
// Containers: what the specs built before there was a choice, unchanged (names included).

/** The region fields that hold one string (container ids, URLs), the only ones a fault can need. */
type RegionStringField = { [K in keyof RegionEndpoint]-?: RegionEndpoint[K] extends string | undefined ? K : never }[keyof RegionEndpoint];

const CONTAINER_NEEDS: Record<ChaosFaultKind, ReadonlyArray<RegionStringField>> = {
  crash: ['databaseContainer'],
  freeze: ['databaseContainer'],
  partition: ['replicationProxyControlUrl', 'databaseContainer'],
  disconnect: ['databaseContainer', 'databaseNetwork'],
  'replication-latency': ['replicationProxyControlUrl'],
  'keystone-database-latency': ['sqlProxyControlUrl'],
};

/** Where an external target's regions get each field (lib/cluster/external-containers.ts). */
const EXTERNAL_VARIABLE: Partial<Record<RegionStringField, string>> = {
  databaseContainer: 'KS_DATABASE_CONTAINERS',
  databaseNetwork: 'KS_DATABASE_NETWORKS (or a database container on exactly one network)',
  replicationProxyControlUrl: 'KS_REPLICATION_PROXY_CONTAINERS',
  sqlProxyControlUrl: 'KS_SQL_PROXY_CONTAINERS',
};

function containerFaults(info: ClusterInfo): ChaosFaults {
  const field = (r: RegionEndpoint, f: RegionStringField): string => {
    const value = r[f];
    if (!value) throw new Error(`containers injector: ${r.region} has no ${f} (check unsupported() first)`);
    return value;
  };
  const node = (r: RegionEndpoint) => ({ label: `${r.region} database node` });
  return {
    injector: 'containers',
    unsupported(kinds) {
      const missing = [...new Set(kinds.flatMap((k) => CONTAINER_NEEDS[k]))].filter((f) => info.regions.some((r) => !r[f]));
      if (!missing.length) return undefined;
      return `the containers injector needs ${missing.join(', ')} for every region, which this ${info.target} cluster does not expose` +
        (info.target === 'external'
          ? ` (on an external docker deployment name them per region with ${[...new Set(missing.map((f) => EXTERNAL_VARIABLE[f] ?? f))].join(', ')} and KS_ALLOW_EXTERNAL_CHAOS=1; ` +
            'on Kubernetes KS_CHAOS_INJECTOR=chaos-mesh injects through Chaos Mesh)'
          : '');
    },
    crash(r) {
      const db = info.regions.map((x) => x.databaseContainer).filter((id): id is string => !!id);
      return crashContainer(field(r, 'databaseContainer'), {
        ...node(r),
        // The node rejoins by IST; the heal returns once every node is Synced again.
        restart: galeraRestartHook({ size: db.length, clusterContainerIds: db, timeoutMs: GALERA_RESTART_TIMEOUT_MS }),
      });
    },
    freeze: (r) => freezeContainer(field(r, 'databaseContainer'), node(r)),
    // Every replication link of the node crosses this proxy once: holding all of it isolates the node.
    partition: (r) => proxyPartition(field(r, 'replicationProxyControlUrl'), { mode: 'blackhole', direction: 'both' }, `partition ${r.region} (replication blackhole)`),
    disconnect: (r) => partitionContainer(field(r, 'databaseContainer'), field(r, 'databaseNetwork'), node(r)),
    replicationLatency(link) {
      // A link i-j crosses proxies i and j: half on each puts every pair `link` apart
      // (loss: 1 - (1 - p/2)^2 ≈ p).
      const parts = info.regions.map((r) => proxyFault(field(r, 'replicationProxyControlUrl'), 'latency',
        { latencyMs: link.latencyMs / 2, jitterMs: link.jitterMs / 2, loss: link.loss / 2, direction: 'both' }, `WAN on ${r.region} replication`));
      return allOf(wanName(link), 'latency', parts);
    },
    keystoneDatabaseLatency: (r, path) => proxyFault(field(r, 'sqlProxyControlUrl'), 'latency',
      { latencyMs: path.latencyMs, jitterMs: path.jitterMs, loss: path.loss, direction: 'both' }, keystonePathName(r, path)),
  };
}

// ---------------------------------------------------------------------------------------------
// Chaos Mesh: one object per (pod, peer) pair, all in the namespace of the target pods.

function chaosMeshFaults(mesh: ChaosMeshSettings, info: ClusterInfo, kubeConfig?: KubeConfig): ChaosFaults {
  let cluster: ChaosMeshCluster | undefined;
  // Loaded on the first fault built, so a run that injects nothing needs no credentials.
  const target = (): ChaosMeshCluster => (cluster ??= { kubeConfig: kubeConfig ?? loadKubeConfig(), namespace: mesh.namespace, ownedBySuite: info.ownedBySuite });
  const pod = (selectors: RegionSelectors | undefined, variable: string, r: RegionEndpoint): PodTargeting => {
    const labels = selectors && Object.hasOwn(selectors, r.region) ? selectors[r.region] : undefined;
    if (!labels) throw new Error(`${variable} names no pod for ${r.region} (check unsupported() first)`);
    return { selector: { namespaces: [mesh.namespace], labelSelectors: labels }, mode: 'all' };
  };
  const database = (r: RegionEndpoint) => pod(mesh.databaseSelectors, DATABASE_SELECTORS, r);
  const keystone = (r: RegionEndpoint) => pod(mesh.keystoneSelectors, KEYSTONE_SELECTORS, r);
  const peers = (r: RegionEndpoint) => info.regions.filter((x) => x.region !== r.region);
  const bound = (o?: FaultOptions) => (o?.holdMs ?? DEFAULT_FAULT_HOLD_MS) + CHAOS_MESH_BOUND_MARGIN_MS;
  /** The database pod of `r` cut, both ways, from each of `from` (one NetworkChaos each). */
  const cut = (r: RegionEndpoint, from: PodTargeting[], o?: FaultOptions) =>
    from.map((peer) => networkPartition(target(), { ...database(r), direction: 'both', target: peer, durationMs: bound(o) }));

  return {
    injector: 'chaos-mesh',
    unsupported(kinds) {
      const gaps: string[] = [];
      const uncovered = (selectors: RegionSelectors | undefined) => info.regions.map((r) => r.region).filter((name) => !selectors || !Object.hasOwn(selectors, name));
      const describe = (variable: string, selectors: RegionSelectors | undefined, missing: string[]) =>
        selectors
          ? `${variable} names no pod for ${missing.join(', ')} (it names ${Object.keys(selectors).join(', ')}; the target's regions are ${info.regions.map((r) => r.region).join(', ')})`
          : `${variable} is not set (needed for ${kinds.filter((k) => k === 'disconnect' || k === 'keystone-database-latency').join(', ')})`;
      const db = uncovered(mesh.databaseSelectors);
      if (kinds.length && db.length) gaps.push(describe(DATABASE_SELECTORS, mesh.databaseSelectors, db));
      const ks = uncovered(mesh.keystoneSelectors);
      if (kinds.some((k) => k === 'disconnect' || k === 'keystone-database-latency') && ks.length) gaps.push(describe(KEYSTONE_SELECTORS, mesh.keystoneSelectors, ks));
      return gaps.length ? `the chaos-mesh injector cannot target every region: ${gaps.join('; ')}` : undefined;
    },
    crash: (r, o) => renamed(`crash ${r.region} database pod (Chaos Mesh pod-kill)`,
      // Grace period 0: a kill -9, as on containers. Kubernetes restarts the pod; its recovery is the deployment's.
      podKill(target(), { ...database(r), durationMs: bound(o), gracePeriodSeconds: 0 })),
    freeze: (r, o) => renamed(`freeze ${r.region} database pod (Chaos Mesh pod-failure)`, podFailure(target(), { ...database(r), durationMs: bound(o) })),
    partition: (r, o) => allOf(`partition ${r.region} database pod from its peers (Chaos Mesh)`, 'partition', cut(r, peers(r).map(database), o)),
    disconnect: (r, o) => allOf(`disconnect ${r.region} database pod from its peers and its Keystone (Chaos Mesh)`, 'partition',
      cut(r, [...peers(r).map(database), keystone(r)], o)),
    replicationLatency(link, o) {
      // One netem object per pair, both ways: each pair `link` apart, one way, as on containers.
      const parts: Fault[] = [];
      info.regions.forEach((a, i) => info.regions.slice(i + 1).forEach((b) => parts.push(networkEmulation(target(), {
        ...database(a), direction: 'both', target: database(b), ...link, durationMs: bound(o),
      }))));
      return allOf(`${wanName(link)} (Chaos Mesh)`, 'latency', parts);
    },
    keystoneDatabaseLatency: (r, path, o) => renamed(`${keystonePathName(r, path)} (Chaos Mesh)`,
      networkEmulation(target(), { ...keystone(r), direction: 'both', target: database(r), ...path, durationMs: bound(o) })),
  };
}

const DATABASE_SELECTORS = 'KS_CHAOS_MESH_DATABASE_SELECTORS';
const KEYSTONE_SELECTORS = 'KS_CHAOS_MESH_KEYSTONE_SELECTORS';
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * KUBECONFIG, ~/.kube/config, or the pod's service account: KubeConfig.loadFromDefault()'s
 * order. With none of them it would quietly point at http://localhost:8080, so that fails here.
 */
export function loadKubeConfig(): KubeConfig {
  if (!process.env.KUBECONFIG && !existsSync(join(homedir(), '.kube', 'config')) && !existsSync(SERVICE_ACCOUNT_TOKEN)) {
    throw new ConfigError('KS_CHAOS_INJECTOR=chaos-mesh needs Kubernetes credentials: set KUBECONFIG, provide ~/.kube/config, or run in a pod with a service account');
  }
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromDefault();
  } catch (e) {
    throw new ConfigError(`KUBECONFIG: cannot load the Kubernetes configuration: ${errorText(e)}`);
  }
  if (!kubeConfig.getCurrentCluster()) throw new ConfigError('KUBECONFIG: the Kubernetes configuration has no current context with a cluster');
  return kubeConfig;
}

// ---------------------------------------------------------------------------------------------

/** Several faults as one window: injected one by one (a half-injected set heals cleanly), all healed. */
export function allOf(name: string, kind: FaultKind, parts: readonly Fault[]): Fault {
  return {
    name,
    kind,
    async inject() {
      for (const p of parts) await p.inject();
    },
    async heal() {
      const failed = (await Promise.allSettled(parts.map((p) => p.heal()))).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length) throw new AggregateError(failed.map((f) => f.reason), `${failed.length} of ${parts.length} heals failed: ${failed.map((f) => errorText(f.reason)).join('; ')}`);
    },
  };
}

/** Histories and reports show this name; the injector's own one names the object. */
function renamed(name: string, fault: Fault): Fault {
  return { name, kind: fault.kind, inject: () => fault.inject(), heal: () => fault.heal() };
}

const percent = (p: number): string => String(Number((p * 100).toFixed(4)));
const wanName = (l: PathConditions): string => `WAN ${l.latencyMs}±${l.jitterMs} ms, ${percent(l.loss)}% loss between all nodes`;
const keystonePathName = (r: RegionEndpoint, p: PathConditions): string =>
  `${r.region} Keystone-database path ${p.latencyMs}±${p.jitterMs} ms, ${percent(p.loss)}% loss`;
