import { createHash } from 'node:crypto';
import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { ec2CredentialResponseSchema, ec2CredentialsResponseSchema, credentialsResponseSchema, tokenResponseSchema } from '../../lib/keystone/schemas/index.js';
import { ec2SignatureV2Body, ec2SignatureV4Body, s3SignatureV2Body, s3SignatureV4Body } from '../../lib/keystone/services/ec2-signature.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** Flips the last character of a signature: same shape, wrong value. */
const tamper = (sig: string) => sig.slice(0, -1) + (sig.endsWith('A') ? 'B' : 'A');

// OS-EC2, /v3/ec2tokens and /v3/s3tokens are Keystone routes the api-ref leaves out
// (keystone/api/users.py, ec2tokens.py, s3tokens.py); operations.ts flags them `extra`.
test.describe('EC2 credentials, ec2tokens and s3tokens', { tag: '@credentials' }, () => {
  test('OS-EC2: the owner creates, then list, show, delete; the credential is a /v3/credentials ec2 entry', testId('b9a84aec-c02f-4ac2-8fc2-1c201a6e8d14', '@slice'), async ({ admin, factory }) => {
    await allure.feature('ec2 credentials'); await allure.story('POST/GET/DELETE /v3/users/{user_id}/credentials/OS-EC2');
    const m = await factory.member();
    // identity:ec2_create_credential lets a member create their own (ADMIN_OR_MEMBER_AND_CRED_OWNER).
    const owner = admin.as(async () => m.token);
    const created = await owner.ec2Credentials.create(m.user.id, m.project.id);
    factory.deferIfCreated(created, 'ec2 credential', (body) => admin.ec2Credentials.delete(m.user.id, body.credential.access));
    expectJson(created, 201, ec2CredentialResponseSchema);
    const cred = created.body.credential;
    expect(cred).toMatchObject({ user_id: m.user.id, tenant_id: m.project.id, trust_id: null });
    expect(cred.access).toMatch(/^[0-9a-f]{32}$/);
    expect(cred.secret).toMatch(/^[0-9a-f]{32}$/);
    expect(cred.links.self).toMatch(new RegExp(`/v3/users/${m.user.id}/credentials/OS-EC2/${cred.access}$`));

    await test.step('GET .../OS-EC2 lists it', async () => {
      const r = await admin.ec2Credentials.list(m.user.id);
      expectJson(r, 200, ec2CredentialsResponseSchema);
      expect(r.body.credentials.map((c) => c.access)).toEqual([cred.access]);
    });
    await test.step('GET .../OS-EC2/{credential_id} shows it', async () => {
      const r = await admin.ec2Credentials.show(m.user.id, cred.access);
      expectJson(r, 200, ec2CredentialResponseSchema);
      expect(r.body.credential).toEqual(cred);
    });
    await test.step('it is the /v3/credentials ec2 entry whose id is sha256(access)', async () => {
      const r = await admin.credentials.list({ user_id: m.user.id, type: 'ec2' });
      expectJson(r, 200, credentialsResponseSchema);
      expect(r.body.credentials.map((c) => c.id)).toEqual([createHash('sha256').update(cred.access).digest('hex')]);
    });
    await test.step('DELETE .../OS-EC2/{credential_id}, then 404', async () => {
      expectNoContent(await owner.ec2Credentials.delete(m.user.id, cred.access));
      expectError(await admin.ec2Credentials.show(m.user.id, cred.access), 404);
    });
  });

  test('OS-EC2: unknown user or credential gives 404', testId('f43a58e0-60b9-42c0-ab19-60366042d5d0'), async ({ admin, factory }) => {
    await allure.feature('ec2 credentials'); await allure.story('GET/POST/DELETE /v3/users/{user_id}/credentials/OS-EC2');
    const user = await factory.user();
    const project = await factory.project();
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.ec2Credentials.list(unknown), 404);
    expectError(await admin.ec2Credentials.show(user.id, unknown), 404);
    expectError(await admin.ec2Credentials.delete(user.id, unknown), 404);
    const r = await admin.ec2Credentials.create(user.id, unknown);
    factory.deferIfCreated(r, 'ec2 credential', (body) => admin.ec2Credentials.delete(user.id, body.credential.access));
    expectError(r, 404);
    const noUser = await admin.ec2Credentials.create(unknown, project.id);
    factory.deferIfCreated(noUser, 'ec2 credential', (body) => admin.ec2Credentials.delete(unknown, body.credential.access));
    expectError(noUser, 404);
  });

  test('POST /v3/ec2tokens: signature v2 and v4 give a token; a bad signature, a wrong secret or an old timestamp give 401; a service/admin token is required', testId('8b4b0432-843d-4e31-a40f-8d4f52dea916'), async ({ admin, factory }) => {
    await allure.feature('ec2tokens'); await allure.story('POST /v3/ec2tokens');
    const m = await factory.member();
    const cred = await factory.ec2Credential(m.user.id, m.project.id);
    const keys = { access: cred.access, secret: cred.secret };

    await test.step('signature v2 (HmacSHA256): 200, token in X-Subject-Token, scoped to the credential\'s project', async () => {
      const r = await admin.ec2Credentials.ec2Token(ec2SignatureV2Body(keys));
      expectJson(r, 200, tokenResponseSchema);
      expect(r.headers['x-subject-token']).toBeTruthy();
      expect(r.body.token.methods).toEqual(['ec2credential']);
      expect(r.body.token.user.id).toBe(m.user.id);
      expect(r.body.token.project?.id).toBe(m.project.id);
      expect(r.body.token.roles?.map((x) => x.name)).toContain('member');
      // The token is real: Keystone validates it.
      expect((await admin.tokens.validate(r.headers['x-subject-token']!)).status).toBe(200);
    });
    await test.step('signature v4 (AWS4-HMAC-SHA256, Authorization header): 200', async () => {
      const r = await admin.ec2Credentials.ec2Token(ec2SignatureV4Body(keys));
      expectJson(r, 200, tokenResponseSchema);
      expect(r.body.token.user.id).toBe(m.user.id);
    });
    await test.step('signature v2 signed without the port: Keystone retries without it (200)', async () => {
      const body = ec2SignatureV2Body({ ...keys, host: 'ec2.gate.invalid' });
      body.credentials.host = 'ec2.gate.invalid:8773';
      const r = await admin.ec2Credentials.ec2Token(body);
      expectJson(r, 200, tokenResponseSchema);
    });
    await test.step('tampered v2 signature: 401', async () => {
      const body = ec2SignatureV2Body(keys);
      body.credentials.signature = tamper(body.credentials.signature);
      const r = await admin.ec2Credentials.ec2Token(body);
      expectError(r, 401);
      // Keystone hides the reason of a 401 (SecurityError without insecure_debug); the same request
      // correctly signed got 200 above, so the signature is what was refused.
      expect(r.headers['x-subject-token']).toBeUndefined();
    });
    await test.step('tampered v4 signature: 401', async () => {
      const body = ec2SignatureV4Body(keys);
      body.credentials.signature = tamper(body.credentials.signature);
      const r = await admin.ec2Credentials.ec2Token(body);
      expectError(r, 401);
    });
    await test.step('signed with the wrong secret: 401', async () => {
      const r = await admin.ec2Credentials.ec2Token(ec2SignatureV2Body({ ...keys, secret: 'not-the-secret' }));
      expectError(r, 401);
    });
    await test.step('timestamp older than [credential] auth_ttl (15 min): 401', async () => {
      const r = await admin.ec2Credentials.ec2Token(ec2SignatureV2Body({ ...keys, date: new Date(Date.now() - 3_600_000) }));
      expectError(r, 401);
    });
    await test.step('unknown access key: 404 (Zed looks the credential up and lets CredentialNotFound through)', async () => {
      expectError(await admin.ec2Credentials.ec2Token(ec2SignatureV2Body({ access: 'ksgate-unknown-access', secret: 'x' })), 404);
    });
    // identity:ec2tokens_validate (ADMIN_OR_SERVICE): the EC2 API service calls with its own token.
    await test.step('a correctly signed request without a token: 401', async () => {
      expectError(await admin.as(async () => null).ec2Credentials.ec2Token(ec2SignatureV2Body(keys)), 401);
    });
    await test.step('a correctly signed request with a plain member\'s token: 403', async () => {
      expectError(await admin.as(async () => m.token).ec2Credentials.ec2Token(ec2SignatureV2Body(keys)), 403);
    });
    await test.step('GET /v3/ec2tokens: 405', async () => {
      const r = await admin.http.request('GET', '/v3/ec2tokens');
      expect(r.status).toBe(405);
    });
  });

  test('POST /v3/s3tokens: S3 signature v2 and v4 give a token; a bad signature gives 401; a service/admin token is required', testId('5c2726df-fe0b-4c6a-b4d4-01a230c76cd0'), async ({ admin, factory }) => {
    await allure.feature('s3tokens'); await allure.story('POST /v3/s3tokens');
    const m = await factory.member();
    const cred = await factory.ec2Credential(m.user.id, m.project.id);
    const keys = { access: cred.access, secret: cred.secret };

    await test.step('S3 v2 (HMAC-SHA1 over the string to sign): 200 with the token body', async () => {
      const r = await admin.ec2Credentials.s3Token(s3SignatureV2Body(keys));
      expectJson(r, 200, tokenResponseSchema);
      expect(r.body.token.user.id).toBe(m.user.id);
      expect(r.body.token.project?.id).toBe(m.project.id);
      expect(r.body.token.methods).toEqual(['ec2credential']);
    });
    await test.step('S3 v4 (AWS4-HMAC-SHA256, s3 scope): 200', async () => {
      const r = await admin.ec2Credentials.s3Token(s3SignatureV4Body(keys));
      expectJson(r, 200, tokenResponseSchema);
      expect(r.body.token.user.id).toBe(m.user.id);
    });
    await test.step('tampered v2 signature: 401', async () => {
      const body = s3SignatureV2Body(keys);
      body.credentials.signature = tamper(body.credentials.signature);
      const r = await admin.ec2Credentials.s3Token(body);
      expectError(r, 401);
    });
    await test.step('v4 signed with the wrong secret: 401', async () => {
      const r = await admin.ec2Credentials.s3Token(s3SignatureV4Body({ ...keys, secret: 'not-the-secret' }));
      expectError(r, 401);
    });
    // identity:s3tokens_validate (ADMIN_OR_SERVICE): presigned URLs alone must not yield a token.
    await test.step('a correctly signed request without a token: 401', async () => {
      expectError(await admin.as(async () => null).ec2Credentials.s3Token(s3SignatureV2Body(keys)), 401);
    });
    await test.step('a correctly signed request with a plain member\'s token: 403', async () => {
      expectError(await admin.as(async () => m.token).ec2Credentials.s3Token(s3SignatureV2Body(keys)), 403);
    });
  });

  test('OS-EC2 rejects missing, malformed and revoked tokens (401) and a member acting for another user (403)', testId('895332a2-243c-475d-87fa-aba566f8c5b9'), async ({ reader, admin, factory }) => {
    await allure.feature('ec2 credentials'); await allure.story('GET/POST /v3/users/{user_id}/credentials/OS-EC2');
    const other = await factory.member();
    const theirs = await factory.ec2Credential(other.user.id, other.project.id);
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.ec2Credentials.list(other.user.id),
      probeAs: { revoked: (ks) => ks.ec2Credentials.list(who.memberUserId) },
      member: {
        'member shows another user\'s EC2 credential': async (member) => expectError(await member.ec2Credentials.show(other.user.id, theirs.access), 403),
        'member creates an EC2 credential for another user': async (member) => {
          const r = await member.ec2Credentials.create(other.user.id, other.project.id);
          factory.deferIfCreated(r, 'ec2 credential', (body) => admin.ec2Credentials.delete(other.user.id, body.credential.access));
          expectError(r, 403);
        },
        'member deletes another user\'s EC2 credential': async (member) => expectError(await member.ec2Credentials.delete(other.user.id, theirs.access), 403),
      },
    });
  });

  test('bad input on POST /v3/users/{user_id}/credentials/OS-EC2: 4xx, never 5xx', testId('0bbd57fe-69c8-451f-beeb-699e267b740a'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('ec2 credentials'); await allure.story('POST /v3/users/{user_id}/credentials/OS-EC2');
    const user = await factory.user();
    const project = await factory.project();
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: `/v3/users/${user.id}/credentials/OS-EC2`, template: '/v3/users/{user_id}/credentials/OS-EC2',
      spec: { memberKey: null, valid: { tenant_id: project.id }, required: 'tenant_id', longField: 'tenant_id' },
      // The OS-EC2 create has no JSON schema (keystone/api/users.py reads tenant_id and ignores the rest).
      accepted: { 'unexpected-property': 'OS-EC2 create reads only tenant_id; other members are ignored' },
      cleanup: (r) => factory.defer('ec2 credential from bad input', () => admin.ec2Credentials.delete(user.id, r.body.credential.access)),
    });
  });

  test('bad input on POST /v3/ec2tokens: 4xx, never 5xx', testId('45b29309-3f6f-4424-b46b-dfe352e2be0e'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('ec2tokens'); await allure.story('POST /v3/ec2tokens');
    const m = await factory.member();
    const cred = await factory.ec2Credential(m.user.id, m.project.id);
    // A real access key with a wrong signature: every malformed variant must still be refused with a 4xx.
    const valid = ec2SignatureV2Body({ access: cred.access, secret: 'not-the-secret' }).credentials;
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/ec2tokens', template: '/v3/ec2tokens',
      spec: { memberKey: 'credentials', valid: { ...valid }, required: 'access', longField: 'host' },
      // An authentication route: 400, or the api-ref's 401 (the shapes carry a wrong signature).
      route: 'auth-body',
      control: { json: ec2SignatureV2Body({ access: cred.access, secret: cred.secret }) },
      createsNothing: 'issues a token, which expires; nothing is stored to delete',
    });
  });

  test('bad input on POST /v3/s3tokens: 4xx, never 5xx', testId('67ecbd30-203c-447f-a95f-bc283690c4d1'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('s3tokens'); await allure.story('POST /v3/s3tokens');
    const m = await factory.member();
    const cred = await factory.ec2Credential(m.user.id, m.project.id);
    const valid = s3SignatureV2Body({ access: cred.access, secret: 'not-the-secret' }).credentials;
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/s3tokens', template: '/v3/s3tokens',
      spec: { memberKey: 'credentials', valid: { ...valid }, required: 'access', longField: 'token' },
      route: 'auth-body',
      control: { json: s3SignatureV2Body({ access: cred.access, secret: cred.secret }) },
      createsNothing: 'validates a signature and stores nothing',
    });
  });
});
