import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { badInputs } from '../../lib/conformance/bad-input.js';
import { answerOf, expectClientError, outcomeOf } from '../../lib/conformance/server-error.js';
import { judgePositiveControl } from '../../lib/conformance/bad-input-judgement.js';
import { sendBadInput } from '../../lib/conformance/bad-input-matrix.js';
import { softStep } from '../../lib/conformance/soft-step.js';
import { bootstrapRoleId } from '../../lib/keystone/bootstrap-roles.js';
import { passwordAuthBody } from '../../lib/keystone/credentials.js';
import { expectStatus, type KsResponse } from '../../lib/keystone/http.js';
import {
  assertSchema, consumerCreatedResponseSchema, consumerResponseSchema, consumersResponseSchema, datetimeOrNull, entity, list,
  nonEmpty, rolesResponseSchema, roleResponseSchema, single, tokenResponseSchema,
} from '../../lib/keystone/schemas/index.js';
import { parseOAuth1TokenPair } from '../../lib/keystone/services/oauth1.js';
import { issuedToken, subjectToken } from '../../lib/keystone/services/tokens.js';
import { bodyForMessage } from '../../lib/keystone/mask.js';
import { testId } from '../../lib/coverage/test-ids.js';

/**
 * OS-OAUTH1: consumers CRUD, then the delegation flow with requests we sign ourselves
 * (HMAC-SHA1, RFC 5849): request token → authorize → access token → oauth1 token; and the
 * user's access tokens (list, show, roles, revoke). Keystone is the provider; nothing external.
 */

// api-ref v3-ext/oauth.inc: an access token as listed/shown under the authorizing user.
const accessTokenSchema = entity(
  {
    id: nonEmpty, consumer_id: nonEmpty, project_id: nonEmpty, authorizing_user_id: nonEmpty, expires_at: datetimeOrNull,
    links: entity({ self: nonEmpty, roles: nonEmpty }, ['self', 'roles']),
  },
  ['id', 'consumer_id', 'project_id', 'authorizing_user_id', 'expires_at', 'links'],
);
const accessTokenResponseSchema = single('access_token', accessTokenSchema);
const accessTokensResponseSchema = list('access_tokens', accessTokenSchema);

const err = (r: KsResponse, status: number) => { expect(r.status, bodyForMessage(r.body)).toBe(status); expect(r.body?.error?.code).toBe(status); };

test.describe('OS-OAUTH1', { tag: '@os-oauth1' }, () => {
  test('consumers: create, show, list, update, delete, 404', testId('fbe89371-ae98-4ae1-a39a-4f21d04e46c3', '@slice'), async ({ admin, factory }) => {
    await allure.feature('oauth1 consumers'); await allure.story('POST /v3/OS-OAUTH1/consumers');
    const description = factory.name('consumer');
    const created = await admin.consumers.create({ description });
    expect(created.status).toBe(201);
    assertSchema(consumerCreatedResponseSchema, created.body);
    const c = admin.consumers.entity(created);
    factory.defer(`consumer ${c.id}`, () => admin.consumers.delete(c.id));
    expect(c.description).toBe(description);
    expect(c.secret).toBeTruthy();
    await test.step('show (no secret)', async () => {
      const r = await admin.consumers.show(c.id);
      expect(r.status).toBe(200);
      assertSchema(consumerResponseSchema, r.body);
      expect(admin.consumers.entity(r)).toMatchObject({ id: c.id, description });
      expect(admin.consumers.entity(r).secret).toBeUndefined();
    });
    await test.step('list', async () => {
      const r = await admin.consumers.list();
      expect(r.status).toBe(200);
      assertSchema(consumersResponseSchema, r.body);
      expect(admin.consumers.entities(r).map((x) => x.id)).toContain(c.id);
    });
    await test.step('update the description; the secret may not be changed (400)', async () => {
      const r = await admin.consumers.update(c.id, { description: `${description}-2` });
      expect(r.status).toBe(200);
      assertSchema(consumerResponseSchema, r.body);
      expect(admin.consumers.entity(r).description).toBe(`${description}-2`);
      err(await admin.consumers.update(c.id, { secret: 'new' }), 400);
    });
    await test.step('delete, then 404 on show, update and delete', async () => {
      expect((await admin.consumers.delete(c.id)).status).toBe(204);
      err(await admin.consumers.show(c.id), 404);
      err(await admin.consumers.update(c.id, { description: 'x' }), 404);
      err(await admin.consumers.delete(c.id), 404);
    });
  });

  test('delegation flow: signed request token, authorize, access token, oauth1 token; access tokens list/show/roles/revoke', testId('a78dd5ca-6653-4d1b-add0-dfa1fab64623'), async ({ admin, factory }) => {
    await allure.feature('oauth1 delegation'); await allure.story('POST /v3/OS-OAUTH1/access_token');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    // Zed's default policy (common/policies/access_token.py) makes authorizing a request token and
    // reading access tokens admin-only: the authorizing user holds admin, and delegates only member.
    const adminRoleId = await bootstrapRoleId(admin, 'admin');
    const { user, password } = await factory.userWithRole(project.id, adminRoleId);
    expect((await admin.grants.grant({ scope: 'projects', scopeId: project.id, actor: 'users', actorId: user.id }, roleId)).status).toBe(204);
    const own = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id }));
    const asUser = admin.as(async () => own.id);
    const consumer = await factory.consumer();
    const client = { id: consumer.id, secret: consumer.secret! };

    const rt = await admin.oauth1.requestToken(client, project.id);
    await test.step('request token: 201, form-encoded key, secret and expiry', async () => {
      expect(rt.status, bodyForMessage(rt.body)).toBe(201);
      expect(rt.headers['content-type']).toContain('application/x-www-form-urlencoded');
    });
    const requestToken = parseOAuth1TokenPair(rt);
    expect(requestToken.key).toMatch(/^[0-9a-f]{32}$/);
    expect(requestToken.expiresAt).toBeTruthy();

    const authorized = await asUser.oauth1.authorize(requestToken.key, [{ id: roleId }]);
    await test.step('authorize: 200 with an 8-character verifier', async () => {
      expect(authorized.status).toBe(200);
      expect(authorized.body.token.oauth_verifier).toMatch(/^.{8}$/);
    });
    await test.step('access token exchange refuses a wrong verifier (401)', async () => {
      err(await admin.oauth1.accessToken(client, requestToken, 'zzzzzzzz'), 401);
    });
    const at = await admin.oauth1.accessToken(client, requestToken, authorized.body.token.oauth_verifier);
    expect(at.status, bodyForMessage(at.body)).toBe(201);
    expect(at.headers['content-type']).toContain('application/x-www-form-urlencoded');
    const accessToken = parseOAuth1TokenPair(at);

    const issued = await admin.oauth1.authenticate(client, accessToken);
    await test.step('oauth1 token: project-scoped, delegated roles, OS-OAUTH1 member', async () => {
      expect(issued.status, bodyForMessage(issued.body)).toBe(201);
      assertSchema(tokenResponseSchema, issued.body);
      const t = issued.body.token;
      expect(t.methods).toEqual(['oauth1']);
      expect(t.user.id).toBe(user.id);
      expect(t.project.id).toBe(project.id);
      // 'member' implies 'reader' in a bootstrapped Keystone: a token carries the implied roles too.
      // Only the delegated role (and what it implies), never the authorizing user's admin.
      expect(t.roles.map((r: { id: string }) => r.id)).toContain(roleId);
      expect(t.roles.map((r: { id: string }) => r.id)).not.toContain(adminRoleId);
      expect(t['OS-OAUTH1']).toEqual({ access_token_id: accessToken.key, consumer_id: consumer.id });
    });
    const oauthToken = subjectToken(issued);
    await test.step('the user\'s access tokens: list, show, roles list, role show, 404s', async () => {
      const l = await asUser.oauth1.listAccessTokens(user.id);
      expect(l.status).toBe(200);
      assertSchema(accessTokensResponseSchema, l.body);
      expect(l.body.access_tokens.map((x) => x.id)).toEqual([accessToken.key]);
      const s = await asUser.oauth1.showAccessToken(user.id, accessToken.key);
      expect(s.status).toBe(200);
      assertSchema(accessTokenResponseSchema, s.body);
      expect(s.body.access_token).toMatchObject({ id: accessToken.key, consumer_id: consumer.id, project_id: project.id, authorizing_user_id: user.id });
      expect(JSON.stringify(s.body).includes(accessToken.secret), 'GET access token shows its secret').toBe(false);
      const rl = await asUser.oauth1.listAccessTokenRoles(user.id, accessToken.key);
      expect(rl.status).toBe(200);
      assertSchema(rolesResponseSchema, rl.body);
      expect(rl.body.roles.map((r) => r.id)).toEqual([roleId]);
      const rg = await asUser.oauth1.showAccessTokenRole(user.id, accessToken.key, roleId);
      expect(rg.status).toBe(200);
      assertSchema(roleResponseSchema, rg.body);
      expect(rg.body.role.id).toBe(roleId);
      err(await asUser.oauth1.showAccessTokenRole(user.id, accessToken.key, 'ksgate0000000000000000000000000'), 404);
      err(await asUser.oauth1.showAccessToken(user.id, 'ksgate0000000000000000000000000'), 404);
    });
    await test.step('a token from OAuth1 delegation may not manage access tokens or authorize (403)', async () => {
      const asDelegated = admin.as(async () => oauthToken);
      err(await asDelegated.oauth1.listAccessTokens(user.id), 403);
      const rt2 = parseOAuth1TokenPair(expectStatus(await admin.oauth1.requestToken(client, project.id), 201));
      err(await asDelegated.oauth1.authorize(rt2.key, [{ id: roleId }]), 403);
    });
    await test.step('revoke: 204, then the access token is 404 and its Keystone token 404', async () => {
      expect((await asUser.oauth1.revokeAccessToken(user.id, accessToken.key)).status).toBe(204);
      err(await asUser.oauth1.showAccessToken(user.id, accessToken.key), 404);
      expect((await admin.tokens.validate(oauthToken)).status).toBe(404);
      expect((await admin.oauth1.authenticate(client, accessToken)).status).toBe(404);
    });
  });

  test('refusals: bad signature 401, unknown consumer/project 404, missing headers 4xx, member 403, 401 without a valid token', testId('af6a2949-e063-458b-8b52-c579fb2e738a'), async ({ admin, factory, cluster }) => {
    await allure.feature('oauth1 delegation'); await allure.story('POST /v3/OS-OAUTH1/request_token');
    const roleId = await bootstrapRoleId(admin, 'member');
    const project = await factory.project();
    const consumer = await factory.consumer();
    const client = { id: consumer.id, secret: consumer.secret! };
    await test.step('request token signed with the wrong secret: 401', async () => {
      err(await admin.oauth1.requestToken({ id: consumer.id, secret: 'wrong' }, project.id), 401);
    });
    await test.step('unknown consumer or project: 404', async () => {
      err(await admin.oauth1.requestToken({ id: '0'.repeat(32), secret: 'x' }, project.id), 404);
      err(await admin.oauth1.requestToken(client, 'ksgate-no-such-project'), 404);
    });
    await test.step('no Requested-Project-Id: 400', async () => {
      err(await admin.oauth1.requestToken(client, ''), 400);
    });
    await test.step('authorize an unknown request token: 404', async () => {
      err(await admin.oauth1.authorize('0'.repeat(32), [{ id: roleId }]), 404);
    });
    await test.step('a plain member may not list or create consumers, authorize or list access tokens (403)', async () => {
      const { user, password } = await factory.userWithRole(project.id, roleId);
      const t = await issuedToken(admin.tokens, passwordAuthBody({ username: user.name, userId: user.id, password, projectId: project.id }));
      const asMember = admin.as(async () => t.id);
      err(await asMember.consumers.list(), 403);
      err(await asMember.consumers.create({ description: factory.name('consumer') }), 403);
      // Authorizing a request token is admin-only in Zed's default policy.
      const rt = parseOAuth1TokenPair(expectStatus(await admin.oauth1.requestToken(client, project.id), 201));
      err(await asMember.oauth1.authorize(rt.key, [{ id: roleId }]), 403);
      err(await asMember.oauth1.listAccessTokens(user.id), 403);
      await test.step('401: no token, malformed token, revoked token', async () => {
        err(await admin.as(async () => null).consumers.list(), 401);
        err(await admin.as(async () => 'not-a-token').consumers.show(consumer.id), 401);
        expect((await admin.tokens.revoke(t.id)).status).toBe(204);
        err(await asMember.consumers.list(), 401);
      });
    });
    await test.step('no Authorization header at all: a client error', async () => {
      // Zed raises OAuthHeadersMissingError, an UnexpectedError (500), for this client mistake.
      const bare = await outcomeOf(admin.http.request('POST', '/v3/OS-OAUTH1/request_token', { token: null, headers: { 'requested-project-id': project.id } }));
      await expectClientError(bare, { testInfo: test.info(), cluster, what: 'POST /v3/OS-OAUTH1/request_token without Authorization' });
    });
  });

  test('write operations reject malformed bodies and OAuth headers with a 4xx (create/update consumer, authorize, request token, access token)', testId('60abaa4a-f34b-4fa0-8c8a-818cb096389d'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('oauth1 consumers'); await allure.story('POST /v3/OS-OAUTH1/consumers');
    const token = (await admin.tokenSource())!;
    const self = expectStatus(await admin.tokens.validate(token, { nocatalog: true }), 200).body.token;
    const failures: string[] = [];
    const consumer = await factory.consumer();
    await test.step('POST /v3/OS-OAUTH1/consumers', async () => {
      await softStep(failures, 'positive-control', async () => {
        const outcome = await sendBadInput(admin, 'POST', '/v3/OS-OAUTH1/consumers', token, { shape: 'positive-control', json: { consumer: { description: 'gate' } } });
        const id = 'status' in outcome && outcome.status === 201 ? (outcome.body.consumer?.id as string | undefined) : undefined;
        if (id) factory.defer(`consumer ${id}`, () => admin.consumers.delete(id));
        const v = judgePositiveControl(answerOf(outcome));
        expect(v.ok, `POST /v3/OS-OAUTH1/consumers [positive-control]: ${v.reason}`).toBe(true);
      });
      for (const b of badInputs({ memberKey: 'consumer', valid: { description: 'gate' }, typedField: 'description', longField: 'description' })) {
        await softStep(failures, b.shape, async () => {
          const outcome = await sendBadInput(admin, 'POST', '/v3/OS-OAUTH1/consumers', token, b);
          const id = 'status' in outcome && outcome.status === 201 ? (outcome.body.consumer?.id as string | undefined) : undefined;
          if (id) factory.defer(`consumer ${id}`, () => admin.consumers.delete(id));
          // keystone/oauth1/schema.py consumer_create has additionalProperties: true and no required
          // member: an unknown member is ignored and an empty consumer is a valid one.
          if (b.shape === 'unexpected-property' || b.shape === 'missing-body') { expect(id).toBeTruthy(); return; }
          await expectClientError(outcome, { testInfo, cluster, what: `POST /v3/OS-OAUTH1/consumers ${b.shape}` });
        });
      }
    });
    await test.step('PATCH /v3/OS-OAUTH1/consumers/{consumer_id}', async () => {
      await softStep(failures, 'positive-control', async () => {
        const v = judgePositiveControl(answerOf(await sendBadInput(admin, 'PATCH', `/v3/OS-OAUTH1/consumers/${consumer.id}`, token, { shape: 'positive-control', json: { consumer: { description: 'gate' } } })));
        expect(v.ok, `PATCH /v3/OS-OAUTH1/consumers/{id} [positive-control]: ${v.reason}`).toBe(true);
      });
      for (const b of badInputs({ memberKey: 'consumer', valid: { description: 'gate' }, typedField: 'description', longField: 'description' })) {
        await softStep(failures, b.shape, async () => {
          const outcome = await sendBadInput(admin, 'PATCH', `/v3/OS-OAUTH1/consumers/${consumer.id}`, token, b);
          // consumer_update has additionalProperties: true as well.
          if (b.shape === 'unexpected-property') { expect('status' in outcome && outcome.status).toBe(200); return; }
          await expectClientError(outcome, { testInfo, cluster, what: `PATCH /v3/OS-OAUTH1/consumers/{id} ${b.shape}` });
        });
      }
    });
    await test.step('PUT /v3/OS-OAUTH1/authorize/{request_token_id}', async () => {
      const rt = parseOAuth1TokenPair(expectStatus(await admin.oauth1.requestToken({ id: consumer.id, secret: consumer.secret! }, self.project!.id), 201));
      const roleId = self.roles![0]!.id;
      for (const b of badInputs({ memberKey: null, valid: { roles: [{ id: roleId }] }, required: 'roles', typedField: 'roles' })) {
        await softStep(failures, b.shape, async () => {
          const outcome = await sendBadInput(admin, 'PUT', `/v3/OS-OAUTH1/authorize/${rt.key}`, token, b);
          // keystone/api/os_oauth1.py reads only body.get('roles', []) and validates that list:
          // other members are ignored, and an absent list authorizes no role at all (200).
          if (b.shape === 'unexpected-property' || b.shape === 'missing-required') { expect('status' in outcome && outcome.status).toBe(200); return; }
          await expectClientError(outcome, { testInfo, cluster, what: `PUT /v3/OS-OAUTH1/authorize/{id} ${b.shape}` });
        });
      }
    });
    const client = { id: consumer.id, secret: consumer.secret! };
    // Not an OAuth header at all: oauthlib's parse_authorization_header raises ValueError for it.
    const basic = `Basic ${Buffer.from('ksgate:x').toString('base64')}`;
    /** Sends one signed-flow shape (no X-Auth-Token: both routes are unauthenticated) and judges it. */
    const sendFlowShape = async (path: string, shape: string, headers: Record<string, string>, allowed: number[], rawBody?: string) => {
      await softStep(failures, shape, async () => {
        const outcome = await outcomeOf(admin.http.request('POST', path, { token: null, headers, ...(rawBody !== undefined ? { rawBody } : {}) }));
        if ('status' in outcome && outcome.status === 201 && path.endsWith('/access_token')) {
          const key = new URLSearchParams(String(outcome.body)).get('oauth_token');
          if (key) factory.defer(`access token ${key}`, () => admin.oauth1.revokeAccessToken(self.user.id, key));
        }
        // OAuth1 flows authenticate: 400 or 401; the 404 of an unknown consumer or request token is
        // what Zed's keystone/api/os_oauth1.py raises (NotFound), kept as the check's narrowing.
        await expectClientError(outcome, { testInfo, cluster, what: `POST ${path} [${shape}]` }, 'auth-body',
          { only: allowed, ...(allowed.includes(404) ? { apiRef: 'keystone/api/os_oauth1.py: an unknown consumer or request token raises NotFound (404); api-ref statement not verified' } : {}) });
      });
    };
    await test.step('POST /v3/OS-OAUTH1/request_token: malformed, unsigned or wrongly signed', async () => {
      const path = '/v3/OS-OAUTH1/request_token';
      const project = { 'requested-project-id': self.project!.id };
      const sign = (c: { id: string; secret: string }) => admin.oauth1.sign('POST', path, c, undefined, { oauth_callback: 'oob' });
      await sendFlowShape(path, 'authorization-not-oauth', { ...project, authorization: basic }, [400, 401]);
      await sendFlowShape(path, 'authorization-unparsable', { ...project, authorization: 'OAuth oauth_consumer_key' }, [400, 401]);
      // keystone/api/os_oauth1.py RequestTokenResource: no oauth_consumer_key is a ValidationError.
      await sendFlowShape(path, 'no-consumer-key', { ...project, authorization: 'OAuth oauth_nonce="0123abcd", oauth_signature="x"' }, [400]);
      // The consumer is looked up (404) before the signature is checked.
      await sendFlowShape(path, 'unknown-consumer', { ...project, authorization: sign({ id: 'f'.repeat(32), secret: 'x' }) }, [404]);
      await sendFlowShape(path, 'wrong-signature', { ...project, authorization: sign({ ...client, secret: 'wrong' }) }, [401]);
      // Any body that is not a JSON object is refused before the route runs (json_body.py).
      await sendFlowShape(path, 'not-json-body', { ...project, authorization: sign(client) }, [400], '{"this is": not json');
    });
    await test.step('POST /v3/OS-OAUTH1/access_token: malformed, unsigned or wrongly signed', async () => {
      const path = '/v3/OS-OAUTH1/access_token';
      const rt = parseOAuth1TokenPair(expectStatus(await admin.oauth1.requestToken(client, self.project!.id), 201));
      const verifier = expectStatus(await admin.oauth1.authorize(rt.key, [{ id: self.roles![0]!.id }]), 200).body.token.oauth_verifier;
      const sign = (c: { id: string; secret: string }, t: { key: string; secret: string }, extra: Record<string, string> = { oauth_verifier: verifier }) =>
        admin.oauth1.sign('POST', path, c, t, extra);
      await sendFlowShape(path, 'no-authorization', {}, [400, 401]);
      await sendFlowShape(path, 'authorization-not-oauth', { authorization: basic }, [400, 401]);
      await sendFlowShape(path, 'no-verifier', { authorization: sign(client, rt, {}) }, [400]);
      await sendFlowShape(path, 'unknown-request-token', { authorization: sign(client, { key: 'f'.repeat(32), secret: 'x' }) }, [404]);
      await sendFlowShape(path, 'wrong-verifier', { authorization: sign(client, rt, { oauth_verifier: 'zzzzzzzz' }) }, [401]);
      await sendFlowShape(path, 'wrong-signature', { authorization: sign({ ...client, secret: 'wrong' }, rt) }, [401]);
      await sendFlowShape(path, 'unknown-consumer', { authorization: sign({ id: 'f'.repeat(32), secret: 'x' }, rt) }, [401]);
      await sendFlowShape(path, 'not-json-body', { authorization: sign(client, rt) }, [400], '{"this is": not json');
    });
    expect(failures, failures.join('\n')).toEqual([]);
  });
});
