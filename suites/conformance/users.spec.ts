import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { randomPassword } from '../../lib/cluster/keys.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { groupsResponseSchema, projectsResponseSchema, userResponseSchema, usersResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, expectPathIdsRejected, ids, sendBadBodies, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('users', { tag: '@users' }, () => {
  test('create, show, filter, update and delete a user', testId('dbedab59-bd5e-47be-a7c5-b81cb3cdc6e4', '@slice'), async ({ admin, factory }) => {
    await allure.feature('users'); await allure.story('POST/GET/PATCH/DELETE /v3/users');
    // A fresh domain makes the domain_id filter exact.
    const domain = await factory.domain();
    const name = factory.name('user');
    const created = await admin.users.create({ name, domain_id: domain.id, description: 'gate user', enabled: true, password: randomPassword(), email: 'gate@example.test' });
    factory.deferIfCreated(created, (body) => `user ${body.user.id}`, (body) => admin.users.delete(body.user.id));
    expectJson(created, 201, userResponseSchema);
    const user = created.body.user;
    // Unknown attributes (email) are stored as extras and returned; the password never is.
    expect(user).toMatchObject({ name, domain_id: domain.id, description: 'gate user', enabled: true, email: 'gate@example.test' });
    expect(user).not.toHaveProperty('password');
    expect(user.links.self).toMatch(new RegExp(`/v3/users/${user.id}$`));

    await test.step('GET /v3/users/{user_id} (and HEAD)', async () => {
      const shown = await admin.users.show(user.id);
      expectJson(shown, 200, userResponseSchema);
      expect(shown.body.user).toEqual(user);
      const head = await admin.users.head(user.id);
      expect(head.status).toBe(200);
      expect(head.body).toBeNull();
    });

    await test.step('GET /v3/users?name=, ?domain_id=, ?enabled=', async () => {
      // With domain-specific drivers enabled, a list without domain_id is limited to the
      // token's domain (ks_flask _get_domain_id_for_list_request), so name goes with domain_id.
      const byName = await admin.users.list({ name, domain_id: domain.id });
      expectJson(byName, 200, usersResponseSchema);
      expect(ids(byName.body.users)).toEqual([user.id]);
      expect(ids((await admin.users.list({ domain_id: domain.id })).body.users)).toEqual([user.id]);
      expect((await admin.users.list({ domain_id: domain.id, enabled: false })).body.users).toEqual([]);
    });

    await test.step('PATCH /v3/users/{user_id} changes only what it names', async () => {
      const updated = await admin.users.update(user.id, { description: 'gate user, updated', enabled: false });
      expectJson(updated, 200, userResponseSchema);
      expect(updated.body.user).toMatchObject({ id: user.id, name, domain_id: domain.id, description: 'gate user, updated', enabled: false, email: 'gate@example.test' });
      expect(ids((await admin.users.list({ domain_id: domain.id, enabled: false })).body.users)).toEqual([user.id]);
    });

    await test.step('DELETE /v3/users/{user_id}, then 404', async () => {
      expectNoContent(await admin.users.delete(user.id));
      expectError(await admin.users.show(user.id), 404);
    });
  });

  test("a user's groups and projects, with filters", testId('63b980ea-009d-4cd1-ba5d-3c8728e981d8'), async ({ admin, factory }) => {
    await allure.feature('users'); await allure.story('GET /v3/users/{user_id}/groups, GET /v3/users/{user_id}/projects');
    const domain = await factory.domain();
    const user = await factory.user({ domain_id: domain.id });
    const group = await factory.group({ domain_id: domain.id });
    const project = await factory.project({ domain_id: domain.id });
    const role = await factory.role();
    expectNoContent(await admin.groups.addUser(group.id, user.id));
    expectNoContent(await admin.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, role.id));

    await test.step('GET /v3/users/{user_id}/groups (?name=)', async () => {
      const groups = await admin.users.groups(user.id);
      expectJson(groups, 200, groupsResponseSchema);
      expect(ids(groups.body.groups)).toEqual([group.id]);
      expect(ids((await admin.users.groups(user.id, { query: { name: group.name } })).body.groups)).toEqual([group.id]);
      expect((await admin.users.groups(user.id, { query: { name: factory.name('nosuch') } })).body.groups).toEqual([]);
    });

    await test.step('GET /v3/users/{user_id}/projects (?name=, ?enabled=)', async () => {
      const projects = await admin.users.projects(user.id);
      expectJson(projects, 200, projectsResponseSchema);
      expect(ids(projects.body.projects)).toEqual([project.id]);
      expect(ids((await admin.users.projects(user.id, { query: { name: project.name } })).body.projects)).toEqual([project.id]);
      expect((await admin.users.projects(user.id, { query: { enabled: false } })).body.projects).toEqual([]);
    });
  });

  test('change own password: wrong original 401, then 204, new password works, old does not', testId('cc297b61-e157-453a-8175-b324fe39851e'), async ({ admin, factory }) => {
    await allure.feature('users'); await allure.story('POST /v3/users/{user_id}/password');
    const password = randomPassword();
    const user = await factory.user({ password });
    const newPassword = randomPassword();
    // The route is unenforced (keystone/api/users.py): the original password is the credential.
    const anonymous = admin.as(async () => null);
    await test.step('wrong original password: 401', async () => {
      expectError(await anonymous.users.changePassword(user.id, 'not-the-password', newPassword), 401);
    });
    await test.step('right original password: 204', async () => {
      expectNoContent(await anonymous.users.changePassword(user.id, password, newPassword));
    });
    await test.step('the new password authenticates, the old one no longer does', async () => {
      const auth = (p: string) => admin.tokens.issue(passwordAuthBody({ username: user.name, userId: user.id, password: p }, true), { nocatalog: true });
      expect((await auth(newPassword)).status).toBe(201);
      expectError(await auth(password), 401);
    });
  });

  test('unknown ids, ids with path characters, duplicate names', testId('43c881bf-f1b6-4578-93bd-1e30ab5d5502'), async ({ admin, factory }) => {
    await allure.feature('users'); await allure.story('GET/PATCH/DELETE /v3/users/{user_id}, POST /v3/users');
    await test.step('404 on show, update, delete and group listing', async () => {
      expectError(await admin.users.show(UNKNOWN_ID), 404);
      expectError(await admin.users.update(UNKNOWN_ID, { description: 'x' }), 404);
      expectError(await admin.users.delete(UNKNOWN_ID), 404);
      expectError(await admin.users.groups(UNKNOWN_ID), 404);
      expectError(await admin.users.projects(UNKNOWN_ID), 404);
    });
    await test.step('password change of an unknown user: 401', async () => {
      // Zed authenticates first (identity/core.py change_password) and answers 401 whatever failed,
      // which does not reveal whether the user exists.
      expectError(await admin.as(async () => null).users.changePassword(UNKNOWN_ID, 'x', 'y'), 401);
    });
    await expectPathIdsRejected(admin, '/v3/users', 'user');
    await test.step('a second user with the same name in the same domain: 409', async () => {
      const user = await factory.user();
      const dup = await admin.users.create({ name: user.name, domain_id: user.domain_id });
      factory.deferIfCreated(dup, 'duplicate user', (body) => admin.users.delete(body.user.id));
      expectError(dup, 409);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('2aa33545-cd1e-489e-8e0d-38bbd899dcff'), async ({ reader, admin, factory }) => {
    await allure.feature('users'); await allure.story('GET/POST/PATCH/DELETE /v3/users');
    const who = await callers(admin, factory, reader);
    const other = await factory.user();
    await expectTokenRefusals(who, {
      probe: (ks) => ks.users.list(),
      member: {
        'member may show itself (owner rule)': async (member) => expectJson(await member.users.show(who.memberUserId), 200, userResponseSchema),
        'member lists users': async (member) => expectError(await member.users.list(), 403),
        'member shows another user': async (member) => expectError(await member.users.show(other.id), 403),
        "member lists another user's groups and projects": async (member) => {
          expectError(await member.users.groups(other.id), 403);
          expectError(await member.users.projects(other.id), 403);
        },
        'member creates a user': async (member) => {
          const r = await member.users.create({ name: factory.name('user') });
          factory.deferIfCreated(r, 'user', (body) => admin.users.delete(body.user.id));
          expectError(r, 403);
        },
        'member updates and deletes another user': async (member) => {
          expectError(await member.users.update(other.id, { description: 'x' }), 403);
          expectError(await member.users.delete(other.id), 403);
        },
      },
    });
  });

  test('bad input on POST /v3/users: 4xx, never 5xx', testId('b61c8038-ef19-4a85-9b14-f14206936370'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story('POST /v3/users');
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/users', template: '/v3/users',
      spec: { memberKey: 'user', valid: { name: factory.name('user'), description: 'gate' }, required: 'name', longField: 'name', typedField: 'enabled' },
      accepted: { 'unexpected-property': 'user_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('user from bad input', () => admin.users.delete(r.body.user.id)),
    });
  });

  test('bad input on PATCH /v3/users/{user_id}: 4xx, never 5xx', testId('18c110aa-9e96-4451-93ad-1f54ffda3184'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story('PATCH /v3/users/{user_id}');
    const user = await factory.user();
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/users/${user.id}`, template: '/v3/users/{user_id}',
      spec: { memberKey: 'user', valid: { name: factory.name('user'), description: 'gate' }, longField: 'name', typedField: 'enabled' },
      accepted: { 'unexpected-property': 'user_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });

  test('bad input on POST /v3/users/{user_id}/password: 4xx, never 5xx', testId('40549a53-d768-4949-b2e9-439b9ac3434d'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('users'); await allure.story('POST /v3/users/{user_id}/password');
    const password = randomPassword();
    const user = await factory.user({ password });
    // With the right original password, only the malformation stands between the request and a change.
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'POST', path: `/v3/users/${user.id}/password`, template: '/v3/users/{user_id}/password',
      spec: { memberKey: 'user', valid: { original_password: password, password: randomPassword() }, required: 'password', typedField: 'password' },
      // The control changes the password; the shapes keep the old one and fail validation first (400).
      createsNothing: 'changes the password of a user the factory deletes',
    });
  });
});
