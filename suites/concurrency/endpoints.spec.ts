import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { judgeOneRowPatches } from '../../fixtures/storms.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PATCH = 'PATCH /v3/endpoints/{endpoint_id}';

test.describe('catalog endpoints under concurrency', { tag: '@endpoints' }, () => {
  test('concurrent PATCH of the url and of extra attributes of one endpoint: no lost update, no leaked conflict', testId('eb1f1cd6-32df-47c0-ba8a-be9a41a5f64c', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoints'); await allure.story(PATCH);
    const service = await factory.service();
    const endpoint = await factory.endpoint({ service_id: service.id });
    // url is a column, extra attributes share one JSON column: both kinds must persist.
    await judgeOneRowPatches(testInfo, cluster, 'endpoint', {
      patchOf: (i) => (i % 2 ? { url: `http://gate-${i}.gate.invalid/v1` } : { [`gate_attr_${i}`]: `v${i}` }),
      patchOp: PATCH, update: (patch) => admin.endpoints.update(endpoint.id, patch),
      readOp: 'GET /v3/endpoints/{endpoint_id}', read: () => admin.endpoints.show(endpoint.id), entityOf: (r) => r.body.endpoint,
      initial: { url: endpoint.url },
    });
  });
});
