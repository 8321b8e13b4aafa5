import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { regionResponseSchema, regionsResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadInputs } from './catalog-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// Only `ksgate-region-*` regions are created and deleted; RegionOne is never touched.
test.describe('regions', { tag: '@regions' }, () => {
  test('create (generated and chosen id), show, filter by parent_region_id, update, delete', testId('99dade1a-c3a7-431b-83fd-d720d468020f', '@slice'), async ({ admin, factory }) => {
    await allure.feature('regions'); await allure.story('POST/GET/PATCH/DELETE /v3/regions');
    // POST without an id: Keystone generates one.
    const parentRes = await admin.regions.create({ description: 'gate parent' });
    factory.deferIfCreated(parentRes, (body) => `region ${body.region.id}`, (body) => admin.regions.delete(body.region.id));
    expectJson(parentRes, 201, regionResponseSchema);
    const parent = parentRes.body.region;
    expect(parent).toMatchObject({ description: 'gate parent', parent_region_id: null });
    expect(parent.id).toMatch(/^[0-9a-f]{32}$/);

    // POST with an id (historical; PUT /v3/regions/{id} is the documented way).
    const childId = factory.name('region');
    const childRes = await admin.regions.create({ id: childId, description: 'gate child', parent_region_id: parent.id });
    factory.deferIfCreated(childRes, `region ${childId}`, () => admin.regions.delete(childId));
    expectJson(childRes, 201, regionResponseSchema);
    expect(childRes.body.region).toMatchObject({ id: childId, description: 'gate child', parent_region_id: parent.id });
    expect(childRes.body.region.links.self).toMatch(new RegExp(`/v3/regions/${childId}$`));

    await test.step('GET /v3/regions/{region_id}', async () => {
      const shown = await admin.regions.show(childId);
      expectJson(shown, 200, regionResponseSchema);
      expect(shown.body.region).toEqual(childRes.body.region);
    });
    await test.step('GET /v3/regions?parent_region_id=', async () => {
      const r = await admin.regions.list({ parent_region_id: parent.id });
      expectJson(r, 200, regionsResponseSchema);
      expect(r.body.regions.map((x) => x.id)).toEqual([childId]);
    });
    await test.step('GET /v3/regions (unfiltered)', async () => {
      const r = await admin.regions.list();
      expectJson(r, 200, regionsResponseSchema);
      expect(r.body.regions.map((x) => x.id)).toEqual(expect.arrayContaining([parent.id, childId]));
    });
    await test.step('POST /v3/regions with an existing id: 409', async () => {
      expectError(await admin.regions.create({ id: childId, description: 'duplicate' }), 409);
    });
    await test.step('PATCH /v3/regions/{region_id}', async () => {
      const r = await admin.regions.update(childId, { description: 'gate child, updated' });
      expectJson(r, 200, regionResponseSchema);
      expect(r.body.region).toMatchObject({ id: childId, description: 'gate child, updated', parent_region_id: parent.id });
    });
    await test.step('PATCH making a region its own ancestor: 400 (circular hierarchy)', async () => {
      expectError(await admin.regions.update(parent.id, { parent_region_id: childId }), 400);
    });
    await test.step('DELETE /v3/regions/{region_id}, then 404', async () => {
      expectNoContent(await admin.regions.delete(childId));
      expectError(await admin.regions.show(childId), 404);
    });
  });

  test('unknown region id: 404 on show, update, delete and as a parent', testId('0babe518-ef1d-48fc-84a8-55f6e86a09de'), async ({ admin, factory }) => {
    await allure.feature('regions'); await allure.story('GET/PATCH/DELETE /v3/regions/{region_id}');
    const unknown = factory.name('no-such-region');
    expectError(await admin.regions.show(unknown), 404);
    expectError(await admin.regions.update(unknown, { description: 'x' }), 404);
    expectError(await admin.regions.delete(unknown), 404);
    const orphan = await admin.regions.create({ description: 'gate orphan', parent_region_id: unknown });
    factory.deferIfCreated(orphan, 'region', (body) => admin.regions.delete(body.region.id));
    expectError(orphan, 404);
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('3c721cab-b03b-4961-9ec4-ede021c36596'), async ({ reader, admin, factory }) => {
    await allure.feature('regions'); await allure.story('GET/POST /v3/regions');
    const who = await callers(admin, factory, reader);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.regions.list(),
      member: {
        // identity:list_regions is '' in Zed: any authenticated user may read the region list.
        'member lists regions (allowed)': async (member) => expectJson(await member.regions.list(), 200, regionsResponseSchema),
        'member creates a region': async (member) => {
          const r = await member.regions.create({ description: 'gate by member' });
          factory.deferIfCreated(r, 'region', (body) => admin.regions.delete(body.region.id));
          expectError(r, 403);
        },
      },
    });
  });

  test('bad input on POST /v3/regions: 4xx, never 5xx', testId('af1684d7-27e2-4152-87d8-d22611b85f48'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('regions'); await allure.story('POST /v3/regions');
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/regions', template: '/v3/regions',
      // region.id is a String(255) column with no maxLength in region_create: the long id probes it.
      spec: { memberKey: 'region', valid: { id: factory.name('region'), description: 'gate' }, longField: 'id', typedField: 'parent_region_id' },
      accepted: { 'unexpected-property': 'region_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('region from bad input', () => admin.regions.delete(r.body.region.id)),
    });
  });

  test('bad input on PUT /v3/regions/{region_id}: 4xx, never 5xx', testId('2f1ba081-3f1b-4742-beb8-3e9894910091'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('regions'); await allure.story('PUT /v3/regions/{region_id}');
    const id = factory.name('region');
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PUT', path: `/v3/regions/${id}`, template: '/v3/regions/{region_id}',
      spec: { memberKey: 'region', valid: { description: 'gate' }, longField: 'description', typedField: 'parent_region_id' },
      accepted: { 'unexpected-property': 'region_create has additionalProperties: true' },
      // Deleted at once: every shape targets the same id, a leftover would turn the next into a 409.
      cleanup: async (r) => {
        if ((await admin.regions.delete(r.body.region.id)).status !== 204) factory.defer('region from bad input', () => admin.regions.delete(r.body.region.id));
      },
    });
  });

  test('bad input on PATCH /v3/regions/{region_id}: 4xx, never 5xx', testId('15e30dc1-48fd-40de-a3f6-3ded51e99dd6'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('regions'); await allure.story('PATCH /v3/regions/{region_id}');
    const region = await factory.region();
    await sendBadInputs({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/regions/${region.id}`, template: '/v3/regions/{region_id}',
      spec: { memberKey: 'region', valid: { description: 'gate' }, longField: 'description', typedField: 'parent_region_id' },
      accepted: { 'unexpected-property': 'region_update has additionalProperties: true' },
    });
  });
});
