import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { endpointsResponseSchema, policyResponseSchema } from '../../lib/keystone/schemas/index.js';
import type { PolicyTarget } from '../../lib/keystone/services/endpoint-policy.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, deleteAtPath, expectError, expectJson, expectNoContent, sendBadPathIds } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** A policy, and an endpoint of a service of our own in a region of our own. */
async function fixtureSet(factory: ResourceFactory) {
  const policy = await factory.policy();
  const service = await factory.service();
  const region = await factory.region();
  const endpoint = await factory.endpoint({ service_id: service.id, region_id: region.id });
  return { policy, service, region, endpoint };
}

// OS-ENDPOINT-POLICY (keystone/api/policy.py, endpoints.py): associate, verify (204) and delete
// associations; the effective policy of an endpoint resolves endpoint, then service+region, then
// service associations (keystone/endpoint_policy/core.py).
test.describe('endpoint policy', { tag: '@endpoint-policy' }, () => {
  test('associate, verify, list endpoints, effective policy, delete: endpoint, service, service+region', testId('8155feda-9a35-495b-954c-0a42c4e91e8c', '@slice'), async ({ admin, factory }) => {
    await allure.feature('endpoint policy'); await allure.story('PUT/GET/DELETE /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/...');
    const { policy, service, region, endpoint } = await fixtureSet(factory);
    const targets: [string, PolicyTarget][] = [
      ['endpoints/{endpoint_id}', { endpointId: endpoint.id }],
      ['services/{service_id}', { serviceId: service.id }],
      ['services/{service_id}/regions/{region_id}', { serviceId: service.id, regionId: region.id }],
    ];
    for (const [template, target] of targets) {
      await test.step(template, async () => {
        expectError(await admin.endpointPolicy.verify(policy.id, target), 404);
        const put = await admin.endpointPolicy.associate(policy.id, target);
        factory.defer(`association ${template}`, () => admin.endpointPolicy.dissociate(policy.id, target));
        expectNoContent(put);
        expectNoContent(await admin.endpointPolicy.verify(policy.id, target));

        const listed = await admin.endpointPolicy.listEndpoints(policy.id);
        expectJson(listed, 200, endpointsResponseSchema);
        expect(listed.body.endpoints.map((e: { id: string }) => e.id)).toEqual([endpoint.id]);

        const effective = await admin.endpointPolicy.effectivePolicy(endpoint.id);
        expectJson(effective, 200, policyResponseSchema);
        expect(effective.body.policy.id).toBe(policy.id);

        expectNoContent(await admin.endpointPolicy.dissociate(policy.id, target));
        expectError(await admin.endpointPolicy.verify(policy.id, target), 404);
      });
    }
    await test.step('no association left: no effective policy (404), no endpoints listed', async () => {
      expectError(await admin.endpointPolicy.effectivePolicy(endpoint.id), 404);
      const listed = await admin.endpointPolicy.listEndpoints(policy.id);
      expectJson(listed, 200, endpointsResponseSchema);
      expect(listed.body.endpoints).toEqual([]);
    });
  });

  test('the api-ref\'s GET/HEAD /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy is not routed by Zed: 404', testId('c7aa4d8d-99b6-4f78-8b4b-3d6cc6be8d83'), async ({ admin, factory }) => {
    await allure.feature('endpoint policy'); await allure.story('GET/HEAD /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy');
    const policy = await factory.policy();
    // keystone/api/policy.py maps only .../endpoints, .../services and .../regions under OS-ENDPOINT-POLICY.
    expect((await admin.endpointPolicy.documentedPolicyRoute('GET', policy.id)).status).toBe(404);
    expect((await admin.endpointPolicy.documentedPolicyRoute('HEAD', policy.id)).status).toBe(404);
  });

  test('bad input on association PUTs (unknown, malformed or over-long ids, non-JSON body): 4xx, never 5xx', testId('483a16a1-ca4e-4406-b44f-b51f68d42d59'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoint policy'); await allure.story('PUT /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/...');
    const { policy, service, region, endpoint } = await fixtureSet(factory);
    const unknown = 'ksgate0000000000000000000000000000';
    const attempts: [string, string, PolicyTarget][] = [
      ['unknown policy', unknown, { serviceId: service.id }],
      ['unknown endpoint', policy.id, { endpointId: unknown }],
      ['unknown service', policy.id, { serviceId: unknown }],
      ['unknown region', policy.id, { serviceId: service.id, regionId: unknown }],
    ];
    for (const [what, policyId, target] of attempts) {
      await test.step(what, async () => {
        const r = await admin.endpointPolicy.associate(policyId, target);
        factory.deferIfCreated(r, what, () => admin.endpointPolicy.dissociate(policyId, target), 204);
        expectError(r, 404);
      });
    }
    await test.step('endpoints of an unknown policy', async () => expectError(await admin.endpointPolicy.listEndpoints(unknown), 404));
    await test.step('effective policy of an unknown endpoint', async () => expectError(await admin.endpointPolicy.effectivePolicy(unknown), 404));
    // keystone/api/policy.py looks up the policy and then each target before associating: a
    // malformed id in the target's position must meet that lookup's 404.
    const routes: [string, Record<string, string>, string][] = [
      ['/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', { policy_id: policy.id, endpoint_id: endpoint.id }, 'endpoint_id'],
      ['/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', { policy_id: policy.id, service_id: service.id }, 'service_id'],
      ['/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', { policy_id: policy.id, service_id: service.id, region_id: region.id }, 'region_id'],
    ];
    for (const [template, ids, into] of routes) {
      await test.step(`${template}: malformed ids, non-JSON body`, async () => {
        await sendBadPathIds({ admin, testInfo, cluster }, {
          method: 'PUT', template, ids, into,
          cleanup: deleteAtPath(admin, factory, 'association from bad input'),
        });
      });
    }
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('80d49fb5-1478-471e-bf01-98df7324c568'), async ({ reader, admin, factory }) => {
    await allure.feature('endpoint policy'); await allure.story('PUT/GET /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/...');
    const policy = await factory.policy();
    const service = await factory.service();
    const target = { serviceId: service.id };
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.endpointPolicy.listEndpoints(policy.id),
      member: {
        'member associates': async (member) => {
          const r = await member.endpointPolicy.associate(policy.id, target);
          factory.deferIfCreated(r, 'association', () => admin.endpointPolicy.dissociate(policy.id, target), 204);
          expectError(r, 403);
        },
        'member lists endpoints of a policy': async (member) => expectError(await member.endpointPolicy.listEndpoints(policy.id), 403),
      },
    });
  });
});
