import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import type { Keystone } from '../../lib/keystone/client.js';
import {
  authBody, passwordAuthBody, passwordIdentity, randomTotpSecret, tokenAuthBody, totpAuthBody, totpPasscode,
} from '../../lib/keystone/credentials.js';
import { expectStatus } from '../../lib/keystone/http.js';
import { assertSchema, tokenResponseSchema } from '../../lib/keystone/schemas/index.js';
import { issuedToken, subjectToken } from '../../lib/keystone/services/tokens.js';
import { bodyForMessage } from '../../lib/keystone/mask.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * The auth-method and scope variants of POST /v3/auth/tokens: password by id and by
 * name + domain, implicit and explicit unscoped, domain and system scope, the token method
 * (rescoping), ?nocatalog, TOTP, and the ways each is refused. Application-credential, trust,
 * OAuth1 and federated (mapped) authentication are in their own spec files.
 */


/** The methods the deployment accepts: Keystone lists them in the 401 for an unsupported one. */
async function enabledAuthMethods(admin: Keystone): Promise<string[]> {
  const r = await admin.tokens.issue(authBody({ methods: ['ksgate-no-such-method'], 'ksgate-no-such-method': {} }));
  expect(r.status).toBe(401);
  const methods = (r.body.error as { identity?: { methods?: string[] } } | undefined)?.identity?.methods;
  expect(Array.isArray(methods)).toBe(true);
  return methods!;
}

test.describe('auth methods and scopes', { tag: '@auth-tokens' }, () => {
  test('password by user id and by name + domain, project scope by id and by name', testId('d7466a99-c274-4ff0-bddf-278f46ceb052', '@slice'), async ({ admin, factory }) => {
    await allure.feature('auth methods'); await allure.story('POST /v3/auth/tokens (password)');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, await bootstrapRoleId(admin, 'member'));
    await test.step('user id, project id', async () => {
      const r = await admin.tokens.issue(passwordAuthBody({ username: '', userId: user.id, password, projectId: project.id }));
      expect(r.status).toBe(201);
      assertSchema(tokenResponseSchema, r.body);
      expect(r.body.token.methods).toEqual(['password']);
      expect(r.body.token.user.id).toBe(user.id);
      expect(r.body.token.user.domain.id).toBe('default');
      expect(r.body.token.project?.id).toBe(project.id);
      expect(r.body.token.roles?.map((x) => x.name)).toContain('member');
    });
    await test.step('user name + domain name, project name + domain id', async () => {
      const r = await admin.tokens.issue(passwordAuthBody({ username: user.name, userDomainName: 'Default', password, projectName: project.name, projectDomainId: 'default' }), { nocatalog: true });
      expect(r.status).toBe(201);
      assertSchema(tokenResponseSchema, r.body);
      expect(r.body.token.user.id).toBe(user.id);
      expect(r.body.token.project?.id).toBe(project.id);
      expect(r.body.token.catalog).toBeUndefined();
    });
  });

  test('unscoped, implicit default-project scope, explicit "unscoped", domain and system scope', testId('2afb6ffa-af94-4488-94b6-be3b8e86a046'), async ({ admin, factory }) => {
    await allure.feature('auth methods'); await allure.story('POST /v3/auth/tokens (scopes)');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, roleId, { default_project_id: project.id } as never);
    const identity = passwordIdentity({ userId: user.id, password });
    await test.step('no scope and a default project: scoped to the default project', async () => {
      const r = await admin.tokens.issue(authBody(identity), { nocatalog: true });
      expect(r.status).toBe(201);
      assertSchema(tokenResponseSchema, r.body);
      expect(r.body.token.project?.id).toBe(project.id);
    });
    await test.step('scope "unscoped": no project, domain, system, roles or catalog', async () => {
      const r = await admin.tokens.issue(authBody(identity, 'unscoped'));
      expect(r.status).toBe(201);
      assertSchema(tokenResponseSchema, r.body);
      for (const k of ['project', 'domain', 'system', 'roles', 'catalog'] as const) expect(r.body.token[k]).toBeUndefined();
    });
    await test.step('domain scope', async () => {
      expect((await admin.grants.grant({ scope: 'domains', scopeId: 'default', actor: 'users', actorId: user.id }, roleId)).status).toBe(204);
      const r = await admin.tokens.issue(authBody(identity, { domain: { id: 'default' } }), { nocatalog: true });
      expect(r.status).toBe(201);
      assertSchema(tokenResponseSchema, r.body);
      expect(r.body.token.domain?.id).toBe('default');
      expect(r.body.token.project).toBeUndefined();
      expect(r.body.token.roles?.map((x) => x.id)).toContain(roleId);
    });
    await test.step('system scope', async () => {
      expect((await admin.grants.grantSystem('users', user.id, roleId)).status).toBe(204);
      const r = await admin.tokens.issue(authBody(identity, { system: { all: true } }), { nocatalog: true });
      expect(r.status).toBe(201);
      assertSchema(tokenResponseSchema, r.body);
      expect(r.body.token.system).toEqual({ all: true });
      expect(r.body.token.roles?.map((x) => x.id)).toContain(roleId);
    });
  });

  test('token method rescopes an unscoped token, keeping expiry and audit chain', testId('05d68b61-ae56-47ec-b96d-145be4f93f4e'), async ({ admin, cluster }) => {
    await allure.feature('auth methods'); await allure.story('POST /v3/auth/tokens (token)');
    const unscoped = await issuedToken(admin.tokens, authBody(passwordIdentity(cluster.admin), 'unscoped'));
    expect(unscoped.token.project).toBeUndefined();
    const scope = cluster.admin.projectId ? { project: { id: cluster.admin.projectId } } : { project: { name: cluster.admin.projectName!, domain: { name: cluster.admin.projectDomainName ?? 'Default' } } };
    const r = await admin.tokens.issue(tokenAuthBody(unscoped.id, scope));
    expect(r.status).toBe(201);
    assertSchema(tokenResponseSchema, r.body);
    const t = r.body.token;
    expect(subjectToken(r)).not.toBe(unscoped.id);
    expect(new Set(t.methods)).toEqual(new Set(['token', 'password']));
    expect(t.project?.name).toBe(cluster.admin.projectName ?? t.project?.name);
    // The rescoped token keeps the original expiry and chains its audit id to the original's.
    expect(t.expires_at).toBe(unscoped.token.expires_at);
    expect(t.audit_ids).toHaveLength(2);
    expect(t.audit_ids[1]).toBe(unscoped.token.audit_ids[0]);
    expect(t.catalog?.length).toBeGreaterThan(0);
    await test.step('revoking the original leaves the rescoped one valid', async () => {
      // DELETE /v3/auth/tokens revokes by the token's own audit id (revoke_by_audit_id), and the
      // rescoped token has an audit id of its own: in Zed it survives its parent's revocation.
      expect((await admin.tokens.revoke(unscoped.id)).status).toBe(204);
      expect((await admin.tokens.check(unscoped.id)).status).toBe(404);
      expect((await admin.tokens.check(subjectToken(r))).status).toBe(200);
      expect((await admin.tokens.revoke(subjectToken(r))).status).toBe(204);
    });
  });

  test('totp: passcode from a registered totp credential (when the deployment enables the method)', testId('ce2177b3-198c-45e5-a090-078b899430a4'), async ({ admin, factory }) => {
    await allure.feature('auth methods'); await allure.story('POST /v3/auth/tokens (totp)');
    const methods = await enabledAuthMethods(admin);
    if (!methods.includes('totp')) {
      test.info().annotations.push({ type: 'gap', description: `auth.tokens.issue#totp: [auth] methods = ${methods.join(',')} has no totp` });
      test.skip(true, `the deployment's [auth] methods (${methods.join(', ')}) do not include totp`);
    }
    const project = await factory.project();
    const { user } = await factory.userWithRole(project.id, await bootstrapRoleId(admin, 'member'));
    const secret = randomTotpSecret();
    const cred = expectStatus(await admin.credentials.create({ type: 'totp', user_id: user.id, blob: secret }), 201).body.credential as { id: string };
    factory.defer(`credential ${cred.id}`, () => admin.credentials.delete(cred.id));
    const r = await admin.tokens.issue(totpAuthBody({ id: user.id }, totpPasscode(secret), { project: { id: project.id } }), { nocatalog: true });
    expect(r.status).toBe(201);
    assertSchema(tokenResponseSchema, r.body);
    expect(r.body.token.methods).toEqual(['totp']);
    expect(r.body.token.project?.id).toBe(project.id);
    const wrong = await admin.tokens.issue(totpAuthBody({ id: user.id }, totpPasscode(secret, Date.now() + 3_600_000)));
    expect(wrong.status).toBe(401);
  });

  test('refusals: unknown user, wrong domain, no role, unsupported method (401); inconsistent bodies (400); bad token (404)', testId('35e36d7b-2497-4e73-aa74-ca5d21006e2c'), async ({ admin, factory }) => {
    await allure.feature('auth methods'); await allure.story('POST /v3/auth/tokens');
    const project = await factory.project();
    const other = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, await bootstrapRoleId(admin, 'member'));
    const cases: { name: string; body: unknown; status: number }[] = [
      { name: 'unknown user id', body: passwordAuthBody({ username: '', userId: 'ksgate-no-such-user', password }), status: 401 },
      { name: 'user name in the wrong domain', body: passwordAuthBody({ username: user.name, userDomainName: 'ksgate-no-such-domain', password }), status: 401 },
      { name: 'project without a role', body: passwordAuthBody({ username: '', userId: user.id, password, projectId: other.id }), status: 401 },
      { name: 'unknown project', body: passwordAuthBody({ username: '', userId: user.id, password, projectId: 'ksgate-no-such-project' }), status: 401 },
      { name: 'method not enabled', body: authBody({ methods: ['ksgate-no-such-method'], 'ksgate-no-such-method': {} }), status: 401 },
      { name: 'method listed without its payload', body: authBody({ methods: ['password'] }), status: 400 },
      { name: 'project and domain scope at once', body: authBody(passwordIdentity({ userId: user.id, password }), { project: { id: project.id }, domain: { id: 'default' } } as never), status: 400 },
      { name: 'token method with an unknown token', body: tokenAuthBody('gAAAAAB' + 'y'.repeat(180)), status: 404 },
    ];
    for (const c of cases) {
      await test.step(`${c.name} → ${c.status}`, async () => {
        const r = await admin.tokens.issue(c.body);
        expect(r.status, `${c.name}: ${bodyForMessage(r.body)}`).toBe(c.status);
        expect(r.body.error?.code).toBe(c.status);
        expect(r.headers['x-subject-token']).toBeUndefined();
        if (c.status === 401) expect(r.headers['www-authenticate']).toMatch(/^Keystone uri=/);
      });
    }
  });
});
