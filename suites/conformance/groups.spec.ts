import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { groupResponseSchema, groupsResponseSchema, usersResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, deleteAtPath, expectError, expectJson, expectNoContent, expectPathIdsRejected, ids, sendBadBodies, sendBadPathIds, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('groups', { tag: '@groups' }, () => {
  test('create, show, filter, update and delete a group', testId('f20b2d83-c94e-4918-b706-b549be1459bd', '@slice'), async ({ admin, factory }) => {
    await allure.feature('groups'); await allure.story('POST/GET/PATCH/DELETE /v3/groups');
    const domain = await factory.domain();
    const name = factory.name('group');
    const created = await admin.groups.create({ name, domain_id: domain.id, description: 'gate group' });
    factory.deferIfCreated(created, (body) => `group ${body.group.id}`, (body) => admin.groups.delete(body.group.id));
    expectJson(created, 201, groupResponseSchema);
    const group = created.body.group;
    expect(group).toMatchObject({ name, domain_id: domain.id, description: 'gate group' });
    expect(group.links.self).toMatch(new RegExp(`/v3/groups/${group.id}$`));

    await test.step('GET /v3/groups/{group_id} (and HEAD)', async () => {
      const shown = await admin.groups.show(group.id);
      expectJson(shown, 200, groupResponseSchema);
      expect(shown.body.group).toEqual(group);
      expect((await admin.groups.head(group.id)).status).toBe(200);
    });

    await test.step('GET /v3/groups?name=, ?domain_id=', async () => {
      // With domain-specific drivers enabled, a list without domain_id is limited to the
      // token's domain (ks_flask _get_domain_id_for_list_request), so name goes with domain_id.
      const byName = await admin.groups.list({ name, domain_id: domain.id });
      expectJson(byName, 200, groupsResponseSchema);
      expect(ids(byName.body.groups)).toEqual([group.id]);
      expect(ids((await admin.groups.list({ domain_id: domain.id })).body.groups)).toEqual([group.id]);
      expect((await admin.groups.list({ domain_id: domain.id, name: factory.name('nosuch') })).body.groups).toEqual([]);
    });

    await test.step('PATCH /v3/groups/{group_id}', async () => {
      const newName = factory.name('group');
      const updated = await admin.groups.update(group.id, { name: newName, description: 'gate group, updated' });
      expectJson(updated, 200, groupResponseSchema);
      expect(updated.body.group).toMatchObject({ id: group.id, name: newName, domain_id: domain.id, description: 'gate group, updated' });
    });

    await test.step('DELETE /v3/groups/{group_id}, then 404', async () => {
      expectNoContent(await admin.groups.delete(group.id));
      expectError(await admin.groups.show(group.id), 404);
    });
  });

  test('membership: add, check, list with filters, remove', testId('d816aa67-bf65-4e8f-86c3-c8a993a86341'), async ({ admin, factory }) => {
    await allure.feature('group membership'); await allure.story('PUT/HEAD/GET/DELETE /v3/groups/{group_id}/users[/{user_id}]');
    const group = await factory.group();
    const member = await factory.user({ enabled: true });
    const outsider = await factory.user();

    await test.step('PUT /v3/groups/{group_id}/users/{user_id}: 204, and again 204 (idempotent)', async () => {
      expectNoContent(await admin.groups.addUser(group.id, member.id));
      expectNoContent(await admin.groups.addUser(group.id, member.id));
    });
    await test.step('HEAD /v3/groups/{group_id}/users/{user_id}: 204 for a member, 404 for a non-member', async () => {
      expect((await admin.groups.checkUser(group.id, member.id)).status).toBe(204);
      expect((await admin.groups.checkUser(group.id, outsider.id)).status).toBe(404);
    });
    await test.step('GET /v3/groups/{group_id}/users (?name=, ?enabled=)', async () => {
      const listed = await admin.groups.listUsers(group.id);
      expectJson(listed, 200, usersResponseSchema);
      expect(ids(listed.body.users)).toEqual([member.id]);
      expect(ids((await admin.groups.listUsers(group.id, { query: { name: member.name } })).body.users)).toEqual([member.id]);
      expect((await admin.groups.listUsers(group.id, { query: { enabled: false } })).body.users).toEqual([]);
    });
    await test.step('DELETE /v3/groups/{group_id}/users/{user_id}: 204, then HEAD 404 and DELETE 404', async () => {
      expectNoContent(await admin.groups.removeUser(group.id, member.id));
      expect((await admin.groups.checkUser(group.id, member.id)).status).toBe(404);
      expectError(await admin.groups.removeUser(group.id, member.id), 404);
    });
  });

  test('unknown ids, ids with path characters, duplicate names; bad input on PUT membership (malformed ids, non-JSON body): 4xx, never 5xx', testId('0668ae53-313e-4c2a-bf42-9d15543d5100'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('groups'); await allure.story('GET/PATCH/DELETE /v3/groups/{group_id}, membership');
    const group = await factory.group();
    const user = await factory.user();
    await test.step('404 on show, update, delete and member listing of an unknown group', async () => {
      expectError(await admin.groups.show(UNKNOWN_ID), 404);
      expectError(await admin.groups.update(UNKNOWN_ID, { description: 'x' }), 404);
      expectError(await admin.groups.delete(UNKNOWN_ID), 404);
      expectError(await admin.groups.listUsers(UNKNOWN_ID), 404);
    });
    await test.step('membership with an unknown group or user: 404', async () => {
      expectError(await admin.groups.addUser(UNKNOWN_ID, user.id), 404);
      expectError(await admin.groups.addUser(group.id, UNKNOWN_ID), 404);
      expect((await admin.groups.checkUser(group.id, UNKNOWN_ID)).status).toBe(404);
      expectError(await admin.groups.removeUser(UNKNOWN_ID, user.id), 404);
    });
    await sendBadPathIds({ admin, testInfo, cluster }, {
      method: 'PUT', template: '/v3/groups/{group_id}/users/{user_id}', ids: { group_id: group.id, user_id: user.id }, into: 'user_id',
      cleanup: deleteAtPath(admin, factory, 'membership from bad input'),
    });
    await expectPathIdsRejected(admin, '/v3/groups', 'group');
    await test.step('a second group with the same name in the same domain: 409', async () => {
      const dup = await admin.groups.create({ name: group.name, domain_id: group.domain_id });
      factory.deferIfCreated(dup, 'duplicate group', (body) => admin.groups.delete(body.group.id));
      expectError(dup, 409);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('c529ae73-b1f5-44e9-9f47-2066d24f5f81'), async ({ reader, admin, factory }) => {
    await allure.feature('groups'); await allure.story('GET/POST/PATCH/DELETE /v3/groups, membership');
    const who = await callers(admin, factory, reader);
    const group = await factory.group();
    await expectTokenRefusals(who, {
      probe: (ks) => ks.groups.list(),
      member: {
        'member lists and shows groups': async (member) => {
          expectError(await member.groups.list(), 403);
          expectError(await member.groups.show(group.id), 403);
        },
        'member creates, updates, deletes a group': async (member) => {
          const r = await member.groups.create({ name: factory.name('group') });
          factory.deferIfCreated(r, 'group', (body) => admin.groups.delete(body.group.id));
          expectError(r, 403);
          expectError(await member.groups.update(group.id, { description: 'x' }), 403);
          expectError(await member.groups.delete(group.id), 403);
        },
        'member adds itself, checks, lists and removes membership': async (member) => {
          const added = await member.groups.addUser(group.id, who.memberUserId);
          factory.deferIfCreated(added, 'membership', () => admin.groups.removeUser(group.id, who.memberUserId), 204);
          expectError(added, 403);
          expect((await member.groups.checkUser(group.id, who.memberUserId)).status).toBe(403);
          expectError(await member.groups.listUsers(group.id), 403);
          expectError(await member.groups.removeUser(group.id, who.memberUserId), 403);
        },
      },
    });
  });

  test('bad input on POST /v3/groups: 4xx, never 5xx', testId('1ef65b90-e8ed-4725-bb3c-bf9a36bee778'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('groups'); await allure.story('POST /v3/groups');
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/groups', template: '/v3/groups',
      spec: { memberKey: 'group', valid: { name: factory.name('group'), description: 'gate' }, required: 'name', longField: 'name', typedField: 'description' },
      accepted: { 'unexpected-property': 'group_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('group from bad input', () => admin.groups.delete(r.body.group.id)),
    });
  });

  test('bad input on PATCH /v3/groups/{group_id}: 4xx, never 5xx', testId('a602d24e-1ba7-4097-981f-629b3652d911'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('groups'); await allure.story('PATCH /v3/groups/{group_id}');
    const group = await factory.group();
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/groups/${group.id}`, template: '/v3/groups/{group_id}',
      spec: { memberKey: 'group', valid: { name: factory.name('group'), description: 'gate' }, longField: 'name', typedField: 'description' },
      accepted: { 'unexpected-property': 'group_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
