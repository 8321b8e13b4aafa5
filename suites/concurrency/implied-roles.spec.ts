import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { NOT_MEASURED, deferSweep, judgeConflicts } from '../../fixtures/concurrency.js';
import { expectStatus } from '../../lib/keystone/http.js';
import { checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE = 'PUT /v3/roles/{prior_role_id}/implies/{implies_role_id}';
const DELETE = 'DELETE /v3/roles/{prior_role_id}/implies/{implies_role_id}';
const LIST = 'GET /v3/roles/{prior_role_id}/implies';

test.describe('implied roles under concurrency', { tag: '@implied-roles' }, () => {
  test('concurrent creates and deletes of implications of one prior role keep set semantics, with no leaked conflict', testId('2ee5ef23-2876-43bc-b427-cd3b009dde84', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('implied roles'); await allure.story(CREATE);
    const n = conflictWrites();
    // Domain-specific roles (a domain-specific prior may imply them): Keystone keeps them when the
    // domain goes, so they are swept before the domain's delete; their implications cascade.
    const domain = await factory.domain();
    deferSweep(factory, `roles of domain ${domain.id}`, () => admin.roles.list({ domain_id: domain.id }),
      (r) => admin.roles.entities(r).map((x) => x.id), (id) => admin.roles.delete(id));
    const newRole = async (i: number) => expectStatus(await admin.roles.create({ name: `${factory.name('ir')}-${i}`, domain_id: domain.id }), 201).body.role.id as string;
    const prior = await newRole(-1);
    // One by one: concurrent setup would hit the conflicts under test before the storm.
    const implied: string[] = [];
    for (const i of range(n)) implied.push(await newRole(i));
    const initial = implied.slice(0, Math.floor(n / 4));
    for (const id of initial) expectStatus(await admin.impliedRoles.create(prior, id), 201);

    const history = new History();
    const ops = shuffled([
      ...implied.slice(initial.length).map((id) => mustAck(call(CREATE, 'add', { element: id }, () => admin.impliedRoles.create(prior, id)))),
      ...initial.map((id) => mustAck(call(DELETE, 'remove', { element: id }, () => admin.impliedRoles.delete(prior, id)))),
    ]);
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, LIST, () => admin.impliedRoles.list(prior),
      (r) => ((r.body.role_inference?.implies ?? []) as { id: string }[]).map((x) => x.id));

    expect(probe.stats.invoked).toBe(ops.length);
    await judgeConflicts(testInfo, 'implied roles create/delete', history, probe, [checkSetSemantics(history, { initial })], { provocation: NOT_MEASURED });
  });
});
