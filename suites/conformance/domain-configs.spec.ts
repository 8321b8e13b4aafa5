import * as allure from 'allure-js-commons';
import { expect, test } from '../../fixtures/test.js';
import type { Keystone } from '../../lib/keystone/client.js';
import type { ResourceFactory } from '../../lib/keystone/factory.js';
import { domainConfigOptionResponseSchema, domainConfigResponseSchema } from '../../lib/keystone/schemas/index.js';
import type { Domain } from '../../lib/keystone/types.js';
import { expectTokenRefusals } from '../../lib/conformance/auth-refusals.js';
import { callers, expectError, expectJson, expectNoContent, sendBadBodies, UNKNOWN_ID } from './identity-support.js';
import { testId } from '../../lib/coverage/test-ids.js';

// This deployment enables domain configs from the database ([identity]
// domain_specific_drivers_enabled and domain_configurations_from_database). Storing an LDAP
// configuration does not contact LDAP: the gate.invalid URL is never dialled.
//
// Note on schemas: Zed answers a group (GET .../config/{group}, and .../config/{group}/default)
// as {config: {<group>: {...}}} (resource/config_backends get_config), so those bodies are
// checked against domainConfigResponseSchema, not domainConfigGroupResponseSchema.
const LDAP_CONFIG = { identity: { driver: 'ldap' }, ldap: { url: 'ldap://gate.invalid', user_tree_dn: 'ou=Users,dc=gate,dc=invalid' } };

/** A fresh domain with LDAP_CONFIG stored; the config is deleted before the domain. */
async function domainWithConfig(admin: Keystone, factory: ResourceFactory): Promise<Domain> {
  const domain = await factory.domain();
  expect((await admin.domainConfigs.create(domain.id, LDAP_CONFIG)).status).toBe(201);
  factory.defer(`config of domain ${domain.id}`, () => admin.domainConfigs.delete(domain.id));
  return domain;
}

test.describe('domain configuration', { tag: '@domain-configs' }, () => {
  test('defaults: whole, per group, per option; sensitive options are not readable', testId('ddfdf224-0ebe-40d4-9b0e-46f7ee4f3c2f', '@slice'), async ({ admin }) => {
    await allure.feature('domain config defaults'); await allure.story('GET /v3/domains/config[/{group}[/{option}]]/default');
    const all = await admin.domainConfigs.defaults();
    expectJson(all, 200, domainConfigResponseSchema);
    const defaults = all.body.config as Record<string, Record<string, unknown>>;
    expect(Object.keys(defaults).sort()).toEqual(['identity', 'ldap']);
    expect(defaults.ldap).toHaveProperty('url');
    // The password of the LDAP bind user is never part of the defaults.
    expect(defaults.ldap).not.toHaveProperty('password');

    await test.step('GET /v3/domains/config/ldap/default', async () => {
      const group = await admin.domainConfigs.defaults('ldap');
      expectJson(group, 200, domainConfigResponseSchema);
      expect(group.body.config).toEqual({ ldap: defaults.ldap });
    });
    await test.step('GET /v3/domains/config/ldap/url/default', async () => {
      const option = await admin.domainConfigs.defaults('ldap', 'url');
      expectJson(option, 200, domainConfigOptionResponseSchema);
      expect(option.body.config).toEqual({ url: defaults.ldap!.url });
    });
    await test.step('the default of a sensitive option (ldap password), an unknown group: 403', async () => {
      // Zed raises InvalidDomainConfig, a 403, for both (resource/core.py DomainConfigManager).
      expectError(await admin.domainConfigs.defaults('ldap', 'password'), 403);
      expectError(await admin.domainConfigs.defaults('gate_nosuch'), 403);
    });
  });

  test('create, show, update and delete a domain configuration at every level', testId('20baf2d7-eb7c-4507-b6a4-d2f144f6c031'), async ({ admin, factory }) => {
    await allure.feature('domain config'); await allure.story('PUT/GET/PATCH/DELETE /v3/domains/{domain_id}/config[/{group}[/{option}]]');
    const domain = await factory.domain();
    factory.defer(`config of domain ${domain.id}`, () => admin.domainConfigs.delete(domain.id));

    await test.step('GET before any configuration: 404', async () => {
      expectError(await admin.domainConfigs.get(domain.id), 404);
    });
    await test.step('PUT /v3/domains/{domain_id}/config: 201, then 200 when replacing', async () => {
      const created = await admin.domainConfigs.create(domain.id, LDAP_CONFIG);
      expectJson(created, 201, domainConfigResponseSchema);
      expect(created.body.config).toEqual(LDAP_CONFIG);
      const replaced = await admin.domainConfigs.create(domain.id, LDAP_CONFIG);
      expectJson(replaced, 200, domainConfigResponseSchema);
      expect(replaced.body.config).toEqual(LDAP_CONFIG);
    });
    await test.step('GET the whole configuration, one group, one option', async () => {
      const whole = await admin.domainConfigs.get(domain.id);
      expectJson(whole, 200, domainConfigResponseSchema);
      expect(whole.body.config).toEqual(LDAP_CONFIG);
      const group = await admin.domainConfigs.get(domain.id, 'ldap');
      expectJson(group, 200, domainConfigResponseSchema);
      expect(group.body.config).toEqual({ ldap: LDAP_CONFIG.ldap });
      const option = await admin.domainConfigs.get(domain.id, 'ldap', 'url');
      expectJson(option, 200, domainConfigOptionResponseSchema);
      expect(option.body.config).toEqual({ url: LDAP_CONFIG.ldap.url });
    });
    await test.step('PATCH one option, one group, the whole configuration (each answers the whole)', async () => {
      const byOption = await admin.domainConfigs.update(domain.id, { url: 'ldap://gate-2.invalid' }, 'ldap', 'url');
      expectJson(byOption, 200, domainConfigResponseSchema);
      expect(byOption.body.config.ldap).toEqual({ ...LDAP_CONFIG.ldap, url: 'ldap://gate-2.invalid' });
      const byGroup = await admin.domainConfigs.update(domain.id, { ldap: { user_tree_dn: 'ou=People,dc=gate,dc=invalid' } }, 'ldap');
      expectJson(byGroup, 200, domainConfigResponseSchema);
      expect(byGroup.body.config.ldap).toEqual({ url: 'ldap://gate-2.invalid', user_tree_dn: 'ou=People,dc=gate,dc=invalid' });
      const whole = await admin.domainConfigs.update(domain.id, { ldap: { user_filter: '(objectClass=person)' } });
      expectJson(whole, 200, domainConfigResponseSchema);
      expect(whole.body.config).toEqual({ identity: { driver: 'ldap' }, ldap: { url: 'ldap://gate-2.invalid', user_tree_dn: 'ou=People,dc=gate,dc=invalid', user_filter: '(objectClass=person)' } });
    });
    await test.step('DELETE one option: 204, then that option 404', async () => {
      expectNoContent(await admin.domainConfigs.delete(domain.id, 'ldap', 'user_filter'));
      expectError(await admin.domainConfigs.get(domain.id, 'ldap', 'user_filter'), 404);
      expect((await admin.domainConfigs.get(domain.id, 'ldap', 'url')).status).toBe(200);
    });
    await test.step('DELETE one group: 204, then that group 404', async () => {
      expectNoContent(await admin.domainConfigs.delete(domain.id, 'ldap'));
      expectError(await admin.domainConfigs.get(domain.id, 'ldap'), 404);
      expect((await admin.domainConfigs.get(domain.id)).body.config).toEqual({ identity: { driver: 'ldap' } });
    });
    await test.step('DELETE the whole configuration: 204, then 404', async () => {
      expectNoContent(await admin.domainConfigs.delete(domain.id));
      expectError(await admin.domainConfigs.get(domain.id), 404);
    });
  });

  test('unknown domain, unsupported group or option, option not matching the URL', testId('fc886ae2-3cb4-44c4-8422-ab0537b4018b'), async ({ admin, factory }) => {
    await allure.feature('domain config'); await allure.story('PUT/GET/PATCH/DELETE /v3/domains/{domain_id}/config[/{group}[/{option}]]');
    await test.step('unknown domain: 404 at every level', async () => {
      expectError(await admin.domainConfigs.get(UNKNOWN_ID), 404);
      expectError(await admin.domainConfigs.create(UNKNOWN_ID, LDAP_CONFIG), 404);
      expectError(await admin.domainConfigs.update(UNKNOWN_ID, { ldap: { url: 'ldap://gate.invalid' } }), 404);
      expectError(await admin.domainConfigs.delete(UNKNOWN_ID), 404);
      expectError(await admin.domainConfigs.get(UNKNOWN_ID, 'ldap'), 404);
      expectError(await admin.domainConfigs.update(UNKNOWN_ID, { ldap: { url: 'ldap://gate.invalid' } }, 'ldap'), 404);
      expectError(await admin.domainConfigs.delete(UNKNOWN_ID, 'ldap'), 404);
      expectError(await admin.domainConfigs.get(UNKNOWN_ID, 'ldap', 'url'), 404);
      expectError(await admin.domainConfigs.update(UNKNOWN_ID, { url: 'ldap://gate.invalid' }, 'ldap', 'url'), 404);
      expectError(await admin.domainConfigs.delete(UNKNOWN_ID, 'ldap', 'url'), 404);
    });
    const domain = await domainWithConfig(admin, factory);
    await test.step('an option the domain does not set: 404', async () => {
      expectError(await admin.domainConfigs.get(domain.id, 'ldap', 'user_filter'), 404);
      expectError(await admin.domainConfigs.delete(domain.id, 'ldap', 'user_filter'), 404);
    });
    await test.step('unsupported group or option, or a body naming another option: 403 (InvalidDomainConfig)', async () => {
      expectError(await admin.domainConfigs.get(domain.id, 'gate_nosuch'), 403);
      expectError(await admin.domainConfigs.update(domain.id, { gate_nosuch: { x: 'y' } }), 403);
      expectError(await admin.domainConfigs.update(domain.id, { gate_nosuch: 'x' }, 'ldap', 'gate_nosuch'), 403);
      expectError(await admin.domainConfigs.update(domain.id, { user_tree_dn: 'x' }, 'ldap', 'url'), 403);
    });
  });

  test('rejects missing, malformed and revoked tokens (401) and a plain member (403)', testId('94c6ac50-14f0-48e6-9b1a-aff05f28b308'), async ({ reader, admin, factory }) => {
    await allure.feature('domain config'); await allure.story('PUT/GET/PATCH/DELETE /v3/domains/{domain_id}/config');
    const who = await callers(admin, factory, reader);
    const domain = await domainWithConfig(admin, factory);
    await expectTokenRefusals(who, {
      probe: (ks) => ks.domainConfigs.get(domain.id),
      member: {
        'member reads the defaults and a configuration': async (member) => {
          expectError(await member.domainConfigs.defaults(), 403);
          expectError(await member.domainConfigs.get(domain.id), 403);
          expectError(await member.domainConfigs.get(domain.id, 'ldap', 'url'), 403);
        },
        'member creates, updates, deletes a configuration': async (member) => {
          expectError(await member.domainConfigs.create(domain.id, LDAP_CONFIG), 403);
          expectError(await member.domainConfigs.update(domain.id, { ldap: { url: 'ldap://gate-member.invalid' } }), 403);
          expectError(await member.domainConfigs.delete(domain.id), 403);
        },
      },
    });
  });

  // Zed checks group and option names, but not the JSON type of a value (resource/core.py
  // DomainConfigManager): a non-scalar option value is stored and later breaks the domain's
  // driver. The gate expects a 4xx for it.
  const nonScalarValue = { nested: ['wrong', 'type'] };

  test('bad input on PUT /v3/domains/{domain_id}/config: 4xx, never 5xx', testId('cb048a10-d2ae-41fd-812c-da78f49057ce'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domain config'); await allure.story('PUT /v3/domains/{domain_id}/config');
    const domain = await factory.domain();
    factory.defer(`config of domain ${domain.id}`, () => admin.domainConfigs.delete(domain.id));
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PUT', path: admin.domainConfigs.path(domain.id), template: '/v3/domains/{domain_id}/config',
      spec: { memberKey: 'config', valid: { ldap: { url: 'ldap://gate.invalid' } }, required: 'ldap', typedField: 'ldap' },
      extra: [
        { shape: 'group-not-an-object', json: { config: { ldap: 'ldap://gate.invalid' } } },
        { shape: 'option-value-not-scalar', json: { config: { ldap: { url: nonScalarValue } } } },
        { shape: 'config-array-of-scalars', json: { config: [1] } },
      ],
    });
  });

  test('bad input on PATCH /v3/domains/{domain_id}/config: 4xx, never 5xx', testId('103784e7-82bc-4906-b5fb-c0856e243d9f'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domain config'); await allure.story('PATCH /v3/domains/{domain_id}/config');
    const domain = await domainWithConfig(admin, factory);
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: admin.domainConfigs.path(domain.id), template: '/v3/domains/{domain_id}/config',
      spec: { memberKey: 'config', valid: { ldap: { url: 'ldap://gate.invalid' } }, required: 'ldap', typedField: 'ldap' },
      extra: [
        { shape: 'group-not-an-object', json: { config: { ldap: 'ldap://gate.invalid' } } },
        { shape: 'option-value-not-scalar', json: { config: { ldap: { url: nonScalarValue } } } },
        { shape: 'config-array-of-scalars', json: { config: [1] } },
      ],
    });
  });

  test('bad input on PATCH /v3/domains/{domain_id}/config/{group}: 4xx, never 5xx', testId('f520d95f-cb13-4987-92cc-eaed8a50e819'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domain config'); await allure.story('PATCH /v3/domains/{domain_id}/config/{group}');
    const domain = await domainWithConfig(admin, factory);
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: admin.domainConfigs.path(domain.id, 'ldap'), template: '/v3/domains/{domain_id}/config/{group}',
      spec: { memberKey: 'config', valid: { ldap: { url: 'ldap://gate.invalid' } }, required: 'ldap', typedField: 'ldap' },
      extra: [
        { shape: 'other-group-in-body', json: { config: { identity: { driver: 'sql' } } } },
        { shape: 'option-value-not-scalar', json: { config: { ldap: { url: nonScalarValue } } } },
        { shape: 'config-array-of-scalars', json: { config: [1] } },
      ],
    });
  });

  test('bad input on PATCH /v3/domains/{domain_id}/config/{group}/{option}: 4xx, never 5xx', testId('fdf37e16-8dd7-4896-9f5a-451141ad6a00'), async ({ admin, factory, cluster }, testInfo) => {
    await allure.feature('domain config'); await allure.story('PATCH /v3/domains/{domain_id}/config/{group}/{option}');
    const domain = await domainWithConfig(admin, factory);
    await sendBadBodies({ admin, testInfo, cluster }, {
      method: 'PATCH', path: admin.domainConfigs.path(domain.id, 'ldap', 'url'), template: '/v3/domains/{domain_id}/config/{group}/{option}',
      // wrong-type sends a non-scalar value for `url`.
      spec: { memberKey: 'config', valid: { url: 'ldap://gate.invalid' }, required: 'url', typedField: 'url' },
    });
  });
});
