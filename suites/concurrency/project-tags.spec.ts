import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { ONE_ROW_PATCH, PROJECT_TAG_SET, judgeConflicts } from '../../fixtures/concurrency.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { checkNoLostUpdate, checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import type { Op } from '../../lib/workload/driver.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const ADD = 'PUT /v3/projects/{project_id}/tags/{tag}';
const REMOVE = 'DELETE /v3/projects/{project_id}/tags/{tag}';
const REPLACE = 'PUT /v3/projects/{project_id}/tags';
const PATCH = 'PATCH /v3/projects/{project_id}';
const LIST = 'GET /v3/projects/{project_id}/tags';

/**
 * FACTS.md: Keystone reads a project and writes its tag list back in separate transactions, so
 * concurrent tag changes lose acknowledged tags at any isolation level. These scenarios report
 * what happens; the checkers decide.
 */
test.describe('project tags under concurrency', { tag: '@project-tags' }, () => {
  test('concurrent adds and removes of tags on one project keep set semantics', testId('024811a0-adee-4036-87a1-e1a2ed7d8ee5', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('project tags'); await allure.story(ADD);
    const n = conflictWrites();
    // Keystone allows 80 tags per project; n adds plus n/4 initial stay below that for the default n.
    const tags = range(n).map((i) => `t${i}-${factory.name('tag').slice(-10)}`);
    const initial = tags.slice(0, Math.floor(n / 4));
    const project = await factory.project({ tags: initial });
    const history = new History();
    const ops = shuffled([
      ...tags.slice(initial.length).map((t) => mustAck(call(ADD, 'add', { element: t }, () => admin.projectTags.add(project.id, t)))),
      ...initial.map((t) => mustAck(call(REMOVE, 'remove', { element: t }, () => admin.projectTags.remove(project.id, t)))),
    ]);
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, LIST, () => admin.projectTags.list(project.id), (r) => r.body.tags);

    expect(probe.stats.invoked).toBe(ops.length);
    await judgeConflicts(testInfo, 'project tags add/remove', history, probe, [checkSetSemantics(history, { initial })], { provocation: PROJECT_TAG_SET });
  });

  test('concurrent replacements of the whole tag list (PUT tags, PATCH project tags): the final list is one of them, whole', testId('ca9d1719-350d-417d-9d73-e837ba391bc5'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('project tags'); await allure.story(REPLACE);
    const initial = ['initial-a', 'initial-b'];
    const project = await factory.project({ tags: initial });
    const history = new History();
    // Each replacement is a distinct list, so a torn mix of two writes shows as a value nobody wrote.
    const ops = range(conflictWrites()).map((i): Op<KsResponse> => {
      const list = [`r${i}-a`, `r${i}-b`, `r${i}-c`];
      return mustAck<KsResponse>(i % 2
        ? call(REPLACE, 'update', { tags: list }, () => admin.projectTags.replace(project.id, list))
        : call(PATCH, 'update', { tags: list }, () => admin.projects.update(project.id, { tags: list })));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, LIST, () => admin.projectTags.list(project.id), (r) => ({ tags: [...r.body.tags].sort() }));
    await judgeConflicts(testInfo, 'project tags replace', history, probe, [checkNoLostUpdate(history, { initial: { tags: initial } })], { provocation: ONE_ROW_PATCH });
  });
});
