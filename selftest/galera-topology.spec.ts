// The embedded Galera topology end to end: three Synced nodes, one Keystone per node (one region
// each), tokens and writes crossing regions, the replication proxy really sitting on node 3's
// links, a kill -9 healed by a recovering restart (IST), and nothing left after teardown.
// Heavy (a dozen containers, minutes on 2 cores): run alone with `--grep @galera-topology`.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from '@playwright/test';
import { ProxyControlClient } from '../chaos/proxy/control-client.js';
import { newRunId, startEmbedded, type EmbeddedCluster } from '../lib/cluster/embedded.js';
import { restartWithRecovery, waitForSynced } from '../lib/cluster/galera-cluster.js';
import { wsrepStatus } from '../lib/cluster/galera-node.js';
import { removeRun } from '../lib/cluster/ownership.js';
import { readSettings } from '../lib/config/settings.js';
import { passwordAuthBody } from '../lib/keystone/credentials.js';
import { closeAllPools, KeystoneHttp } from '../lib/keystone/http.js';

process.env.TESTCONTAINERS_RYUK_DISABLED = 'true';

const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).trim();
const leftovers = (runId: string) => [
  ...docker('ps', '-a', '-q', '--filter', `label=ks-gate.run=${runId}`).split('\n'),
  ...docker('network', 'ls', '-q', '--filter', `label=ks-gate.run=${runId}`).split('\n'),
].filter(Boolean);

test.describe('embedded galera topology @galera @galera-topology', () => {
  test('3 Synced nodes, 3 regions sharing tokens and data, node faults through proxies and restarts, clean teardown', { annotation: { type: 'id', description: 'cde89bf3-2d9b-4da5-8c4f-ae812fca077e' } }, async () => {
    test.setTimeout(20 * 60_000);
    const settings = readSettings({ KS_BACKEND: 'galera' });
    const runId = newRunId();
    let cluster: EmbeddedCluster | undefined;
    try {
      const t0 = Date.now();
      cluster = await startEmbedded(settings, runId);
      test.info().annotations.push({ type: 'bring-up', description: `${((Date.now() - t0) / 1000).toFixed(1)} s (images included)` });
      const { regions, admin } = cluster.info;
      const db = regions.map((r) => r.databaseContainer!);
      const http = regions.map((r) => new KeystoneHttp(r.baseUrl, 30_000));
      expect(regions.map((r) => r.region)).toEqual(['RegionOne', 'RegionTwo', 'RegionThree']);

      await test.step('three nodes Synced in one Primary component', async () => {
        const status = await waitForSynced(db, 3, 30_000);
        expect(new Set(status.map((s) => s.wsrep_cluster_state_uuid)).size, 'one cluster state').toBe(1);
        // Each node announces its SQL proxy as the address clients use.
        const incoming = status[0]!.wsrep_incoming_addresses!.split(',').sort();
        expect(incoming).toEqual([1, 2, 3].map((i) => `ks-gate-${runId}-sqlproxy-${i}:3306`));
      });

      let adminToken = '';
      await test.step('three Keystones answer; the catalog has each region\'s own identity endpoint', async () => {
        for (const h of http) expect((await h.request('GET', '/v3')).status).toBe(200);
        const auth = await http[0]!.request('POST', '/v3/auth/tokens', { body: passwordAuthBody(admin) });
        expect(auth.status).toBe(201);
        adminToken = auth.headers['x-subject-token']!;
        const endpoints = (auth.body.token.catalog as { type: string; endpoints: { region_id: string; interface: string; url: string }[] }[])
          .find((s) => s.type === 'identity')!.endpoints.filter((e) => e.interface === 'public');
        for (const r of regions) expect(endpoints.find((e) => e.region_id === r.region)?.url).toBe(`${r.baseUrl}/v3`);
      });

      await test.step('a token issued in region 1 validates in regions 2 and 3', async () => {
        for (const h of http.slice(1)) {
          const v = await h.request('GET', '/v3/auth/tokens', { token: adminToken, headers: { 'x-subject-token': adminToken } });
          expect(v.status, `validation in ${h.baseUrl}`).toBe(200);
        }
      });

      await test.step('a write through region 3 is readable via region 1', async () => {
        const created = await http[2]!.request('POST', '/v3/projects', { token: adminToken, body: { project: { name: `${settings.resourcePrefix}-galera-${randomBytes(4).toString('hex')}`, domain_id: 'default' } } });
        expect(created.status).toBe(201);
        const id = created.body.project.id as string;
        try {
          // Galera applies a commit on the other nodes just after it returns (wsrep_sync_wait=0):
          // the read is retried briefly; the statuses seen (a 404 first = a stale read) are reported.
          const t = Date.now();
          const statuses: number[] = [];
          while (Date.now() - t < 10_000 && statuses.at(-1) !== 200) {
            statuses.push((await http[0]!.request('GET', `/v3/projects/${id}`, { token: adminToken })).status);
            if (statuses.at(-1) !== 200) await sleep(200);
          }
          test.info().annotations.push({ type: 'read-after-write across regions', description: `statuses ${statuses.join(',')} within ${Date.now() - t} ms` });
          expect(statuses.at(-1)).toBe(200);
        } finally {
          await http[2]!.request('DELETE', `/v3/projects/${id}`, { token: adminToken });
        }
      });

      await test.step('node 3\'s replication proxy carries all its links: a partition there leaves a Primary of 2', async () => {
        const proxy = new ProxyControlClient(regions[2]!.replicationProxyControlUrl!);
        await proxy.setFaults({ partition: 'blackhole' });
        try {
          // Galera notices after evs.suspect_timeout (5 s) plus view installation.
          await waitForSynced(db.slice(0, 2), 2, 60_000);
          const cutOff = await wsrepStatus(db[2]!);
          expect(cutOff.wsrep_cluster_status).toBe('non-Primary');
        } finally {
          await proxy.clearFaults();
        }
        await waitForSynced(db, 3, 60_000);
      });

      await test.step('kill -9 of node 2, a write meanwhile, then a recovering restart catches up by IST', async () => {
        const killedAt = new Date();
        docker('kill', '--signal', 'KILL', db[1]!);
        // Written while node 2 is down, so its restart has writesets to receive.
        const created = await http[0]!.request('POST', '/v3/projects', { token: adminToken, body: { project: { name: `${settings.resourcePrefix}-galera-${randomBytes(4).toString('hex')}`, domain_id: 'default' } } });
        expect(created.status).toBe(201);
        const id = created.body.project.id as string;
        try {
          const t = Date.now();
          await restartWithRecovery(db[1]!, { size: 3, clusterContainerIds: db, timeoutMs: 120_000 });
          test.info().annotations.push({ type: 'restart to Synced', description: `${((Date.now() - t) / 1000).toFixed(1)} s` });
          // mariadbd and the entrypoint log to stderr, which `docker logs` replays on its stderr.
          const logs = spawnSync('docker', ['logs', '--since', killedAt.toISOString(), db[1]!], { encoding: 'utf8' });
          const restartLog = logs.stdout + logs.stderr;
          expect(restartLog).toMatch(/recovered position [0-9a-f-]+:\d+/);
          expect(restartLog).toMatch(/Receiving IST: [1-9]\d* writesets/);
          expect(restartLog, 'no full state transfer').not.toMatch(/rsync SST completed on joiner/);
          // Region 2's Keystone lost its database connections with the node; it must serve again.
          const statuses: number[] = [];
          const r = Date.now();
          while (Date.now() - r < 30_000 && statuses.at(-1) !== 200) {
            statuses.push((await http[1]!.request('GET', `/v3/projects/${id}`, { token: adminToken }).catch(() => ({ status: 0 }))).status);
            if (statuses.at(-1) !== 200) await sleep(500);
          }
          test.info().annotations.push({ type: 'region 2 after its node restarted', description: `statuses ${statuses.join(',')}` });
          expect(statuses.at(-1)).toBe(200);
        } finally {
          await http[0]!.request('DELETE', `/v3/projects/${id}`, { token: adminToken });
        }
      });
    } finally {
      await closeAllPools();
      const t = Date.now();
      if (cluster) await cluster.stop();
      else removeRun(runId);
      test.info().annotations.push({ type: 'teardown', description: `${((Date.now() - t) / 1000).toFixed(1)} s` });
    }
    expect(leftovers(runId), `containers or networks of run ${runId} remain`).toEqual([]);
  });
});
