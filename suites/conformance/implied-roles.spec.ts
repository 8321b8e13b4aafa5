import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { impliedRolesResponseSchema, roleInferenceResponseSchema, roleInferencesResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, deleteAtPath, expectError, expectJson, expectNoContent, ids, sendBadPathIds, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// Zed's GET /v3/role_inferences answers {role_inferences: [...]} with no `links`
// (keystone/api/role_inferences.py), unlike other collections: links is not required here.
const roleInferencesSchema = { ...roleInferencesResponseSchema, required: ['role_inferences'] };

/** PUT prior → implied, with the rule's deletion registered whatever the answer. */
async function imply(admin: Keystone, factory: ResourceFactory, priorId: string, impliedId: string) {
  const r = await admin.impliedRoles.create(priorId, impliedId);
  factory.deferIfCreated(r, `rule ${priorId} -> ${impliedId}`, () => admin.impliedRoles.delete(priorId, impliedId));
  return r;
}

test.describe('implied roles', { tag: '@implied-roles' }, () => {
  test('create, get, check, list and delete role inference rules', testId('7f5fd3b2-2ca5-4ae3-9186-fdeae099587b', '@slice'), async ({ admin, factory }) => {
    await allure.feature('implied roles'); await allure.story('PUT/GET/HEAD/DELETE /v3/roles/{prior_role_id}/implies/{implies_role_id}');
    const prior = await factory.role();
    const a = await factory.role();
    const b = await factory.role();

    await test.step('PUT /v3/roles/{prior_role_id}/implies/{implies_role_id}: 201 with the rule', async () => {
      const created = await imply(admin, factory, prior.id, a.id);
      expectJson(created, 201, roleInferenceResponseSchema);
      expect(created.body.role_inference.prior_role).toMatchObject({ id: prior.id, name: prior.name });
      expect(created.body.role_inference.implies).toMatchObject({ id: a.id, name: a.name });
      expect(created.body.links.self).toMatch(new RegExp(`/v3/roles/${prior.id}/implies/${a.id}$`));
    });
    await test.step('GET and HEAD the rule', async () => {
      const shown = await admin.impliedRoles.get(prior.id, a.id);
      expectJson(shown, 200, roleInferenceResponseSchema);
      expect(shown.body.role_inference.implies.id).toBe(a.id);
      // Keystone keeps 204 for HEAD here (keystone/api/roles.py RoleImplicationResource.head).
      expectNoContent(await admin.impliedRoles.check(prior.id, a.id));
    });
    await test.step('GET /v3/roles/{prior_role_id}/implies lists every implied role', async () => {
      expect((await imply(admin, factory, prior.id, b.id)).status).toBe(201);
      const listed = await admin.impliedRoles.list(prior.id);
      expectJson(listed, 200, impliedRolesResponseSchema);
      expect(listed.body.role_inference.prior_role.id).toBe(prior.id);
      expect(ids(listed.body.role_inference.implies)).toEqual(ids([a, b]));
    });
    await test.step('GET /v3/role_inferences includes the rules', async () => {
      const all = await admin.impliedRoles.listAll();
      expectJson(all, 200, roleInferencesSchema);
      const mine = (all.body.role_inferences as { prior_role: { id: string }; implies: { id: string }[] }[]).filter((r) => r.prior_role.id === prior.id);
      expect(mine).toHaveLength(1);
      expect(ids(mine[0]!.implies)).toEqual(ids([a, b]));
    });
    await test.step('DELETE the rule: 204, then GET and HEAD 404', async () => {
      expectNoContent(await admin.impliedRoles.delete(prior.id, a.id));
      expectError(await admin.impliedRoles.get(prior.id, a.id), 404);
      expect((await admin.impliedRoles.check(prior.id, a.id)).status).toBe(404);
      expect(ids((await admin.impliedRoles.list(prior.id)).body.role_inference.implies)).toEqual([b.id]);
    });
  });

  test('rule constraints: duplicate, prohibited implied role, global implying domain-specific, a role implying itself', testId('d5301b45-523c-4b80-ad58-469ddb805a45'), async ({ admin, factory }) => {
    await allure.feature('implied roles'); await allure.story('PUT /v3/roles/{prior_role_id}/implies/{implies_role_id}');
    const prior = await factory.role();
    const a = await factory.role();
    expect((await imply(admin, factory, prior.id, a.id)).status).toBe(201);
    await test.step('the same rule again: 409', async () => {
      expectError(await imply(admin, factory, prior.id, a.id), 409);
    });
    await test.step('implying the admin role (prohibited_implied_role): 403', async () => {
      expectError(await imply(admin, factory, prior.id, await bootstrapRoleId(admin, 'admin')), 403);
    });
    await test.step('a global role implying a domain-specific role: 403', async () => {
      const domain = await factory.domain();
      const domainRole = await factory.role({ domain_id: domain.id });
      expectError(await imply(admin, factory, prior.id, domainRole.id), 403);
    });
    await test.step('a role implying itself: accepted (Zed has no check)', async () => {
      // Zed's create_implied_role (assignment/core.py) checks prohibited names and domain
      // scope only: a self-implication, like a cycle, is stored and answered 201.
      const self = await imply(admin, factory, a.id, a.id);
      expectJson(self, 201, roleInferenceResponseSchema);
      expect(self.body.role_inference.implies.id).toBe(a.id);
    });
  });

  test('unknown roles and rules: 404; bad input on PUT (malformed ids, non-JSON body): 4xx, never 5xx', testId('6dc6d13e-0497-4dc0-bc5d-4d4a910ff352'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('implied roles'); await allure.story('PUT/GET/HEAD/DELETE /v3/roles/{prior_role_id}/implies[/{implies_role_id}]');
    const a = await factory.role();
    const b = await factory.role();
    await test.step('unknown prior or implied role on create', async () => {
      expectError(await imply(admin, factory, UNKNOWN_ID, a.id), 404);
      expectError(await imply(admin, factory, a.id, UNKNOWN_ID), 404);
    });
    await sendBadPathIds({ admin, testInfo, cluster }, {
      method: 'PUT', template: '/v3/roles/{prior_role_id}/implies/{implied_role_id}', ids: { prior_role_id: a.id, implied_role_id: b.id }, into: 'implied_role_id',
      cleanup: deleteAtPath(admin, factory, 'implied role from bad input'),
    });
    await test.step('unknown prior role on list', async () => {
      expectError(await admin.impliedRoles.list(UNKNOWN_ID), 404);
    });
    await test.step('a rule that does not exist: GET, HEAD, DELETE 404', async () => {
      expectError(await admin.impliedRoles.get(a.id, b.id), 404);
      expect((await admin.impliedRoles.check(a.id, b.id)).status).toBe(404);
      expectError(await admin.impliedRoles.delete(a.id, b.id), 404);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('973bf227-5d54-459d-b821-0e232766171a'), async ({ reader, admin, factory }) => {
    await allure.feature('implied roles'); await allure.story('PUT/GET/HEAD/DELETE /v3/roles/{prior_role_id}/implies, GET /v3/role_inferences');
    const who = await callers(admin, factory, reader);
    const prior = await factory.role();
    const a = await factory.role();
    const b = await factory.role();
    expect((await imply(admin, factory, prior.id, a.id)).status).toBe(201);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.impliedRoles.listAll(),
      member: {
        'member reads rules': async (member) => {
          expectError(await member.impliedRoles.listAll(), 403);
          expectError(await member.impliedRoles.list(prior.id), 403);
          expectError(await member.impliedRoles.get(prior.id, a.id), 403);
          expect((await member.impliedRoles.check(prior.id, a.id)).status).toBe(403);
        },
        'member creates and deletes rules': async (member) => {
          const r = await member.impliedRoles.create(prior.id, b.id);
          factory.deferIfCreated(r, 'rule', () => admin.impliedRoles.delete(prior.id, b.id));
          expectError(r, 403);
          expectError(await member.impliedRoles.delete(prior.id, a.id), 403);
        },
      },
    });
  });
});
