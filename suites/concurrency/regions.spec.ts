import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import { checkNoLostUpdate } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';

const PATCH = 'PATCH /v3/regions/{region_id}';

test.describe('catalog regions under concurrency @regions', () => {
  test('concurrent PATCH of different attributes of one region: no lost update, no leaked conflict @slice', { annotation: { type: 'id', description: 'f1b3f976-e9ad-4453-b9d5-e83bf421477e' } }, async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('regions'); await allure.story(PATCH);
    const region = await factory.region({ description: 'initial' });
    const history = new History();
    // Extra attributes live in one JSON column that update_region rewrites from what it read.
    const ops = range(conflictWrites()).map((i) => {
      const patch = i % 2 ? { description: `d${i}` } : { [`gate_attr_${i}`]: `v${i}` };
      return mustAck(call(PATCH, 'update', patch, () => admin.regions.update(region.id, patch)));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/regions/{region_id}', () => admin.regions.show(region.id), (r) => r.body.region);
    await judgeConflicts(testInfo, 'region PATCH', history, probe, [checkNoLostUpdate(history, { initial: { description: 'initial' } })], { provocation: ONE_ROW_PATCH });
  });
});
