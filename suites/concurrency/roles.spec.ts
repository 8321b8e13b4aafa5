import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { DISTINCT_ROWS, NOT_MEASURED, ONE_ROW_PATCH, deferSweep, judgeConflicts } from '../../fixtures/concurrency.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import type { Domain, Role } from '../../lib/keystone/types.js';
import { checkNoLostInsert, checkUniqueName } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mayRefuse, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';
import { stormOneRowPatches } from '../../lib/workload/one-row-patch.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PATCH = 'PATCH /v3/roles/{role_id}';
const CREATE = 'POST /v3/roles';

/**
 * A domain whose domain-specific roles are swept at cleanup: Keystone does not delete a domain's
 * roles with the domain (no callback, no foreign key), and a create whose outcome is unknown may
 * have landed. The sweep is registered after the domain, so it runs before the domain's delete.
 */
async function roleDomain(admin: Keystone, factory: ResourceFactory): Promise<Domain> {
  const domain = await factory.domain();
  deferSweep(factory, `roles of domain ${domain.id}`, () => admin.roles.list({ domain_id: domain.id }),
    (r) => admin.roles.entities(r).map((x) => x.id), (id) => admin.roles.delete(id));
  return domain;
}

test.describe('roles under concurrency', { tag: '@roles' }, () => {
  test('concurrent PATCH of different attributes of one role: no lost update, no leaked conflict', testId('912ef3b9-0831-4099-b00f-13acb47c0e75', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story(PATCH);
    const role = await factory.role({ description: 'initial' });
    // Keystone's update_role rewrites the whole `extra` blob it read: extra attributes are where a lost update shows.
    const storm = await stormOneRowPatches(cluster, {
      patchOp: PATCH, update: (patch) => admin.roles.update(role.id, patch),
      readOp: 'GET /v3/roles/{role_id}', read: () => admin.roles.show(role.id), entityOf: (r) => r.body.role,
      initial: { description: 'initial' },
    });
    await judgeConflicts(testInfo, 'role PATCH', storm.history, storm.probe, storm.checks, { provocation: ONE_ROW_PATCH });
  });

  test('concurrent creates of one role name in one domain: one 201, the rest 409, one row', testId('bd169b65-aa16-4557-a0dd-a14991567bed'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story(CREATE);
    const domain = await roleDomain(admin, factory);
    const name = factory.name('same');
    const history = new History();
    const created: string[] = [];
    const ops = range(conflictWrites()).map(() => mayRefuse(call(CREATE, 'create', { name }, async () => {
      const r = await admin.roles.create({ name, domain_id: domain.id });
      if (r.status === 201) created.push((r.body.role as Role).id);
      return r;
    }), 409));
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/roles?name', () => admin.roles.list({ name, domain_id: domain.id }), (r) => r.body.roles);
    expect(created.length, 'acknowledged creates').toBeLessThanOrEqual(1);
    await judgeConflicts(testInfo, 'role same-name create', history, probe, [checkUniqueName(history)], { provocation: NOT_MEASURED });
  });

  test('concurrent creates of distinct roles in one domain: none lost', testId('19839701-d4db-4b1d-b685-aa520ed651e2'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story(CREATE);
    const domain = await roleDomain(admin, factory);
    const history = new History();
    const ops = range(conflictWrites()).map((i) => {
      const name = `${factory.name('r')}-${i}`;
      return mustAck(call(CREATE, 'create', { name }, () => admin.roles.create({ name, domain_id: domain.id })));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/roles?domain_id', () => admin.roles.list({ domain_id: domain.id }), (r) => r.body.roles);
    await judgeConflicts(testInfo, 'role distinct creates', history, probe, [checkNoLostInsert(history)], { provocation: DISTINCT_ROWS });
  });
});
