// A Galera node partitioned from its peers under the mixed identity workload, two ways: a
// blackhole on its replication proxy (its own Keystone still reaches it: the minority that must
// refuse writes), and a network disconnect of the node (cut off from everything, its Keystone too).
import * as allure from 'allure-js-commons';
import { partitionContainer } from '../../chaos/injectors/container.js';
import { proxyPartition } from '../../chaos/injectors/proxy.js';
import { requireChaosTargets, runChaosScenario, test } from '../../fixtures/chaos.js';

test.describe.configure({ timeout: 20 * 60_000 });

test.describe('Galera partition under a mixed identity workload @chaos @partition @auth-tokens @os-revoke @projects @users @role-grants', () => {
  test('one node cut from its peers (replication blackhole): the minority refuses writes, no acknowledged write lost, regions agree after healing @slice', { annotation: { type: 'id', description: 'dd6ffb0b-6c46-4dca-81a2-3e4ce842d50f' } }, async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['replicationProxyControlUrl', 'databaseContainer']);
    await allure.feature('galera partition'); await allure.story('replication links of one node blackholed');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `partition ${target.region} from its peers`,
      // Every replication link of the node crosses this proxy once: holding all of it isolates the node.
      fault: proxyPartition(target.replicationProxyControlUrl!, { mode: 'blackhole', direction: 'both' }, `partition ${target.region} (replication blackhole)`),
      faultedRegions: [target.region],
      minorityRegion: target.region,
    });
  });

  test('one node disconnected from its network: its region refuses writes, no acknowledged write lost, regions agree after reconnecting', { annotation: { type: 'id', description: 'bed0249c-773a-4ec4-8307-4d29e4ee3b6f' } }, async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['databaseContainer', 'databaseNetwork']);
    await allure.feature('galera partition'); await allure.story('database node disconnected from its network');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `disconnect ${target.region} database node`,
      fault: partitionContainer(target.databaseContainer!, target.databaseNetwork!, { label: `${target.region} database node` }),
      faultedRegions: [target.region],
      minorityRegion: target.region,
    });
  });
});
