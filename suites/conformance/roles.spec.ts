import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { roleResponseSchema, rolesResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, expectPathIdsRejected, ids, sendBadBodies, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('roles', { tag: '@roles' }, () => {
  test('create, show, filter, update and delete a global role', testId('37c1b96b-e779-4b7a-bb60-b2ab79d147dd', '@slice'), async ({ admin, factory }) => {
    await allure.feature('roles'); await allure.story('POST/GET/PATCH/DELETE /v3/roles');
    const name = factory.name('role');
    const created = await admin.roles.create({ name, description: 'gate role' });
    factory.deferIfCreated(created, (body) => `role ${body.role.id}`, (body) => admin.roles.delete(body.role.id));
    expectJson(created, 201, roleResponseSchema);
    const role = created.body.role;
    expect(role).toMatchObject({ name, description: 'gate role', domain_id: null });
    expect(role.links.self).toMatch(new RegExp(`/v3/roles/${role.id}$`));

    await test.step('GET /v3/roles/{role_id} (and HEAD)', async () => {
      const shown = await admin.roles.show(role.id);
      expectJson(shown, 200, roleResponseSchema);
      expect(shown.body.role).toEqual(role);
      expect((await admin.roles.head(role.id)).status).toBe(200);
    });
    await test.step('GET /v3/roles?name=', async () => {
      const byName = await admin.roles.list({ name });
      expectJson(byName, 200, rolesResponseSchema);
      expect(ids(byName.body.roles)).toEqual([role.id]);
    });
    await test.step('PATCH /v3/roles/{role_id}', async () => {
      const newName = factory.name('role');
      const updated = await admin.roles.update(role.id, { name: newName, description: 'gate role, updated' });
      expectJson(updated, 200, roleResponseSchema);
      expect(updated.body.role).toMatchObject({ id: role.id, name: newName, description: 'gate role, updated' });
    });
    await test.step('DELETE /v3/roles/{role_id}, then 404', async () => {
      expectNoContent(await admin.roles.delete(role.id));
      expectError(await admin.roles.show(role.id), 404);
    });
  });

  test('domain-specific roles: domain_id filter, kept out of the global list, names per domain', testId('0f279e70-1e6f-40c3-82bd-2bd88b8d8120'), async ({ admin, factory }) => {
    await allure.feature('roles'); await allure.story('POST/GET /v3/roles (domain_id)');
    const domain = await factory.domain();
    const name = factory.name('role');
    const created = await admin.roles.create({ name, domain_id: domain.id });
    factory.deferIfCreated(created, (body) => `role ${body.role.id}`, (body) => admin.roles.delete(body.role.id));
    expectJson(created, 201, roleResponseSchema);
    const domainRole = created.body.role;
    expect(domainRole.domain_id).toBe(domain.id);

    await test.step('GET /v3/roles?domain_id= lists it', async () => {
      const r = await admin.roles.list({ domain_id: domain.id });
      expectJson(r, 200, rolesResponseSchema);
      expect(ids(r.body.roles)).toEqual([domainRole.id]);
    });
    await test.step('GET /v3/roles?name= (no domain_id) lists global roles only', async () => {
      expect((await admin.roles.list({ name })).body.roles).toEqual([]);
    });
    await test.step('a global role of the same name: 201; a second one in the same domain: 409', async () => {
      const global = await admin.roles.create({ name });
      factory.deferIfCreated(global, (body) => `role ${body.role.id}`, (body) => admin.roles.delete(body.role.id));
      expectJson(global, 201, roleResponseSchema);
      const dup = await admin.roles.create({ name, domain_id: domain.id });
      factory.deferIfCreated(dup, 'duplicate role', (body) => admin.roles.delete(body.role.id));
      expectError(dup, 409);
    });
  });

  test('immutable option: update and delete refused until the option is cleared', testId('4d9271b6-dcb2-4deb-9689-d1b82c31793d'), async ({ admin, factory }) => {
    await allure.feature('roles'); await allure.story('PATCH/DELETE /v3/roles/{role_id} (options.immutable)');
    const role = await factory.role({ options: { immutable: true } });
    // Runs before the factory's delete if the test stops early.
    factory.defer(`clear immutable on role ${role.id}`, () => admin.roles.update(role.id, { options: { immutable: false } }));
    expect(role.options).toMatchObject({ immutable: true });
    expectError(await admin.roles.update(role.id, { description: 'x' }), 403);
    expectError(await admin.roles.delete(role.id), 403);
    const cleared = await admin.roles.update(role.id, { options: { immutable: false } });
    expectJson(cleared, 200, roleResponseSchema);
    expectNoContent(await admin.roles.delete(role.id));
  });

  test('unknown ids, ids with path characters, duplicate names', testId('a5bd3a4a-9270-49b1-85e1-3e4bf2e40b4e'), async ({ admin, factory }) => {
    await allure.feature('roles'); await allure.story('GET/PATCH/DELETE /v3/roles/{role_id}, POST /v3/roles');
    await test.step('404 on show, update and delete', async () => {
      expectError(await admin.roles.show(UNKNOWN_ID), 404);
      expectError(await admin.roles.update(UNKNOWN_ID, { description: 'x' }), 404);
      expectError(await admin.roles.delete(UNKNOWN_ID), 404);
    });
    await expectPathIdsRejected(admin, '/v3/roles', 'role');
    await test.step('a second global role with the same name: 409', async () => {
      const role = await factory.role();
      const dup = await admin.roles.create({ name: role.name });
      factory.deferIfCreated(dup, 'duplicate role', (body) => admin.roles.delete(body.role.id));
      expectError(dup, 409);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('13050824-2a4e-4342-916e-2fba997a0298'), async ({ reader, admin, factory }) => {
    await allure.feature('roles'); await allure.story('GET/POST/PATCH/DELETE /v3/roles');
    const who = await callers(admin, factory, reader);
    const role = await factory.role();
    await expectTokenRefusals(who, {
      probe: (ks) => ks.roles.list(),
      member: {
        'member lists and shows roles': async (member) => {
          expectError(await member.roles.list(), 403);
          expectError(await member.roles.show(role.id), 403);
        },
        'member creates, updates, deletes a role': async (member) => {
          const r = await member.roles.create({ name: factory.name('role') });
          factory.deferIfCreated(r, 'role', (body) => admin.roles.delete(body.role.id));
          expectError(r, 403);
          expectError(await member.roles.update(role.id, { description: 'x' }), 403);
          expectError(await member.roles.delete(role.id), 403);
        },
      },
    });
  });

  test('bad input on POST /v3/roles: 4xx, never 5xx', testId('e866aee2-60e4-474d-a33d-425b7be77cae'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story('POST /v3/roles');
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/roles', template: '/v3/roles',
      spec: { memberKey: 'role', valid: { name: factory.name('role'), description: 'gate' }, required: 'name', longField: 'name', typedField: 'description' },
      extra: [
        { shape: 'unknown-option', json: { role: { name: factory.name('role'), options: { gate_nosuch_option: true } } } },
        { shape: 'unknown-domain', json: { role: { name: factory.name('role'), domain_id: UNKNOWN_ID } } },
      ],
      accepted: { 'unexpected-property': 'role_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('role from bad input', () => admin.roles.delete(r.body.role.id)),
    });
  });

  test('bad input on PATCH /v3/roles/{role_id}: 4xx, never 5xx', testId('2b3612bb-4088-4180-8d49-20df4ce96673'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('roles'); await allure.story('PATCH /v3/roles/{role_id}');
    const role = await factory.role();
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/roles/${role.id}`, template: '/v3/roles/{role_id}',
      spec: { memberKey: 'role', valid: { name: factory.name('role'), description: 'gate' }, longField: 'name', typedField: 'description' },
      extra: [{ shape: 'immutable-not-boolean', json: { role: { options: { immutable: 'yes' } } } }],
      accepted: { 'unexpected-property': 'role_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
