import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { serviceResponseSchema, servicesResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// Every service here has a unique `ksgate-type-*` type: the catalog other tests (and other
// helpers' clients) read is never changed, and the identity service is never touched.
test.describe('catalog services', { tag: '@services' }, () => {
  test('create, show, filter by type, update, delete a service', testId('6a261197-7261-49db-85be-bc802a029242', '@slice'), async ({ admin, factory }) => {
    await allure.feature('services'); await allure.story('POST/GET/PATCH/DELETE /v3/services');
    const type = factory.name('type');
    const name = factory.name('service');

    const created = await admin.services.create({ type, name, description: 'gate service', enabled: true });
    factory.deferIfCreated(created, (body) => `service ${body.service.id}`, (body) => admin.services.delete(body.service.id));
    expectJson(created, 201, serviceResponseSchema);
    const svc = created.body.service;
    expect(svc).toMatchObject({ type, name, description: 'gate service', enabled: true });
    expect(svc.links.self).toMatch(new RegExp(`/v3/services/${svc.id}$`));

    await test.step('GET /v3/services/{service_id}', async () => {
      const shown = await admin.services.show(svc.id);
      expectJson(shown, 200, serviceResponseSchema);
      expect(shown.body.service).toEqual(svc);
    });

    await test.step('GET /v3/services?type= returns exactly the service of that type', async () => {
      const listed = await admin.services.list({ type });
      expectJson(listed, 200, servicesResponseSchema);
      expect(listed.body.services.map((s) => s.id)).toEqual([svc.id]);
      expect(listed.body.links?.self).toContain('/v3/services');
    });

    await test.step('GET /v3/services (unfiltered) includes it', async () => {
      const all = await admin.services.list();
      expectJson(all, 200, servicesResponseSchema);
      expect(all.body.services.map((s) => s.id)).toContain(svc.id);
    });

    await test.step('PATCH /v3/services/{service_id} changes only what it names', async () => {
      const updated = await admin.services.update(svc.id, { description: 'gate service, updated', enabled: false });
      expectJson(updated, 200, serviceResponseSchema);
      expect(updated.body.service).toMatchObject({ id: svc.id, type, name, description: 'gate service, updated', enabled: false });
      expect((await admin.services.show(svc.id)).body.service.enabled).toBe(false);
    });

    await test.step('DELETE /v3/services/{service_id}, then 404', async () => {
      expectNoContent(await admin.services.delete(svc.id));
      expectError(await admin.services.show(svc.id), 404);
    });
  });

  test('unknown service id: 404 on show, update and delete', testId('dfe56b91-a3cd-41a5-a319-820b0ee8e4ac'), async ({ admin }) => {
    await allure.feature('services'); await allure.story('GET/PATCH/DELETE /v3/services/{service_id}');
    const unknown = 'ksgate0000000000000000000000000000';
    expectError(await admin.services.show(unknown), 404);
    expectError(await admin.services.update(unknown, { description: 'x' }), 404);
    expectError(await admin.services.delete(unknown), 404);
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('3602d8b6-be30-4e33-846e-f2b6dd594c9e'), async ({ reader, admin, factory }) => {
    await allure.feature('services'); await allure.story('GET/POST /v3/services');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.services.list(),
      member: {
        'member lists services': async (member) => expectError(await member.services.list(), 403),
        'member creates a service': async (member) => {
          const r = await member.services.create({ type: factory.name('type') });
          factory.deferIfCreated(r, 'service', (body) => admin.services.delete(body.service.id));
          expectError(r, 403);
        },
      },
    });
  });

  test('bad input on POST /v3/services: 4xx, never 5xx', testId('2ee1b378-2432-4a7f-a556-8c582e42365a'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('services'); await allure.story('POST /v3/services');
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/services', template: '/v3/services',
      spec: { memberKey: 'service', valid: { type: factory.name('type'), name: factory.name('service') }, required: 'type', longField: 'type', typedField: 'enabled' },
      accepted: { 'unexpected-property': 'service_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('service from bad input', () => admin.services.delete(r.body.service.id)),
    });
  });

  test('bad input on PATCH /v3/services/{service_id}: 4xx, never 5xx', testId('9434cf12-edbf-494b-8c0c-d4d51cb579c5'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('services'); await allure.story('PATCH /v3/services/{service_id}');
    const svc = await factory.service();
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/services/${svc.id}`, template: '/v3/services/{service_id}',
      spec: { memberKey: 'service', valid: { type: svc.type, description: 'gate' }, longField: 'type', typedField: 'enabled' },
      accepted: { 'unexpected-property': 'service_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
