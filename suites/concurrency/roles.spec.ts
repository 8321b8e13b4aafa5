import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { deferSweep } from '../../fixtures/concurrency.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import type { Domain } from '../../lib/keystone/types.js';
import { judgeDistinctCreates, judgeSameNameCreates, plainPatchStorm } from '../../fixtures/storms.js';
import { testId } from '../../lib/coverage/test-ids.js';

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
  test(...plainPatchStorm({
    id: '912ef3b9-0831-4099-b00f-13acb47c0e75', slice: true, noun: 'role', feature: 'roles', path: '/v3/roles/{role_id}',
    create: (factory) => factory.role({ description: 'initial' }), collection: (admin) => admin.roles,
    why: "Keystone's update_role rewrites the whole `extra` blob it read: extra attributes are where a lost update shows.",
  }));

  test('concurrent creates of one role name in one domain: one 201, the rest 409, one row', testId('bd169b65-aa16-4557-a0dd-a14991567bed'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story(CREATE);
    const domain = await roleDomain(admin, factory);
    const name = factory.name('same');
    await judgeSameNameCreates(testInfo, cluster, 'role same-name create', {
      createOp: CREATE, name, create: () => admin.roles.create({ name, domain_id: domain.id }),
      readOp: 'GET /v3/roles?name', read: () => admin.roles.list({ name, domain_id: domain.id }), entitiesOf: (r) => r.body.roles,
    });
  });

  test('concurrent creates of distinct roles in one domain: none lost', testId('19839701-d4db-4b1d-b685-aa520ed651e2'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story(CREATE);
    const domain = await roleDomain(admin, factory);
    await judgeDistinctCreates(testInfo, cluster, 'role distinct creates', {
      createOp: CREATE, nameOf: (i) => `${factory.name('r')}-${i}`, create: (name) => admin.roles.create({ name, domain_id: domain.id }),
      readOp: 'GET /v3/roles?domain_id', read: () => admin.roles.list({ domain_id: domain.id }), entitiesOf: (r) => r.body.roles,
    });
  });
});
