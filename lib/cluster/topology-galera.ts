import type { StartedTestContainer } from 'testcontainers';
import { createRunNetwork } from './run-network.js';
import type { Settings } from '../config/settings.js';
import type { ClusterInfo, RegionEndpoint } from './cluster-info.js';
import { unreported, type BringUpPhase, type EmbeddedCluster } from './topology.js';
import { type ProxyRoute, startFaultProxy } from './fault-proxy-node.js';
import { startGaleraCluster } from './galera-cluster.js';
import { type GaleraNode, type GaleraNodeSpec, galeraNetworkName, galeraNodeName, REPLICATION_ALIAS, replicationPorts } from './galera-node.js';
import { faultProxyImage, galeraImage, keystoneImage } from './images.js';
import { keyRepository, randomPassword } from './keys.js';
import { type KeystoneNode, startKeystone } from './keystone-node.js';
import { removeRun } from './ownership.js';
import { waitForKeystone } from './readiness.js';

/*
 * Region i = Galera node i + Keystone i, and two TCP fault proxies (chaos/proxy) per node:
 *
 *   Keystone i --(backbone)--> sql proxy i --(db network i)--> galera i            [Keystone->DB path]
 *   galera i --(db network i)--> replication proxy i --(backbone)--> replication proxy j --> galera j
 *
 * Galera node i sits alone on its own internal network with its two proxies, so it can reach a
 * peer only through its replication proxy, and a peer reaches it only through that same proxy:
 * every replication connection between i and j crosses proxy i once and proxy j once, whoever
 * dialled it. A fault on proxy i therefore acts on all of node i's links and leaves its own
 * Keystone->DB path alone, which has its own proxy (a region's Keystone and database are
 * co-located). Latency adds once per crossing: L on proxy 3 alone puts region 3 L away (one way)
 * from the others (measured: 50 ms made each UPDATE on node 1 take about 110 ms instead of 5);
 * L/2 on every proxy puts every pair of regions L apart.
 */

/** Inside a replication proxy: where peers' traffic for this node arrives. */
export const INBOUND = { gcomm: 4567, ist: 4568, sst: 4444 } as const;
export const SQL_PORT = 3306;

export const regionName = (index: number): string =>
  `Region${['One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine'][index - 1] ?? String(index)}`;
export const sqlProxyName = (runId: string, index: number): string => `ks-gate-${runId}-sqlproxy-${index}`;
export const replicationProxyName = (runId: string, index: number): string => `ks-gate-${runId}-replproxy-${index}`;

/** Keystone i's path to its database: one route to node i's SQL port. */
export function sqlProxyRoutes(runId: string, index: number): ProxyRoute[] {
  return [{ listenPort: SQL_PORT, upstream: `${galeraNodeName(runId, index)}:${SQL_PORT}` }];
}

/**
 * Node i's replication proxy: inbound routes from peers' proxies to node i, and one outbound
 * route per peer j, on j's own ports (node i dials `peers:<j's port>`), to j's proxy.
 */
export function replicationProxyRoutes(runId: string, index: number, size: number): ProxyRoute[] {
  const own = replicationPorts(index);
  const node = galeraNodeName(runId, index);
  const routes: ProxyRoute[] = [
    { listenPort: INBOUND.gcomm, upstream: `${node}:${own.gcomm}` },
    { listenPort: INBOUND.ist, upstream: `${node}:${own.ist}` },
    { listenPort: INBOUND.sst, upstream: `${node}:${own.sst}` },
  ];
  for (let j = 1; j <= size; j++) {
    if (j === index) continue;
    const peer = replicationPorts(j);
    const proxy = replicationProxyName(runId, j);
    routes.push(
      { listenPort: peer.gcomm, upstream: `${proxy}:${INBOUND.gcomm}` },
      { listenPort: peer.ist, upstream: `${proxy}:${INBOUND.ist}` },
      { listenPort: peer.sst, upstream: `${proxy}:${INBOUND.sst}` },
    );
  }
  return routes;
}

export function keystoneDatabaseUrl(runId: string, index: number, password: string): string {
  return `mysql+pymysql://keystone:${password}@${sqlProxyName(runId, index)}:${SQL_PORT}/keystone`;
}

const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

/**
 * N Galera nodes, N Keystones (region i on node i) and 2N fault proxies. On any failure
 * removes everything of the run before rethrowing.
 */
export async function startGaleraTopology(settings: Settings, runId: string, phase: BringUpPhase = unreported): Promise<EmbeddedCluster> {
  const size = settings.topologySize;
  const started = Date.now();
  const containers: StartedTestContainer[] = [];
  try {
    const [{ image: ksImage, variant }, dbImage, proxyImage] = await phase('images', () => Promise.all([keystoneImage(settings), galeraImage(), faultProxyImage()]));
    log(`images ready after ${since(started)}`);
    const nodes = Array.from({ length: size }, (_, k) => k + 1);
    const backbone = await createRunNetwork(runId, `ks-gate-${runId}`, false);
    const { proxies, galera, dbPassword } = await phase('database', async () => {
      await Promise.all(nodes.map((i) => createRunNetwork(runId, galeraNetworkName(runId, i), true)));

      const proxies = await Promise.all(nodes.map(async (i) => {
        const netName = galeraNetworkName(runId, i);
        const [sql, replication] = await Promise.all([
          startFaultProxy({ image: proxyImage, runId, index: i, role: 'sql-proxy', name: sqlProxyName(runId, i), routes: sqlProxyRoutes(runId, i), network: backbone, extraNetwork: { name: netName, aliases: [] } }),
          startFaultProxy({ image: proxyImage, runId, index: i, role: 'replication-proxy', name: replicationProxyName(runId, i), routes: replicationProxyRoutes(runId, i, size), network: backbone, extraNetwork: { name: netName, aliases: [REPLICATION_ALIAS] } }),
        ]);
        containers.push(sql.container, replication.container);
        return { sql, replication };
      }));
      log(`${2 * size} fault proxies up after ${since(started)}`);

      const dbPassword = randomPassword();
      const specs: GaleraNodeSpec[] = nodes.map((i) => ({ runId, index: i, size, bootstrap: i === 1, incomingAddress: `${sqlProxyName(runId, i)}:${SQL_PORT}`, dbPassword: i === 1 ? dbPassword : undefined }));
      const galera: GaleraNode[] = [];
      try {
        await startGaleraCluster(dbImage, specs, galera);
      } finally {
        containers.push(...galera.map((n) => n.container));
      }
      log(`galera: ${size} nodes Synced after ${since(started)}`);
      return { proxies, galera, dbPassword };
    });

    // One key repository per cluster: a token from any region validates in every other.
    const fernetKeys = keyRepository();
    const credentialKeys = keyRepository();
    const adminPassword = randomPassword();
    const admin = { username: 'admin', password: adminPassword, userDomainName: 'Default', projectName: 'admin', projectDomainName: 'Default' };
    const keystones: KeystoneNode[] = [];
    await phase('keystone nodes', async () => {
      // One after another: node 1 creates the schema, then each bootstrap adds its own region and
      // endpoint without racing another one (startKeystone returns once uwsgi listens, i.e. after bootstrap).
      for (const i of nodes) {
        const ks = await startKeystone(settings, backbone, {
          image: ksImage, runId, region: regionName(i), index: i, databaseUrl: keystoneDatabaseUrl(runId, i, dbPassword),
          fernetKeys, credentialKeys, adminPassword, dbSync: i === 1,
        });
        keystones.push(ks);
        containers.push(ks.container);
        log(`keystone ${ks.region} bootstrapped after ${since(started)}`);
      }
      await Promise.all(keystones.map((ks) => waitForKeystone(ks.baseUrl, admin, 180_000)));
    });
    const bringUpSeconds = (Date.now() - started) / 1000;
    log(`galera topology: ${size} regions ready after ${bringUpSeconds.toFixed(1)} s`);

    const regions: RegionEndpoint[] = nodes.map((i, k) => ({
      region: keystones[k]!.region,
      baseUrl: keystones[k]!.baseUrl,
      keystoneContainer: keystones[k]!.container.getId(),
      databaseContainer: galera[k]!.container.getId(),
      databaseNode: galera[k]!.name,
      databaseNetwork: galera[k]!.network,
      sqlProxyControlUrl: proxies[k]!.sql.controlUrl,
      replicationProxyControlUrl: proxies[k]!.replication.controlUrl,
    }));
    const info: ClusterInfo = {
      target: 'embedded', backend: 'galera', keystoneVariant: variant, runId, ownedBySuite: true,
      regions, admin, databaseIsolation: 'repeatable read (Galera certification across nodes)', network: backbone.getName(),
      startedAt: new Date(started).toISOString(), bringUpSeconds,
    };
    return { info, containers, network: backbone, stop: async () => void removeRun(runId) };
  } catch (e) {
    removeRun(runId);
    throw e;
  }
}
