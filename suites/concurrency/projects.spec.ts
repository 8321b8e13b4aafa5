import * as allure from 'allure-js-commons';
import { test } from '../../fixtures/test.js';
import { judgeDistinctCreates, judgeSameNameCreates, plainPatchStorm } from '../../fixtures/storms.js';
import { testId } from '../../lib/coverage/test-ids.js';

const CREATE = 'POST /v3/projects';

test.describe('projects under concurrency', { tag: '@projects' }, () => {
  test(...plainPatchStorm({
    id: '9d4e2c1a-7b3f-4e8d-a6c5-1b2a3c4d5e02', slice: true, noun: 'project', feature: 'projects', path: '/v3/projects/{project_id}',
    create: (factory) => factory.project({ description: 'initial' }), collection: (admin) => admin.projects,
    why: 'update_project reads the row, merges the patch into its extra attributes and writes the whole row back.',
  }));

  test('concurrent creates of one name: one 201, the rest 409, one row', testId('0e5f3d2b-8c4a-4f9e-b7d6-2c3b4d5e6f03'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story(CREATE);
    const name = factory.name('same');
    const domain = await factory.domain();
    await judgeSameNameCreates(testInfo, cluster, 'project same-name create', {
      createOp: CREATE, name, create: () => admin.projects.create({ name, domain_id: domain.id }),
      readOp: 'GET /v3/projects?name', read: () => admin.projects.list({ name, domain_id: domain.id }), entitiesOf: (r) => r.body.projects,
    });
  });

  test('concurrent creates of distinct projects: none lost', testId('1f6a4e3c-9d5b-4a0f-8e7d-3d4c5e6f7a04'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story(CREATE);
    // In a domain of their own: deleting it at cleanup also removes creates whose outcome was unknown.
    const domain = await factory.domain();
    await judgeDistinctCreates(testInfo, cluster, 'project distinct creates', {
      createOp: CREATE, nameOf: (i) => `${factory.name('p')}-${i}`, create: (name) => admin.projects.create({ name, domain_id: domain.id }),
      readOp: 'GET /v3/projects?domain_id', read: () => admin.projects.list({ domain_id: domain.id }), entitiesOf: (r) => r.body.projects,
    });
  });
});
