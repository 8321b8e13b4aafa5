import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { expectStatus } from '../../lib/keystone/http.js';
import { randomPassword } from '../../lib/cluster/keys.js';
import { rolesResponseSchema } from '../../lib/keystone/schemas/index.js';
import type { GrantTarget } from '../../lib/keystone/services/role-grants.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, deleteAtPath, expectError, expectJson, expectNoContent, sendBadPathIds, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** Where the malformed ids go on each grant route: role, user, group, project and domain lookups each meet them. */
const BAD_ID_POSITION: Record<string, string> = {
  'projects/users': 'user_id', 'projects/groups': 'group_id', 'domains/users': 'domain_id', 'domains/groups': 'role_id',
};

test.describe('role grants', { tag: ['@role-grants', '@slice'] }, () => {
  test('domain → project → user → role grant round trip, visible in the user\'s token', testId('7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c05'), async ({ admin, factory }) => {
    await allure.feature('grants'); await allure.story('PUT /v3/projects/{project_id}/users/{user_id}/roles/{role_id}');
    const domain = await factory.domain();
    const project = await factory.project({ domain_id: domain.id });
    const password = randomPassword();
    const user = await factory.user({ domain_id: domain.id, password } as never);
    const role = await factory.role();
    const target = { scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id } as const;

    expect((await admin.grants.check(target, role.id)).status).toBe(404);
    expect((await admin.grants.grant(target, role.id)).status).toBe(204);
    factory.defer(`grant ${role.id}`, () => admin.grants.revoke(target, role.id));
    expect((await admin.grants.check(target, role.id)).status).toBe(204);

    const listed = expectStatus(await admin.grants.list(target), 200).body.roles as { id: string }[];
    expect(listed.map((r) => r.id)).toEqual([role.id]);

    const assignments = expectStatus(await admin.roleAssignments.list({ 'user.id': user.id, 'scope.project.id': project.id }), 200).body.role_assignments;
    expect(assignments).toHaveLength(1);
    expect(assignments[0]!.role.id).toBe(role.id);

    // The grant is real: the user can now get a token scoped to the project, carrying the role.
    const token = await admin.tokens.issue(passwordAuthBody({ username: user.name, password, userDomainId: domain.id, projectId: project.id }));
    expect(token.status).toBe(201);
    expect(token.body.token.roles?.map((r) => r.id)).toEqual([role.id]);

    expect((await admin.grants.revoke(target, role.id)).status).toBe(204);
    expect((await admin.grants.check(target, role.id)).status).toBe(404);
  });
});

// The four grant routes (project/domain x user/group): grant, check (HEAD), list, revoke.
test.describe('role grants on projects and domains', { tag: '@role-grants' }, () => {
  test('grant, check, list and revoke for every scope and actor', testId('01fc8092-979f-4e8a-98ae-b13e6a51a04e'), async ({ admin, factory }) => {
    await allure.feature('grants'); await allure.story('PUT/HEAD/GET/DELETE /v3/{projects|domains}/{id}/{users|groups}/{id}/roles[/{role_id}]');
    const { domain, project, user, group, role } = await factory.grantParties();
    const targets: GrantTarget[] = [
      { scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id },
      { scope: 'projects', scopeId: project.id, actor: 'groups', actorId: group.id },
      { scope: 'domains', scopeId: domain.id, actor: 'users', actorId: user.id },
      { scope: 'domains', scopeId: domain.id, actor: 'groups', actorId: group.id },
    ];
    for (const t of targets) {
      await test.step(`/v3/${t.scope}/{id}/${t.actor}/{id}/roles`, async () => {
        expectNoContent(await admin.grants.grant(t, role.id));
        factory.defer(`grant ${t.scope}/${t.actor}`, () => admin.grants.revoke(t, role.id));
        // Granting again is idempotent.
        expectNoContent(await admin.grants.grant(t, role.id));
        expectNoContent(await admin.grants.check(t, role.id));
        const listed = await admin.grants.list(t);
        expectJson(listed, 200, rolesResponseSchema);
        expect(listed.body.roles.map((r: { id: string }) => r.id)).toEqual([role.id]);
        expectNoContent(await admin.grants.revoke(t, role.id));
        expect((await admin.grants.check(t, role.id)).status).toBe(404);
        expect((await admin.grants.list(t)).body.roles).toEqual([]);
      });
    }
  });

  test('bad input on grant PUTs (unknown, malformed or over-long ids, non-JSON body): 4xx, never 5xx; grants that do not exist; role of another domain', testId('7f832d3e-60f8-4f36-9134-2d5297a5ddc3'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('grants'); await allure.story('PUT/HEAD/GET/DELETE /v3/{projects|domains}/{id}/{users|groups}/{id}/roles[/{role_id}]');
    const { domain, project, user, group, role } = await factory.grantParties();
    for (const scope of ['projects', 'domains'] as const) {
      const scopeId = scope === 'projects' ? project.id : domain.id;
      for (const actor of ['users', 'groups'] as const) {
        const actorId = actor === 'users' ? user.id : group.id;
        await test.step(`/v3/${scope}/{id}/${actor}/{id}/roles: 404s`, async () => {
          expectError(await factory.grant({ scope, scopeId: UNKNOWN_ID, actor, actorId }, role.id), 404);
          expectError(await factory.grant({ scope, scopeId, actor, actorId: UNKNOWN_ID }, role.id), 404);
          expectError(await factory.grant({ scope, scopeId, actor, actorId }, UNKNOWN_ID), 404);
          expect((await admin.grants.check({ scope, scopeId, actor, actorId }, role.id)).status).toBe(404);
          expectError(await admin.grants.revoke({ scope, scopeId, actor, actorId }, role.id), 404);
          expectError(await admin.grants.list({ scope, scopeId: UNKNOWN_ID, actor, actorId }), 404);
        });
        await test.step(`/v3/${scope}/{id}/${actor}/{id}/roles/{role_id}: malformed ids, non-JSON body`, async () => {
          const scopeKey = scope === 'projects' ? 'project_id' : 'domain_id';
          const actorKey = actor === 'users' ? 'user_id' : 'group_id';
          await sendBadPathIds({ admin, testInfo, cluster }, {
            method: 'PUT', template: `/v3/${scope}/{${scopeKey}}/${actor}/{${actorKey}}/roles/{role_id}`,
            ids: { [scopeKey]: scopeId, [actorKey]: actorId, role_id: role.id },
            // Each route gets the malformed ids in another position, so every lookup the grant
            // routes make (keystone/api/projects.py, domains.py) meets them once.
            into: BAD_ID_POSITION[`${scope}/${actor}`],
            cleanup: deleteAtPath(admin, factory, 'grant from bad input'),
          });
        });
      }
    }
    await test.step('a domain-specific role of another domain on this project: 403', async () => {
      const otherDomain = await factory.domain();
      const foreignRole = await factory.role({ domain_id: otherDomain.id });
      expectError(await factory.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, foreignRole.id), 403);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('cc07f29d-9f5b-4956-bd4a-3c0e8ddc05dc'), async ({ reader, admin, factory }) => {
    await allure.feature('grants'); await allure.story('PUT/HEAD/GET/DELETE /v3/projects/{project_id}/users/{user_id}/roles[/{role_id}]');
    const who = await callers(admin, factory, reader);
    const role = await factory.role();
    const own: GrantTarget = { scope: 'projects', scopeId: who.memberProjectId, actor: 'users', actorId: who.memberUserId };
    await expectTokenRefusals(who, {
      probe: (ks) => ks.grants.list(own),
      member: {
        'member lists and checks its own grants': async (member) => {
          expectError(await member.grants.list(own), 403);
          expect((await member.grants.check(own, role.id)).status).toBe(403);
        },
        'member grants itself a role, and revokes one': async (member) => {
          const r = await factory.grant(own, role.id, member);
          expectError(r, 403);
          expectError(await member.grants.revoke(own, role.id), 403);
        },
      },
    });
  });
});
