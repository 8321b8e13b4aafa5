import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import { checkNoLostUpdate } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';

const PATCH = 'PATCH /v3/endpoints/{endpoint_id}';

test.describe('catalog endpoints under concurrency @endpoints', () => {
  test('concurrent PATCH of the url and of extra attributes of one endpoint: no lost update, no leaked conflict @slice', { annotation: { type: 'id', description: 'eb1f1cd6-32df-47c0-ba8a-be9a41a5f64c' } }, async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoints'); await allure.story(PATCH);
    const service = await factory.service();
    const endpoint = await factory.endpoint({ service_id: service.id });
    const history = new History();
    // url is a column, extra attributes share one JSON column: both kinds must persist.
    const ops = range(conflictWrites()).map((i) => {
      const patch = i % 2 ? { url: `http://gate-${i}.gate.invalid/v1` } : { [`gate_attr_${i}`]: `v${i}` };
      return mustAck(call(PATCH, 'update', patch, () => admin.endpoints.update(endpoint.id, patch)));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/endpoints/{endpoint_id}', () => admin.endpoints.show(endpoint.id), (r) => r.body.endpoint);
    await judgeConflicts(testInfo, 'endpoint PATCH', history, probe, [checkNoLostUpdate(history, { initial: { url: endpoint.url } })], { provocation: ONE_ROW_PATCH });
  });
});
