import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import {
  endpointGroupResponseSchema, endpointGroupsResponseSchema, endpointsResponseSchema, entity, nonEmpty, projectsResponseSchema, selfLinks, single,
} from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, deleteAtPath, expectError, expectJson, expectNoContent, sendBadInputs, sendBadPathIds } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** GET /v3/OS-EP-FILTER/endpoint_groups/{id}/projects/{project_id} (keystone/api/os_ep_filter.py EPFilterGroupsProjectsResource). */
const projectEndpointGroupResponseSchema = single('project_endpoint_group', entity(
  { endpoint_group_id: nonEmpty, project_id: nonEmpty, links: selfLinks }, ['endpoint_group_id', 'project_id', 'links'],
));

const ids = (items: { id: string }[]) => items.map((x) => x.id);

// Every endpoint here belongs to a service of our own (unique type), so filters by service_id
// select exactly the test's endpoints.
test.describe('endpoint filter', { tag: '@os-ep-filter' }, () => {
  test('endpoint groups: create, show, check, list, update, list its endpoints, delete', testId('78f7c6bc-75fe-4eed-9c41-bbe1694ecd86', '@slice'), async ({ admin, factory }) => {
    await allure.feature('endpoint groups'); await allure.story('POST/GET/HEAD/PATCH/DELETE /v3/OS-EP-FILTER/endpoint_groups');
    const service = await factory.service();
    const pub = await factory.endpoint({ service_id: service.id, interface: 'public' });
    const internal = await factory.endpoint({ service_id: service.id, interface: 'internal' });

    const name = factory.name('epgroup');
    const created = await admin.endpointFilter.create({ name, description: 'gate group', filters: { service_id: service.id } });
    factory.deferIfCreated(created, 'endpoint group', (body) => admin.endpointFilter.delete(body.endpoint_group.id));
    expectJson(created, 201, endpointGroupResponseSchema);
    const group = created.body.endpoint_group;
    expect(group).toMatchObject({ name, description: 'gate group', filters: { service_id: service.id } });

    await test.step('GET and HEAD /v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', async () => {
      const r = await admin.endpointFilter.show(group.id);
      expectJson(r, 200, endpointGroupResponseSchema);
      expect(r.body.endpoint_group).toEqual(group);
      const h = await admin.endpointFilter.head(group.id);
      expect(h.status).toBe(200);
      expect(h.body).toBeNull();
    });
    await test.step('GET /v3/OS-EP-FILTER/endpoint_groups', async () => {
      const r = await admin.endpointFilter.list();
      expectJson(r, 200, endpointGroupsResponseSchema);
      expect(ids(r.body.endpoint_groups)).toContain(group.id);
    });
    await test.step('GET .../endpoint_groups/{endpoint_group_id}/endpoints follows the filters', async () => {
      const r = await admin.endpointFilter.listGroupEndpoints(group.id);
      expectJson(r, 200, endpointsResponseSchema);
      expect(ids(r.body.endpoints).sort()).toEqual([pub.id, internal.id].sort());
    });
    await test.step('PATCH narrows the filters to interface=internal', async () => {
      const r = await admin.endpointFilter.update(group.id, { filters: { service_id: service.id, interface: 'internal' }, description: 'narrowed' });
      expectJson(r, 200, endpointGroupResponseSchema);
      expect(r.body.endpoint_group).toMatchObject({ id: group.id, name, description: 'narrowed', filters: { service_id: service.id, interface: 'internal' } });
      expect(ids((await admin.endpointFilter.listGroupEndpoints(group.id)).body.endpoints)).toEqual([internal.id]);
    });
    await test.step('DELETE, then 404 on GET and HEAD', async () => {
      expectNoContent(await admin.endpointFilter.delete(group.id));
      expectError(await admin.endpointFilter.show(group.id), 404);
      expectError(await admin.endpointFilter.head(group.id), 404);
    });
  });

  test('project-endpoint associations: add, check, list both ways, remove', testId('c0094e6b-30c6-4972-a11e-b0f749e4ff38'), async ({ admin, factory }) => {
    await allure.feature('project endpoints'); await allure.story('PUT/HEAD/DELETE /v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}');
    const service = await factory.service();
    const endpoint = await factory.endpoint({ service_id: service.id });
    const project = await factory.project();

    expectError(await admin.endpointFilter.checkEndpointInProject(project.id, endpoint.id), 404);
    const put = await admin.endpointFilter.addEndpointToProject(project.id, endpoint.id);
    factory.defer('project-endpoint association', () => admin.endpointFilter.removeEndpointFromProject(project.id, endpoint.id));
    expectNoContent(put);
    await test.step('HEAD .../projects/{project_id}/endpoints/{endpoint_id}', async () => {
      expectNoContent(await admin.endpointFilter.checkEndpointInProject(project.id, endpoint.id));
    });
    await test.step('GET .../projects/{project_id}/endpoints', async () => {
      const r = await admin.endpointFilter.listProjectEndpoints(project.id);
      expectJson(r, 200, endpointsResponseSchema);
      expect(ids(r.body.endpoints)).toEqual([endpoint.id]);
    });
    await test.step('GET .../endpoints/{endpoint_id}/projects', async () => {
      const r = await admin.endpointFilter.listEndpointProjects(endpoint.id);
      expectJson(r, 200, projectsResponseSchema);
      expect(ids(r.body.projects)).toEqual([project.id]);
    });
    await test.step('DELETE, then HEAD 404 and an empty list', async () => {
      expectNoContent(await admin.endpointFilter.removeEndpointFromProject(project.id, endpoint.id));
      expectError(await admin.endpointFilter.checkEndpointInProject(project.id, endpoint.id), 404);
      expect((await admin.endpointFilter.listEndpointProjects(endpoint.id)).body.projects).toEqual([]);
    });
  });

  test('endpoint group-project associations: add, show, check, list both ways, project endpoints, remove', testId('146abbb1-0f66-46f5-9f88-3f06792dda62'), async ({ admin, factory }) => {
    await allure.feature('endpoint group projects'); await allure.story('PUT/GET/HEAD/DELETE /v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}');
    const service = await factory.service();
    const endpoint = await factory.endpoint({ service_id: service.id });
    const group = await factory.endpointGroup({ service_id: service.id });
    const project = await factory.project();

    expectError(await admin.endpointFilter.showGroupInProject(group.id, project.id), 404);
    const put = await admin.endpointFilter.addGroupToProject(group.id, project.id);
    factory.defer('group-project association', () => admin.endpointFilter.removeGroupFromProject(group.id, project.id));
    expectNoContent(put);
    await test.step('GET and HEAD .../endpoint_groups/{endpoint_group_id}/projects/{project_id}', async () => {
      const r = await admin.endpointFilter.showGroupInProject(group.id, project.id);
      expectJson(r, 200, projectEndpointGroupResponseSchema);
      expect(r.body.project_endpoint_group).toMatchObject({ endpoint_group_id: group.id, project_id: project.id });
      const h = await admin.endpointFilter.checkGroupInProject(group.id, project.id);
      expect(h.status).toBe(200);
      expect(h.body).toBeNull();
    });
    await test.step('GET .../endpoint_groups/{endpoint_group_id}/projects', async () => {
      const r = await admin.endpointFilter.listGroupProjects(group.id);
      expectJson(r, 200, projectsResponseSchema);
      expect(ids(r.body.projects)).toEqual([project.id]);
    });
    await test.step('GET .../projects/{project_id}/endpoint_groups', async () => {
      const r = await admin.endpointFilter.listProjectEndpointGroups(project.id);
      expectJson(r, 200, endpointGroupsResponseSchema);
      expect(ids(r.body.endpoint_groups)).toEqual([group.id]);
    });
    await test.step('the group\'s endpoints are the project\'s endpoints', async () => {
      const r = await admin.endpointFilter.listProjectEndpoints(project.id);
      expectJson(r, 200, endpointsResponseSchema);
      expect(ids(r.body.endpoints)).toEqual([endpoint.id]);
    });
    await test.step('DELETE, then 404', async () => {
      expectNoContent(await admin.endpointFilter.removeGroupFromProject(group.id, project.id));
      expectError(await admin.endpointFilter.showGroupInProject(group.id, project.id), 404);
      expectError(await admin.endpointFilter.checkGroupInProject(group.id, project.id), 404);
    });
  });

  test('bad input on association PUTs (unknown, malformed or over-long ids, non-JSON body): 4xx, never 5xx; unknown endpoint group, endpoint or project: 404 (the projects of an unknown group: an empty list)', testId('32b494e4-ce0c-42c8-97a3-d001a5167b86'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoint groups'); await allure.story('GET/PATCH/DELETE /v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}');
    const project = await factory.project();
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.endpointFilter.show(unknown), 404);
    expectError(await admin.endpointFilter.update(unknown, { description: 'x' }), 404);
    expectError(await admin.endpointFilter.delete(unknown), 404);
    expectError(await admin.endpointFilter.listGroupEndpoints(unknown), 404);
    // Zed checks nothing here (os_ep_filter.py EndpointFilterEPGroupsProjects): an unknown group has no projects.
    const noGroupProjects = await admin.endpointFilter.listGroupProjects(unknown);
    expectJson(noGroupProjects, 200, projectsResponseSchema);
    expect(noGroupProjects.body.projects).toEqual([]);
    expectError(await admin.endpointFilter.listEndpointProjects(unknown), 404);
    expectError(await admin.endpointFilter.listProjectEndpoints(unknown), 404);
    expectError(await admin.endpointFilter.removeEndpointFromProject(project.id, unknown), 404);
    const r = await admin.endpointFilter.addEndpointToProject(project.id, unknown);
    factory.deferIfCreated(r, 'association', () => admin.endpointFilter.removeEndpointFromProject(project.id, unknown), 204);
    expectError(r, 404);
    const g = await admin.endpointFilter.addGroupToProject(unknown, project.id);
    factory.deferIfCreated(g, 'association', () => admin.endpointFilter.removeGroupFromProject(unknown, project.id), 204);
    expectError(g, 404);

    // keystone/api/os_ep_filter.py looks up both ids before associating (endpoint then project;
    // project then endpoint group): the malformed ids go into the second lookup of each route.
    const service = await factory.service();
    const endpoint = await factory.endpoint({ service_id: service.id });
    const group = await factory.endpointGroup({ service_id: service.id });
    const routes: [string, Record<string, string>, string][] = [
      ['/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', { project_id: project.id, endpoint_id: endpoint.id }, 'project_id'],
      ['/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', { endpoint_group_id: group.id, project_id: project.id }, 'endpoint_group_id'],
    ];
    for (const [template, ids, into] of routes) {
      await test.step(`${template}: malformed ids, non-JSON body`, async () => {
        await sendBadPathIds({ admin, testInfo, cluster }, {
          method: 'PUT', template, ids, into,
          cleanup: deleteAtPath(admin, factory, 'association from bad input'),
        });
      });
    }
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('64f8263d-07b2-46f2-9a17-b2a391abf374'), async ({ reader, admin, factory }) => {
    await allure.feature('endpoint groups'); await allure.story('GET/POST /v3/OS-EP-FILTER/endpoint_groups');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.endpointFilter.list(),
      member: {
        'member lists endpoint groups': async (member) => expectError(await member.endpointFilter.list(), 403),
        'member creates an endpoint group': async (member) => {
          const r = await member.endpointFilter.create({ name: factory.name('epgroup'), filters: { interface: 'public' } });
          factory.deferIfCreated(r, 'endpoint group', (body) => admin.endpointFilter.delete(body.endpoint_group.id));
          expectError(r, 403);
        },
        'member lists the endpoints of their own project': async (member) => expectError(await member.endpointFilter.listProjectEndpoints(who.memberProjectId), 403),
      },
    });
  });

  test('bad input on POST /v3/OS-EP-FILTER/endpoint_groups: 4xx, never 5xx', testId('9e16b473-0a07-4241-9227-c629a3b80147'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoint groups'); await allure.story('POST /v3/OS-EP-FILTER/endpoint_groups');
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/OS-EP-FILTER/endpoint_groups', template: '/v3/OS-EP-FILTER/endpoint_groups',
      spec: { memberKey: 'endpoint_group', valid: { name: factory.name('epgroup'), filters: { interface: 'public' } }, required: 'filters', longField: 'name', typedField: 'filters' },
      cleanup: (r) => factory.defer('endpoint group from bad input', () => admin.endpointFilter.delete(r.body.endpoint_group.id)),
    });
  });

  test('bad input on PATCH /v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}: 4xx, never 5xx', testId('78489459-8276-4a2e-aab4-426e2ee6e847'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoint groups'); await allure.story('PATCH /v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}');
    const group = await factory.endpointGroup({ interface: 'public' });
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/OS-EP-FILTER/endpoint_groups/${group.id}`, template: '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}',
      spec: { memberKey: 'endpoint_group', valid: { name: factory.name('epgroup') }, longField: 'name', typedField: 'filters' },
    });
  });
});
