import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import { testId } from '../../lib/coverage/test-ids.js';

test.describe('version discovery', { tag: ['@discovery', '@slice'] }, () => {
  test('GET / lists the v3 version with 300 Multiple Choices', testId('5e0b9c1e-3f1c-4f7e-9d6b-1a8a0c2f4b01'), async ({ admin }) => {
    await allure.feature('versions'); await allure.story('GET /');
    const r = await admin.discovery.versions();
    expect(r.status).toBe(300);
    const values = r.body.versions.values as { id: string; status: string; links: { rel: string; href: string }[] }[];
    const v3 = values.find((v) => v.id.startsWith('v3.'));
    expect(v3, 'a v3 version is advertised').toBeTruthy();
    expect(v3!.status).toBe('stable');
    expect(v3!.links.some((l) => l.rel === 'self' && /\/v3\/?$/.test(l.href))).toBe(true);
  });

  test('GET /v3 describes the v3 API with media types', testId('2c4d8a57-8e7f-4a0b-b5c2-6f31e9d0a702'), async ({ admin }) => {
    await allure.feature('versions'); await allure.story('GET /v3');
    const r = await admin.discovery.v3();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toContain('application/json');
    expect(r.body.version.id).toMatch(/^v3\.\d+$/);
    expect(r.body.version.status).toBe('stable');
    expect(r.body.version['media-types']).toContainEqual({ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' });
  });
});
