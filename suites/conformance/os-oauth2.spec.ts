import * as allure from 'allure-js-commons';
import type { TestInfo } from '@playwright/test';
import { expect, test } from '../../fixtures/test.js';
import { badInputs } from '../../lib/conformance/bad-input.js';
import { expectClientError, outcomeOf } from '../../lib/conformance/server-error.js';
import type { ClusterInfo } from '../../lib/cluster/cluster-info.js';
import type { KeystoneTransportError } from '../../lib/keystone/errors.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { expectStatus, type KsResponse } from '../../lib/keystone/http.js';
import { assertSchema, oauth2TokenResponseSchema, tokenResponseSchema } from '../../lib/keystone/schemas/index.js';
import { issuedToken } from '../../lib/keystone/services/tokens.js';

/**
 * OS-OAUTH2 (new in Zed): POST /v3/OS-OAUTH2/token, the client_credentials grant with an
 * application credential's id and secret as HTTP Basic client credentials
 * (keystone/api/os_oauth2.py). Errors follow RFC 6749 §5.2 — `{"error": "<code>",
 * "error_description": ...}` — not Keystone's usual error object.
 */

async function memberRoleId(admin: Keystone): Promise<string> {
  const roles = expectStatus(await admin.roles.list({ name: 'member' }), 200).body.roles as { id: string }[];
  if (!roles[0]) throw new Error('no "member" role (keystone-manage bootstrap creates it)');
  return roles[0].id;
}

/** The secret with its first character changed (bcrypt only reads the first 72 bytes of it). */
const wrongSecret = (s: string) => `${s[0] === 'A' ? 'B' : 'A'}${s.slice(1)}`;

/** An RFC 6749 error: the status, the `error` code, a description, and for 401 the challenge. */
function expectOAuth2Error(r: KsResponse, status: number, code: string): void {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body).toMatchObject({ error: code, error_description: expect.any(String) });
  if (status === 401) expect(r.headers['www-authenticate']).toMatch(/^Keystone uri=/);
}

/**
 * A malformed request must get a 4xx with an RFC 6749 error body; anything else (5xx, no
 * response, a 4xx without the body) goes through expectClientError, which files and explains it.
 */
async function expectOAuth2ClientError(outcome: KsResponse | KeystoneTransportError, ctx: { testInfo: TestInfo; cluster: ClusterInfo; what: string }): Promise<void> {
  if ('status' in outcome && outcome.status >= 400 && outcome.status < 500 && typeof outcome.body?.error === 'string') return;
  await expectClientError(outcome, ctx);
}

/** Runs one bad-input shape as a step; a failure is recorded and the remaining shapes still run. */
async function softStep(failures: string[], title: string, body: () => Promise<void>): Promise<void> {
  await test.step(title, body).catch((e: Error) => { failures.push(`${title}: ${e.message.split('\n')[0]}`); });
}

test.describe('OS-OAUTH2 @os-oauth2', () => {
  test('client_credentials with an application credential: 200 Bearer token that Keystone validates @slice', { annotation: { type: 'id', description: '4509df55-0590-40d8-a4e6-920b9465270d' } }, async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('oauth2'); await allure.story('POST /v3/OS-OAUTH2/token');
    const roleId = await memberRoleId(admin);
    const project = await factory.project();
    const { user, password } = await factory.userWithRole(project.id, roleId);
    const own = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id }));
    const ac = await factory.applicationCredential(admin.as(async () => own.id), user.id);

    const r = await admin.oauth2.token(ac.id, ac.secret!);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
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
    await test.step('malformed request bodies: 4xx', async () => {
      // The endpoint reads a form; every JSON-shaped bad body still carries valid Basic
      // credentials of a deleted credential, so only body handling is under test.
      const basic = `Basic ${Buffer.from(`${ac.id}:${ac.secret}`).toString('base64')}`;
      const failures: string[] = [];
      for (const b of badInputs({ memberKey: null, valid: { grant_type: 'client_credentials' }, required: 'grant_type', longField: 'grant_type' })) {
        await softStep(failures, b.shape, async () => {
          const outcome = await outcomeOf(admin.http.request('POST', '/v3/OS-OAUTH2/token', {
            token: null, ...(b.raw !== undefined ? { rawBody: b.raw } : { body: b.json }),
            headers: { authorization: basic, ...(b.contentType ? { 'content-type': b.contentType } : {}) },
          }));
          await expectOAuth2ClientError(outcome, { testInfo, cluster, what: `POST /v3/OS-OAUTH2/token ${b.shape}` });
        });
      }
      await softStep(failures, 'form with invalid UTF-8', async () => {
        const outcome = await outcomeOf(admin.http.request('POST', '/v3/OS-OAUTH2/token', {
          token: null, rawBody: Buffer.concat([Buffer.from('grant_type='), Buffer.from([0xc3, 0x28, 0xff])]),
          headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' },
        }));
        await expectOAuth2ClientError(outcome, { testInfo, cluster, what: 'POST /v3/OS-OAUTH2/token invalid-utf8 form' });
      });
      expect(failures, failures.join('\n')).toEqual([]);
    });
  });
});
