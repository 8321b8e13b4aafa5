import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { judgeConflicts } from '../../fixtures/concurrency.js';
import { expectStatus } from '../../lib/keystone/http.js';
import { checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const ADD = 'PUT /v3/groups/{group_id}/users/{user_id}';
const REMOVE = 'DELETE /v3/groups/{group_id}/users/{user_id}';
const LIST = 'GET /v3/groups/{group_id}/users';

test.describe('group membership under concurrency', { tag: '@groups' }, () => {
  test('concurrent adds and removes on one group keep set semantics, with no leaked conflict', testId('3b0c6f7e-2a41-4d5e-9c8b-0f1e2d3c4b01', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('group membership'); await allure.story(ADD);
    const n = conflictWrites();
    // Users live in a domain of their own: deleting it at cleanup removes them all in one request.
    const domain = await factory.domain();
    const group = await factory.group({ domain_id: domain.id });
    // One by one: concurrent setup hits the conflicts under test before the storm (a stock run
    // lost its setup to a POST /v3/users that got no response).
    const users: { id: string }[] = [];
    for (const i of range(n)) users.push(expectStatus(await admin.users.create({ name: `${factory.name('m')}-${i}`, domain_id: domain.id }), 201).body.user as { id: string });
    // A quarter of the users start as members and are removed while the others are added.
    const initial = users.slice(0, Math.floor(n / 4));
    for (const u of initial) expectStatus(await admin.groups.addUser(group.id, u.id), 204);
    const toAdd = users.slice(initial.length);

    const history = new History();
    const ops = [
      ...toAdd.map((u) => mustAck(call(ADD, 'add', { element: u.id }, () => admin.groups.addUser(group.id, u.id)))),
      ...initial.map((u) => mustAck(call(REMOVE, 'remove', { element: u.id }, () => admin.groups.removeUser(group.id, u.id)))),
    ].sort(() => Math.random() - 0.5);
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, LIST, () => admin.groups.listUsers(group.id), (r) => (r.body.users as { id: string }[]).map((u) => u.id));

    expect(probe.stats.invoked).toBe(ops.length);
    await judgeConflicts(testInfo, 'group membership add/remove', history, probe, [checkSetSemantics(history, { initial: initial.map((u) => u.id) })]);
  });
});
