import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { roleAssignmentsResponseSchema, rolesResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, deleteAtPath, expectError, expectJson, expectNoContent, sendBadPathIds, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// Only fresh, powerless roles are granted on the system here: never admin or reader, which would
// give the test users real system-wide rights on a shared cloud.
test.describe('system role grants', { tag: '@system-roles' }, () => {
  for (const actor of ['users', 'groups'] as const) {
    const details = actor === 'users' ? testId('a86a14dc-6afd-4b16-a3dc-8151446d6a1a', '@slice') : testId('3ad51877-9e4b-4737-b72d-9ed493217e1e');
    test(`grant, check (HEAD and GET), list and revoke a system role of ${actor}`, details, async ({ admin, factory }) => {
      await allure.feature('system roles'); await allure.story(`PUT/HEAD/GET/DELETE /v3/system/${actor}/{id}/roles[/{role_id}]`);
      const actorId = actor === 'users' ? (await factory.user()).id : (await factory.group()).id;
      const role = await factory.role();

      await test.step(`PUT /v3/system/${actor}/{id}/roles/{role_id}: 204`, async () => {
        expectNoContent(await admin.grants.grantSystem(actor, actorId, role.id));
        factory.defer(`system grant of ${actorId}`, () => admin.grants.revokeSystem(actor, actorId, role.id));
      });
      await test.step('HEAD and GET on the grant: 204', async () => {
        expectNoContent(await admin.grants.checkSystem(actor, actorId, role.id));
        expectNoContent(await admin.grants.getSystem(actor, actorId, role.id));
      });
      await test.step(`GET /v3/system/${actor}/{id}/roles`, async () => {
        const listed = await admin.grants.listSystem(actor, actorId);
        expectJson(listed, 200, rolesResponseSchema);
        expect(listed.body.roles.map((r: { id: string }) => r.id)).toEqual([role.id]);
      });
      await test.step('GET /v3/role_assignments?scope.system=all shows it with the system scope', async () => {
        const key = actor === 'users' ? 'user.id' : 'group.id';
        const r = await admin.roleAssignments.list({ 'scope.system': 'all', [key]: actorId });
        expectJson(r, 200, roleAssignmentsResponseSchema);
        expect(r.body.role_assignments).toHaveLength(1);
        expect(r.body.role_assignments[0]).toMatchObject({ role: { id: role.id }, scope: { system: { all: true } } });
      });
      await test.step(`DELETE /v3/system/${actor}/{id}/roles/{role_id}: 204, then 404`, async () => {
        expectNoContent(await admin.grants.revokeSystem(actor, actorId, role.id));
        expect((await admin.grants.checkSystem(actor, actorId, role.id)).status).toBe(404);
        expectError(await admin.grants.getSystem(actor, actorId, role.id), 404);
        expect((await admin.grants.listSystem(actor, actorId)).body.roles).toEqual([]);
      });
    });
  }

  test('unknown actor or role, grants that do not exist: 404; bad input on system grant PUTs (malformed ids, non-JSON body): 4xx, never 5xx', testId('81c2df88-bd3f-4224-bf42-2ca953b8ad0e'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('system roles'); await allure.story('PUT/HEAD/GET/DELETE /v3/system/{users|groups}/{id}/roles[/{role_id}]');
    const user = await factory.user();
    const group = await factory.group();
    const role = await factory.role();
    for (const [actor, actorId] of [['users', user.id], ['groups', group.id]] as const) {
      await test.step(`/v3/system/${actor}/{id}/roles`, async () => {
        const put = async (id: string, roleId: string) => {
          const r = await admin.grants.grantSystem(actor, id, roleId);
          factory.deferIfCreated(r, 'system grant', () => admin.grants.revokeSystem(actor, id, roleId), 204);
          return r;
        };
        expectError(await put(UNKNOWN_ID, role.id), 404);
        expectError(await put(actorId, UNKNOWN_ID), 404);
        expectError(await admin.grants.listSystem(actor, UNKNOWN_ID), 404);
        expect((await admin.grants.checkSystem(actor, actorId, role.id)).status).toBe(404);
        expectError(await admin.grants.getSystem(actor, actorId, role.id), 404);
        expectError(await admin.grants.revokeSystem(actor, actorId, role.id), 404);
      });
      // The malformed ids go to the actor on one route and to the role on the other.
      const actorKey = actor === 'users' ? 'user_id' : 'group_id';
      await sendBadPathIds({ admin, testInfo, cluster }, {
        method: 'PUT', template: `/v3/system/${actor}/{${actorKey}}/roles/{role_id}`, ids: { [actorKey]: actorId, role_id: role.id },
        into: actor === 'users' ? 'user_id' : 'role_id',
        cleanup: deleteAtPath(admin, factory, 'system grant from bad input'),
      });
    }
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('b0c995bf-2a71-428c-96e5-617ffd4b7661'), async ({ reader, admin, factory }) => {
    await allure.feature('system roles'); await allure.story('PUT/HEAD/GET/DELETE /v3/system/{users|groups}/{id}/roles[/{role_id}]');
    const who = await callers(admin, factory, reader);
    const group = await factory.group();
    const role = await factory.role();
    await expectTokenRefusals(who, {
      probe: (ks) => ks.grants.listSystem('users', who.memberUserId),
      member: {
        'member reads its own and a group\'s system grants': async (member) => {
          expectError(await member.grants.listSystem('users', who.memberUserId), 403);
          expectError(await member.grants.getSystem('users', who.memberUserId, role.id), 403);
          expect((await member.grants.checkSystem('users', who.memberUserId, role.id)).status).toBe(403);
          expectError(await member.grants.listSystem('groups', group.id), 403);
          expectError(await member.grants.getSystem('groups', group.id, role.id), 403);
          expect((await member.grants.checkSystem('groups', group.id, role.id)).status).toBe(403);
        },
        'member grants itself and a group a system role, and revokes': async (member) => {
          for (const [actor, id] of [['users', who.memberUserId], ['groups', group.id]] as const) {
            const r = await member.grants.grantSystem(actor, id, role.id);
            factory.deferIfCreated(r, 'system grant', () => admin.grants.revokeSystem(actor, id, role.id), 204);
            expectError(r, 403);
            expectError(await member.grants.revokeSystem(actor, id, role.id), 403);
          }
        },
      },
    });
  });
});
