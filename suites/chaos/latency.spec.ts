// WAN conditions under the mixed identity workload, through the TCP fault proxies (no netem
// here) or, with Chaos Mesh, NetworkChaos netem objects: latency, jitter and loss between the
// Galera nodes, and between one region's Keystone and its database. No node is lost, so every
// region must keep serving.
import * as allure from 'allure-js-commons';
import { requireChaosTargets, runChaosScenario, test } from '../../fixtures/chaos.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe.configure({ timeout: 20 * 60_000 });

test.describe('WAN latency, jitter and loss under a mixed identity workload', { tag: ['@chaos', '@latency', '@auth-tokens', '@os-revoke', '@projects', '@users', '@role-grants'] }, () => {
  test('100 ms ±20 ms one-way and 1% loss between every pair of database nodes: every region keeps serving, no acknowledged write lost', testId('4488101b-1b59-4269-b83a-d985fe201582'), async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['replication-latency']);
    await allure.feature('galera WAN latency'); await allure.story('latency, jitter and loss between database nodes');
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: 'WAN 100±20 ms, 1% loss between nodes',
      fault: galera.faults.replicationLatency({ latencyMs: 100, jitterMs: 20, loss: 0.01 }),
      faultedRegions: [],
    });
  });

  test('50 ms ±20 ms one-way and 1% loss between one Keystone and its database: every region keeps serving, no acknowledged write lost', testId('ebe65a2f-e9cc-4cca-a13d-e0f8cd80dbd6'), async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['keystone-database-latency']);
    await allure.feature('galera WAN latency'); await allure.story('latency, jitter and loss between Keystone and its database');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `${target.region} Keystone to database: 50±20 ms, 1% loss`,
      fault: galera.faults.keystoneDatabaseLatency(target, { latencyMs: 50, jitterMs: 20, loss: 0.01 }),
      // Slower, never cut off: the floor applies to this region too.
      faultedRegions: [],
    });
  });
});
