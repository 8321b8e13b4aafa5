import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { runBadInputMatrix } from '../../lib/conformance/bad-input-matrix.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { authBody, passwordAuthBody, passwordIdentity, tokenAuthBody } from '../../lib/keystone/credentials.js';
import { expectStatus, type KsResponse } from '../../lib/keystone/http.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import {
  assertSchema, tokenResponseSchema, trustResponseSchema, trustRoleResponseSchema, trustRolesResponseSchema, trustsResponseSchema,
} from '../../lib/keystone/schemas/index.js';
import { issuedToken, subjectToken } from '../../lib/keystone/services/tokens.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * OS-TRUST: create (the caller must be the trustor), list (?trustor_user_id, ?trustee_user_id),
 * show, delete, the delegated roles (list, HEAD, GET), and what a trust is for: the trustee's
 * trust-scoped token, which carries the trust and dies with it.
 */


const err = (r: KsResponse, status: number) => { expect(r.status).toBe(status); expect(r.body?.error?.code).toBe(status); };

/** Trustor (member of a project) and trustee (no roles), each with a client on its own token. */
async function parties(admin: Keystone, factory: ResourceFactory) {
  const roleId = await bootstrapRoleId(admin, 'member');
  const project = await factory.project();
  const trustor = await factory.userWithRole(project.id, roleId);
  const trusteePassword = factory.name('pw');
  const trustee = await factory.user({ password: trusteePassword });
  const trustorToken = await issuedToken(admin.tokens, passwordAuthBody({ username: trustor.user.name, userId: trustor.user.id, password: trustor.password, projectId: project.id }));
  const trusteeToken = await issuedToken(admin.tokens, authBody(passwordIdentity({ userId: trustee.id, password: trusteePassword }), 'unscoped'));
  return {
    roleId, project,
    trustor: { user: trustor.user, token: trustorToken.id, ks: admin.as(async () => trustorToken.id) },
    trustee: { user: trustee, token: trusteeToken.id, ks: admin.as(async () => trusteeToken.id) },
  };
}

test.describe('OS-TRUST', { tag: '@os-trust' }, () => {
  test('create, show, list with filters, delegated roles, trust-scoped token, delete', testId('e35492fe-79cb-4638-ac81-fd46a252a3f7', '@slice'), async ({ admin, factory }) => {
    await allure.feature('trusts'); await allure.story('POST /v3/OS-TRUST/trusts');
    const p = await parties(admin, factory);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await p.trustor.ks.trusts.create({
      trustor_user_id: p.trustor.user.id, trustee_user_id: p.trustee.user.id, project_id: p.project.id,
      impersonation: false, roles: [{ id: p.roleId }], expires_at: expiresAt, allow_redelegation: false,
    });
    expect(created.status).toBe(201);
    assertSchema(trustResponseSchema, created.body);
    const trust = p.trustor.ks.trusts.entity(created);
    factory.defer(`trust ${trust.id}`, () => admin.trusts.delete(trust.id));
    expect(trust).toMatchObject({ trustor_user_id: p.trustor.user.id, trustee_user_id: p.trustee.user.id, project_id: p.project.id, impersonation: false, remaining_uses: null });
    // Keystone keeps whole seconds of the requested expiry.
    expect(Math.abs(Date.parse(trust.expires_at!) - Date.parse(expiresAt))).toBeLessThan(1_000);
    expect(trust.roles?.map((r) => r.id)).toEqual([p.roleId]);

    await test.step('GET as trustee', async () => {
      const r = await p.trustee.ks.trusts.show(trust.id);
      expect(r.status).toBe(200);
      assertSchema(trustResponseSchema, r.body);
      expect(r.body.trust?.id).toBe(trust.id);
    });
    await test.step('list: all (admin), ?trustor_user_id (trustor), ?trustee_user_id (trustee)', async () => {
      const all = await admin.trusts.list();
      expect(all.status).toBe(200);
      assertSchema(trustsResponseSchema, all.body);
      expect(admin.trusts.entities(all).map((t) => t.id)).toContain(trust.id);
      const byTrustor = await p.trustor.ks.trusts.list({ trustor_user_id: p.trustor.user.id });
      expect(byTrustor.status).toBe(200);
      assertSchema(trustsResponseSchema, byTrustor.body);
      expect(admin.trusts.entities(byTrustor).map((t) => t.id)).toEqual([trust.id]);
      const byTrustee = await p.trustee.ks.trusts.list({ trustee_user_id: p.trustee.user.id });
      expect(byTrustee.status).toBe(200);
      expect(admin.trusts.entities(byTrustee).map((t) => t.id)).toEqual([trust.id]);
      // The trustee is nobody's trustor.
      expect(admin.trusts.entities(expectStatus(await p.trustee.ks.trusts.list({ trustor_user_id: p.trustee.user.id }), 200))).toEqual([]);
    });
    await test.step('delegated roles: list, HEAD, GET; 404 for a role not delegated', async () => {
      const list = await p.trustee.ks.trusts.listRoles(trust.id);
      expect(list.status).toBe(200);
      assertSchema(trustRolesResponseSchema, list.body);
      expect(list.body.roles.map((r) => r.id)).toEqual([p.roleId]);
      const head = await p.trustee.ks.trusts.checkRole(trust.id, p.roleId);
      expect(head.status).toBe(200);
      expect(head.body).toBeNull();
      const get = await p.trustee.ks.trusts.showRole(trust.id, p.roleId);
      expect(get.status).toBe(200);
      assertSchema(trustRoleResponseSchema, get.body);
      expect(get.body.role.id).toBe(p.roleId);
      err(await p.trustee.ks.trusts.showRole(trust.id, 'ksgate0000000000000000000000000'), 404);
      expect((await p.trustee.ks.trusts.checkRole(trust.id, 'ksgate0000000000000000000000000')).status).toBe(404);
    });

    const scoped = await admin.tokens.issue(tokenAuthBody(p.trustee.token, { 'OS-TRUST:trust': { id: trust.id } }), { nocatalog: true });
    await test.step('the trustee\'s trust-scoped token carries the trust, the project and only the delegated roles', async () => {
      expect(scoped.status).toBe(201);
      assertSchema(tokenResponseSchema, scoped.body);
      const t = scoped.body.token as typeof scoped.body.token & { 'OS-TRUST:trust'?: { id: string; impersonation: boolean; trustor_user?: { id: string }; trustee_user?: { id: string } } };
      expect(t['OS-TRUST:trust']).toMatchObject({ id: trust.id, impersonation: false, trustor_user: { id: p.trustor.user.id }, trustee_user: { id: p.trustee.user.id } });
      // Without impersonation the token's user is the trustee.
      expect(t.user.id).toBe(p.trustee.user.id);
      expect(t.project?.id).toBe(p.project.id);
      // 'member' implies 'reader' in a bootstrapped Keystone: a token carries the implied roles too.
      expect(t.roles?.map((r) => r.id)).toContain(p.roleId);
      expect(t.roles?.map((r) => r.name)).not.toContain('admin');
      // A trust-scoped token may not be used to make application credentials (keystone/api/users.py).
      err(await admin.as(async () => subjectToken(scoped)).applicationCredentials.create(p.trustee.user.id, { name: factory.name('appcred') }), 403);
    });
    await test.step('DELETE by the trustor: 204, then the trust and its token are 404', async () => {
      expect((await p.trustor.ks.trusts.delete(trust.id)).status).toBe(204);
      err(await admin.trusts.show(trust.id), 404);
      expect((await admin.tokens.validate(subjectToken(scoped))).status).toBe(404);
      // Zed answers token issue for a trust that is gone with 401, not the 404 of the API calls.
      err(await admin.tokens.issue(tokenAuthBody(p.trustee.token, { 'OS-TRUST:trust': { id: trust.id } })), 401);
    });
  });

  test('impersonation and remaining_uses: the token is the trustor\'s, and uses run out', testId('00f564f4-fe11-4131-a03f-20a8a38f53db'), async ({ admin, factory }) => {
    await allure.feature('trusts'); await allure.story('POST /v3/OS-TRUST/trusts');
    const p = await parties(admin, factory);
    const trust = await factory.trust(p.trustor.ks, {
      trustor_user_id: p.trustor.user.id, trustee_user_id: p.trustee.user.id, project_id: p.project.id,
      impersonation: true, roles: [{ id: p.roleId }], remaining_uses: 1,
    });
    expect(trust).toMatchObject({ impersonation: true, remaining_uses: 1 });
    const r = await admin.tokens.issue(tokenAuthBody(p.trustee.token, { 'OS-TRUST:trust': { id: trust.id } }), { nocatalog: true });
    expect(r.status).toBe(201);
    expect(r.body.token.user.id).toBe(p.trustor.user.id);
    expect((r.body.token as { 'OS-TRUST:trust'?: { impersonation: boolean } })['OS-TRUST:trust']?.impersonation).toBe(true);
    // The one use is spent: the trust is gone for every purpose (keystone/trust/backends/sql.py);
    // token issue for it then answers 401 (the API calls answer 404).
    err(await admin.tokens.issue(tokenAuthBody(p.trustee.token, { 'OS-TRUST:trust': { id: trust.id } })), 401);
    err(await admin.trusts.show(trust.id), 404);
  });

  test('403 unless trustor (create) or party (show), 404 unknown trust or role not held, 401 without a valid token', testId('011b256d-d907-46b8-be22-ed7f10374bd9'), async ({ admin, factory }) => {
    await allure.feature('trusts'); await allure.story('POST /v3/OS-TRUST/trusts');
    const p = await parties(admin, factory);
    const body = { trustor_user_id: p.trustor.user.id, trustee_user_id: p.trustee.user.id, project_id: p.project.id, impersonation: false, roles: [{ id: p.roleId }] };
    await test.step('403: admin creating a trust in the trustor\'s name', async () => {
      err(await admin.trusts.create(body), 403);
    });
    const trust = await factory.trust(p.trustor.ks, body);
    await test.step('403: a third user reading, listing or deleting the trust', async () => {
      const third = await factory.userWithRole(p.project.id, p.roleId);
      const t = await issuedToken(admin.tokens, passwordAuthBody({ username: third.user.name, userId: third.user.id, password: third.password, projectId: p.project.id }));
      const asThird = admin.as(async () => t.id);
      err(await asThird.trusts.show(trust.id), 403);
      err(await asThird.trusts.list({ trustor_user_id: p.trustor.user.id }), 403);
      err(await asThird.trusts.delete(trust.id), 403);
      err(await asThird.trusts.list(), 403);
    });
    await test.step('404: unknown trust (GET, DELETE, roles), unknown trustee, role the trustor lacks', async () => {
      err(await admin.trusts.show('ksgate0000000000000000000000000'), 404);
      err(await admin.trusts.delete('ksgate0000000000000000000000000'), 404);
      err(await p.trustor.ks.trusts.listRoles('ksgate0000000000000000000000000'), 404);
      err(await p.trustor.ks.trusts.create({ ...body, trustee_user_id: 'ksgate-no-such-user' }), 404);
      const otherRole = await factory.role();
      err(await p.trustor.ks.trusts.create({ ...body, roles: [{ id: otherRole.id }] }), 404);
    });
    await test.step('401: no token, malformed token, revoked token', async () => {
      err(await admin.as(async () => null).trusts.show(trust.id), 401);
      err(await admin.as(async () => 'not-a-token').trusts.show(trust.id), 401);
      expect((await admin.tokens.revoke(p.trustee.token)).status).toBe(204);
      err(await p.trustee.ks.trusts.show(trust.id), 401);
    });
  });

  test('POST rejects malformed bodies with a 4xx', testId('431d9d8a-4f16-47ca-ae8e-5fc7aaa1000d'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('trusts'); await allure.story('POST /v3/OS-TRUST/trusts');
    const p = await parties(admin, factory);
    const valid = { trustor_user_id: p.trustor.user.id, trustee_user_id: p.trustee.user.id, project_id: p.project.id, impersonation: false, roles: [{ id: p.roleId }] };
    // The trustor creates the trust: the matrix runs with the trustor's token.
    await runBadInputMatrix({ admin: admin.as(async () => p.trustor.token), testInfo, cluster }, {
      method: 'POST', path: '/v3/OS-TRUST/trusts', template: '/v3/OS-TRUST/trusts',
      spec: { memberKey: 'trust', valid, required: 'trustee_user_id', typedField: 'impersonation', longField: 'project_id' },
      // keystone/trust/schema.py trust_create has additionalProperties: true: Zed ignores the member.
      accepted: { 'unexpected-property': 'trust_create has additionalProperties: true' },
      cleanup: (r) => factory.defer(`trust ${r.body.trust.id}`, () => admin.trusts.delete(r.body.trust.id)),
    });
  });
});
