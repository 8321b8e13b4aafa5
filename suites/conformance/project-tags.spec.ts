import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { entity, selfLinks, strings } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadBodies, sendBadPathIds, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// lib/keystone/schemas has no file for project tags: GET/PUT /v3/projects/{id}/tags answer
// `{tags: [...], links: {self}}` (keystone/api/projects.py _ProjectTagResourceBase.wrap_member).
const projectTagsResponseSchema = entity({ tags: strings, links: selfLinks }, ['tags', 'links']);

test.describe('project tags', { tag: '@project-tags' }, () => {
  test('add, check, list, replace, remove and clear tags', testId('84dac9f6-3d70-4cac-8b70-56e5abf6b262', '@slice'), async ({ admin, factory }) => {
    await allure.feature('project tags'); await allure.story('PUT/GET/DELETE /v3/projects/{project_id}/tags[/{tag}]');
    const project = await factory.project();

    await test.step('PUT /v3/projects/{project_id}/tags/{tag}: 201 with a Location', async () => {
      const added = await admin.projectTags.add(project.id, 'Gate-One');
      expect(added.status).toBe(201);
      // Zed builds Location as <base>/v3/{project_id}/tags/{tag}, without the /projects segment
      // (keystone/api/projects.py ProjectTagResource.put); accept both spellings.
      expect(added.headers['location']).toMatch(new RegExp(`/v3/(projects/)?${project.id}/tags/Gate-One$`));
      expect(added.headers['x-openstack-request-id']).toMatch(/^req-/);
    });
    await test.step('GET /v3/projects/{project_id}/tags/{tag}: 204; other case 404 (tags are case-sensitive)', async () => {
      expectNoContent(await admin.projectTags.check(project.id, 'Gate-One'));
      expectError(await admin.projectTags.check(project.id, 'gate-one'), 404);
    });
    await test.step('GET /v3/projects/{project_id}/tags', async () => {
      const listed = await admin.projectTags.list(project.id);
      expectJson(listed, 200, projectTagsResponseSchema);
      expect(listed.body.tags).toEqual(['Gate-One']);
      // The api-ref documents only `tags`; Zed's links.self is the bare /v3 base
      // (ks_flask.full_url() in _ProjectTagResourceBase.wrap_member), so only its presence is checked.
      expect(listed.body.links.self).toMatch(/^https?:\/\/.+\/v3/);
    });
    await test.step('PUT /v3/projects/{project_id}/tags replaces the list; the project shows it', async () => {
      const replaced = await admin.projectTags.replace(project.id, ['gate-a', 'Gate-A', 'gate-b']);
      expectJson(replaced, 200, projectTagsResponseSchema);
      expect([...replaced.body.tags].sort()).toEqual(['Gate-A', 'gate-a', 'gate-b']);
      expect([...(await admin.projects.show(project.id)).body.project.tags].sort()).toEqual(['Gate-A', 'gate-a', 'gate-b']);
      expectError(await admin.projectTags.check(project.id, 'Gate-One'), 404);
    });
    await test.step('DELETE /v3/projects/{project_id}/tags/{tag} removes only that tag', async () => {
      expectNoContent(await admin.projectTags.remove(project.id, 'gate-a'));
      expect([...(await admin.projectTags.list(project.id)).body.tags].sort()).toEqual(['Gate-A', 'gate-b']);
    });
    await test.step('DELETE /v3/projects/{project_id}/tags clears them all', async () => {
      expectNoContent(await admin.projectTags.clear(project.id));
      expect((await admin.projectTags.list(project.id)).body.tags).toEqual([]);
    });
  });

  test('bad input on tag PUTs: 255 characters per tag, 80 tags per project, no comma or slash, no duplicates; malformed project ids, non-JSON body', testId('6221a85d-7fa7-419d-ae12-295580a3fd87'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('project tags'); await allure.story('PUT /v3/projects/{project_id}/tags[/{tag}]');
    const project = await factory.project();
    // The tag itself is checked by the steps below (`..` is a valid tag): the malformed ids go to the project.
    await sendBadPathIds({ admin, testInfo, cluster }, {
      method: 'PUT', template: '/v3/projects/{project_id}/tags/{tag}', ids: { project_id: project.id, tag: 'gate-bad-input' }, into: 'project_id',
    });
    await test.step('a 255-character tag: 201; 256 characters: 400', async () => {
      expect((await admin.projectTags.add(project.id, 'g'.repeat(255))).status).toBe(201);
      expectError(await admin.projectTags.add(project.id, 'g'.repeat(256)), 400);
    });
    await test.step('a tag with a comma: 400; with a slash (%2F): not routed, 404', async () => {
      expectError(await admin.projectTags.add(project.id, 'gate,comma'), 400);
      // The encoded slash is decoded before routing, so no tag route matches.
      expect((await admin.projectTags.add(project.id, 'gate/slash')).status).toBe(404);
    });
    await test.step('adding a tag the project already has: 400', async () => {
      // Zed appends the tag and validates the list with uniqueItems (ProjectTagResource.put), so
      // a repeated PUT is refused rather than answered idempotently.
      expectError(await admin.projectTags.add(project.id, 'g'.repeat(255)), 400);
    });
    const eighty = Array.from({ length: 80 }, (_, i) => `gate-${i}`);
    await test.step('exactly 80 tags: 200', async () => {
      const r = await admin.projectTags.replace(project.id, eighty);
      expect(r.status).toBe(200);
      expect(r.body.tags).toHaveLength(80);
    });
    await test.step('an 81st tag by PUT .../tags/{tag}: 400, and the list is unchanged', async () => {
      expectError(await admin.projectTags.add(project.id, 'gate-80'), 400);
      expect((await admin.projectTags.list(project.id)).body.tags).toHaveLength(80);
    });
    await test.step('81 tags by PUT .../tags: 400', async () => {
      expectError(await admin.projectTags.replace(project.id, [...eighty, 'gate-80']), 400);
    });
  });

  test('unknown project or tag: 404', testId('e2bcc2d3-586a-40ca-b0f9-e7c20b94b196'), async ({ admin, factory }) => {
    await allure.feature('project tags'); await allure.story('PUT/GET/DELETE /v3/projects/{project_id}/tags[/{tag}]');
    const project = await factory.project();
    await test.step('unknown project on all six operations', async () => {
      expectError(await admin.projectTags.list(UNKNOWN_ID), 404);
      expectError(await admin.projectTags.check(UNKNOWN_ID, 'gate'), 404);
      expectError(await admin.projectTags.add(UNKNOWN_ID, 'gate'), 404);
      expectError(await admin.projectTags.replace(UNKNOWN_ID, ['gate']), 404);
      expectError(await admin.projectTags.remove(UNKNOWN_ID, 'gate'), 404);
      expectError(await admin.projectTags.clear(UNKNOWN_ID), 404);
    });
    await test.step('unknown tag on check and remove', async () => {
      expectError(await admin.projectTags.check(project.id, 'gate-nosuch'), 404);
      expectError(await admin.projectTags.remove(project.id, 'gate-nosuch'), 404);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('2626d584-137d-401f-8f56-d525dc2c0159'), async ({ reader, admin, factory }) => {
    await allure.feature('project tags'); await allure.story('PUT/GET/DELETE /v3/projects/{project_id}/tags[/{tag}]');
    const who = await callers(admin, factory, reader);
    const other = await factory.project({ tags: ['gate'] });
    const own = who.memberProjectId;
    await expectTokenRefusals(who, {
      probe: (ks) => ks.projectTags.list(own),
      member: {
        'member reads the tags of its own project (project user rule)': async (member) => {
          expectJson(await member.projectTags.list(own), 200, projectTagsResponseSchema);
        },
        "member reads another project's tags": async (member) => {
          expectError(await member.projectTags.list(other.id), 403);
          expectError(await member.projectTags.check(other.id, 'gate'), 403);
        },
        'member writes tags, even on its own project': async (member) => {
          expectError(await member.projectTags.add(own, 'gate'), 403);
          expectError(await member.projectTags.replace(own, ['gate']), 403);
          expectError(await member.projectTags.remove(other.id, 'gate'), 403);
          expectError(await member.projectTags.clear(other.id), 403);
        },
      },
    });
  });

  test('bad input on PUT /v3/projects/{project_id}/tags: 4xx, never 5xx', testId('9c219ea6-eb42-4922-85a4-61d7bc06c5e9'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('project tags'); await allure.story('PUT /v3/projects/{project_id}/tags');
    const project = await factory.project();
    const body = (tags: unknown) => ({ tags });
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PUT', path: `/v3/projects/${project.id}/tags`, template: '/v3/projects/{project_id}/tags',
      spec: { memberKey: null, valid: { tags: ['gate'] }, required: 'tags', longField: 'tags', typedField: 'tags' },
      extra: [
        // A 256-character tag and 81 tags are the boundary probes of schema-limits.ts.
        { shape: 'tag-with-comma', json: body(['a,b']) },
        { shape: 'tag-with-slash', json: body(['a/b']) },
        { shape: 'duplicate-tags', json: body(['gate', 'gate']) },
        { shape: 'empty-tag', json: body(['']) },
        { shape: 'tag-not-a-string', json: body([42]) },
        { shape: 'odd-unicode-tag', json: body(['gate-\u0000-\uD800-\u202E-\uFFFF']) },
        { shape: 'invalid-utf8-tag', raw: Buffer.concat([Buffer.from('{"tags": ["gate-'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"]}')]), contentType: 'application/json' },
      ],
      // Keystone reads only `tags` from the body; other top-level keys are ignored.
      accepted: { 'unexpected-property': 'ProjectTagsResource.put reads request_body_json["tags"] only' },
    });
  });
});
