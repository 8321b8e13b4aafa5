import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import { stormOneRowPatches } from '../../lib/workload/one-row-patch.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PATCH = 'PATCH /v3/regions/{region_id}';

test.describe('catalog regions under concurrency', { tag: '@regions' }, () => {
  test('concurrent PATCH of different attributes of one region: no lost update, no leaked conflict', testId('f1b3f976-e9ad-4453-b9d5-e83bf421477e', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('regions'); await allure.story(PATCH);
    const region = await factory.region({ description: 'initial' });
    // Extra attributes live in one JSON column that update_region rewrites from what it read.
    const storm = await stormOneRowPatches(cluster, {
      patchOp: PATCH, update: (patch) => admin.regions.update(region.id, patch),
      readOp: 'GET /v3/regions/{region_id}', read: () => admin.regions.show(region.id), entityOf: (r) => r.body.region,
      initial: { description: 'initial' },
    });
    await judgeConflicts(testInfo, 'region PATCH', storm.history, storm.probe, storm.checks, { provocation: ONE_ROW_PATCH });
  });
});
