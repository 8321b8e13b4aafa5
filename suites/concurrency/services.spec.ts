import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import { stormOneRowPatches } from '../../lib/workload/one-row-patch.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PATCH = 'PATCH /v3/services/{service_id}';

test.describe('catalog services under concurrency', { tag: '@services' }, () => {
  test('concurrent PATCH of different attributes of one service: no lost update, no leaked conflict', testId('da6edaa1-1952-46a4-929b-d8a84a976dc0', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('services'); await allure.story(PATCH);
    const service = await factory.service({ description: 'initial' });
    // name and description are themselves kept in the service's `extra` blob, rewritten whole by update_service.
    const storm = await stormOneRowPatches(cluster, {
      patchOp: PATCH, update: (patch) => admin.services.update(service.id, patch),
      readOp: 'GET /v3/services/{service_id}', read: () => admin.services.show(service.id), entityOf: (r) => r.body.service,
      initial: { description: 'initial' },
    });
    await judgeConflicts(testInfo, 'service PATCH', storm.history, storm.probe, storm.checks, { provocation: ONE_ROW_PATCH });
  });
});
