import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import type { Keystone } from '../../lib/keystone/client.js';
import { domainResponseSchema, domainsResponseSchema } from '../../lib/keystone/schemas/index.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, expectPathIdsRejected, ids, sendBadBodies, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

/** Domains are only deleted once disabled: what a cleanup of a created domain must do. */
const disableAndDelete = async (admin: Keystone, id: string) => {
  await admin.domains.update(id, { enabled: false });
  return admin.domains.delete(id);
};

test.describe('domains', { tag: '@domains' }, () => {
  test('create, show, filter, update, refuse to delete while enabled, delete', testId('1533c993-6fb8-4817-bd2b-73cea63a95c5', '@slice'), async ({ admin, factory }) => {
    await allure.feature('domains'); await allure.story('POST/GET/PATCH/DELETE /v3/domains');
    const name = factory.name('domain');
    const created = await admin.domains.create({ name, description: 'gate domain', enabled: true, tags: ['gate'] });
    factory.deferIfCreated(created, (body) => `domain ${body.domain.id}`, (body) => disableAndDelete(admin, body.domain.id));
    expectJson(created, 201, domainResponseSchema);
    const domain = created.body.domain;
    expect(domain).toMatchObject({ name, description: 'gate domain', enabled: true, tags: ['gate'] });
    expect(domain.links.self).toMatch(new RegExp(`/v3/domains/${domain.id}$`));

    await test.step('GET /v3/domains/{domain_id} (and HEAD)', async () => {
      const shown = await admin.domains.show(domain.id);
      expectJson(shown, 200, domainResponseSchema);
      expect(shown.body.domain).toEqual(domain);
      expect((await admin.domains.head(domain.id)).status).toBe(200);
    });

    await test.step('GET /v3/domains?name=, ?enabled=', async () => {
      const byName = await admin.domains.list({ name });
      expectJson(byName, 200, domainsResponseSchema);
      expect(ids(byName.body.domains)).toEqual([domain.id]);
      expect((await admin.domains.list({ name, enabled: false })).body.domains).toEqual([]);
    });

    await test.step('DELETE of an enabled domain: 403', async () => {
      expectError(await admin.domains.delete(domain.id), 403);
      expect((await admin.domains.show(domain.id)).status).toBe(200);
    });

    await test.step('PATCH /v3/domains/{domain_id} (disable)', async () => {
      const updated = await admin.domains.update(domain.id, { description: 'gate domain, updated', enabled: false });
      expectJson(updated, 200, domainResponseSchema);
      expect(updated.body.domain).toMatchObject({ id: domain.id, name, description: 'gate domain, updated', enabled: false });
      expect(ids((await admin.domains.list({ name, enabled: false })).body.domains)).toEqual([domain.id]);
    });

    await test.step('DELETE /v3/domains/{domain_id} once disabled, then 404', async () => {
      expectNoContent(await admin.domains.delete(domain.id));
      expectError(await admin.domains.show(domain.id), 404);
    });
  });

  test('deleting a domain deletes its projects, users and groups', testId('a8d10c7c-6f3d-4f99-a6e2-213c61525cd9'), async ({ admin, factory }) => {
    await allure.feature('domains'); await allure.story('DELETE /v3/domains/{domain_id}');
    const domain = await factory.domain();
    const project = await factory.project({ domain_id: domain.id });
    const user = await factory.user({ domain_id: domain.id });
    const group = await factory.group({ domain_id: domain.id });
    expectJson(await admin.domains.update(domain.id, { enabled: false }), 200, domainResponseSchema);
    expectNoContent(await admin.domains.delete(domain.id));
    expectError(await admin.projects.show(project.id), 404);
    expectError(await admin.users.show(user.id), 404);
    expectError(await admin.groups.show(group.id), 404);
  });

  test('unknown ids, ids with path characters, duplicate names', testId('8da78668-5dd0-4659-a635-64fa04449019'), async ({ admin, factory }) => {
    await allure.feature('domains'); await allure.story('GET/PATCH/DELETE /v3/domains/{domain_id}, POST /v3/domains');
    await test.step('404 on show, update and delete', async () => {
      expectError(await admin.domains.show(UNKNOWN_ID), 404);
      expectError(await admin.domains.update(UNKNOWN_ID, { description: 'x' }), 404);
      expectError(await admin.domains.delete(UNKNOWN_ID), 404);
    });
    await expectPathIdsRejected(admin, '/v3/domains', 'domain');
    await test.step('a second domain with the same name: 409', async () => {
      const domain = await factory.domain();
      const dup = await admin.domains.create({ name: domain.name });
      factory.deferIfCreated(dup, 'duplicate domain', (body) => disableAndDelete(admin, body.domain.id));
      expectError(dup, 409);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('7f2e2b75-d033-4a6d-885e-cae51ab08c99'), async ({ reader, admin, factory }) => {
    await allure.feature('domains'); await allure.story('GET/POST/PATCH/DELETE /v3/domains');
    const who = await callers(admin, factory, reader);
    const other = await factory.domain();
    const memberDomainId = (await admin.projects.show(who.memberProjectId)).body.project.domain_id;
    await expectTokenRefusals(who, {
      probe: (ks) => ks.domains.list(),
      member: {
        "member may show its project's domain": async (member) => expectJson(await member.domains.show(memberDomainId), 200, domainResponseSchema),
        'member lists domains and shows another domain': async (member) => {
          expectError(await member.domains.list(), 403);
          expectError(await member.domains.show(other.id), 403);
        },
        'member creates, updates, deletes a domain': async (member) => {
          const r = await member.domains.create({ name: factory.name('domain') });
          factory.deferIfCreated(r, 'domain', (body) => disableAndDelete(admin, body.domain.id));
          expectError(r, 403);
          expectError(await member.domains.update(other.id, { description: 'x' }), 403);
          expectError(await member.domains.delete(other.id), 403);
        },
      },
    });
  });

  test('bad input on POST /v3/domains: 4xx, never 5xx', testId('f3e82dd4-dbcc-4cb0-ba45-c59e5e603e9e'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domains'); await allure.story('POST /v3/domains');
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'POST', path: '/v3/domains', template: '/v3/domains',
      spec: { memberKey: 'domain', valid: { name: factory.name('domain'), description: 'gate' }, required: 'name', longField: 'name', typedField: 'enabled' },
      extra: [{ shape: 'explicit-id-invalid', json: { domain: { name: factory.name('domain'), explicit_domain_id: 'not a valid id!' } } }],
      accepted: { 'unexpected-property': 'domain_create has additionalProperties: true; unknown attributes are stored as extras' },
      cleanup: (r) => factory.defer('domain from bad input', () => disableAndDelete(admin, r.body.domain.id)),
    });
  });

  test('bad input on PATCH /v3/domains/{domain_id}: 4xx, never 5xx', testId('3f29141d-4e22-405f-99d4-b0153a66e81a'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domains'); await allure.story('PATCH /v3/domains/{domain_id}');
    const domain = await factory.domain();
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: `/v3/domains/${domain.id}`, template: '/v3/domains/{domain_id}',
      spec: { memberKey: 'domain', valid: { name: factory.name('domain'), description: 'gate' }, longField: 'name', typedField: 'enabled' },
      accepted: { 'unexpected-property': 'domain_update has additionalProperties: true; unknown attributes are stored as extras' },
    });
  });
});
