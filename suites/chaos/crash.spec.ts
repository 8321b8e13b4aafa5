// kill -9 of a Galera node under the mixed identity workload, healed by a recovering restart
// (--wsrep-recover, then IST): the fault-end is recorded once the node is Synced again. With
// Chaos Mesh: a pod-kill with grace period 0, the pod brought back by Kubernetes.
import * as allure from 'allure-js-commons';
import { requireChaosTargets, runChaosScenario, test } from '../../fixtures/chaos.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe.configure({ timeout: 20 * 60_000 });

test.describe('Galera node crash under a mixed identity workload', { tag: ['@chaos', '@crash', '@auth-tokens', '@os-revoke', '@projects', '@users', '@role-grants'] }, () => {
  test('kill -9 of one database node, restarted with recovery: no acknowledged write lost, regions agree, every region recovers', testId('a23a6b75-6edb-423f-a482-569fe608fd61', '@slice'), async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['crash']);
    await allure.feature('galera node crash'); await allure.story('mixed identity workload across regions');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `crash ${target.region} database node`,
      fault: galera.faults.crash(target),
      faultedRegions: [target.region],
    });
  });
});
