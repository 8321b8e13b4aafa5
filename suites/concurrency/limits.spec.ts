import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { deferSweep } from '../../fixtures/concurrency.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import type { RegisteredLimit } from '../../lib/keystone/services/registered-limits.js';
import type { Service } from '../../lib/keystone/types.js';
import { judgeDistinctCreates, judgeOneRowPatches, judgeSameNameCreates } from '../../fixtures/storms.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE_REGISTERED = 'POST /v3/registered_limits';
const PATCH_LIMIT = 'PATCH /v3/limits/{limit_id}';

/**
 * A service of the test's own, with a sweep of every limit and registered limit of it: Keystone
 * deletes neither with the service, and a create whose outcome is unknown may have landed.
 * Limits are swept first (registered later, run earlier): a registered limit in use cannot go.
 */
async function limitService(admin: Keystone, factory: ResourceFactory): Promise<Service> {
  const service = await factory.service();
  deferSweep(factory, `registered limits of service ${service.id}`, () => admin.registeredLimits.list({ service_id: service.id }),
    (r) => admin.registeredLimits.entities(r).map((x) => x.id), (id) => admin.registeredLimits.delete(id));
  deferSweep(factory, `limits of service ${service.id}`, () => admin.limits.list({ service_id: service.id }),
    (r) => admin.limits.entities(r).map((x) => x.id), (id) => admin.limits.delete(id));
  return service;
}

const names = (r: { body: Record<string, RegisteredLimit[]> }) => (r.body.registered_limits ?? []).map((x) => ({ name: x.resource_name }));

test.describe('unified limits under concurrency', { tag: '@limits' }, () => {
  test('concurrent PATCH of the limit value and description of one project limit: no lost update', testId('bf01702e-fc9b-4074-b46c-7084c3ac728b', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('limits'); await allure.story(PATCH_LIMIT);
    const service = await limitService(admin, factory);
    const registered = await factory.registeredLimit({ service_id: service.id });
    const project = await factory.project();
    const limit = await factory.limit({ service_id: service.id, resource_name: registered.resource_name, project_id: project.id });
    // Values start at 1: Keystone's update_limit ignores a resource_limit of 0 (`if limit.get(...)`).
    await judgeOneRowPatches(testInfo, cluster, 'limit', {
      patchOf: (i) => (i % 2 ? { description: `d${i}` } : { resource_limit: i + 1 }),
      patchOp: PATCH_LIMIT, update: (patch) => admin.limits.update(limit.id, patch),
      readOp: 'GET /v3/limits/{limit_id}', read: () => admin.limits.show(limit.id), entityOf: (r) => r.body.limit,
      initial: { resource_limit: limit.resource_limit, description: limit.description ?? null },
    });
  });

  test('concurrent creates of the same registered limit (no region): one 201, the rest 409, one row', testId('cafb66c5-b0c5-4d9a-880a-198ee6684306'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('registered limits'); await allure.story(CREATE_REGISTERED);
    // Without a region the database's unique key (NULLs are distinct) cannot help: only
    // Keystone's check-then-insert keeps the (service, region, resource) triple unique.
    const service = await limitService(admin, factory);
    const name = factory.name('res');
    await judgeSameNameCreates(testInfo, cluster, 'registered limit same create', {
      createOp: CREATE_REGISTERED, name, create: () => admin.registeredLimits.createBatch([{ service_id: service.id, resource_name: name, default_limit: 10 }]),
      readOp: 'GET /v3/registered_limits?resource_name', read: () => admin.registeredLimits.list({ service_id: service.id, resource_name: name }), entitiesOf: names,
    });
  });

  test('concurrent creates of distinct registered limits of one service: none lost', testId('6c6f2540-4f57-479c-8a5f-d62a18cc216b'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('registered limits'); await allure.story(CREATE_REGISTERED);
    const service = await limitService(admin, factory);
    await judgeDistinctCreates(testInfo, cluster, 'registered limit distinct creates', {
      createOp: CREATE_REGISTERED, nameOf: (i) => `${factory.name('res')}-${i}`,
      create: (name, i) => admin.registeredLimits.createBatch([{ service_id: service.id, resource_name: name, default_limit: i + 1 }]),
      readOp: 'GET /v3/registered_limits?service_id', read: () => admin.registeredLimits.list({ service_id: service.id }), entitiesOf: names,
    });
  });
});
