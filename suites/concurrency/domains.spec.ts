import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { NOT_MEASURED, ONE_ROW_PATCH, deferSweep, judgeConflicts } from '../../fixtures/concurrency.js';
import type { Domain } from '../../lib/keystone/types.js';
import { checkUniqueName } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mayRefuse, range, recordRead } from '../../lib/workload/keystone-ops.js';
import { stormOneRowPatches } from '../../lib/workload/one-row-patch.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PATCH = 'PATCH /v3/domains/{domain_id}';
const CREATE = 'POST /v3/domains';

test.describe('domains under concurrency', { tag: '@domains' }, () => {
  test('concurrent PATCH of different attributes of one domain: no lost update, no leaked conflict', testId('1f58aedb-e64c-45c5-8636-fa4d2b55dcc2', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domains'); await allure.story(PATCH);
    const domain = await factory.domain({ description: 'initial' });
    // A domain is a project row (is_domain): its extra attributes share the read-modify-write of update_project.
    const storm = await stormOneRowPatches(cluster, {
      patchOp: PATCH, update: (patch) => admin.domains.update(domain.id, patch),
      readOp: 'GET /v3/domains/{domain_id}', read: () => admin.domains.show(domain.id), entityOf: (r) => r.body.domain,
      initial: { description: 'initial' },
    });
    await judgeConflicts(testInfo, 'domain PATCH', storm.history, storm.probe, storm.checks, { provocation: ONE_ROW_PATCH });
  });

  test('concurrent creates of one domain name: one 201, the rest 409, one row', testId('645add4a-bd42-49b5-9db5-207666bedd8c'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domains'); await allure.story(CREATE);
    const name = factory.name('same');
    // Registered before the storm: every domain of that name is disabled and deleted at cleanup,
    // including one created by a request whose outcome is unknown.
    deferSweep(factory, `domains named ${name}`, () => admin.domains.list({ name }), (r) => admin.domains.entities(r).map((d) => d.id), async (id) => {
      await admin.domains.update(id, { enabled: false });
      return admin.domains.delete(id);
    });
    const history = new History();
    const created: string[] = [];
    const ops = range(conflictWrites()).map(() => mayRefuse(call(CREATE, 'create', { name }, async () => {
      const r = await admin.domains.create({ name });
      if (r.status === 201) created.push((r.body.domain as Domain).id);
      return r;
    }), 409));
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/domains?name', () => admin.domains.list({ name }), (r) => r.body.domains);
    expect(created.length, 'acknowledged creates').toBeLessThanOrEqual(1);
    await judgeConflicts(testInfo, 'domain same-name create', history, probe, [checkUniqueName(history)], { provocation: NOT_MEASURED });
  });
});
