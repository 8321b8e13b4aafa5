import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { StartedTestContainer } from 'testcontainers';
import { createRunNetwork } from './run-network.js';
import type { Settings } from '../config/settings.js';
import type { ClusterInfo, RegionEndpoint } from './cluster-info.js';
import { cockroachKeystoneImage, dialectSource } from './cockroach-image.js';
import {
  COCKROACH_SQL_PORT, type CockroachNode, cockroachInitArgs, cockroachKeystoneUrl, cockroachNetworkName, cockroachNodeName,
  cockroachSetupSql, cockroachSql, startCockroachNode,
} from './cockroach-node.js';
import { type ProxyRoute, startFaultProxy } from './fault-proxy-node.js';
import { faultProxyImage, imageExists, keystoneImage } from './images.js';
import { keyRepository, randomPassword } from './keys.js';
import { type KeystoneNode, startKeystone } from './keystone-node.js';
import { removeRun } from './ownership.js';
import { waitForKeystone } from './readiness.js';
import { regionName } from './topology-galera.js';
import { unreported, type BringUpPhase, type EmbeddedCluster } from './topology.js';

const run = promisify(execFile);
const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);
const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)} s`;

/*
 * Region i = CockroachDB node i + Keystone i + the SQL fault proxy between them:
 *
 *   Keystone i --(backbone)--> sql proxy i --(crdb network)--> cockroach i  <-- raft/gossip -->  cockroach j
 *
 * The nodes share one internal network of their own (they replicate directly); Keystone sits on
 * the backbone and reaches its node only through its proxy, so latency, loss and cuts on a
 * region's Keystone->database path work as on Galera and PostgreSQL.
 */

export const sqlProxyName = (runId: string, index: number): string => `ks-gate-${runId}-sqlproxy-${index}`;

/** Keystone i's path to its node. */
export function cockroachSqlProxyRoutes(runId: string, index: number): ProxyRoute[] {
  return [{ listenPort: COCKROACH_SQL_PORT, upstream: `${cockroachNodeName(runId, index)}:${COCKROACH_SQL_PORT}` }];
}

/**
 * Why the CockroachDB topology cannot run here, or undefined when it can. Never an error: the
 * gate does not download or build CockroachDB, so without the user's image every test is skipped
 * with this line and the verdict says "not run". `exists` is `docker image inspect` (injectable).
 */
export async function cockroachUnavailable(image: string | undefined, exists: (image: string) => Promise<boolean> = imageExists): Promise<string | undefined> {
  if (!image) return 'CockroachDB not run: KS_COCKROACH_IMAGE is not set (name a CockroachDB image you have; the gate never downloads or builds it)';
  let found = false;
  try { found = await exists(image); } catch (e) { return `CockroachDB not run: KS_COCKROACH_IMAGE=${image} could not be inspected (${(e as Error).message.split('\n')[0]})`; }
  return found ? undefined : `CockroachDB not run: KS_COCKROACH_IMAGE=${image} is not in the local docker engine (docker image inspect found nothing; load or pull it first)`;
}

/** Polls `SELECT 1` on every node until each serves SQL (after init), or fails naming the last error. */
async function waitForSql(nodes: CockroachNode[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const n of nodes) {
    let last = '';
    while (true) {
      try { await cockroachSql(n.container.getId(), 'SELECT 1', 10_000); break; } catch (e) { last = (e as Error).message.split('\n').find((l) => l.trim()) ?? ''; }
      if (Date.now() > deadline) throw new Error(`CockroachDB node ${n.name} does not serve SQL within ${Math.round(timeoutMs / 1000)} s: ${last}`);
      await sleep(500);
    }
  }
}

/**
 * N CockroachDB nodes from KS_COCKROACH_IMAGE (`cockroach start --join --insecure`, then
 * `cockroach init`), the keystone database and user, N SQL fault proxies and N Keystones with the
 * sqlalchemy-cockroachdb dialect, region i on node i. On any failure removes everything of the run.
 * Never run on the machines this was written on (no CockroachDB image there): see README.
 */
export async function startCockroachTopology(settings: Settings, runId: string, phase: BringUpPhase = unreported): Promise<EmbeddedCluster> {
  const reason = await cockroachUnavailable(settings.cockroachImage);
  if (reason) throw new Error(reason); // the cluster setup skips before this; a direct caller gets the reason
  dialectSource(settings); // a missing dialect source fails here, in one line, before any build
  const size = settings.topologySize;
  const started = Date.now();
  const containers: StartedTestContainer[] = [];
  try {
    const { proxyImage, ksImage, variant } = await phase('images', async () => {
      const [base, proxyImage] = await Promise.all([keystoneImage(settings), faultProxyImage()]);
      const { image, variant } = await cockroachKeystoneImage(settings, base);
      return { proxyImage, ksImage: image, variant };
    });
    log(`images ready after ${since(started)} (keystone: ${variant})`);
    const nodes = Array.from({ length: size }, (_, k) => k + 1);
    const backbone = await createRunNetwork(runId, `ks-gate-${runId}`, false);
    const { proxies, crdb } = await phase('database', async () => {
      await createRunNetwork(runId, cockroachNetworkName(runId), true);

      const proxies = await Promise.all(nodes.map(async (i) => {
        const p = await startFaultProxy({ image: proxyImage, runId, index: i, role: 'sql-proxy', name: sqlProxyName(runId, i), routes: cockroachSqlProxyRoutes(runId, i), network: backbone, extraNetwork: { name: cockroachNetworkName(runId), aliases: [] } });
        containers.push(p.container);
        return p;
      }));

      const crdb: CockroachNode[] = [];
      try {
        // Every node starts and waits for the others (--join) and for init.
        await Promise.all(nodes.map(async (i) => { crdb.push(await startCockroachNode(settings.cockroachImage!, { runId, index: i, size, region: regionName(i) })); }));
      } finally {
        containers.push(...crdb.map((n) => n.container));
      }
      crdb.sort((a, b) => a.index - b.index);
      await run('docker', ['exec', crdb[0]!.container.getId(), 'cockroach', ...cockroachInitArgs(runId)], { timeout: 60_000 });
      await waitForSql(crdb, 120_000);
      await cockroachSql(crdb[0]!.container.getId(), cockroachSetupSql());
      log(`cockroachdb: ${size} nodes initialised, database and user created after ${since(started)}`);
      return { proxies, crdb };
    });

    const fernetKeys = keyRepository();
    const credentialKeys = keyRepository();
    const adminPassword = randomPassword();
    const admin = { username: 'admin', password: adminPassword, userDomainName: 'Default', projectName: 'admin', projectDomainName: 'Default' };
    const keystones: KeystoneNode[] = [];
    await phase('keystone nodes', async () => {
      // One after another, as on Galera: node 1 creates the schema, each bootstrap adds its region.
      for (const i of nodes) {
        const ks = await startKeystone(settings, backbone, {
          image: ksImage, runId, region: regionName(i), index: i,
          databaseUrl: cockroachKeystoneUrl(`${sqlProxyName(runId, i)}:${COCKROACH_SQL_PORT}`, settings.cockroach.injectRetries),
          fernetKeys, credentialKeys, adminPassword, dbSync: i === 1,
        });
        keystones.push(ks);
        containers.push(ks.container);
        log(`keystone ${ks.region} bootstrapped after ${since(started)}`);
      }
      await Promise.all(keystones.map((ks) => waitForKeystone(ks.baseUrl, admin, 180_000)));
    });
    const bringUpSeconds = (Date.now() - started) / 1000;
    log(`cockroachdb topology: ${size} regions ready after ${bringUpSeconds.toFixed(1)} s${settings.cockroach.injectRetries ? ' (inject_retry_errors_enabled on every Keystone session)' : ''}`);

    const regions: RegionEndpoint[] = nodes.map((_, k) => ({
      region: keystones[k]!.region, baseUrl: keystones[k]!.baseUrl,
      keystoneContainer: keystones[k]!.container.getId(), databaseContainer: crdb[k]!.container.getId(), databaseNode: crdb[k]!.name,
      sqlProxyControlUrl: proxies[k]!.controlUrl,
    }));
    const info: ClusterInfo = {
      target: 'embedded', backend: 'cockroachdb', keystoneVariant: variant, runId, ownedBySuite: true,
      regions, admin, databaseIsolation: 'serializable (CockroachDB)', network: backbone.getName(),
      startedAt: new Date(started).toISOString(), bringUpSeconds,
    };
    return { info, containers, network: backbone, stop: async () => void removeRun(runId) };
  } catch (e) {
    removeRun(runId);
    throw e;
  }
}
