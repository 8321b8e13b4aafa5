// WAN conditions under the mixed identity workload, through the TCP fault proxies (no netem
// here): latency, jitter and loss between the Galera nodes, and between one region's Keystone
// and its database. No node is lost, so every region must keep serving.
import * as allure from 'allure-js-commons';
import { errorText, type Fault, type FaultKind } from '../../chaos/fault.js';
import { proxyFault } from '../../chaos/injectors/proxy.js';
import { requireChaosTargets, runChaosScenario, test } from '../../fixtures/chaos.js';

test.describe.configure({ timeout: 20 * 60_000 });

/** Several faults as one window: injected one by one (a half-injected set heals cleanly), all healed. */
function together(name: string, kind: FaultKind, parts: readonly Fault[]): Fault {
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

test.describe('WAN latency, jitter and loss under a mixed identity workload @chaos @latency @auth-tokens @os-revoke @projects @users @role-grants', () => {
  test('100 ms ±20 ms one-way and 1% loss between every pair of database nodes: every region keeps serving, no acknowledged write lost', { annotation: { type: 'id', description: '4488101b-1b59-4269-b83a-d985fe201582' } }, async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['replicationProxyControlUrl']);
    await allure.feature('galera WAN latency'); await allure.story('latency, jitter and loss between database nodes');
    // A link i-j crosses proxies i and j: half the delay on each puts every pair 100 ms apart one way.
    const parts = galera.info.regions.map((r) => proxyFault(r.replicationProxyControlUrl!, 'latency', { latencyMs: 50, jitterMs: 10, loss: 0.005, direction: 'both' }, `WAN on ${r.region} replication`));
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: 'WAN 100±20 ms, 1% loss between nodes',
      fault: together('WAN 100±20 ms, 1% loss between all nodes', 'latency', parts),
      faultedRegions: [],
    });
  });

  test('50 ms ±20 ms one-way and 1% loss between one Keystone and its database: every region keeps serving, no acknowledged write lost', { annotation: { type: 'id', description: 'ebe65a2f-e9cc-4cca-a13d-e0f8cd80dbd6' } }, async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['sqlProxyControlUrl']);
    await allure.feature('galera WAN latency'); await allure.story('latency, jitter and loss between Keystone and its database');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `${target.region} Keystone to database: 50±20 ms, 1% loss`,
      fault: proxyFault(target.sqlProxyControlUrl!, 'latency', { latencyMs: 50, jitterMs: 20, loss: 0.01, direction: 'both' }, `${target.region} Keystone-database path 50±20 ms, 1% loss`),
      // Slower, never cut off: the floor applies to this region too.
      faultedRegions: [],
    });
  });
});
