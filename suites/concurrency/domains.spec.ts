import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { deferSweep } from '../../fixtures/concurrency.js';
import { judgeSameNameCreates, plainPatchStorm } from '../../fixtures/storms.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE = 'POST /v3/domains';

test.describe('domains under concurrency', { tag: '@domains' }, () => {
  test(...plainPatchStorm({
    id: '1f58aedb-e64c-45c5-8636-fa4d2b55dcc2', slice: true, noun: 'domain', feature: 'domains', path: '/v3/domains/{domain_id}',
    create: (factory) => factory.domain({ description: 'initial' }), collection: (admin) => admin.domains,
    why: 'A domain is a project row (is_domain): its extra attributes share the read-modify-write of update_project.',
  }));

  test('concurrent creates of one domain name: one 201, the rest 409, one row', testId('645add4a-bd42-49b5-9db5-207666bedd8c'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domains'); await allure.story(CREATE);
    const name = factory.name('same');
    // Registered before the storm: every domain of that name is disabled and deleted at cleanup,
    // including one created by a request whose outcome is unknown.
    deferSweep(factory, `domains named ${name}`, () => admin.domains.list({ name }), (r) => admin.domains.entities(r).map((d) => d.id), async (id) => {
      await admin.domains.update(id, { enabled: false });
      return admin.domains.delete(id);
    });
    await judgeSameNameCreates(testInfo, cluster, 'domain same-name create', {
      createOp: CREATE, name, create: () => admin.domains.create({ name }),
      readOp: 'GET /v3/domains?name', read: () => admin.domains.list({ name }), entitiesOf: (r) => r.body.domains,
    });
  });
});
