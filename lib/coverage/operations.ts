/**
 * Every unique METHOD + path of Keystone's v3 identity api-ref (Zed era), checked in.
 *
 * Derived by reading the `.. rest_method::` lines of openstack/keystone
 * api-ref/source/v3/*.inc and api-ref/source/v3-ext/**\/*.inc. A method+path documented
 * more than once (POST /v3/auth/tokens appears in 9 sections across 5 files, GET
 * /v3/role_assignments in roles.inc and inherit.inc) is one row. The api-ref rows number 233;
 * rows flagged `extra` are real Keystone routes the api-ref leaves out and are never part of
 * that count.
 */

export type OperationMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Concern =
  | 'auth-tokens' | 'application-credentials' | 'access-rules' | 'credentials' | 'domains'
  | 'domain-configs' | 'services' | 'endpoints' | 'regions' | 'groups' | 'users' | 'projects'
  | 'project-tags' | 'roles' | 'role-grants' | 'implied-roles' | 'role-assignments'
  | 'system-roles' | 'os-inherit' | 'policies' | 'endpoint-policy' | 'os-ep-filter' | 'os-trust'
  | 'os-oauth1' | 'os-oauth2' | 'os-federation' | 'os-revoke' | 'limits' | 'os-simple-cert' | 'os-pki';

export interface Operation {
  /** Stable id, used as the key of justified gaps and in reports. */
  id: string;
  concern: Concern;
  method: OperationMethod;
  /** Template with {param} placeholders as the api-ref writes it (query strings dropped). */
  path: string;
  summary: string;
  /** api-ref source file, relative to api-ref/source/. */
  source: string;
  /** Why Keystone alone cannot exercise the positive case. */
  needsExternal?: string;
  /** A real Keystone route the api-ref does not document; excluded from the 233. */
  extra?: true;
  /** Keystone (Flask/werkzeug) also answers HEAD on this GET; set on every GET without its own HEAD row. */
  head?: true;
  /** Other templates Keystone actually routes for this operation (api-ref typos). */
  aliases?: string[];
  /** Anything a reader of a coverage gap should know (api-ref vs Keystone discrepancies). */
  note?: string;
}

/** Unique METHOD + path per concern in the api-ref, as stated by the product design (section 3). */
export const API_REF_COUNTS: Readonly<Record<Concern, number>> = Object.freeze({
  'auth-tokens': 8,
  'application-credentials': 4,
  'access-rules': 3,
  credentials: 5,
  domains: 5,
  'domain-configs': 13,
  services: 5,
  endpoints: 5,
  regions: 5,
  groups: 9,
  users: 8,
  projects: 5,
  'project-tags': 6,
  roles: 5,
  'role-grants': 16,
  'implied-roles': 6,
  'role-assignments': 1,
  'system-roles': 10,
  'os-inherit': 14,
  policies: 5,
  'endpoint-policy': 13,
  'os-ep-filter': 18,
  'os-trust': 7,
  'os-oauth1': 13,
  'os-oauth2': 1,
  'os-federation': 28,
  'os-revoke': 1,
  limits: 11,
  'os-simple-cert': 2,
  'os-pki': 1,
});

export const API_REF_TOTAL = 233;

type Row = Omit<Operation, 'concern' | 'source' | 'head'>;
type M = OperationMethod;

// Keeps each block below one line per operation.
function group(concern: Concern, source: string, rows: Row[]): Operation[] {
  return rows.map((r) => ({ concern, source, ...r }));
}
function o(id: string, method: M, path: string, summary: string, more: Partial<Row> = {}): Row {
  return { id, method, path, summary, ...more };
}

const FEDERATED_IDP =
  'needs an external identity provider (SAML2 / OpenID Connect via mod_shib or mod_auth_openidc) in front of Keystone to set the assertion environment';
const WEBSSO = `${FEDERATED_IDP}, plus [federation] trusted_dashboard and an SSO callback template`;
const KEYSTONE_AS_IDP =
  'Keystone-as-IdP needs xmlsec1, a SAML signing cert/key ([saml] certfile, keyfile, idp_entity_id) and a registered service provider';
const DOMAIN_CONFIG_NOTE =
  'needs [identity] domain_specific_drivers_enabled and domain_configurations_from_database = true; LDAP need not be reachable to store options';
const NOT_ROUTED =
  'documented by the api-ref, but Keystone routes no such URL (keystone/api/policy.py has only .../endpoints, .../services and .../regions under OS-ENDPOINT-POLICY): expect 404';

const ROWS: Operation[] = [
  ...group('auth-tokens', 'v3/authenticate-v3.inc', [
    o('auth.tokens.issue', 'POST', '/v3/auth/tokens', 'Authenticate and issue a token (password, token, application credential, trust, OAuth1, federated)'),
    o('auth.tokens.validate', 'GET', '/v3/auth/tokens', 'Validate and show a token (X-Subject-Token)'),
    o('auth.tokens.check', 'HEAD', '/v3/auth/tokens', 'Check a token'),
    o('auth.tokens.revoke', 'DELETE', '/v3/auth/tokens', 'Revoke a token'),
    o('auth.catalog.get', 'GET', '/v3/auth/catalog', 'Get the service catalog for the token'),
    o('auth.projects.list', 'GET', '/v3/auth/projects', 'List projects available as token scopes'),
    o('auth.domains.list', 'GET', '/v3/auth/domains', 'List domains available as token scopes'),
    o('auth.system.list', 'GET', '/v3/auth/system', 'List system scopes available to the token'),
  ]),
  ...group('application-credentials', 'v3/application-credentials.inc', [
    o('application-credentials.create', 'POST', '/v3/users/{user_id}/application_credentials', 'Create an application credential'),
    o('application-credentials.list', 'GET', '/v3/users/{user_id}/application_credentials', 'List application credentials of a user'),
    o('application-credentials.get', 'GET', '/v3/users/{user_id}/application_credentials/{application_credential_id}', 'Show an application credential'),
    o('application-credentials.delete', 'DELETE', '/v3/users/{user_id}/application_credentials/{application_credential_id}', 'Delete an application credential'),
  ]),
  ...group('access-rules', 'v3/application-credentials.inc', [
    o('access-rules.list', 'GET', '/v3/users/{user_id}/access_rules', 'List access rules of a user'),
    o('access-rules.get', 'GET', '/v3/users/{user_id}/access_rules/{access_rule_id}', 'Show an access rule'),
    o('access-rules.delete', 'DELETE', '/v3/users/{user_id}/access_rules/{access_rule_id}', 'Delete an access rule'),
  ]),
  ...group('credentials', 'v3/credentials.inc', [
    o('credentials.create', 'POST', '/v3/credentials', 'Create a credential'),
    o('credentials.list', 'GET', '/v3/credentials', 'List credentials'),
    o('credentials.get', 'GET', '/v3/credentials/{credential_id}', 'Show a credential'),
    o('credentials.update', 'PATCH', '/v3/credentials/{credential_id}', 'Update a credential'),
    o('credentials.delete', 'DELETE', '/v3/credentials/{credential_id}', 'Delete a credential'),
  ]),
  // Keystone routes these (keystone/api/users.py, ec2tokens.py, s3tokens.py); the api-ref has no page for them.
  ...group('credentials', 'keystone/api (not in api-ref)', [
    o('credentials.ec2.list', 'GET', '/v3/users/{user_id}/credentials/OS-EC2', 'List EC2 credentials of a user', { extra: true }),
    o('credentials.ec2.create', 'POST', '/v3/users/{user_id}/credentials/OS-EC2', 'Create an EC2 credential', { extra: true }),
    o('credentials.ec2.get', 'GET', '/v3/users/{user_id}/credentials/OS-EC2/{credential_id}', 'Show an EC2 credential', { extra: true }),
    o('credentials.ec2.delete', 'DELETE', '/v3/users/{user_id}/credentials/OS-EC2/{credential_id}', 'Delete an EC2 credential', { extra: true }),
    o('credentials.ec2tokens', 'POST', '/v3/ec2tokens', 'Authenticate an EC2-signed request', { extra: true }),
    o('credentials.s3tokens', 'POST', '/v3/s3tokens', 'Authenticate an S3-signed request', { extra: true }),
  ]),
  ...group('domains', 'v3/domains.inc', [
    o('domains.list', 'GET', '/v3/domains', 'List domains'),
    o('domains.create', 'POST', '/v3/domains', 'Create a domain'),
    o('domains.get', 'GET', '/v3/domains/{domain_id}', 'Show a domain'),
    o('domains.update', 'PATCH', '/v3/domains/{domain_id}', 'Update a domain'),
    o('domains.delete', 'DELETE', '/v3/domains/{domain_id}', 'Delete a (disabled) domain'),
  ]),
  ...group('domain-configs', 'v3/domains-config-v3.inc', [
    o('domain-configs.default.get', 'GET', '/v3/domains/config/default', 'Show default configuration settings', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.default-group.get', 'GET', '/v3/domains/config/{group}/default', 'Show default configuration of a group', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.default-option.get', 'GET', '/v3/domains/config/{group}/{option}/default', 'Show default value of a group option', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.option.get', 'GET', '/v3/domains/{domain_id}/config/{group}/{option}', 'Show a domain group option', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.option.update', 'PATCH', '/v3/domains/{domain_id}/config/{group}/{option}', 'Update a domain group option', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.option.delete', 'DELETE', '/v3/domains/{domain_id}/config/{group}/{option}', 'Delete a domain group option', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.group.get', 'GET', '/v3/domains/{domain_id}/config/{group}', 'Show a domain group configuration', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.group.update', 'PATCH', '/v3/domains/{domain_id}/config/{group}', 'Update a domain group configuration', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.group.delete', 'DELETE', '/v3/domains/{domain_id}/config/{group}', 'Delete a domain group configuration', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.create', 'PUT', '/v3/domains/{domain_id}/config', 'Create a domain configuration', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.get', 'GET', '/v3/domains/{domain_id}/config', 'Show a domain configuration', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.update', 'PATCH', '/v3/domains/{domain_id}/config', 'Update a domain configuration', { note: DOMAIN_CONFIG_NOTE }),
    o('domain-configs.delete', 'DELETE', '/v3/domains/{domain_id}/config', 'Delete a domain configuration', { note: DOMAIN_CONFIG_NOTE }),
  ]),
  ...group('services', 'v3/service-catalog.inc', [
    o('services.list', 'GET', '/v3/services', 'List services'),
    o('services.create', 'POST', '/v3/services', 'Create a service'),
    o('services.get', 'GET', '/v3/services/{service_id}', 'Show a service'),
    o('services.update', 'PATCH', '/v3/services/{service_id}', 'Update a service'),
    o('services.delete', 'DELETE', '/v3/services/{service_id}', 'Delete a service'),
  ]),
  ...group('endpoints', 'v3/service-catalog.inc', [
    o('endpoints.list', 'GET', '/v3/endpoints', 'List endpoints'),
    o('endpoints.create', 'POST', '/v3/endpoints', 'Create an endpoint'),
    o('endpoints.get', 'GET', '/v3/endpoints/{endpoint_id}', 'Show an endpoint'),
    o('endpoints.update', 'PATCH', '/v3/endpoints/{endpoint_id}', 'Update an endpoint'),
    o('endpoints.delete', 'DELETE', '/v3/endpoints/{endpoint_id}', 'Delete an endpoint'),
  ]),
  ...group('regions', 'v3/regions-v3.inc', [
    o('regions.get', 'GET', '/v3/regions/{region_id}', 'Show a region'),
    o('regions.update', 'PATCH', '/v3/regions/{region_id}', 'Update a region'),
    o('regions.delete', 'DELETE', '/v3/regions/{region_id}', 'Delete a region'),
    o('regions.list', 'GET', '/v3/regions', 'List regions'),
    o('regions.create', 'POST', '/v3/regions', 'Create a region'),
  ]),
  ...group('groups', 'v3/groups.inc', [
    o('groups.list', 'GET', '/v3/groups', 'List groups'),
    o('groups.create', 'POST', '/v3/groups', 'Create a group'),
    o('groups.get', 'GET', '/v3/groups/{group_id}', 'Show a group'),
    o('groups.update', 'PATCH', '/v3/groups/{group_id}', 'Update a group'),
    o('groups.delete', 'DELETE', '/v3/groups/{group_id}', 'Delete a group'),
    o('groups.users.list', 'GET', '/v3/groups/{group_id}/users', 'List users in a group'),
    o('groups.users.add', 'PUT', '/v3/groups/{group_id}/users/{user_id}', 'Add a user to a group'),
    o('groups.users.check', 'HEAD', '/v3/groups/{group_id}/users/{user_id}', 'Check group membership'),
    o('groups.users.remove', 'DELETE', '/v3/groups/{group_id}/users/{user_id}', 'Remove a user from a group'),
  ]),
  ...group('users', 'v3/users.inc', [
    o('users.list', 'GET', '/v3/users', 'List users'),
    o('users.create', 'POST', '/v3/users', 'Create a user'),
    o('users.get', 'GET', '/v3/users/{user_id}', 'Show a user'),
    o('users.update', 'PATCH', '/v3/users/{user_id}', 'Update a user'),
    o('users.delete', 'DELETE', '/v3/users/{user_id}', 'Delete a user'),
    o('users.groups.list', 'GET', '/v3/users/{user_id}/groups', 'List groups of a user'),
    o('users.projects.list', 'GET', '/v3/users/{user_id}/projects', 'List projects of a user'),
    o('users.password.change', 'POST', '/v3/users/{user_id}/password', 'Change own password'),
  ]),
  ...group('projects', 'v3/projects.inc', [
    o('projects.list', 'GET', '/v3/projects', 'List projects'),
    o('projects.create', 'POST', '/v3/projects', 'Create a project (optionally acting as a domain)'),
    o('projects.get', 'GET', '/v3/projects/{project_id}', 'Show a project (parents/subtree options)'),
    o('projects.update', 'PATCH', '/v3/projects/{project_id}', 'Update a project'),
    o('projects.delete', 'DELETE', '/v3/projects/{project_id}', 'Delete a project'),
  ]),
  ...group('project-tags', 'v3/project-tags.inc', [
    o('project-tags.list', 'GET', '/v3/projects/{project_id}/tags', 'List tags of a project'),
    o('project-tags.check', 'GET', '/v3/projects/{project_id}/tags/{tag}', 'Check a project has a tag'),
    o('project-tags.add', 'PUT', '/v3/projects/{project_id}/tags/{tag}', 'Add one tag'),
    o('project-tags.replace', 'PUT', '/v3/projects/{project_id}/tags', 'Replace the tag list'),
    o('project-tags.remove', 'DELETE', '/v3/projects/{project_id}/tags/{tag}', 'Remove one tag'),
    o('project-tags.clear', 'DELETE', '/v3/projects/{project_id}/tags', 'Remove all tags'),
  ]),
  ...group('roles', 'v3/roles.inc', [
    o('roles.list', 'GET', '/v3/roles', 'List roles'),
    o('roles.create', 'POST', '/v3/roles', 'Create a role (global or domain-specific)'),
    o('roles.get', 'GET', '/v3/roles/{role_id}', 'Show a role'),
    o('roles.update', 'PATCH', '/v3/roles/{role_id}', 'Update a role'),
    o('roles.delete', 'DELETE', '/v3/roles/{role_id}', 'Delete a role'),
  ]),
  ...group('role-grants', 'v3/roles.inc', [
    o('role-grants.domain-group.list', 'GET', '/v3/domains/{domain_id}/groups/{group_id}/roles', 'List roles of a group on a domain'),
    o('role-grants.domain-group.grant', 'PUT', '/v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}', 'Assign a role to a group on a domain'),
    o('role-grants.domain-group.check', 'HEAD', '/v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}', 'Check a group role on a domain'),
    o('role-grants.domain-group.revoke', 'DELETE', '/v3/domains/{domain_id}/groups/{group_id}/roles/{role_id}', 'Unassign a group role on a domain'),
    o('role-grants.domain-user.list', 'GET', '/v3/domains/{domain_id}/users/{user_id}/roles', 'List roles of a user on a domain'),
    o('role-grants.domain-user.grant', 'PUT', '/v3/domains/{domain_id}/users/{user_id}/roles/{role_id}', 'Assign a role to a user on a domain'),
    o('role-grants.domain-user.check', 'HEAD', '/v3/domains/{domain_id}/users/{user_id}/roles/{role_id}', 'Check a user role on a domain'),
    o('role-grants.domain-user.revoke', 'DELETE', '/v3/domains/{domain_id}/users/{user_id}/roles/{role_id}', 'Unassign a user role on a domain'),
    o('role-grants.project-group.list', 'GET', '/v3/projects/{project_id}/groups/{group_id}/roles', 'List roles of a group on a project'),
    o('role-grants.project-group.grant', 'PUT', '/v3/projects/{project_id}/groups/{group_id}/roles/{role_id}', 'Assign a role to a group on a project'),
    o('role-grants.project-group.check', 'HEAD', '/v3/projects/{project_id}/groups/{group_id}/roles/{role_id}', 'Check a group role on a project'),
    o('role-grants.project-group.revoke', 'DELETE', '/v3/projects/{project_id}/groups/{group_id}/roles/{role_id}', 'Unassign a group role on a project'),
    o('role-grants.project-user.list', 'GET', '/v3/projects/{project_id}/users/{user_id}/roles', 'List roles of a user on a project'),
    o('role-grants.project-user.grant', 'PUT', '/v3/projects/{project_id}/users/{user_id}/roles/{role_id}', 'Assign a role to a user on a project'),
    o('role-grants.project-user.check', 'HEAD', '/v3/projects/{project_id}/users/{user_id}/roles/{role_id}', 'Check a user role on a project'),
    o('role-grants.project-user.revoke', 'DELETE', '/v3/projects/{project_id}/users/{user_id}/roles/{role_id}', 'Unassign a user role on a project'),
  ]),
  ...group('implied-roles', 'v3/roles.inc', [
    o('implied-roles.list', 'GET', '/v3/roles/{prior_role_id}/implies', 'List roles implied by a role'),
    o('implied-roles.create', 'PUT', '/v3/roles/{prior_role_id}/implies/{implies_role_id}', 'Create a role inference rule'),
    o('implied-roles.get', 'GET', '/v3/roles/{prior_role_id}/implies/{implies_role_id}', 'Show a role inference rule'),
    o('implied-roles.check', 'HEAD', '/v3/roles/{prior_role_id}/implies/{implies_role_id}', 'Check a role inference rule'),
    o('implied-roles.delete', 'DELETE', '/v3/roles/{prior_role_id}/implies/{implies_role_id}', 'Delete a role inference rule'),
    o('implied-roles.list-all', 'GET', '/v3/role_inferences', 'List all role inference rules'),
  ]),
  ...group('role-assignments', 'v3/roles.inc', [
    o('role-assignments.list', 'GET', '/v3/role_assignments', 'List role assignments (filters, effective, include_names, include_subtree)'),
  ]),
  ...group('system-roles', 'v3/system-roles.inc', [
    o('system-roles.user.list', 'GET', '/v3/system/users/{user_id}/roles', 'List system roles of a user'),
    o('system-roles.user.grant', 'PUT', '/v3/system/users/{user_id}/roles/{role_id}', 'Assign a system role to a user'),
    o('system-roles.user.check', 'HEAD', '/v3/system/users/{user_id}/roles/{role_id}', 'Check a user system role'),
    o('system-roles.user.get', 'GET', '/v3/system/users/{user_id}/roles/{role_id}', 'Get a user system role'),
    o('system-roles.user.revoke', 'DELETE', '/v3/system/users/{user_id}/roles/{role_id}', 'Unassign a user system role'),
    o('system-roles.group.list', 'GET', '/v3/system/groups/{group_id}/roles', 'List system roles of a group'),
    o('system-roles.group.grant', 'PUT', '/v3/system/groups/{group_id}/roles/{role_id}', 'Assign a system role to a group'),
    o('system-roles.group.check', 'HEAD', '/v3/system/groups/{group_id}/roles/{role_id}', 'Check a group system role'),
    o('system-roles.group.get', 'GET', '/v3/system/groups/{group_id}/roles/{role_id}', 'Get a group system role'),
    o('system-roles.group.revoke', 'DELETE', '/v3/system/groups/{group_id}/roles/{role_id}', 'Unassign a group system role'),
  ]),
  ...group('os-inherit', 'v3/inherit.inc', [
    o('os-inherit.domain-user.grant', 'PUT', '/v3/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/{role_id}/inherited_to_projects', 'Assign an inherited role to a user on projects of a domain'),
    o('os-inherit.domain-group.grant', 'PUT', '/v3/OS-INHERIT/domains/{domain_id}/groups/{group_id}/roles/{role_id}/inherited_to_projects', 'Assign an inherited role to a group on projects of a domain'),
    o('os-inherit.domain-user.list', 'GET', '/v3/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/inherited_to_projects', "List a user's inherited project roles on a domain"),
    o('os-inherit.domain-group.list', 'GET', '/v3/OS-INHERIT/domains/{domain_id}/groups/{group_id}/roles/inherited_to_projects', "List a group's inherited project roles on a domain"),
    o('os-inherit.domain-user.check', 'HEAD', '/v3/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/{role_id}/inherited_to_projects', 'Check a user inherited role on a domain'),
    o('os-inherit.domain-group.check', 'HEAD', '/v3/OS-INHERIT/domains/{domain_id}/groups/{group_id}/roles/{role_id}/inherited_to_projects', 'Check a group inherited role on a domain'),
    o('os-inherit.domain-user.revoke', 'DELETE', '/v3/OS-INHERIT/domains/{domain_id}/users/{user_id}/roles/{role_id}/inherited_to_projects', 'Revoke a user inherited role on a domain'),
    o('os-inherit.domain-group.revoke', 'DELETE', '/v3/OS-INHERIT/domains/{domain_id}/groups/{group_id}/roles/{role_id}/inherited_to_projects', 'Revoke a group inherited role on a domain'),
    o('os-inherit.project-user.grant', 'PUT', '/v3/OS-INHERIT/projects/{project_id}/users/{user_id}/roles/{role_id}/inherited_to_projects', 'Assign an inherited role to a user on a project subtree'),
    o('os-inherit.project-group.grant', 'PUT', '/v3/OS-INHERIT/projects/{project_id}/groups/{group_id}/roles/{role_id}/inherited_to_projects', 'Assign an inherited role to a group on a project subtree'),
    o('os-inherit.project-user.check', 'HEAD', '/v3/OS-INHERIT/projects/{project_id}/users/{user_id}/roles/{role_id}/inherited_to_projects', 'Check a user inherited role on a project'),
    o('os-inherit.project-group.check', 'HEAD', '/v3/OS-INHERIT/projects/{project_id}/groups/{group_id}/roles/{role_id}/inherited_to_projects', 'Check a group inherited role on a project'),
    o('os-inherit.project-user.revoke', 'DELETE', '/v3/OS-INHERIT/projects/{project_id}/users/{user_id}/roles/{role_id}/inherited_to_projects', 'Revoke a user inherited role on a project'),
    o('os-inherit.project-group.revoke', 'DELETE', '/v3/OS-INHERIT/projects/{project_id}/groups/{group_id}/roles/{role_id}/inherited_to_projects', 'Revoke a group inherited role on a project'),
  ]),
  ...group('policies', 'v3/policies.inc', [
    o('policies.create', 'POST', '/v3/policies', 'Create a policy blob (deprecated API)'),
    o('policies.list', 'GET', '/v3/policies', 'List policies'),
    o('policies.get', 'GET', '/v3/policies/{policy_id}', 'Show a policy'),
    o('policies.update', 'PATCH', '/v3/policies/{policy_id}', 'Update a policy'),
    o('policies.delete', 'DELETE', '/v3/policies/{policy_id}', 'Delete a policy'),
  ]),
  ...group('endpoint-policy', 'v3-ext/endpoint-policy.inc', [
    o('endpoint-policy.endpoint.associate', 'PUT', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', 'Associate a policy with an endpoint'),
    o('endpoint-policy.endpoint.verify', 'GET', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', 'Verify a policy-endpoint association'),
    o('endpoint-policy.endpoint.delete', 'DELETE', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints/{endpoint_id}', 'Delete a policy-endpoint association'),
    o('endpoint-policy.service.associate', 'PUT', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', 'Associate a policy with a service type'),
    o('endpoint-policy.service.verify', 'GET', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', 'Verify a policy-service association'),
    o('endpoint-policy.service.delete', 'DELETE', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}', 'Delete a policy-service association'),
    o('endpoint-policy.policy.get', 'GET', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy', 'Show policy for endpoint (as documented)', { note: NOT_ROUTED }),
    o('endpoint-policy.policy.check', 'HEAD', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy', 'Check policy and service endpoint association (as documented)', { note: NOT_ROUTED }),
    o('endpoint-policy.service-region.associate', 'PUT', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', 'Associate a policy with a service type in a region'),
    o('endpoint-policy.service-region.verify', 'GET', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', 'Verify a policy-service-region association'),
    o('endpoint-policy.service-region.delete', 'DELETE', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/services/{service_id}/regions/{region_id}', 'Delete a policy-service-region association'),
    o('endpoint-policy.endpoints.list', 'GET', '/v3/policies/{policy_id}/OS-ENDPOINT-POLICY/endpoints', 'List endpoints associated with a policy'),
    o('endpoint-policy.effective.get', 'GET', '/v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy', 'Show the effective policy of an endpoint'),
  ]),
  ...group('os-ep-filter', 'v3-ext/ep-filter.inc', [
    o('os-ep-filter.endpoint-groups.create', 'POST', '/v3/OS-EP-FILTER/endpoint_groups', 'Create an endpoint group'),
    o('os-ep-filter.endpoint-groups.get', 'GET', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', 'Show an endpoint group'),
    o('os-ep-filter.endpoint-groups.check', 'HEAD', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', 'Check an endpoint group exists'),
    o('os-ep-filter.endpoint-groups.update', 'PATCH', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', 'Update an endpoint group'),
    o('os-ep-filter.endpoint-groups.delete', 'DELETE', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}', 'Delete an endpoint group'),
    o('os-ep-filter.endpoint-groups.list', 'GET', '/v3/OS-EP-FILTER/endpoint_groups', 'List endpoint groups'),
    o('os-ep-filter.project-endpoint.add', 'PUT', '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', 'Associate an endpoint with a project'),
    o('os-ep-filter.project-endpoint.check', 'HEAD', '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', 'Check a project-endpoint association'),
    o('os-ep-filter.project-endpoint.remove', 'DELETE', '/v3/OS-EP-FILTER/projects/{project_id}/endpoints/{endpoint_id}', 'Remove a project-endpoint association'),
    o('os-ep-filter.project-endpoints.list', 'GET', '/v3/OS-EP-FILTER/projects/{project_id}/endpoints', 'List endpoints associated with a project'),
    o('os-ep-filter.endpoint-projects.list', 'GET', '/v3/OS-EP-FILTER/endpoints/{endpoint_id}/projects', 'List projects associated with an endpoint'),
    o('os-ep-filter.endpoint-group-project.add', 'PUT', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', 'Associate an endpoint group with a project'),
    o('os-ep-filter.endpoint-group-project.get', 'GET', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', 'Show an endpoint group-project association'),
    o('os-ep-filter.endpoint-group-project.check', 'HEAD', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', 'Check an endpoint group-project association'),
    o('os-ep-filter.endpoint-group-project.remove', 'DELETE', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects/{project_id}', 'Remove an endpoint group-project association'),
    o('os-ep-filter.endpoint-group-projects.list', 'GET', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/projects', 'List projects of an endpoint group'),
    o('os-ep-filter.endpoint-group-endpoints.list', 'GET', '/v3/OS-EP-FILTER/endpoint_groups/{endpoint_group_id}/endpoints', 'List endpoints of an endpoint group'),
    o('os-ep-filter.project-endpoint-groups.list', 'GET', '/v3/OS-EP-FILTER/projects/{project_id}/endpoint_groups', 'List endpoint groups of a project'),
  ]),
  ...group('os-trust', 'v3-ext/trust.inc', [
    o('os-trust.create', 'POST', '/v3/OS-TRUST/trusts', 'Create a trust'),
    o('os-trust.list', 'GET', '/v3/OS-TRUST/trusts', 'List trusts'),
    o('os-trust.get', 'GET', '/v3/OS-TRUST/trusts/{trust_id}', 'Show a trust'),
    o('os-trust.delete', 'DELETE', '/v3/OS-TRUST/trusts/{trust_id}', 'Delete a trust'),
    o('os-trust.roles.list', 'GET', '/v3/OS-TRUST/trusts/{trust_id}/roles', 'List roles delegated by a trust'),
    o('os-trust.roles.check', 'HEAD', '/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}', 'Check a role is delegated by a trust'),
    o('os-trust.roles.get', 'GET', '/v3/OS-TRUST/trusts/{trust_id}/roles/{role_id}', 'Show a role delegated by a trust'),
  ]),
  ...group('os-oauth1', 'v3-ext/oauth.inc', [
    o('os-oauth1.consumers.create', 'POST', '/v3/OS-OAUTH1/consumers', 'Create a consumer'),
    o('os-oauth1.consumers.delete', 'DELETE', '/v3/OS-OAUTH1/consumers/{consumer_id}', 'Delete a consumer'),
    o('os-oauth1.consumers.list', 'GET', '/v3/OS-OAUTH1/consumers', 'List consumers'),
    o('os-oauth1.consumers.get', 'GET', '/v3/OS-OAUTH1/consumers/{consumer_id}', 'Show a consumer'),
    o('os-oauth1.consumers.update', 'PATCH', '/v3/OS-OAUTH1/consumers/{consumer_id}', 'Update a consumer description'),
    o('os-oauth1.request-token.create', 'POST', '/v3/OS-OAUTH1/request_token', 'Create a request token (HMAC-SHA1 signed)'),
    o('os-oauth1.authorize', 'PUT', '/v3/OS-OAUTH1/authorize/{request_token_id}', 'Authorize a request token'),
    o('os-oauth1.access-token.create', 'POST', '/v3/OS-OAUTH1/access_token', 'Exchange a request token for an access token (HMAC-SHA1 signed)'),
    o('os-oauth1.access-tokens.get', 'GET', '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}', 'Show an access token'),
    o('os-oauth1.access-tokens.revoke', 'DELETE', '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}', 'Revoke an access token'),
    o('os-oauth1.access-tokens.list', 'GET', '/v3/users/{user_id}/OS-OAUTH1/access_tokens', 'List access tokens of a user'),
    o('os-oauth1.access-tokens.roles.list', 'GET', '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles', 'List roles of an access token'),
    o('os-oauth1.access-tokens.roles.get', 'GET', '/v3/users/{user_id}/OS-OAUTH1/access_tokens/{access_token_id}/roles/{role_id}', 'Show a role of an access token'),
  ]),
  ...group('os-oauth2', 'v3-ext/oauth2.inc', [
    o('os-oauth2.token.create', 'POST', '/v3/OS-OAUTH2/token', 'Create an OAuth2 access token (client_credentials, application credential as client)', {
      note: 'the api-ref writes POST /identity/v3/OS-OAUTH2/token, i.e. with a deployment base path; the template here drops it like every other row',
    }),
  ]),
  ...group('os-federation', 'v3-ext/federation/identity-provider/idp.inc', [
    o('os-federation.idps.register', 'PUT', '/v3/OS-FEDERATION/identity_providers/{id}', 'Register an identity provider'),
    o('os-federation.idps.list', 'GET', '/v3/OS-FEDERATION/identity_providers', 'List identity providers'),
    o('os-federation.idps.get', 'GET', '/v3/OS-FEDERATION/identity_providers/{id}', 'Show an identity provider'),
    o('os-federation.idps.delete', 'DELETE', '/v3/OS-FEDERATION/identity_providers/{id}', 'Delete an identity provider'),
    o('os-federation.idps.update', 'PATCH', '/v3/OS-FEDERATION/identity_providers/{id}', 'Update an identity provider'),
    o('os-federation.protocols.add', 'PUT', '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', 'Add a protocol to an identity provider'),
    o('os-federation.protocols.list', 'GET', '/v3/OS-FEDERATION/identity_providers/{id}/protocols', 'List protocols of an identity provider'),
    o('os-federation.protocols.get', 'GET', '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', 'Show a protocol'),
    o('os-federation.protocols.update', 'PATCH', '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', 'Update the mapping of a protocol'),
    o('os-federation.protocols.delete', 'DELETE', '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}', 'Delete a protocol'),
  ]),
  ...group('os-federation', 'v3-ext/federation/mapping/mapping.inc', [
    o('os-federation.mappings.create', 'PUT', '/v3/OS-FEDERATION/mappings/{id}', 'Create a mapping'),
    o('os-federation.mappings.get', 'GET', '/v3/OS-FEDERATION/mappings/{id}', 'Show a mapping'),
    o('os-federation.mappings.update', 'PATCH', '/v3/OS-FEDERATION/mappings/{id}', 'Update a mapping'),
    o('os-federation.mappings.list', 'GET', '/v3/OS-FEDERATION/mappings', 'List mappings'),
    o('os-federation.mappings.delete', 'DELETE', '/v3/OS-FEDERATION/mappings/{id}', 'Delete a mapping'),
  ]),
  ...group('os-federation', 'v3-ext/federation/service-provider/sp.inc', [
    o('os-federation.sps.register', 'PUT', '/v3/OS-FEDERATION/service_providers/{id}', 'Register a service provider'),
    o('os-federation.sps.list', 'GET', '/v3/OS-FEDERATION/service_providers', 'List service providers'),
    o('os-federation.sps.get', 'GET', '/v3/OS-FEDERATION/service_providers/{id}', 'Show a service provider'),
    o('os-federation.sps.delete', 'DELETE', '/v3/OS-FEDERATION/service_providers/{id}', 'Delete a service provider'),
    o('os-federation.sps.update', 'PATCH', '/v3/OS-FEDERATION/service_providers/{id}', 'Update a service provider'),
  ]),
  ...group('os-federation', 'v3-ext/federation/projects-domains/projects-domains.inc', [
    o('os-federation.projects.list', 'GET', '/v3/OS-FEDERATION/projects', 'List projects a federated user can access (deprecated alias of /v3/auth/projects)'),
    o('os-federation.domains.list', 'GET', '/v3/OS-FEDERATION/domains', 'List domains a federated user can access (deprecated alias of /v3/auth/domains)'),
  ]),
  ...group('os-federation', 'v3-ext/federation/auth/auth.inc', [
    o('os-federation.auth.get', 'GET', '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth', 'Request an unscoped federated token', { needsExternal: FEDERATED_IDP }),
    o('os-federation.websso.get', 'GET', '/v3/auth/OS-FEDERATION/websso/{protocol_id}', 'Web single sign-on (requires ?origin=)', { needsExternal: WEBSSO }),
    o('os-federation.websso-idp.get', 'GET', '/v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocol/{protocol_id}/websso', 'Web single sign-on for one IdP (requires ?origin=)', {
      needsExternal: WEBSSO,
      aliases: ['/v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/websso'],
      note: 'the api-ref writes ".../protocol/{protocol_id}/websso"; Keystone (keystone/api/auth.py) routes ".../protocols/{protocol_id}/websso"',
    }),
  ]),
  // The api-ref says both GET and POST must work for these (ECP vs WebSSO); Keystone defines post() on each.
  ...group('os-federation', 'keystone/api (not in api-ref)', [
    o('os-federation.auth.post', 'POST', '/v3/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/auth', 'Request an unscoped federated token (POST, ECP)', { extra: true, needsExternal: FEDERATED_IDP }),
    o('os-federation.websso.post', 'POST', '/v3/auth/OS-FEDERATION/websso/{protocol_id}', 'Web single sign-on (POST)', { extra: true, needsExternal: WEBSSO }),
    o('os-federation.websso-idp.post', 'POST', '/v3/auth/OS-FEDERATION/identity_providers/{idp_id}/protocols/{protocol_id}/websso', 'Web single sign-on for one IdP (POST)', { extra: true, needsExternal: WEBSSO }),
  ]),
  ...group('os-federation', 'v3-ext/federation/assertion/assertion.inc', [
    o('os-federation.saml2.create', 'POST', '/v3/auth/OS-FEDERATION/saml2', 'Generate a SAML assertion for a service provider', { needsExternal: KEYSTONE_AS_IDP }),
    o('os-federation.saml2-ecp.create', 'POST', '/v3/auth/OS-FEDERATION/saml2/ecp', 'Generate an ECP-wrapped SAML assertion', { needsExternal: KEYSTONE_AS_IDP }),
    o('os-federation.metadata.get', 'GET', '/v3/OS-FEDERATION/saml2/metadata', 'Retrieve IdP metadata', {
      needsExternal: 'needs IdP metadata generated by keystone-manage saml_idp_metadata at [saml] idp_metadata_path',
    }),
  ]),
  ...group('os-revoke', 'v3-ext/revoke.inc', [
    o('os-revoke.events.list', 'GET', '/v3/OS-REVOKE/events', 'List revocation events'),
  ]),
  ...group('limits', 'v3/unified_limits.inc', [
    o('registered-limits.list', 'GET', '/v3/registered_limits', 'List registered limits'),
    o('registered-limits.create', 'POST', '/v3/registered_limits', 'Create registered limits (batch)'),
    o('registered-limits.update', 'PATCH', '/v3/registered_limits/{registered_limit_id}', 'Update a registered limit'),
    o('registered-limits.get', 'GET', '/v3/registered_limits/{registered_limit_id}', 'Show a registered limit'),
    o('registered-limits.delete', 'DELETE', '/v3/registered_limits/{registered_limit_id}', 'Delete a registered limit'),
    o('limits.model.get', 'GET', '/v3/limits/model', 'Show the enforcement model'),
    o('limits.list', 'GET', '/v3/limits', 'List limits'),
    o('limits.create', 'POST', '/v3/limits', 'Create limits (batch)'),
    o('limits.update', 'PATCH', '/v3/limits/{limit_id}', 'Update a limit'),
    o('limits.get', 'GET', '/v3/limits/{limit_id}', 'Show a limit'),
    o('limits.delete', 'DELETE', '/v3/limits/{limit_id}', 'Delete a limit'),
  ]),
  ...group('os-simple-cert', 'v3-ext/simple-cert.inc', [
    o('os-simple-cert.ca.get', 'GET', '/v3/OS-SIMPLE-CERT/ca', 'Show the CA certificate', {
      needsExternal: 'serves the PEM file at [signing] ca_certs from the Keystone host; without it Keystone answers 500 CertificateFilesUnavailable',
    }),
    o('os-simple-cert.certificates.get', 'GET', '/v3/OS-SIMPLE-CERT/certificates', 'Show the signing certificate', {
      needsExternal: 'serves the PEM file at [signing] certfile from the Keystone host; without it Keystone answers 500 CertificateFilesUnavailable',
    }),
  ]),
  ...group('os-pki', 'v3/os-pki.inc', [
    o('os-pki.revoked.list', 'GET', '/v3/auth/tokens/OS-PKI/revoked', 'List revoked PKI tokens', {
      note: 'no positive case exists since PKI tokens were removed: Keystone answers 410 Gone (revoke_by_id = false) or 403',
    }),
  ]),
];

// Flask/werkzeug adds HEAD to every GET rule, so Keystone answers HEAD wherever it answers GET;
// computed rather than hand-set so a new GET row cannot forget it.
function withHeadFlags(rows: Operation[]): Operation[] {
  const explicitHead = new Set(rows.filter((r) => r.method === 'HEAD').map((r) => r.path));
  return rows.map((r) => (r.method === 'GET' && !explicitHead.has(r.path) ? { ...r, head: true as const } : r));
}

export const OPERATIONS: readonly Operation[] = Object.freeze(withHeadFlags(ROWS).map((r) => Object.freeze(r)));

/** The 233 api-ref rows (no extras). */
export const API_REF_OPERATIONS: readonly Operation[] = Object.freeze(OPERATIONS.filter((op) => !op.extra));

const BY_ID = new Map(OPERATIONS.map((op) => [op.id, op]));

export function operationById(id: string): Operation | undefined {
  return BY_ID.get(id);
}

/** Counts of api-ref rows per concern, for comparison with API_REF_COUNTS. */
export function countByConcern(ops: readonly Operation[] = API_REF_OPERATIONS): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const op of ops) counts[op.concern] = (counts[op.concern] ?? 0) + 1;
  return counts;
}
