import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { NOT_MEASURED, ONE_ROW_PATCH, judgeConflicts } from '../../fixtures/concurrency.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { expectStatus, type KsResponse } from '../../lib/keystone/http.js';
import { checkNoLostUpdate, checkSetSemantics } from '../../lib/workload/checkers/index.js';
import { probeConflicts } from '../../lib/workload/conflict-probe.js';
import { History } from '../../lib/workload/history.js';
import { call, conflictWrites, mustAck, range, recordRead, shuffled } from '../../lib/workload/keystone-ops.js';
import { testId } from '../../lib/coverage/test-ids.js';

const EP = '/v3/OS-EP-FILTER';
const PATCH_GROUP = `PATCH ${EP}/endpoint_groups/{endpoint_group_id}`;
const ADD_ENDPOINT = `PUT ${EP}/projects/{project_id}/endpoints/{endpoint_id}`;
const REMOVE_ENDPOINT = `DELETE ${EP}/projects/{project_id}/endpoints/{endpoint_id}`;
const ADD_GROUP = `PUT ${EP}/endpoint_groups/{endpoint_group_id}/projects/{project_id}`;
const REMOVE_GROUP = `DELETE ${EP}/endpoint_groups/{endpoint_group_id}/projects/{project_id}`;

/**
 * Projects to associate, in a domain of their own: deleting it at cleanup deletes them, and
 * Keystone drops a deleted project's endpoint and endpoint-group associations with it.
 * Created one by one: concurrent setup would hit the conflicts under test before the storm.
 */
async function projects(admin: Keystone, factory: ResourceFactory, n: number): Promise<string[]> {
  const domain = await factory.domain();
  const ids: string[] = [];
  for (const i of range(n)) ids.push(expectStatus(await admin.projects.create({ name: `${factory.name('ep')}-${i}`, domain_id: domain.id }), 201).body.project.id);
  return ids;
}

/** A quarter of the projects start associated and are dissociated while the others are associated. */
async function associationStorm(
  cluster: Parameters<typeof probeConflicts>[0], history: History, ids: string[],
  add: { op: string; run: (project: string) => Promise<KsResponse> }, remove: { op: string; run: (project: string) => Promise<KsResponse> },
) {
  const initial = ids.slice(0, Math.floor(ids.length / 4));
  for (const id of initial) expectStatus(await add.run(id), 204);
  const ops = shuffled([
    ...ids.slice(initial.length).map((id) => mustAck(call(add.op, 'add', { element: id }, () => add.run(id)))),
    ...initial.map((id) => mustAck(call(remove.op, 'remove', { element: id }, () => remove.run(id)))),
  ]);
  const probe = await probeConflicts(cluster, history, ops);
  expect(probe.stats.invoked).toBe(ops.length);
  return { probe, initial };
}

test.describe('OS-EP-FILTER under concurrency', { tag: '@os-ep-filter' }, () => {
  test('concurrent PATCH of the name, description and filters of one endpoint group: no lost update', testId('89d60031-e9fe-46c6-a651-ed6628aee006', '@slice'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoint groups'); await allure.story(PATCH_GROUP);
    const group = await factory.endpointGroup({ interface: 'public' }, { description: 'initial' });
    const history = new History();
    const interfaces = ['public', 'internal', 'admin'];
    // update_endpoint_group reads the row and writes every mutable attribute back.
    const ops = range(conflictWrites()).map((i) => {
      const patch = [{ description: `d${i}` }, { name: `${group.name}-${i}` }, { filters: { interface: interfaces[i % 3]! } }][i % 3]!;
      return mustAck(call(PATCH_GROUP, 'update', patch, () => admin.endpointFilter.update(group.id, patch)));
    });
    const probe = await probeConflicts(cluster, history, ops);
    await recordRead(history, `GET ${EP}/endpoint_groups/{endpoint_group_id}`, () => admin.endpointFilter.show(group.id), (r) => r.body.endpoint_group);
    await judgeConflicts(testInfo, 'endpoint group PATCH', history, probe, [checkNoLostUpdate(history, { initial: { name: group.name, description: 'initial', filters: { interface: 'public' } } })], { provocation: ONE_ROW_PATCH });
  });

  test('concurrent project-endpoint associations and dissociations of one endpoint keep set semantics, with no leaked conflict', testId('c1745bab-6d62-4ea2-93f6-26c3e56d3a36'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('project endpoints'); await allure.story(ADD_ENDPOINT);
    const service = await factory.service();
    const endpoint = await factory.endpoint({ service_id: service.id });
    const ids = await projects(admin, factory, conflictWrites());
    const history = new History();
    const { probe, initial } = await associationStorm(cluster, history, ids,
      { op: ADD_ENDPOINT, run: (p) => admin.endpointFilter.addEndpointToProject(p, endpoint.id) },
      { op: REMOVE_ENDPOINT, run: (p) => admin.endpointFilter.removeEndpointFromProject(p, endpoint.id) });
    await recordRead(history, `GET ${EP}/endpoints/{endpoint_id}/projects`, () => admin.endpointFilter.listEndpointProjects(endpoint.id),
      (r) => (r.body.projects as { id: string }[]).map((p) => p.id));
    await judgeConflicts(testInfo, 'project-endpoint associations', history, probe, [checkSetSemantics(history, { initial })], { provocation: NOT_MEASURED });
  });

  test('concurrent endpoint-group-project associations and dissociations of one group keep set semantics, with no leaked conflict', testId('e5a3e43d-e860-4914-9699-d47cd72a6a9d'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoint group projects'); await allure.story(ADD_GROUP);
    const group = await factory.endpointGroup({ interface: 'public' });
    const ids = await projects(admin, factory, conflictWrites());
    const history = new History();
    const { probe, initial } = await associationStorm(cluster, history, ids,
      { op: ADD_GROUP, run: (p) => admin.endpointFilter.addGroupToProject(group.id, p) },
      { op: REMOVE_GROUP, run: (p) => admin.endpointFilter.removeGroupFromProject(group.id, p) });
    await recordRead(history, `GET ${EP}/endpoint_groups/{endpoint_group_id}/projects`, () => admin.endpointFilter.listGroupProjects(group.id),
      (r) => (r.body.projects as { id: string }[]).map((p) => p.id));
    await judgeConflicts(testInfo, 'endpoint-group-project associations', history, probe, [checkSetSemantics(history, { initial })], { provocation: NOT_MEASURED });
  });
});
