import * as allure from 'allure-js-commons';
import type { TestInfo } from '@playwright/test';
import { expect, test } from '../../fixtures/test.js';
import { badInputs } from '../../lib/conformance/bad-input.js';
import { activeKnownDefects, knownCaseDefect, testIdOf } from '../../lib/conformance/known-defects.js';
import { expectClientError, outcomeOf } from '../../lib/conformance/server-error.js';
import { softStep } from '../../lib/conformance/soft-step.js';
import type { ClusterInfo } from '../../lib/cluster/cluster-info.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import type { KeystoneTransportError } from '../../lib/keystone/errors.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import type { KsResponse } from '../../lib/keystone/http.js';
import { assertSchema, oauth2TokenResponseSchema, tokenResponseSchema } from '../../lib/keystone/schemas/index.js';
import { issuedToken } from '../../lib/keystone/services/tokens.js';
import { bodyForMessage } from '../../lib/keystone/mask.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * OS-OAUTH2 (new in Zed): POST /v3/OS-OAUTH2/token, the client_credentials grant with an
 * application credential's id and secret as HTTP Basic client credentials
 * (keystone/api/os_oauth2.py). Errors follow RFC 6749 §5.2 — `{"error": "<code>",
 * "error_description": ...}` — not Keystone's usual error object.
 */

/** The secret with its first character changed (bcrypt only reads the first 72 bytes of it). */
const wrongSecret = (s: string) => `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;

/** An RFC 6749 error: the status, the `error` code, a description, and for 401 the challenge. */
function expectOAuth2Error(r: KsResponse, status: number, code: string): void {
  expect(r.status, bodyForMessage(r.body)).toBe(status);
  expect(r.body).toMatchObject({ error: code, error_description: expect.any(String) });
  if (status === 401) expect(r.headers['www-authenticate']).toMatch(/^Keystone uri=/);
}

/**
 * A malformed request must get a 4xx (one of `allowed`, when given) with an RFC 6749 error body;
 * anything else (5xx, no response, a 4xx without the body) goes through expectClientError, which
 * files and explains it, and honours the known-defects list.
 */
async function expectOAuth2ClientError(outcome: KsResponse | KeystoneTransportError, ctx: { testInfo: TestInfo; cluster: ClusterInfo; what: string }, allowed: number[] = []): Promise<void> {
  if ('status' in outcome && outcome.status >= 400 && outcome.status < 500 && typeof outcome.body?.error === 'string') {
    const { file, defects } = activeKnownDefects();
    const known = knownCaseDefect(defects, testIdOf(ctx.testInfo), ctx.what);
    if (known) throw new Error(`${ctx.what}: listed in ${file} as a known defect (${known.defect}), but Keystone now answers HTTP ${outcome.status} with an RFC 6749 error: remove the entry`);
    expect(!allowed.length || allowed.includes(outcome.status), `${ctx.what}: expected ${allowed.join('/')}, got HTTP ${outcome.status}: ${bodyForMessage(outcome.body)}`).toBe(true);
    return;
  }
  // An authentication route: 400 or 401 (RFC 6749 section 5.2, which the OS-OAUTH2 api-ref follows).
  await expectClientError(outcome, ctx, 'auth-body', allowed.length ? { only: allowed, apiRef: 'RFC 6749 section 5.2 error responses (OS-OAUTH2 api-ref)' } : {});
}

test.describe('OS-OAUTH2', { tag: '@os-oauth2' }, () => {
  test('client_credentials with an application credential: 200 Bearer token that Keystone validates', testId('4509df55-0590-40d8-a4e6-920b9465270d', '@slice'), async ({ admin, factory }) => {
    await allure.feature('oauth2'); await allure.story('POST /v3/OS-OAUTH2/token');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, roleId);
    const own = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id }));
    const ac = await factory.applicationCredential(admin.as(async () => own.id), user.id);

    const r = await admin.oauth2.token(ac.id, ac.secret!);
    expect(r.status, bodyForMessage(r.body)).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    assertSchema(oauth2TokenResponseSchema, r.body);
    expect(r.body.token_type).toBe('Bearer');
    expect(r.body.expires_in).toBeGreaterThan(0);
    await test.step('the access token is a Keystone token of the application credential', async () => {
      const v = await admin.tokens.validate(r.body.access_token!, { nocatalog: true });
      expect(v.status).toBe(200);
      assertSchema(tokenResponseSchema, v.body);
      expect(v.body.token.methods).toEqual(['application_credential']);
      expect(v.body.token.user.id).toBe(user.id);
      expect(v.body.token.project?.id).toBe(project.id);
      // expires_in is [token] expiration, the lifetime Keystone gives the token.
      const lifetime = (Date.parse(v.body.token.expires_at) - Date.parse(v.body.token.issued_at)) / 1000;
      expect(Math.abs(lifetime - r.body.expires_in!)).toBeLessThanOrEqual(2);
    });
    await test.step('refusals: RFC 6749 error bodies', async () => {
      expectOAuth2Error(await admin.oauth2.tokenRaw(), 401, 'invalid_client');
      expectOAuth2Error(await admin.oauth2.token(ac.id, wrongSecret(ac.secret!)), 401, 'invalid_client');
      // An unknown client id: Zed turns the credential's NotFound into other_error with its 404
      // (os_oauth2.py maps only 401 and 400); RFC 6749 §5.2 would answer 401 invalid_client.
      expectOAuth2Error(await admin.oauth2.token('ksgate-no-such-credential', 'x'), 404, 'other_error');
      expectOAuth2Error(await admin.oauth2.tokenRaw({ headers: { authorization: 'Bearer abc' } }), 401, 'invalid_client');
      expectOAuth2Error(await admin.oauth2.token(ac.id, ac.secret!, { form: 'scope=x' }), 400, 'invalid_request');
      expectOAuth2Error(await admin.oauth2.token(ac.id, ac.secret!, { form: 'grant_type=password&username=u&password=p' }), 400, 'unsupported_grant_type');
    });
    await test.step('other methods: 405', async () => {
      const get = await admin.http.request('GET', '/v3/OS-OAUTH2/token', { token: null });
      expect(get.status).toBe(405);
      expect(get.body).toMatchObject({ error: expect.any(String) });
    });
    await test.step('a deleted application credential no longer gets tokens, and its OAuth2 token is 404', async () => {
      expect((await admin.applicationCredentials.delete(user.id, ac.id)).status).toBe(204);
      // Gone credential: the same NotFound → 404 other_error as an unknown client id above.
      expectOAuth2Error(await admin.oauth2.token(ac.id, ac.secret!), 404, 'other_error');
      expect((await admin.tokens.check(r.body.access_token!)).status).toBe(404);
    });
  });

  test('bad input on POST /v3/OS-OAUTH2/token (malformed bodies, bad client credentials): 4xx with an RFC 6749 error, never 5xx', testId('00f858e7-6fbe-4319-955d-662f109c57a1'), async ({ admin, cluster }, testInfo) => {
    await allure.feature('oauth2'); await allure.story('POST /v3/OS-OAUTH2/token');
    const path = '/v3/OS-OAUTH2/token';
    const basicOf = (credentials: string | Buffer) => `Basic ${Buffer.from(credentials).toString('base64')}`;
    // keystone/api/os_oauth2.py checks the Basic header, then grant_type, and only then looks the
    // client up: a client that does not exist puts only the body under test, and nothing is set up.
    const basic = basicOf('ksgate-no-such-client:x');
    const failures: string[] = [];
    const send = (shape: string, headers: Record<string, string>, body: { rawBody: string | Buffer } | { body: unknown }, allowed: number[]) =>
      softStep(failures, shape, async () => {
        const outcome = await outcomeOf(admin.http.request('POST', path, { token: null, ...body, headers }));
        await expectOAuth2ClientError(outcome, { testInfo, cluster, what: `POST ${path} [${shape}]` }, allowed);
      });
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    await test.step('malformed request bodies', async () => {
      // The endpoint reads a form: a JSON body has no grant_type (400 invalid_request).
      for (const b of badInputs({ memberKey: null, valid: { grant_type: 'client_credentials' }, required: 'grant_type', longField: 'grant_type' })) {
        await send(b.shape, { authorization: basic, ...(b.contentType ? { 'content-type': b.contentType } : {}) }, b.raw !== undefined ? { rawBody: b.raw } : { body: b.json }, [400]);
      }
      await send('form-invalid-utf8', { authorization: basic, ...form }, { rawBody: Buffer.concat([Buffer.from('grant_type='), Buffer.from([0xc3, 0x28, 0xff])]) }, [400]);
      // An empty grant_type is present, so it is an unsupported one rather than a missing one.
      await send('form-empty-grant-type', { authorization: basic, ...form }, { rawBody: 'grant_type=' }, [400]);
    });
    await test.step('bad client credentials', async () => {
      const grant = { rawBody: 'grant_type=client_credentials' };
      // werkzeug's request.authorization is None for Basic credentials it cannot decode: invalid_client.
      await send('basic-not-base64', { authorization: 'Basic %%%not-base64', ...form }, grant, [401]);
      await send('basic-without-colon', { authorization: basicOf('ksgate-no-such-client'), ...form }, grant, [401]);
      await send('basic-empty-id', { authorization: basicOf(':x'), ...form }, grant, [401]);
      await send('basic-empty-secret', { authorization: basicOf('ksgate-no-such-client:'), ...form }, grant, [401]);
      // A client id Keystone must look up: Zed answers an unknown one 404 other_error (see the slice test).
      await send('client-id-too-long', { authorization: basicOf(`${'x'.repeat(300)}:x`), ...form }, grant, [401, 404]);
      await send('client-id-nul', { authorization: basicOf('ksgate\u0000id:x'), ...form }, grant, [401, 404]);
      await send('client-id-odd-unicode', { authorization: basicOf('ksgate-\u202e-\uffff:x'), ...form }, grant, [401, 404]);
    });
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
