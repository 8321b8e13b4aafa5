import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { policiesResponseSchema, policyResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// /v3/policies is deprecated since Queens (keystone/api/policy.py) but still served: Keystone
// stores blobs and enforces nothing with them.
test.describe('policies', { tag: '@policies' }, () => {
  test('create, show, filter by type, update, delete a policy blob', testId('917a8758-8f74-4fd4-bd03-dde4b1587ee5', '@slice'), async ({ admin, factory }) => {
    await allure.feature('policies'); await allure.story('POST/GET/PATCH/DELETE /v3/policies');
    // A type of our own, so the type filter can be checked exactly.
    const type = `application/x-${factory.name('policy')}`;
    const blob = JSON.stringify({ 'identity:gate': 'role:admin' });
    const created = await admin.policies.create({ type, blob });
    factory.deferIfCreated(created, 'policy', (body) => admin.policies.delete(body.policy.id));
    expectJson(created, 201, policyResponseSchema);
    const policy = created.body.policy;
    expect(policy).toMatchObject({ type, blob });
    expect(policy.links.self).toMatch(new RegExp(`/v3/policies/${policy.id}$`));

    await test.step('GET /v3/policies/{policy_id}', async () => {
      const r = await admin.policies.show(policy.id);
      expectJson(r, 200, policyResponseSchema);
      expect(r.body.policy).toEqual(policy);
    });
    await test.step('GET /v3/policies?type=', async () => {
      const r = await admin.policies.list({ type });
      expectJson(r, 200, policiesResponseSchema);
      expect(r.body.policies.map((p) => p.id)).toEqual([policy.id]);
    });
    await test.step('PATCH /v3/policies/{policy_id}', async () => {
      const newBlob = JSON.stringify({ 'identity:gate': 'role:member' });
      const r = await admin.policies.update(policy.id, { blob: newBlob });
      expectJson(r, 200, policyResponseSchema);
      expect(r.body.policy).toMatchObject({ id: policy.id, type, blob: newBlob });
    });
    await test.step('DELETE /v3/policies/{policy_id}, then 404', async () => {
      expectNoContent(await admin.policies.delete(policy.id));
      expectError(await admin.policies.show(policy.id), 404);
    });
  });

  test('unknown policy id: 404 on show, update and delete', testId('2d9319bb-fad5-429c-bd6b-892e91a465fd'), async ({ admin }) => {
    await allure.feature('policies'); await allure.story('GET/PATCH/DELETE /v3/policies/{policy_id}');
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.policies.show(unknown), 404);
    expectError(await admin.policies.update(unknown, { blob: '{}' }), 404);
    expectError(await admin.policies.delete(unknown), 404);
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('6160f103-1dd6-4670-9991-d5c0b837eebe'), async ({ reader, admin, factory }) => {
    await allure.feature('policies'); await allure.story('GET/POST /v3/policies');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.policies.list(),
      member: {
        'member lists policies': async (member) => expectError(await member.policies.list(), 403),
        'member creates a policy': async (member) => {
          const r = await member.policies.create({ type: 'application/json', blob: '{}' });
          factory.deferIfCreated(r, 'policy', (body) => admin.policies.delete(body.policy.id));
          expectError(r, 403);
        },
      },
    });
  });

  test('bad input on POST /v3/policies: 4xx, never 5xx', testId('3ec669f1-106f-4607-813b-c39b9e778b96'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('policies'); await allure.story('POST /v3/policies');
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/policies', template: '/v3/policies',
      spec: { memberKey: 'policy', valid: { type: 'application/json', blob: '{"gate": "x"}' }, required: 'blob', longField: 'type', typedField: 'blob' },
      accepted: { 'unexpected-property': 'policy_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('policy from bad input', () => admin.policies.delete(r.body.policy.id)),
    });
  });

  test('bad input on PATCH /v3/policies/{policy_id}: 4xx, never 5xx', testId('37e2997f-fd53-4157-a9fc-1923a3a87de3'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('policies'); await allure.story('PATCH /v3/policies/{policy_id}');
    const policy = await factory.policy();
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/policies/${policy.id}`, template: '/v3/policies/{policy_id}',
      spec: { memberKey: 'policy', valid: { blob: '{"gate": "y"}' }, longField: 'type', typedField: 'blob' },
      accepted: { 'unexpected-property': 'policy_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
