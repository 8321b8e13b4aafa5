import { randomBytes } from 'node:crypto';
import type { StartedNetwork, StartedTestContainer } from 'testcontainers';
import { createRunNetwork } from './run-network.js';
import type { Settings } from '../config/settings.js';
import type { ClusterInfo } from './cluster-info.js';
import { startFaultProxy } from './fault-proxy-node.js';
import { faultProxyImage, keystoneImage } from './images.js';
import { keyRepository, randomPassword } from './keys.js';
import { startKeystone } from './keystone-node.js';
import { removeRun } from './ownership.js';
import { startPostgres } from './postgres-node.js';
import { startGaleraTopology } from './topology-galera.js';
import { installInjection } from './conflict-injection/conflict-injector.js';
import { waitForKeystone } from './readiness.js';
import { startCockroachTopology } from './topology-cockroachdb.js';
import { unreported, type BringUpPhase, type EmbeddedCluster } from './topology.js';

/** A running embedded cluster and how to take it down (the interface every topology returns). */
export type { EmbeddedCluster } from './topology.js';

const log = (m: string) => process.stderr.write(`[cluster] ${m}\n`);

export function newRunId(): string {
  return randomBytes(4).toString('hex');
}

/** Brings up database then Keystone; on any failure removes what it started before rethrowing. */
export async function startEmbedded(settings: Settings, runId = newRunId(), phase: BringUpPhase = unreported): Promise<EmbeddedCluster> {
  const cluster = settings.backend === 'galera' ? await startGaleraTopology(settings, runId, phase)
    : settings.backend === 'cockroachdb' ? await startCockroachTopology(settings, runId, phase) : await startPostgresTopology(settings, runId, phase);
  if (!settings.injectConflicts) return cluster;
  try {
    // After db_sync and bootstrap: conflicts are for the Keystone under test, not its set-up.
    const coverage = await phase('conflict injection', () => installInjection(cluster.info, settings.injectConflicts!));
    cluster.info.conflictInjection = { ...settings.injectConflicts, tables: coverage.length };
    log(`conflict injection on (${settings.injectConflicts.mode}${settings.injectConflicts.mode === 'every' ? ` ${settings.injectConflicts.every}` : ''}, at ${settings.injectConflicts.point}): triggers on ${coverage.length} tables`);
    return cluster;
  } catch (e) {
    await cluster.stop();
    throw e;
  }
}

async function startPostgresTopology(settings: Settings, runId: string, phase: BringUpPhase): Promise<EmbeddedCluster> {
  const started = Date.now();
  const containers: StartedTestContainer[] = [];
  let network: StartedNetwork | undefined;
  try {
    const [{ image, variant }, proxyImage] = await phase('images', () => Promise.all([keystoneImage(settings), faultProxyImage()]));
    network = await createRunNetwork(runId, `ks-gate-${runId}`, false);
    const net = network;
    const dbPassword = randomPassword();
    const adminPassword = randomPassword();
    const proxyName = `ks-gate-${runId}-sqlproxy-1`;
    const { pg, proxy } = await phase('database', async () => {
      const pg = await startPostgres(settings, net, runId, dbPassword);
      containers.push(pg.container);
      log(`postgres up (${settings.pgIsolation}) after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      // Keystone reaches PostgreSQL only through a TCP fault proxy, as on Galera: a few ms of latency
      // on this link during a storm widens every transaction's window, which is what makes
      // conflicts steady enough to judge retries (lib/workload/storm-latency.ts).
      const proxy = await startFaultProxy({ image: proxyImage, runId, index: 1, role: 'sql-proxy', name: proxyName, routes: [{ listenPort: 5432, upstream: `${pg.host}:5432` }], network: net });
      containers.push(proxy.container);
      return { pg, proxy };
    });
    // KS_API_NODES Keystones on the one database, all through the fault proxy, sharing the fernet
    // and credential keys (as Galera's regions do) so a token of one validates on the other. They
    // start together: node 2 neither syncs nor bootstraps, and its workers touch the database only
    // when a request comes, which is after node 1 is ready.
    const fernetKeys = keyRepository();
    const credentialKeys = keyRepository();
    const admin = { username: 'admin', password: adminPassword, userDomainName: 'Default', projectName: 'admin', projectDomainName: 'Default' };
    const nodes = await phase('keystone nodes', async () => {
      const nodes = await Promise.all(Array.from({ length: settings.apiNodes }, (_, k) => startKeystone(settings, net, {
        image, runId, region: 'RegionOne', index: k + 1, databaseUrl: pg.urlVia(`${proxyName}:5432`),
        fernetKeys, credentialKeys, adminPassword, dbSync: k === 0, bootstrap: k === 0,
      }).then((ks) => { containers.push(ks.container); return ks; })));
      await Promise.all(nodes.map((n) => waitForKeystone(n.baseUrl, admin, 180_000)));
      return nodes;
    });
    const ks = nodes[0]!;
    const bringUpSeconds = (Date.now() - started) / 1000;
    log(`keystone (${variant}) ready at ${nodes.map((n) => n.baseUrl).join(' and ')} (${nodes.length} API node${nodes.length > 1 ? 's' : ''}) after ${bringUpSeconds.toFixed(1)} s`);
    const info: ClusterInfo = {
      target: 'embedded', backend: settings.backend, keystoneVariant: variant, runId, ownedBySuite: true,
      regions: [{
        region: ks.region, baseUrl: ks.baseUrl, keystoneContainer: ks.container.getId(),
        readerBaseUrl: nodes[1]?.baseUrl, keystoneContainers: nodes.map((n) => n.container.getId()),
        databaseContainer: pg.container.getId(), sqlProxyControlUrl: proxy.controlUrl,
      }],
      admin, databaseIsolation: settings.pgIsolation, network: network.getName(),
      startedAt: new Date(started).toISOString(), bringUpSeconds,
    };
    return { info, containers, network: net, stop: () => stopAll(runId, containers, net) };
  } catch (e) {
    await stopAll(runId, containers, network);
    throw e;
  }
}

async function stopAll(runId: string, containers: StartedTestContainer[], network?: StartedNetwork): Promise<void> {
  await Promise.allSettled(containers.map((c) => c.stop({ timeout: 2_000, remove: true, removeVolumes: true })));
  await network?.stop().catch(() => undefined);
  removeRun(runId); // anything a failed start left behind
}
