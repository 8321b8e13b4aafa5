import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import { checkNoLostUpdate } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';

const PATCH = 'PATCH /v3/services/{service_id}';

test.describe('catalog services under concurrency @services', () => {
  test('concurrent PATCH of different attributes of one service: no lost update, no leaked conflict @slice', { annotation: { type: 'id', description: 'da6edaa1-1952-46a4-929b-d8a84a976dc0' } }, async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('services'); await allure.story(PATCH);
    const service = await factory.service({ description: 'initial' });
    const history = new History();
    // name and description are themselves kept in the service's `extra` blob, rewritten whole by update_service.
    const ops = range(conflictWrites()).map((i) => {
      const patch = i % 2 ? { description: `d${i}` } : { [`gate_attr_${i}`]: `v${i}` };
      return mustAck(call(PATCH, 'update', patch, () => admin.services.update(service.id, patch)));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/services/{service_id}', () => admin.services.show(service.id), (r) => r.body.service);
    await judgeConflicts(testInfo, 'service PATCH', history, probe, [checkNoLostUpdate(history, { initial: { description: 'initial' } })], { provocation: ONE_ROW_PATCH });
  });
});
