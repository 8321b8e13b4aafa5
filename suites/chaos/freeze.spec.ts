// A Galera node frozen (docker pause, SIGSTOP-like) under the mixed identity workload: the whole
// cluster stalls writes about 6.5 s until the node is evicted, then the rest go on; after the
// thaw the node rejoins by itself. Right after the thaw the node must not answer from its stale
// state: with wsrep_sync_wait=0 a token revoked elsewhere during the freeze validated there
// (measured 2026-11-25); the embedded Galera runs with causal reads (wsrep_sync_wait=1), and the
// thawed region then answers 500 until it has caught up, which the revocation probe records.
// With Chaos Mesh the fault is a pod-failure (the container swapped for a pause image), the
// nearest it has to a freeze.
import * as allure from 'allure-js-commons';
import { requireChaosTargets, runChaosScenario, test } from '../../fixtures/chaos.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe.configure({ timeout: 20 * 60_000 });

test.describe('Galera node freeze under a mixed identity workload', { tag: ['@chaos', '@freeze', '@auth-tokens', '@os-revoke', '@projects', '@users', '@role-grants'] }, () => {
  test('a database node frozen for 15 s: no acknowledged write lost, regions agree, revocation holds, every region recovers', testId('a3d533b8-05a1-4dc2-9471-0cbb4a713132'), async ({ galera, chaosFactory }, testInfo) => {
    requireChaosTargets(galera, ['freeze']);
    await allure.feature('galera node freeze'); await allure.story('mixed identity workload across regions');
    const target = galera.info.regions.at(-1)!;
    await runChaosScenario(galera, chaosFactory, testInfo, {
      title: `freeze ${target.region} database node`,
      fault: galera.faults.freeze(target),
      faultedRegions: [target.region],
    });
  });
});
