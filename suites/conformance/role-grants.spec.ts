import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { expectStatus } from '../../lib/keystone/http.js';
import { randomPassword } from '../../lib/cluster/keys.js';

test.describe('role grants @role-grants @slice', () => {
  test('domain → project → user → role grant round trip, visible in the user\'s token', { annotation: { type: 'id', description: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c05' } }, async ({ admin, factory }) => {
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
