import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { endpointResponseSchema, endpointsResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// Endpoints are created only under the test's own service (unique type) and region: the
// identity service, RegionOne and the catalog other tests read are never touched.
test.describe('catalog endpoints', { tag: '@endpoints' }, () => {
  test('create, show, filter by interface/service_id/region_id, update, delete an endpoint', testId('d1d97945-632e-4677-8c38-e8649936fec1', '@slice'), async ({ admin, factory }) => {
    await allure.feature('endpoints'); await allure.story('POST/GET/PATCH/DELETE /v3/endpoints');
    const svc = await factory.service();
    const region = await factory.region();
    const url = `http://${factory.name('ep')}.gate.invalid:8080/v1`;

    const created = await admin.endpoints.create({ service_id: svc.id, interface: 'internal', url, region_id: region.id, enabled: true });
    factory.deferIfCreated(created, (body) => `endpoint ${body.endpoint.id}`, (body) => admin.endpoints.delete(body.endpoint.id));
    expectJson(created, 201, endpointResponseSchema);
    const ep = created.body.endpoint;
    // `region` is the pre-v3.2 alias Keystone still echoes (keystone/api/endpoints.py _filter_endpoint).
    expect(ep).toMatchObject({ service_id: svc.id, interface: 'internal', url, region_id: region.id, region: region.id, enabled: true });

    await test.step('GET /v3/endpoints/{endpoint_id}', async () => {
      const shown = await admin.endpoints.show(ep.id);
      expectJson(shown, 200, endpointResponseSchema);
      expect(shown.body.endpoint).toEqual(ep);
    });

    await test.step('GET /v3/endpoints?service_id=', async () => {
      const r = await admin.endpoints.list({ service_id: svc.id });
      expectJson(r, 200, endpointsResponseSchema);
      expect(r.body.endpoints.map((e) => e.id)).toEqual([ep.id]);
    });
    await test.step('GET /v3/endpoints?service_id=&interface= (matching and not matching)', async () => {
      const hit = await admin.endpoints.list({ service_id: svc.id, interface: 'internal' });
      expectJson(hit, 200, endpointsResponseSchema);
      expect(hit.body.endpoints.map((e) => e.id)).toEqual([ep.id]);
      const miss = await admin.endpoints.list({ service_id: svc.id, interface: 'admin' });
      expectJson(miss, 200, endpointsResponseSchema);
      expect(miss.body.endpoints).toEqual([]);
    });
    await test.step('GET /v3/endpoints?region_id=', async () => {
      const r = await admin.endpoints.list({ region_id: region.id });
      expectJson(r, 200, endpointsResponseSchema);
      expect(r.body.endpoints.map((e) => e.id)).toEqual([ep.id]);
    });

    await test.step('a region with an endpoint cannot be deleted (403 RegionDeletionError)', async () => {
      expectError(await admin.regions.delete(region.id), 403);
    });

    await test.step('PATCH /v3/endpoints/{endpoint_id}', async () => {
      const newUrl = `${url}/moved`;
      const updated = await admin.endpoints.update(ep.id, { url: newUrl, interface: 'admin', enabled: false });
      expectJson(updated, 200, endpointResponseSchema);
      expect(updated.body.endpoint).toMatchObject({ id: ep.id, url: newUrl, interface: 'admin', enabled: false, region_id: region.id });
      expect((await admin.endpoints.list({ service_id: svc.id, interface: 'admin' })).body.endpoints.map((e: { id: string }) => e.id)).toEqual([ep.id]);
    });

    await test.step('DELETE /v3/endpoints/{endpoint_id}, then 404', async () => {
      expectNoContent(await admin.endpoints.delete(ep.id));
      expectError(await admin.endpoints.show(ep.id), 404);
    });
  });

  test('unknown ids: 404 for the endpoint, 400 for an unknown service or region on create', testId('1603496d-c324-483e-9ba9-db0df482940e'), async ({ admin, factory }) => {
    await allure.feature('endpoints'); await allure.story('GET/PATCH/DELETE /v3/endpoints/{endpoint_id}');
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.endpoints.show(unknown), 404);
    expectError(await admin.endpoints.update(unknown, { url: 'http://gate.invalid/' }), 404);
    expectError(await admin.endpoints.delete(unknown), 404);
    const svc = await factory.service();
    // catalog/core.py _assert_service_exists / _assert_region_exists raise ValidationError.
    const noService = await admin.endpoints.create({ service_id: unknown, interface: 'public', url: 'http://gate.invalid/' });
    factory.deferIfCreated(noService, 'endpoint', (body) => admin.endpoints.delete(body.endpoint.id));
    expectError(noService, 400);
    const noRegion = await admin.endpoints.create({ service_id: svc.id, interface: 'public', url: 'http://gate.invalid/', region_id: unknown });
    factory.deferIfCreated(noRegion, 'endpoint', (body) => admin.endpoints.delete(body.endpoint.id));
    expectError(noRegion, 400);
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('abb5d9a6-e97c-463c-9e24-b3da707ba103'), async ({ reader, admin, factory }) => {
    await allure.feature('endpoints'); await allure.story('GET/POST /v3/endpoints');
    const svc = await factory.service();
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.endpoints.list(),
      member: {
        'member lists endpoints': async (member) => expectError(await member.endpoints.list(), 403),
        'member creates an endpoint': async (member) => {
          const r = await member.endpoints.create({ service_id: svc.id, interface: 'public', url: 'http://gate.invalid/' });
          factory.deferIfCreated(r, 'endpoint', (body) => admin.endpoints.delete(body.endpoint.id));
          expectError(r, 403);
        },
      },
    });
  });

  test('bad input on POST /v3/endpoints: 4xx, never 5xx', testId('0657eafc-f58c-4db4-8520-dea6c3263a39'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoints'); await allure.story('POST /v3/endpoints');
    const svc = await factory.service();
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/endpoints', template: '/v3/endpoints',
      spec: { memberKey: 'endpoint', valid: { service_id: svc.id, interface: 'public', url: 'http://gate.invalid/v1' }, required: 'url', longField: 'url', typedField: 'interface' },
      accepted: { 'unexpected-property': 'endpoint_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('endpoint from bad input', () => admin.endpoints.delete(r.body.endpoint.id)),
    });
  });

  test('bad input on PATCH /v3/endpoints/{endpoint_id}: 4xx, never 5xx', testId('1f8b742d-7c5a-40f7-9a02-a61ecf8ec57a'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('endpoints'); await allure.story('PATCH /v3/endpoints/{endpoint_id}');
    const svc = await factory.service();
    const ep = await factory.endpoint({ service_id: svc.id });
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/endpoints/${ep.id}`, template: '/v3/endpoints/{endpoint_id}',
      spec: { memberKey: 'endpoint', valid: { url: 'http://gate.invalid/v2' }, longField: 'url', typedField: 'enabled' },
      accepted: { 'unexpected-property': 'endpoint_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
