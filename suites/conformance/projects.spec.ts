import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { assertSchema, list, projectResponseSchema, projectSchema, projectsResponseSchema, strOrNull } from '../../lib/keystone/schemas/index.js';
import type { Project } from '../../lib/keystone/types.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, expectPathIdsRejected, ids, sendBadBodies, UNKNOWN_ID, userIdOf } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// Zed sends domain_id null for a project acting as a domain (is_domain=true); projectSchema
// requires a string, so the is_domain listing is checked against this variant.
const domainProjectsResponseSchema = list('projects', { ...projectSchema, properties: { ...(projectSchema.properties as object), domain_id: strOrNull } });

test.describe('projects', { tag: '@projects' }, () => {
  test('create, show, filter, update and delete a project', testId('1ea90c6a-da43-4e4d-b058-c6e86626590b', '@slice'), async ({ admin, factory }) => {
    await allure.feature('projects'); await allure.story('POST/GET/PATCH/DELETE /v3/projects');
    const domain = await factory.domain();
    const name = factory.name('project');
    const created = await admin.projects.create({ name, domain_id: domain.id, description: 'gate project', enabled: true, tags: ['gate'] });
    factory.deferIfCreated(created, (body) => `project ${body.project.id}`, (body) => admin.projects.delete(body.project.id));
    expectJson(created, 201, projectResponseSchema);
    const project = created.body.project;
    // A top-level project's parent is its domain (keystone/api/projects.py post).
    expect(project).toMatchObject({ name, domain_id: domain.id, parent_id: domain.id, is_domain: false, description: 'gate project', enabled: true, tags: ['gate'] });
    expect(project.links.self).toMatch(new RegExp(`/v3/projects/${project.id}$`));

    await test.step('GET /v3/projects/{project_id} (and HEAD)', async () => {
      const shown = await admin.projects.show(project.id);
      expectJson(shown, 200, projectResponseSchema);
      expect(shown.body.project).toEqual(project);
      expect((await admin.projects.head(project.id)).status).toBe(200);
    });

    await test.step('GET /v3/projects?name=, ?domain_id=, ?parent_id=, ?enabled=', async () => {
      const byName = await admin.projects.list({ name });
      expectJson(byName, 200, projectsResponseSchema);
      expect(ids(byName.body.projects)).toEqual([project.id]);
      expect(ids((await admin.projects.list({ domain_id: domain.id })).body.projects)).toEqual([project.id]);
      expect(ids((await admin.projects.list({ parent_id: domain.id })).body.projects)).toEqual([project.id]);
      expect((await admin.projects.list({ domain_id: domain.id, enabled: false })).body.projects).toEqual([]);
    });

    await test.step('GET /v3/projects?is_domain=true lists the domain as a project', async () => {
      const asDomains = await admin.projects.list({ is_domain: true, name: domain.name });
      expectJson(asDomains, 200, domainProjectsResponseSchema);
      expect(asDomains.body.projects).toHaveLength(1);
      expect(asDomains.body.projects[0]).toMatchObject({ id: domain.id, is_domain: true });
    });

    await test.step('PATCH /v3/projects/{project_id}', async () => {
      const updated = await admin.projects.update(project.id, { description: 'gate project, updated', enabled: false });
      expectJson(updated, 200, projectResponseSchema);
      expect(updated.body.project).toMatchObject({ id: project.id, name, description: 'gate project, updated', enabled: false, tags: ['gate'] });
      expect(ids((await admin.projects.list({ domain_id: domain.id, enabled: false })).body.projects)).toEqual([project.id]);
    });

    await test.step('DELETE /v3/projects/{project_id}, then 404', async () => {
      expectNoContent(await admin.projects.delete(project.id));
      expectError(await admin.projects.show(project.id), 404);
    });
  });

  test('hierarchy: parent_id filter, parents_as_list/ids, subtree_as_list/ids, no delete of a non-leaf', testId('5ba98356-0dd7-43c0-b8e0-f24e2b17ed00'), async ({ admin, factory }) => {
    await allure.feature('projects'); await allure.story('GET /v3/projects/{project_id}?parents_as_list&subtree_as_list');
    const domain = await factory.domain();
    const parent = await factory.project({ domain_id: domain.id });
    const child = await factory.project({ domain_id: domain.id, parent_id: parent.id });
    expect(child.parent_id).toBe(parent.id);
    // parents_as_list and subtree_as_list only show projects the caller has a role on
    // (resource/core.py list_project_parents / list_projects_in_subtree filter by user): give the
    // admin user a fresh role on both. Deleting the projects removes the grants.
    const role = await factory.role();
    const adminUserId = await userIdOf(admin);
    for (const p of [parent, child]) {
      expectNoContent(await admin.grants.grant({ scope: 'projects', scopeId: p.id, actor: 'users', actorId: adminUserId }, role.id));
    }

    await test.step('GET /v3/projects?parent_id= lists the children', async () => {
      expect(ids((await admin.projects.list({ parent_id: parent.id })).body.projects)).toEqual([child.id]);
    });
    await test.step('parents_as_list: the parent, wrapped as {project}', async () => {
      const r = await admin.projects.show(child.id, { query: { parents_as_list: true } });
      expectJson(r, 200, projectResponseSchema);
      const parents = r.body.project.parents as { project: Project }[];
      expect(parents.map((p) => p.project.id)).toEqual([parent.id]);
      parents.forEach((p) => assertSchema(projectSchema, p.project, 'parents[].project'));
    });
    await test.step('subtree_as_list: the child, wrapped as {project}', async () => {
      const r = await admin.projects.show(parent.id, { query: { subtree_as_list: true } });
      expectJson(r, 200, projectResponseSchema);
      const subtree = r.body.project.subtree as { project: Project }[];
      expect(subtree.map((p) => p.project.id)).toEqual([child.id]);
      subtree.forEach((p) => assertSchema(projectSchema, p.project, 'subtree[].project'));
    });
    await test.step('parents_as_ids and subtree_as_ids: nested id maps up to the domain', async () => {
      expect((await admin.projects.show(child.id, { query: { parents_as_ids: true } })).body.project.parents).toEqual({ [parent.id]: { [domain.id]: null } });
      expect((await admin.projects.show(parent.id, { query: { subtree_as_ids: true } })).body.project.subtree).toEqual({ [child.id]: null });
    });
    await test.step('parents_as_list with parents_as_ids: 400', async () => {
      expectError(await admin.projects.show(child.id, { query: { parents_as_list: true, parents_as_ids: true } }), 400);
    });
    await test.step('DELETE of a project with children: 403', async () => {
      expectError(await admin.projects.delete(parent.id), 403);
    });
  });

  test('list filters tags, tags-any, not-tags, not-tags-any (case-sensitive)', testId('41902ce9-0092-461b-942e-9588baf08231'), async ({ admin, factory }) => {
    await allure.feature('projects'); await allure.story('GET /v3/projects?tags=&tags-any=&not-tags=&not-tags-any=');
    const domain = await factory.domain();
    const both = await factory.project({ domain_id: domain.id, tags: ['gate-x', 'Gate-Y'] });
    const onlyX = await factory.project({ domain_id: domain.id, tags: ['gate-x'] });
    const none = await factory.project({ domain_id: domain.id });
    // Scoped to the fresh domain so the expected sets are exact.
    const list = async (query: Record<string, string>) => {
      const r = await admin.projects.list({ domain_id: domain.id, ...query });
      expectJson(r, 200, projectsResponseSchema);
      return ids(r.body.projects);
    };
    await test.step('tags= (all of)', async () => {
      expect(await list({ tags: 'gate-x,Gate-Y' })).toEqual(ids([both]));
      expect(await list({ tags: 'gate-x' })).toEqual(ids([both, onlyX]));
    });
    await test.step('tags are case-sensitive', async () => {
      expect(await list({ tags: 'gate-y' })).toEqual([]);
    });
    await test.step('tags-any= (at least one of)', async () => {
      expect(await list({ 'tags-any': 'Gate-Y,gate-nosuch' })).toEqual(ids([both]));
    });
    await test.step('not-tags= (not all of)', async () => {
      expect(await list({ 'not-tags': 'gate-x,Gate-Y' })).toEqual(ids([onlyX, none]));
    });
    await test.step('not-tags-any= (none of)', async () => {
      expect(await list({ 'not-tags-any': 'gate-x' })).toEqual(ids([none]));
    });
  });

  test('unknown ids, ids with path characters, duplicate names, unknown parent', testId('0744644d-fd33-4444-b401-d7c9320d0499'), async ({ admin, factory }) => {
    await allure.feature('projects'); await allure.story('GET/PATCH/DELETE /v3/projects/{project_id}, POST /v3/projects');
    await test.step('404 on show, update and delete', async () => {
      expectError(await admin.projects.show(UNKNOWN_ID), 404);
      expectError(await admin.projects.update(UNKNOWN_ID, { description: 'x' }), 404);
      expectError(await admin.projects.delete(UNKNOWN_ID), 404);
    });
    await expectPathIdsRejected(admin, '/v3/projects', 'project');
    await test.step('a second project with the same name in the same domain: 409', async () => {
      const project = await factory.project();
      const dup = await admin.projects.create({ name: project.name, domain_id: project.domain_id });
      factory.deferIfCreated(dup, 'duplicate project', (body) => admin.projects.delete(body.project.id));
      expectError(dup, 409);
    });
    await test.step('an unknown parent or domain: 400 (keystone/api/projects.py turns NotFound into ValidationError)', async () => {
      for (const fields of [{ parent_id: UNKNOWN_ID }, { domain_id: UNKNOWN_ID }]) {
        const r = await admin.projects.create({ name: factory.name('project'), ...fields });
        factory.deferIfCreated(r, 'project with unknown parent', (body) => admin.projects.delete(body.project.id));
        expectError(r, 400);
      }
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('1b6d33c3-0478-4c44-a0bb-4aaecd8b509a'), async ({ reader, admin, factory }) => {
    await allure.feature('projects'); await allure.story('GET/POST/PATCH/DELETE /v3/projects');
    const who = await callers(admin, factory, reader);
    const other = await factory.project();
    await expectTokenRefusals(who, {
      probe: (ks) => ks.projects.list(),
      probeAs: { revoked: (ks) => ks.projects.show(who.memberProjectId) },
      member: {
        'member may show its own project': async (member) => expectJson(await member.projects.show(who.memberProjectId), 200, projectResponseSchema),
        'member lists projects and shows another project': async (member) => {
          expectError(await member.projects.list(), 403);
          expectError(await member.projects.show(other.id), 403);
        },
        'member creates, updates, deletes a project': async (member) => {
          const r = await member.projects.create({ name: factory.name('project') });
          factory.deferIfCreated(r, 'project', (body) => admin.projects.delete(body.project.id));
          expectError(r, 403);
          expectError(await member.projects.update(who.memberProjectId, { description: 'x' }), 403);
          expectError(await member.projects.delete(other.id), 403);
        },
      },
    });
  });

  test('bad input on POST /v3/projects: 4xx, never 5xx', testId('7eb9fc3d-56ea-490b-902a-f25ea2e95554'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story('POST /v3/projects');
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/projects', template: '/v3/projects',
      spec: { memberKey: 'project', valid: { name: factory.name('project'), description: 'gate' }, required: 'name', longField: 'name', typedField: 'enabled' },
      extra: [
        { shape: 'tag-with-comma', json: { project: { name: factory.name('project'), tags: ['a,b'] } } },
        { shape: 'duplicate-tags', json: { project: { name: factory.name('project'), tags: ['gate', 'gate'] } } },
        { shape: 'is-domain-not-boolean', json: { project: { name: factory.name('project'), is_domain: 'yes' } } },
      ],
      accepted: { 'unexpected-property': 'project_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('project from bad input', () => admin.projects.delete(r.body.project.id)),
    });
  });

  test('bad input on PATCH /v3/projects/{project_id}: 4xx, never 5xx', testId('e9c9bba9-c81c-409b-8226-c9c1ea226d95'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('projects'); await allure.story('PATCH /v3/projects/{project_id}');
    const project = await factory.project();
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/projects/${project.id}`, template: '/v3/projects/{project_id}',
      spec: { memberKey: 'project', valid: { name: factory.name('project'), description: 'gate' }, longField: 'name', typedField: 'enabled' },
      // 81 tags and a 256-character tag are the boundary probes of schema-limits.ts.
      accepted: { 'unexpected-property': 'project_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
