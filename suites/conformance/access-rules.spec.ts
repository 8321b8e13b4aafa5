import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import { applicationCredentialAuthBody, passwordAuthBody } from '../../lib/keystone/credentials.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { accessRuleResponseSchema, accessRulesResponseSchema, assertSchema } from '../../lib/keystone/schemas/index.js';
import { issuedToken } from '../../lib/keystone/services/tokens.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * /v3/users/{user_id}/access_rules: list (?service, ?method, ?path), show, delete. Access rules
 * have no create of their own: they come into being with an application credential that names
 * them, and a rule in use cannot be deleted. No operation here takes a request body, so there is
 * no bad-input case.
 */


const err = (r: KsResponse, status: number) => { expect(r.status).toBe(status); expect(r.body?.error?.code).toBe(status); };

test.describe('access rules', { tag: '@access-rules' }, () => {
  test('rules of an application credential: list with filters, show, in-use delete refused, delete, 404', testId('75b87295-3942-412b-a8c0-4593a8cec72b', '@slice'), async ({ admin, factory }) => {
    await allure.feature('access rules'); await allure.story('GET /v3/users/{user_id}/access_rules');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, roleId);
    const own = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id }));
    const asUser = admin.as(async () => own.id);
    const rules = [
      { service: 'identity', method: 'GET', path: '/v3/users/*' },
      { service: 'compute', method: 'POST', path: '/v2.1/servers' },
    ];
    const ac = await factory.applicationCredential(asUser, user.id, { access_rules: rules });
    expect(ac.access_rules?.map(({ service, method, path }) => ({ service, method, path }))).toEqual(rules);
    const identityRule = ac.access_rules!.find((r) => r.service === 'identity')!;

    await test.step('list: both rules', async () => {
      const r = await asUser.accessRules.list(user.id);
      expect(r.status).toBe(200);
      assertSchema(accessRulesResponseSchema, r.body);
      expect(r.body.access_rules.map((x) => x.id).sort()).toEqual(ac.access_rules!.map((x) => x.id).sort());
    });
    await test.step('?service, ?method and ?path filter', async () => {
      for (const q of [{ service: 'identity' }, { method: 'GET' }, { path: '/v3/users/*' }]) {
        const r = await asUser.accessRules.list(user.id, q);
        expect(r.status).toBe(200);
        expect(r.body.access_rules.map((x) => x.id), JSON.stringify(q)).toEqual([identityRule.id]);
      }
    });
    await test.step('show', async () => {
      const r = await asUser.accessRules.show(user.id, identityRule.id);
      expect(r.status).toBe(200);
      assertSchema(accessRuleResponseSchema, r.body);
      expect(r.body.access_rule).toMatchObject(rules[0]!);
    });
    await test.step('a token of the credential validates only for middleware that understands access rules', async () => {
      const t = await issuedToken(admin.tokens, applicationCredentialAuthBody({ id: ac.id, secret: ac.secret! }));
      // keystone/token/provider.py: without OpenStack-Identity-Access-Rules (>= 1.0) the token is 404.
      expect((await admin.tokens.validate(t.id)).status).toBe(404);
      const ok = await admin.tokens.validate(t.id, { headers: { 'openstack-identity-access-rules': '1.0' } });
      expect(ok.status).toBe(200);
    });
    await test.step('403 deleting a rule still used by a credential', async () => {
      err(await asUser.accessRules.delete(user.id, identityRule.id), 403);
    });
    await test.step('after the credential is gone: delete 204, then 404 on show and delete', async () => {
      expect((await asUser.applicationCredentials.delete(user.id, ac.id)).status).toBe(204);
      // Access rules outlive the credentials that named them: they are the user's until deleted.
      expect((await asUser.accessRules.show(user.id, identityRule.id)).status).toBe(200);
      expect((await asUser.accessRules.delete(user.id, identityRule.id)).status).toBe(204);
      err(await asUser.accessRules.show(user.id, identityRule.id), 404);
      err(await asUser.accessRules.delete(user.id, identityRule.id), 404);
      const rest = ac.access_rules!.find((r) => r.id !== identityRule.id)!;
      expect((await asUser.accessRules.delete(user.id, rest.id)).status).toBe(204);
    });
  });

  test('403 for another member, 401 without a valid token', testId('087c0ee3-7914-4215-95ad-acf6582a3cd0'), async ({ admin, factory }) => {
    await allure.feature('access rules'); await allure.story('GET /v3/users/{user_id}/access_rules');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const a = await factory.userWithRole(project.id, roleId);
    const b = await factory.userWithRole(project.id, roleId);
    const tokenB = await issuedToken(admin.tokens, passwordAuthBody({ username: b.user.name, userId: b.user.id, password: b.password, projectId: project.id }));
    const asB = admin.as(async () => tokenB.id);
    await test.step('403: member B on member A\'s rules (list, show, delete)', async () => {
      err(await asB.accessRules.list(a.user.id), 403);
      err(await asB.accessRules.show(a.user.id, 'ksgate0000000000000000000000000'), 403);
      err(await asB.accessRules.delete(a.user.id, 'ksgate0000000000000000000000000'), 403);
    });
    await test.step('own empty list, and 404 for an unknown rule', async () => {
      const r = await asB.accessRules.list(b.user.id);
      expect(r.status).toBe(200);
      expect(r.body.access_rules).toEqual([]);
      err(await asB.accessRules.show(b.user.id, 'ksgate0000000000000000000000000'), 404);
    });
    await test.step('401: no token, malformed token, revoked token', async () => {
      err(await admin.as(async () => null).accessRules.list(b.user.id), 401);
      err(await admin.as(async () => 'not-a-token').accessRules.list(b.user.id), 401);
      expect((await admin.tokens.revoke(tokenB.id)).status).toBe(204);
      err(await asB.accessRules.list(b.user.id), 401);
    });
  });
});
