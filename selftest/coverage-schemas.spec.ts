import { expect, test } from '@playwright/test';
import * as S from '../lib/keystone/schemas/index.js';
import { assertSchema, validateSchema, type JsonSchema } from '../lib/keystone/schemas/index.js';

/**
 * Each schema against a body shaped like its api-ref sample (api-ref/source/v3/samples/admin,
 * v3-ext/samples, federation/*\/samples; ids shortened), then against the same body broken two
 * ways: the entity's key field removed, and given a wrong type.
 */
interface Case {
  name: string;
  schema: JsonSchema;
  body: unknown;
  /** Where the entity sits in `body`. */
  at: (string | number)[];
  /** Field to delete; `id` unless the entity has none. */
  missing?: string;
  /** Field and wrong-typed value; `id: 12345` by default. */
  wrong?: [string, unknown];
}

const KS = 'http://example.com/identity/v3';

const project = (id: string, name: string) => ({
  description: null, domain_id: 'default', enabled: true, id, links: { self: `${KS}/projects/${id}` }, name, parent_id: null,
});
const roleRef = (id: string, name: string) => ({ id, links: { self: `${KS}/roles/${id}` }, name });
const listLinks = (path: string) => ({ next: null, previous: null, self: `${KS}/${path}` });

const cases: Case[] = [
  { name: 'project', schema: S.projectResponseSchema, body: { project: project('0c4e93', 'admin') }, at: ['project'] },
  {
    name: 'projects list', schema: S.projectsResponseSchema,
    body: { links: listLinks('projects'), projects: [project('0c4e93', 'admin'), { ...project('4b1eb7', 'swifttenanttest4'), description: '', domain_id: '1bc216', is_domain: false, tags: ['a'] }] },
    at: ['projects', 1], wrong: ['enabled', 'yes'],
  },
  {
    name: 'domain', schema: S.domainResponseSchema,
    body: { domain: { description: 'Owns users and tenants (i.e. projects) available on Identity API v2.', enabled: true, id: 'default', links: { self: `${KS}/domains/default` }, name: 'Default' } },
    at: ['domain'], wrong: ['enabled', 'true'],
  },
  {
    name: 'domains list', schema: S.domainsResponseSchema,
    body: { domains: [{ enabled: true, id: 'default', links: { self: `${KS}/domains/default` }, name: 'Default' }], links: listLinks('domains') },
    at: ['domains', 0],
  },
  {
    name: 'user', schema: S.userResponseSchema,
    body: { user: { default_project_id: '263fd9', description: "John Smith's user", domain_id: '1789d1', email: 'jsmith@example.com', enabled: true, id: '9fe1d3', links: { self: `${KS}/users/9fe1d3` }, name: 'jsmith' } },
    at: ['user'], wrong: ['password_expires_at', 12],
  },
  {
    name: 'users list', schema: S.usersResponseSchema,
    body: { users: [{ domain_id: 'default', enabled: true, id: '2844b2', links: { self: `${KS}/users/2844b2` }, name: 'admin', password_expires_at: null, options: {} }], links: listLinks('users') },
    at: ['users', 0],
  },
  {
    name: 'group', schema: S.groupResponseSchema,
    body: { group: { description: 'Contract developers', domain_id: 'default', id: 'c0d675', links: { self: `${KS}/groups/c0d675` }, name: 'Contract developers' } },
    at: ['group'], wrong: ['domain_id', null],
  },
  {
    name: 'role', schema: S.roleResponseSchema,
    body: { role: { domain_id: 'd07792', id: '1e443f', links: { self: `${KS}/roles/1e443f` }, name: 'Developer' } },
    at: ['role'], wrong: ['domain_id', 42],
  },
  {
    name: 'system roles of a user', schema: S.rolesResponseSchema,
    body: { roles: [{ domain_id: null, id: '6d5503', links: { self: `${KS}/roles/6d5503` }, name: 'admin' }], links: listLinks('system/users/0b916f/roles') },
    at: ['roles', 0],
  },
  {
    name: 'region', schema: S.regionResponseSchema,
    body: { region: { description: 'My subregion 3', id: 'RegionThree', links: { self: `${KS}/regions/RegionThree` }, parent_region_id: 'RegionOne' } },
    at: ['region'], missing: 'parent_region_id',
  },
  {
    name: 'service', schema: S.serviceResponseSchema,
    body: { service: { description: 'Keystone Identity Service', enabled: true, id: '686766', links: { self: `${KS}/services/686766` }, name: 'keystone', type: 'identity' } },
    at: ['service'], wrong: ['type', ['identity']],
  },
  {
    name: 'endpoint', schema: S.endpointResponseSchema,
    body: { endpoint: { enabled: true, id: '01c3d5', interface: 'admin', links: { self: `${KS}/endpoints/01c3d5` }, region: 'RegionOne', region_id: 'RegionOne', service_id: '3b2d6a', url: 'http://23.253.211.234:9696/' } },
    at: ['endpoint'], wrong: ['interface', 'private'],
  },
  {
    name: 'credential', schema: S.credentialResponseSchema,
    body: { credential: { user_id: 'bb5476', links: { self: `${KS}/credentials/207e9b` }, blob: '{"access": "a42a27", "secret": "71faf1", "trust_id": null}', project_id: '6e0185', type: 'ec2', id: '207e9b' } },
    at: ['credential'], wrong: ['blob', { access: 'a42a27' }],
  },
  {
    name: 'OS-EC2 credential (extra)', schema: S.ec2CredentialResponseSchema,
    body: { credential: { user_id: 'bb5476', tenant_id: '6e0185', access: 'a42a27', secret: '71faf1', trust_id: null, links: { self: `${KS}/users/bb5476/credentials/OS-EC2/a42a27` } } },
    at: ['credential'], missing: 'access', wrong: ['secret', 7],
  },
  {
    name: 'policy', schema: S.policyResponseSchema,
    body: { policy: { blob: { foobar_user: ['role:compute-user'] }, id: '717273', links: { self: `${KS}/policies/717273` }, project_id: '456789', type: 'application/json', user_id: '616263' } },
    at: ['policy'], wrong: ['blob', 12],
  },
  {
    name: 'project-scoped token', schema: S.tokenResponseSchema,
    body: {
      token: {
        audit_ids: ['3T2dc1CGQxyJsHdDu1xkcw'],
        catalog: [{
          endpoints: [
            { id: '068d1b', interface: 'public', region: 'RegionOne', region_id: 'RegionOne', url: 'http://example.com/identity' },
            { id: '8bfc84', interface: 'admin', region: 'RegionOne', region_id: 'RegionOne', url: 'http://example.com/identity' },
          ],
          type: 'identity', id: '050726', name: 'keystone',
        }],
        expires_at: '2015-11-07T02:58:43.578887Z',
        is_domain: false,
        issued_at: '2015-11-07T01:58:43.578929Z',
        methods: ['password'],
        project: { domain: { id: 'default', name: 'Default' }, id: 'a6944d', name: 'admin' },
        roles: [{ id: '51cc68', name: 'admin' }],
        user: { domain: { id: 'default', name: 'Default' }, id: 'ee4dfb', name: 'admin', password_expires_at: '2016-11-06T15:32:17.000000' },
      },
    },
    at: ['token'], missing: 'user', wrong: ['expires_at', 'tomorrow'],
  },
  {
    name: 'auth catalog', schema: S.authCatalogResponseSchema,
    body: { catalog: [{ endpoints: [{ id: '39dc32', interface: 'public', region: 'RegionOne', url: 'http://localhost/identity', region_id: 'RegionOne' }], id: 'c4f2ac', type: 'identity', name: 'keystone' }], links: { self: `${KS}/auth/catalog` } },
    at: ['catalog', 0], wrong: ['endpoints', {}],
  },
  {
    name: 'auth system', schema: S.authSystemResponseSchema,
    body: { system: [{ all: true }], links: { self: `${KS}/auth/system` } },
    at: ['system', 0], missing: 'all', wrong: ['all', 'true'],
  },
  {
    name: 'OAuth2 token', schema: S.oauth2TokenResponseSchema,
    body: { access_token: 'gAAAAABhi1cMynG89h8t6TJrxNiZuNzjcIUIxNctoVfuqTw7BpUedLKxjPymClVEnj9GhIT5u2mpjaJATlEAtaa3D6_t8jk_fV-mqo2IUlsmTPTnMwkcjh5FSHQVRdqvDxgY3nSqLA_Hfv-zPmjS5KWX3hmyDE5YWO1ztX6QNVQb4wTPyNL1-7I', token_type: 'Bearer', expires_in: 3600 },
    at: [], missing: 'access_token', wrong: ['expires_in', '3600'],
  },
  {
    name: 'application credential', schema: S.applicationCredentialResponseSchema,
    body: { application_credential: { description: 'Application credential for monitoring.', roles: [{ id: '6aff70', domain_id: null, name: 'Reader' }], links: { self: `${KS}/users/fd786d/application_credentials/58d61f` }, expires_at: '2018-02-27T18:30:59.000000', unrestricted: false, project_id: '231c62', id: '58d61f', name: 'monitoring' } },
    at: ['application_credential'], wrong: ['unrestricted', 'no'],
  },
  {
    name: 'application credential (created)', schema: S.applicationCredentialCreatedResponseSchema,
    body: { application_credential: { description: null, roles: [{ id: '6aff70', domain_id: null, name: 'Reader' }], access_rules: [{ id: '07d719', path: '/v2.0/metrics', method: 'GET', service: 'monitoring' }], links: { self: `${KS}/users/fd786d/application_credentials/58d61f` }, expires_at: null, unrestricted: false, project_id: '231c62', id: '58d61f', name: 'monitoring', secret: 'rEaqvJka48mpv' } },
    at: ['application_credential'], missing: 'secret',
  },
  {
    name: 'access rule', schema: S.accessRuleResponseSchema,
    body: { access_rule: { path: '/v2.0/metrics', links: { self: `${KS}/access_rules/07d719` }, id: '07d719', service: 'monitoring', method: 'GET' } },
    at: ['access_rule'],
  },
  {
    name: 'trust', schema: S.trustResponseSchema,
    body: { trust: { id: '987fe8', expires_at: '2013-02-27T18:30:59.999999Z', impersonation: true, links: { self: `${KS}/OS-TRUST/trusts/987fe8` }, roles: [roleRef('ed7b78', 'member')], roles_links: listLinks('OS-TRUST/trusts/1ff900/roles'), project_id: '0f1233', trustee_user_id: 'be34d1', trustor_user_id: '56ae32' } },
    at: ['trust'], wrong: ['impersonation', 'true'],
  },
  {
    name: 'limit', schema: S.limitResponseSchema,
    body: { limit: { resource_name: 'volume', region_id: null, links: { self: `${KS}/limits/25a04c` }, service_id: '940808', project_id: '3a705b', id: '25a04c', resource_limit: 11, description: '' } },
    at: ['limit'], wrong: ['resource_limit', '11'],
  },
  {
    name: 'limit model', schema: S.limitModelResponseSchema,
    body: { model: { description: 'Limit enforcement and validation does not take project hierarchy into consideration.', name: 'flat' } },
    at: ['model'], missing: 'name', wrong: ['name', 'hierarchical'],
  },
  {
    name: 'registered limit', schema: S.registeredLimitResponseSchema,
    body: { registered_limit: { resource_name: 'volume', region_id: null, links: { self: `${KS}/registered_limits/773147` }, service_id: '940808', default_limit: 10, id: '773147' } },
    at: ['registered_limit'], wrong: ['default_limit', 10.5],
  },
  {
    name: 'endpoint group', schema: S.endpointGroupResponseSchema,
    body: { endpoint_group: { description: 'endpoint group description', filters: { region_id: '1b501a' }, id: 'ac4861', links: { self: `${KS}/OS-EP-FILTER/endpoint_groups/ac4861` }, name: 'endpoint group name' } },
    at: ['endpoint_group'], wrong: ['filters', 'region_id=1b501a'],
  },
  {
    name: 'identity provider', schema: S.identityProviderResponseSchema,
    body: { identity_provider: { domain_id: '1789d1', description: 'Stores ACME identities', remote_ids: ['acme_id_1', 'acme_id_2'], enabled: false, id: 'ACME', links: { protocols: `${KS}/OS-FEDERATION/identity_providers/ACME/protocols`, self: `${KS}/OS-FEDERATION/identity_providers/ACME` } } },
    at: ['identity_provider'], wrong: ['remote_ids', 'acme_id_1'],
  },
  {
    name: 'mapping', schema: S.mappingResponseSchema,
    body: { mapping: { id: 'ACME', links: { self: `${KS}/OS-FEDERATION/mappings/ACME` }, rules: [{ local: [{ user: { name: '{0}' } }, { group: { id: '0cd5e9' } }], remote: [{ type: 'UserName' }, { type: 'orgPersonType', not_any_of: ['Contractor', 'Guest'] }] }] } },
    at: ['mapping'], wrong: ['rules', { local: [] }],
  },
  {
    name: 'protocol', schema: S.protocolResponseSchema,
    body: { protocol: { id: 'saml2', links: { identity_provider: `${KS}/OS-FEDERATION/identity_providers/ACME`, self: `${KS}/OS-FEDERATION/identity_providers/ACME/protocols/saml2` }, mapping_id: 'xyz234' } },
    at: ['protocol'], missing: 'mapping_id',
  },
  {
    name: 'service provider', schema: S.serviceProviderResponseSchema,
    body: { service_provider: { auth_url: 'https://example.com/identity/v3/OS-FEDERATION/identity_providers/acme/protocols/saml2/auth', description: 'Remote Service Provider', enabled: true, id: 'ACME', links: { self: `${KS}/OS-FEDERATION/service_providers/ACME` }, relay_state_prefix: 'ss:mem:', sp_url: 'https://example.com/identity/Shibboleth.sso/SAML2/ECP' } },
    at: ['service_provider'], wrong: ['enabled', 1],
  },
  {
    name: 'OAuth1 consumer', schema: S.consumerResponseSchema,
    body: { consumer: { id: '7fea2d', description: 'My consumer', links: { self: `${KS}/OS-OAUTH1/consumers/7fea2d` } } },
    at: ['consumer'],
  },
  {
    name: 'domain config', schema: S.domainConfigResponseSchema,
    body: { config: { identity: { driver: 'ldap' }, ldap: { url: 'http://myldap/root', user_tree_dn: 'ou=Users,dc=root,dc=org' } } },
    at: [], missing: 'config', wrong: ['config', { nis: { url: 'ldap://x' } }],
  },
  {
    name: 'role inference', schema: S.roleInferenceResponseSchema,
    body: { role_inference: { prior_role: { ...roleRef('7ceab6', 'prior role name') }, implies: roleRef('97e2f5', 'implied role name') }, links: { self: `${KS}/roles/7ceab6/implies/97e2f5` } },
    at: ['role_inference', 'prior_role'],
  },
  {
    name: 'implied roles of a role', schema: S.impliedRolesResponseSchema,
    body: { role_inference: { prior_role: roleRef('42c764', 'prior role name'), implies: [roleRef('066fbf', 'implied role1 name'), roleRef('32a0df', 'implied role2 name')] }, links: { self: `${KS}/roles/42c764/implies` } },
    at: ['role_inference', 'implies', 1],
  },
  {
    name: 'all role inferences', schema: S.roleInferencesResponseSchema,
    body: { role_inferences: [{ prior_role: { ...roleRef('1acd3c', 'prior role name'), description: 'My new role' }, implies: [{ ...roleRef('872b20', 'implied role1 name'), description: null }] }], links: { self: `${KS}/role_inferences` } },
    at: ['role_inferences', 0, 'implies', 0],
  },
  {
    name: 'role assignments', schema: S.roleAssignmentsResponseSchema,
    body: {
      role_assignments: [
        { links: { assignment: `${KS}/domains/161718/users/313233/roles/123456` }, role: { id: '123456' }, scope: { domain: { id: '161718' } }, user: { id: '313233' } },
        { group: { id: '101112' }, links: { assignment: `${KS}/projects/456789/groups/101112/roles/123456` }, role: { id: '123456' }, scope: { project: { id: '456789' } } },
      ],
      links: listLinks('role_assignments'),
    },
    at: ['role_assignments', 0], missing: 'role', wrong: ['scope', 'domain'],
  },
  {
    name: 'version', schema: S.versionResponseSchema,
    body: { version: { id: 'v3.14', links: [{ href: 'http://localhost:5000/v3/', rel: 'self' }], 'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }], status: 'stable', updated: '2020-04-07T00:00:00Z' } },
    at: ['version'], wrong: ['links', { href: 'http://localhost:5000/v3/' }],
  },
  {
    name: 'versions', schema: S.versionsResponseSchema,
    body: { versions: { values: [{ id: 'v3.14', links: [{ href: 'http://localhost:5000/v3/', rel: 'self' }], 'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }], status: 'stable', updated: '2020-04-07T00:00:00Z' }] } },
    at: ['versions', 'values', 0],
  },
  {
    name: 'revocation events', schema: S.revokeEventsResponseSchema,
    body: { events: [{ issued_before: '2014-02-27T18:30:59.999999Z', user_id: 'f287de' }, { audit_id: 'VcxU2JYqT8OzfUVvrjEITQ', issued_before: '2014-02-27T18:30:59.999999Z' }], links: listLinks('OS-REVOKE/events') },
    at: ['events', 0], missing: 'issued_before', wrong: ['issued_before', 1393525859],
  },
];

function clone<T>(v: T): T {
  return structuredClone(v);
}

function entityAt(body: unknown, at: (string | number)[]): Record<string, unknown> {
  let cur: any = body;
  for (const k of at) cur = cur[k];
  return cur as Record<string, unknown>;
}

for (const c of cases) {
  test.describe(`schema: ${c.name}`, () => {
    test('accepts the api-ref sample', () => {
      expect(validateSchema(c.schema, c.body)).toEqual([]);
      expect(() => assertSchema(c.schema, c.body)).not.toThrow();
    });

    test(`rejects it without ${c.missing ?? 'id'}`, () => {
      const broken = clone(c.body);
      delete entityAt(broken, c.at)[c.missing ?? 'id'];
      expect(validateSchema(c.schema, broken).length).toBeGreaterThan(0);
    });

    test(`rejects a wrong-typed ${(c.wrong ?? ['id'])[0]}`, () => {
      const [key, value] = c.wrong ?? ['id', 12345];
      const broken = clone(c.body);
      entityAt(broken, c.at)[key] = value;
      expect(() => assertSchema(c.schema, broken)).toThrow(/does not match its schema/);
    });
  });
}

test.describe('schema details', () => {
  const p = () => ({ project: project('0c4e93', 'admin') });

  test('tolerates properties Keystone adds, and an absent description', () => {
    const body = p();
    delete (body.project as Record<string, unknown>)['description'];
    Object.assign(body.project, { options: {}, is_domain: false, tags: [], some_future_field: { x: 1 } });
    expect(validateSchema(S.projectResponseSchema, body)).toEqual([]);
  });

  test('links.self must be a string; list links must be present', () => {
    const body = p();
    body.project.links = { self: 42 as unknown as string };
    expect(validateSchema(S.projectResponseSchema, body).map((e) => e.instancePath)).toContain('/project/links/self');
    expect(validateSchema(S.projectsResponseSchema, { projects: [] }).map((e) => e.params)).toContainEqual({ missingProperty: 'links' });
    expect(validateSchema(S.limitsCreatedResponseSchema, { limits: [] })).toEqual([]);
  });

  test('a token has at most one scope, and a scoped token carries roles', () => {
    const token = {
      audit_ids: ['a1'], expires_at: '2030-01-01T00:00:00.000000Z', issued_at: '2030-01-01T00:00:00.000000Z', methods: ['token'],
      user: { domain: { id: 'default', name: 'Default' }, id: 'u1', name: 'admin', password_expires_at: null },
    };
    expect(validateSchema(S.tokenResponseSchema, { token })).toEqual([]);
    const project = { id: 'p1', name: 'p', domain: { id: 'default', name: 'Default' } };
    const roles = [{ id: 'r1', name: 'member' }];
    expect(validateSchema(S.tokenResponseSchema, { token: { ...token, project, roles } })).toEqual([]);
    expect(validateSchema(S.tokenResponseSchema, { token: { ...token, project, roles, system: { all: true } } }).length).toBeGreaterThan(0);
    expect(validateSchema(S.tokenResponseSchema, { token: { ...token, project } }).length).toBeGreaterThan(0);
  });

  test('a role assignment names a user or a group, not both', () => {
    const a = { role: { id: 'r' }, scope: { project: { id: 'p' } }, links: { assignment: 'x' } };
    const body = (x: object) => ({ role_assignments: [{ ...a, ...x }], links: listLinks('role_assignments') });
    expect(validateSchema(S.roleAssignmentsResponseSchema, body({ user: { id: 'u' } }))).toEqual([]);
    expect(validateSchema(S.roleAssignmentsResponseSchema, body({ user: { id: 'u' }, group: { id: 'g' } })).length).toBeGreaterThan(0);
    expect(validateSchema(S.roleAssignmentsResponseSchema, body({})).length).toBeGreaterThan(0);
  });

  test('Keystone timestamps with and without a zone are accepted, other strings are not', () => {
    const ac = (expires_at: unknown) => ({
      application_credential: { id: 'a', name: 'n', project_id: 'p', roles: [], unrestricted: false, expires_at, links: { self: 'x' } },
    });
    expect(validateSchema(S.applicationCredentialResponseSchema, ac('2018-02-27T18:30:59.000000'))).toEqual([]);
    expect(validateSchema(S.applicationCredentialResponseSchema, ac('2018-02-27T18:30:59Z'))).toEqual([]);
    expect(validateSchema(S.applicationCredentialResponseSchema, ac(null))).toEqual([]);
    expect(validateSchema(S.applicationCredentialResponseSchema, ac('2018-02-30T25:00:00')).length).toBeGreaterThan(0);
    expect(validateSchema(S.applicationCredentialResponseSchema, ac('next week')).length).toBeGreaterThan(0);
  });

  test('assertSchema lists every violation and exposes them', () => {
    let caught: (Error & { schemaErrors?: unknown[] }) | undefined;
    try {
      assertSchema(S.userResponseSchema, { user: { id: 1, enabled: 'yes' } }, 'GET /v3/users/1');
    } catch (e) {
      caught = e as Error & { schemaErrors?: unknown[] };
    }
    expect(caught?.message).toMatch(/^GET \/v3\/users\/1 does not match its schema: /);
    expect(caught?.message).toContain('/user/id must be string');
    expect(caught?.message).toContain('/user/enabled must be boolean');
    expect(caught?.message).toContain("must have required property 'name'");
    expect(caught?.schemaErrors?.length).toBeGreaterThanOrEqual(5);
  });
});
