import { createHash } from 'node:crypto';
import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { credentialResponseSchema, credentialsResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('credentials', { tag: '@credentials' }, () => {
  test('create (cert and ec2), filter by user_id/type, show, update, delete', testId('bdcf6102-381f-4b60-8691-9e80a9f0424c', '@slice'), async ({ admin, factory }) => {
    await allure.feature('credentials'); await allure.story('POST/GET/PATCH/DELETE /v3/credentials');
    const user = await factory.user();
    const project = await factory.project();
    const certBlob = JSON.stringify({ gate: factory.name('cert') });

    const cert = await admin.credentials.create({ type: 'cert', user_id: user.id, blob: certBlob });
    factory.deferIfCreated(cert, 'credential', (body) => admin.credentials.delete(body.credential.id));
    expectJson(cert, 201, credentialResponseSchema);
    expect(cert.body.credential).toMatchObject({ type: 'cert', user_id: user.id, blob: certBlob });
    const certId = cert.body.credential.id;

    // An ec2 credential's id is the sha256 of its access key (keystone/api/credentials.py _assign_unique_id).
    const access = factory.name('access');
    const ec2 = await admin.credentials.create({ type: 'ec2', user_id: user.id, project_id: project.id, blob: JSON.stringify({ access, secret: factory.name('secret') }) });
    factory.deferIfCreated(ec2, 'credential', (body) => admin.credentials.delete(body.credential.id));
    expectJson(ec2, 201, credentialResponseSchema);
    expect(ec2.body.credential).toMatchObject({ type: 'ec2', user_id: user.id, project_id: project.id });
    expect(ec2.body.credential.id).toBe(createHash('sha256').update(access).digest('hex'));

    await test.step('GET /v3/credentials?user_id= lists both', async () => {
      const r = await admin.credentials.list({ user_id: user.id });
      expectJson(r, 200, credentialsResponseSchema);
      expect(r.body.credentials.map((c) => c.id).sort()).toEqual([certId, ec2.body.credential.id].sort());
    });
    await test.step('GET /v3/credentials?user_id=&type=ec2 lists only the ec2 one', async () => {
      const r = await admin.credentials.list({ user_id: user.id, type: 'ec2' });
      expectJson(r, 200, credentialsResponseSchema);
      expect(r.body.credentials.map((c) => c.id)).toEqual([ec2.body.credential.id]);
    });
    await test.step('GET /v3/credentials/{credential_id}', async () => {
      const r = await admin.credentials.show(certId);
      expectJson(r, 200, credentialResponseSchema);
      expect(r.body.credential).toEqual(cert.body.credential);
    });
    await test.step('PATCH /v3/credentials/{credential_id} replaces the blob', async () => {
      const blob = JSON.stringify({ gate: 'rotated' });
      const r = await admin.credentials.update(certId, { blob });
      expectJson(r, 200, credentialResponseSchema);
      expect(r.body.credential).toMatchObject({ id: certId, type: 'cert', user_id: user.id, blob });
    });
    await test.step('DELETE /v3/credentials/{credential_id}, then 404', async () => {
      expectNoContent(await admin.credentials.delete(certId));
      expectError(await admin.credentials.show(certId), 404);
    });
  });

  test('unknown credential: 404; an ec2 credential without project_id: 400', testId('937e18b0-62bd-4ca2-a073-e59cc12f92e1'), async ({ admin, factory }) => {
    await allure.feature('credentials'); await allure.story('GET/PATCH/DELETE /v3/credentials/{credential_id}');
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.credentials.show(unknown), 404);
    expectError(await admin.credentials.update(unknown, { blob: '{}' }), 404);
    expectError(await admin.credentials.delete(unknown), 404);
    const user = await factory.user();
    const r = await admin.credentials.create({ type: 'ec2', user_id: user.id, blob: JSON.stringify({ access: factory.name('access'), secret: 'x' }) });
    factory.deferIfCreated(r, 'credential', (body) => admin.credentials.delete(body.credential.id));
    expectError(r, 400);
  });

  test('rejects missing, malformed and revoked tokens (401); a member sees only their own (403 on others\')', testId('6c1c138a-4a0c-4491-ae76-586ad60183fc'), async ({ reader, admin, factory }) => {
    await allure.feature('credentials'); await allure.story('GET/POST /v3/credentials');
    const other = await factory.user();
    const theirs = await factory.credential({ user_id: other.id });
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.credentials.list(),
      member: {
        'member shows another user\'s credential': async (member) => expectError(await member.credentials.show(theirs.id), 403),
        'member creates a credential for another user': async (member) => {
          const r = await member.credentials.create({ type: 'cert', user_id: other.id, blob: '{"gate": 1}' });
          factory.deferIfCreated(r, 'credential', (body) => admin.credentials.delete(body.credential.id));
          expectError(r, 403);
        },
        'member\'s list is filtered to their own credentials': async (member) => {
          const r = await member.credentials.list();
          expectJson(r, 200, credentialsResponseSchema);
          expect(r.body.credentials.every((c) => c.user_id === who.memberUserId)).toBe(true);
        },
      },
    });
  });

  test('bad input on POST /v3/credentials: 4xx, never 5xx', testId('3c1df4bf-7473-48dd-a201-7b8aca2f0efa'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('credentials'); await allure.story('POST /v3/credentials');
    const user = await factory.user();
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/credentials', template: '/v3/credentials',
      // type is a String(255) column and credential_create gives it no maxLength: the long type probes it.
      spec: { memberKey: 'credential', valid: { type: 'cert', user_id: user.id, blob: '{"gate": 1}' }, required: 'user_id', longField: 'type', typedField: 'blob' },
      accepted: { 'unexpected-property': 'credential_create has additionalProperties: true' },
      cleanup: (r) => factory.defer('credential from bad input', () => admin.credentials.delete(r.body.credential.id)),
    });
  });

  test('bad input on PATCH /v3/credentials/{credential_id}: 4xx, never 5xx', testId('7802e817-b00c-43c6-9630-59860a030056'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('credentials'); await allure.story('PATCH /v3/credentials/{credential_id}');
    const user = await factory.user();
    const cred = await factory.credential({ user_id: user.id });
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/credentials/${cred.id}`, template: '/v3/credentials/{credential_id}',
      spec: { memberKey: 'credential', valid: { blob: '{"gate": 2}' }, longField: 'type', typedField: 'blob' },
      accepted: { 'unexpected-property': 'credential_update has additionalProperties: true' },
    });
  });
});
