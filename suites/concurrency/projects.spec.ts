import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { DISTINCT_ROWS, NOT_MEASURED, ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import { checkNoLostInsert, checkUniqueName } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mayRefuse, mustAck, range, recordRead } from '../../lib/workload/keystone-ops.js';
import { stormOneRowPatches } from '../../lib/workload/one-row-patch.js';
import { testId } from '../../lib/coverage/test-ids.js';

const PATCH = 'PATCH /v3/projects/{project_id}';
const CREATE = 'POST /v3/projects';

test.describe('projects under concurrency', { tag: '@projects' }, () => {
  test('concurrent PATCH of different attributes of one project: no lost update, no leaked conflict', testId('9d4e2c1a-7b3f-4e8d-a6c5-1b2a3c4d5e02', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story(PATCH);
    const project = await factory.project({ description: 'initial' });
    const storm = await stormOneRowPatches(cluster, {
      patchOp: PATCH, update: (patch) => admin.projects.update(project.id, patch),
      readOp: 'GET /v3/projects/{project_id}', read: () => admin.projects.show(project.id), entityOf: (r) => r.body.project,
      initial: { description: 'initial' },
    });
    await judgeConflicts(testInfo, 'project PATCH', storm.history, storm.probe, storm.checks, { provocation: ONE_ROW_PATCH });
  });

  test('concurrent creates of one name: one 201, the rest 409, one row', testId('0e5f3d2b-8c4a-4f9e-b7d6-2c3b4d5e6f03'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story(CREATE);
    const name = factory.name('same');
    const history = new History();
    const created: string[] = [];
    const domain = await factory.domain();
    const ops = range(conflictWrites()).map(() => mayRefuse(call(CREATE, 'create', { name }, async () => {
      const r = await admin.projects.create({ name, domain_id: domain.id });
      if (r.status === 201) created.push(r.body.project.id);
      return r;
    }), 409));
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/projects?name', () => admin.projects.list({ name, domain_id: domain.id }), (r) => r.body.projects);
    expect(created.length, 'acknowledged creates').toBeLessThanOrEqual(1);
    await judgeConflicts(testInfo, 'project same-name create', history, probe, [checkUniqueName(history)], { provocation: NOT_MEASURED });
  });

  test('concurrent creates of distinct projects: none lost', testId('1f6a4e3c-9d5b-4a0f-8e7d-3d4c5e6f7a04'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story(CREATE);
    // In a domain of their own: deleting it at cleanup also removes creates whose outcome was unknown.
    const domain = await factory.domain();
    const history = new History();
    const ops = range(conflictWrites()).map((i) => {
      const name = `${factory.name('p')}-${i}`;
      return mustAck(call(CREATE, 'create', { name }, () => admin.projects.create({ name, domain_id: domain.id })));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, 'GET /v3/projects?domain_id', () => admin.projects.list({ domain_id: domain.id }), (r) => r.body.projects);
    await judgeConflicts(testInfo, 'project distinct creates', history, probe, [checkNoLostInsert(history)], { provocation: DISTINCT_ROWS });
  });
});
