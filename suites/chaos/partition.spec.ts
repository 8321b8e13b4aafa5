// A Galera node partitioned from its peers under the mixed identity workload, two ways: a
// blackhole on its replication proxy (its own Keystone still reaches it: the minority that must
// refuse writes), and a network disconnect of the node (cut off from everything, its Keystone too).
// With Chaos Mesh both are NetworkChaos partitions of the database pod: from its peers' pods, and
// from those and its own Keystone's pod.
import * as allure from 'allure-js-commons';
import { requireChaosTargets, runChaosScenario, test } from '../../fixtures/chaos.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe.configure({ timeout: 20 * 60_000 });

test.describe('Galera partition under a mixed identity workload', { tag: ['@chaos', '@partition', '@auth-tokens', '@os-revoke', '@projects', '@users', '@role-grants'] }, () => {
  test('one node cut from its peers (replication blackhole): the minority refuses writes, no acknowledged write lost, regions agree after healing', testId('dd6ffb0b-6c46-4dca-81a2-3e4ce842d50f', '@slice'), async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['partition']);
    await allure.feature('galera partition'); await allure.story('replication links of one node blackholed');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `partition ${target.region} from its peers`,
      fault: galera.faults.partition(target),
      faultedRegions: [target.region],
      minorityRegion: target.region,
    });
  });

  test('one node disconnected from its network: its region refuses writes, no acknowledged write lost, regions agree after reconnecting', testId('bed0249c-773a-4ec4-8307-4d29e4ee3b6f'), async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['disconnect']);
    await allure.feature('galera partition'); await allure.story('database node disconnected from its network');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `disconnect ${target.region} database node`,
      fault: galera.faults.disconnect(target),
      faultedRegions: [target.region],
      minorityRegion: target.region,
    });
  });
});
