import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { badInputs } from '../../lib/conformance/bad-input.js';
import { answerOf, expectClientError, outcomeOf } from '../../lib/conformance/server-error.js';
import { judgePositiveControl } from '../../lib/conformance/bad-input-judgement.js';
import { softStep } from '../../lib/conformance/soft-step.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import { applicationCredentialAuthBody, passwordAuthBody, passwordIdentity } from '../../lib/keystone/credentials.js';
import { expectStatus, type KsResponse } from '../../lib/keystone/http.js';
import {
  assertSchema, authCatalogResponseSchema, authSystemResponseSchema, domainsResponseSchema, projectsResponseSchema, tokenResponseSchema,
} from '../../lib/keystone/schemas/index.js';
import { issuedToken, subjectToken } from '../../lib/keystone/services/tokens.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * /v3/auth/tokens (issue, validate, check, revoke) and the scope listings /v3/auth/{catalog,
 * projects,domains,system}. tokens.spec.ts holds the plain round trip; this file covers headers,
 * schemas, query flags, token semantics (revocation, disabled/deleted user, allow_expired),
 * authorization and bad input. Auth-method variants live in auth-methods.spec.ts.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Keystone writes some datetimes without a zone; they are UTC. */
const ksTime = (s: string) => Date.parse(/[Zz]$|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);

test.describe('auth tokens: validate, check, scopes', { tag: '@auth-tokens' }, () => {
  test('issue and validate carry X-Subject-Token, request id and a schema-valid body; nocatalog and HEAD', testId('a159eec3-96e1-42ca-a6f0-97a71ed44c1d', '@slice'), async ({ admin, cluster }) => {
    await allure.feature('tokens'); await allure.story('GET/HEAD /v3/auth/tokens');
    const issued = await admin.tokens.issue(passwordAuthBody(cluster.admin));
    expect(issued.status).toBe(201);
    expect(issued.headers['content-type']).toContain('application/json');
    expect(issued.headers['x-openstack-request-id']).toMatch(/^req-/);
    assertSchema(tokenResponseSchema, issued.body, 'POST /v3/auth/tokens');
    const token = subjectToken(issued);
    expect(issued.body.token.catalog?.length).toBeGreaterThan(0);

    await test.step('GET validates with the same body', async () => {
      const v = await admin.tokens.validate(token);
      expect(v.status).toBe(200);
      expect(v.headers['x-subject-token']).toBe(token);
      expect(v.headers['x-openstack-request-id']).toMatch(/^req-/);
      assertSchema(tokenResponseSchema, v.body, 'GET /v3/auth/tokens');
      expect(v.body.token.audit_ids).toEqual(issued.body.token.audit_ids);
      expect(v.body.token.expires_at).toBe(issued.body.token.expires_at);
      expect(v.body.token.project?.id).toBe(issued.body.token.project?.id);
    });
    await test.step('?nocatalog leaves the catalog out', async () => {
      const v = await admin.tokens.validate(token, { nocatalog: true });
      expect(v.status).toBe(200);
      assertSchema(tokenResponseSchema, v.body);
      expect(v.body.token.catalog).toBeUndefined();
    });
    await test.step('HEAD answers 200 with no body', async () => {
      const h = await admin.tokens.check(token);
      expect(h.status).toBe(200);
      expect(h.body).toBeNull();
    });
    await test.step('an unknown (well-formed) token is 404 on GET and HEAD', async () => {
      const unknown = 'gAAAAAB' + 'x'.repeat(180);
      const v = await admin.tokens.validate(unknown);
      expect(v.status).toBe(404);
      expect(v.body.error?.code).toBe(404);
      expect((await admin.tokens.check(unknown)).status).toBe(404);
    });
    expect((await admin.tokens.revoke(token)).status).toBe(204);
  });

  test('catalog, projects, domains and system list what the token\'s user may scope to', testId('26a20bc3-13bc-4a29-90b9-dca5240f2b45'), async ({ admin, factory }) => {
    await allure.feature('tokens'); await allure.story('GET /v3/auth/catalog|projects|domains|system');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, roleId);
    expect((await admin.grants.grant({ scope: 'domains', scopeId: 'default', actor: 'users', actorId: user.id }, roleId)).status).toBe(204);
    const scoped = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, password, userId: user.id, projectId: project.id }));
    const asUser = admin.as(async () => scoped.id);

    await test.step('GET /v3/auth/catalog', async () => {
      const r = await asUser.tokens.catalog();
      expect(r.status).toBe(200);
      assertSchema(authCatalogResponseSchema, r.body);
      expect(r.body.catalog.some((s: { type: string }) => s.type === 'identity')).toBe(true);
    });
    await test.step('GET /v3/auth/projects', async () => {
      const r = await asUser.tokens.projects();
      expect(r.status).toBe(200);
      assertSchema(projectsResponseSchema, r.body);
      expect(r.body.projects.map((p: { id: string }) => p.id)).toEqual([project.id]);
    });
    await test.step('GET /v3/auth/domains', async () => {
      const r = await asUser.tokens.domains();
      expect(r.status).toBe(200);
      assertSchema(domainsResponseSchema, r.body);
      expect(r.body.domains.map((d: { id: string }) => d.id)).toEqual(['default']);
    });
    await test.step('GET /v3/auth/system: empty, then [{all: true}] after a system grant', async () => {
      const before = await asUser.tokens.system();
      expect(before.status).toBe(200);
      assertSchema(authSystemResponseSchema, before.body);
      expect(before.body.system).toEqual([]);
      expect((await admin.grants.grantSystem('users', user.id, roleId)).status).toBe(204);
      // The listing is computed from the user's assignments, not from the token: same token.
      const after = await asUser.tokens.system();
      expect(after.status).toBe(200);
      assertSchema(authSystemResponseSchema, after.body);
      expect(after.body.system).toEqual([{ all: true }]);
    });
    await test.step('a catalog needs a project-scoped token: 403 for a domain-scoped one', async () => {
      const domainScoped = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, password, userId: user.id, domainId: 'default' }));
      const r = await admin.as(async () => domainScoped.id).tokens.catalog();
      expect(r.status).toBe(403);
      expect(r.body.error?.code).toBe(403);
    });
  });

  test('401 without a token, with a malformed token and with a revoked token; revoked subject is 404', testId('0355f8c5-b226-4e29-91e9-552055d2f18e'), async ({ admin, reader, cluster }) => {
    await allure.feature('tokens'); await allure.story('GET /v3/auth/tokens');
    const t = await issuedToken(admin.tokens, passwordAuthBody(cluster.admin));
    const anyOwnToken = (await admin.tokenSource())!;
    await test.step('no X-Auth-Token', async () => {
      const r = await admin.as(async () => null).tokens.validate(anyOwnToken);
      expect(r.status).toBe(401);
      expect(r.body.error?.code).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Keystone uri=/);
    });
    await test.step('malformed X-Auth-Token', async () => {
      const r = await admin.as(async () => 'not-a-token').tokens.catalog();
      expect(r.status).toBe(401);
      expect(r.body.error?.code).toBe(401);
    });
    await test.step('revoked X-Auth-Token is 401, and the revoked token as subject is 404', async () => {
      expect((await admin.tokens.revoke(t.id)).status).toBe(204);
      // Checked on the other API node: revocation must hold where it was not made.
      const asRevoked = await reader.as(async () => t.id).tokens.projects();
      expect(asRevoked.status).toBe(401);
      const v = await reader.tokens.validate(t.id);
      expect(v.status).toBe(404);
      expect(v.body.error?.code).toBe(404);
      // Revoking twice: the token no longer validates, so Keystone answers 404.
      expect((await admin.tokens.revoke(t.id)).status).toBe(404);
    });
  });

  test('a plain member may validate its own token but not another user\'s (403), nor revoke it', testId('8b14d18a-07e8-4c9c-9458-6149578c2559'), async ({ admin, factory }) => {
    await allure.feature('tokens'); await allure.story('GET/DELETE /v3/auth/tokens');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, await bootstrapRoleId(admin, 'member'));
    const own = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, password, userId: user.id, projectId: project.id }));
    const asMember = admin.as(async () => own.id);
    const adminToken = (await admin.tokenSource())!;
    const self = await asMember.tokens.validate(own.id);
    expect(self.status).toBe(200);
    expect(self.body.token.user.id).toBe(user.id);
    const other = await asMember.tokens.validate(adminToken);
    expect(other.status).toBe(403);
    expect(other.body.error?.code).toBe(403);
    expect((await asMember.tokens.check(adminToken)).status).toBe(403);
    expect((await asMember.tokens.revoke(adminToken)).status).toBe(403);
    // The admin token is untouched by the refused revoke.
    expect((await admin.tokens.check(adminToken)).status).toBe(200);
  });

  test('tokens of a disabled user and of a deleted user no longer validate (404)', testId('1ea9f4a9-d78d-47be-988c-c41623b0a769'), async ({ admin, factory }) => {
    await allure.feature('tokens'); await allure.story('GET /v3/auth/tokens');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, await bootstrapRoleId(admin, 'member'));
    const creds = { username: user.name, password, userId: user.id, projectId: project.id };
    const first = await issuedToken(admin.tokens, passwordAuthBody(creds));
    expect((await admin.tokens.check(first.id)).status).toBe(200);

    await test.step('disable: the token is 404, and the password no longer authenticates (401)', async () => {
      expectStatus(await admin.users.update(user.id, { enabled: false }), 200);
      expect((await admin.tokens.validate(first.id)).status).toBe(404);
      expect((await admin.tokens.issue(passwordAuthBody(creds))).status).toBe(401);
    });
    await test.step('re-enable: the old token stays revoked, a new one works', async () => {
      expectStatus(await admin.users.update(user.id, { enabled: true }), 200);
      expect((await admin.tokens.check(first.id)).status).toBe(404);
    });
    const second = await issuedToken(admin.tokens, passwordAuthBody(creds));
    expect((await admin.tokens.check(second.id)).status).toBe(200);
    await test.step('delete: the new token is 404 too', async () => {
      expect((await admin.users.delete(user.id)).status).toBe(204);
      const v = await admin.tokens.validate(second.id);
      expect(v.status).toBe(404);
      expect(v.body.error?.code).toBe(404);
    });
  });

  test('an expired token is 404, and 200 with ?allow_expired=1 inside the window', testId('674f9e40-18e4-4f91-8f12-23c2700affa8'), async ({ admin, factory }) => {
    await allure.feature('tokens'); await allure.story('GET /v3/auth/tokens?allow_expired');
    // A token cannot be issued already expired; an application credential that expires soon
    // caps its tokens' lifetime (CVE-2022-2447 fix), which gives an expired token in seconds.
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, await bootstrapRoleId(admin, 'member'));
    const own = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, password, userId: user.id, projectId: project.id }));
    const expiresAt = new Date(Date.now() + 12_000);
    const ac = await factory.applicationCredential(admin.as(async () => own.id), user.id, { expires_at: expiresAt.toISOString() });
    const t = await issuedToken(admin.tokens, applicationCredentialAuthBody({ id: ac.id, secret: ac.secret! }));
    expect(ksTime(t.token.expires_at)).toBeLessThanOrEqual(expiresAt.getTime() + 1_000);
    expect((await admin.tokens.check(t.id)).status).toBe(200);

    await sleep(Math.max(0, ksTime(t.token.expires_at) - Date.now()) + 2_000);
    const expired = await admin.tokens.validate(t.id);
    expect(expired.status).toBe(404);
    expect(expired.body.error?.code).toBe(404);
    const allowed = await admin.tokens.validate(t.id, { allowExpired: true });
    expect(allowed.status).toBe(200);
    assertSchema(tokenResponseSchema, allowed.body);
    // Fernet keeps whole seconds: the validated expiry is the issued one truncated, maybe
    // rendered with a zone where the issue response (capped by the credential) had none.
    expect(Math.abs(ksTime(allowed.body.token.expires_at) - ksTime(t.token.expires_at))).toBeLessThan(1_000);
    expect(ksTime(allowed.body.token.expires_at)).toBeLessThan(Date.now());
    expect((await admin.tokens.check(t.id)).status).toBe(404);
  });

  test('POST /v3/auth/tokens rejects malformed bodies with a 4xx', testId('b038e7f6-e76b-4f74-a1cd-52129fa7970b'), async ({ admin, cluster }, testInfo) => {
    await allure.feature('tokens'); await allure.story('POST /v3/auth/tokens');
    const valid = { identity: passwordIdentity({ ...cluster.admin, password: 'not-the-password' }) };
    const failures: string[] = [];
    await softStep(failures, 'positive-control', async () => {
      // The same body with the right password must be accepted: the shapes below then show what
      // the route refuses, not that it refuses everything.
      const outcome = await outcomeOf(admin.http.request('POST', '/v3/auth/tokens', { token: null, body: { auth: { identity: passwordIdentity(cluster.admin) } } }));
      const v = judgePositiveControl(answerOf(outcome));
      if (v.ok) {
        const issued = (outcome as KsResponse).headers['x-subject-token'];
        if (issued) expect((await admin.tokens.revoke(issued)).status).toBe(204);
      }
      expect(v.ok, `POST /v3/auth/tokens [positive-control]: ${v.reason}`).toBe(true);
    });
    for (const b of badInputs({ memberKey: 'auth', valid, required: 'identity', typedField: 'identity' })) {
      await softStep(failures, b.shape, async () => {
        const outcome = await outcomeOf(admin.http.request('POST', '/v3/auth/tokens', {
          token: null, ...(b.raw !== undefined ? { rawBody: b.raw } : { body: b.json }), headers: b.contentType ? { 'content-type': b.contentType } : undefined,
        }));
        // An authentication body: 400, or the api-ref's 401 (keystone/auth/schema.py token_issue
        // ignores unknown members, so that shape reaches the wrong password and gets 401).
        await expectClientError(outcome, { testInfo, cluster, what: `POST /v3/auth/tokens ${b.shape}` }, 'auth-body');
      });
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
