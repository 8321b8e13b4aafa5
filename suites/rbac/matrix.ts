import { allow, refuse, type MatrixRow, type TableEntry } from '../../lib/rbac/expectations.js';

/**
 * THE RBAC TABLE: api-ref operation x persona -> expected outcome, for a target in the persona's
 * scope (domain A / project P / its own) and out of it (domain B / project Q / someone else's).
 *
 * Written by hand from Keystone Zed's (22.0.2) policy defaults, keystone/common/policies/*.py as
 * installed in the gate's image; the check string of each rule is quoted in `check`. Secure set:
 * `[oslo_policy] enforce_scope = true, enforce_new_defaults = true` (a token whose scope is not in
 * the rule's scope_types gets 403; deprecated rules are not OR-ed in). Legacy set: both flags off
 * (new check OR deprecated check, scope_types ignored). Never edited to match observed behaviour:
 * a deviation of Keystone is a known defect (expectations/keystone-*.yaml).
 *
 * Personas: SA SM SR system admin/member/reader; DA DM DR domain A; PA PM PR project P; NR a user
 * with no role (unscoped token: oslo.policy treats a token with neither system nor domain scope as
 * project scope). Role implication (admin > member > reader, keystone-manage bootstrap) gives every
 * admin and member the reader role too.
 *
 * Zed facts the table encodes: `rule:admin_required` is `role:admin or is_admin:1`, scope-free: a
 * project admin of any project is a cloud admin, and where the rule's scope_types include
 * 'domain', so is a domain admin (out of scope too). Zed has no manager role.
 */

const ADMIN = 'rule:admin_required';
const SYS_READER = 'rule:admin_required or (role:reader and system_scope:all)';

// Shorthands for the expectation shapes most rules share (each written out from its check string once).
/** rule:admin_required, scope_types [system, project]: system admin and any project admin. */
const adminSP = (out = false) => (out ? allow('SA PA', 'PA') : allow('SA PA'));
/** The same rule, legacy: any admin, scope ignored (a domain admin too). */
const adminAny = (out = false) => (out ? allow('SA DA PA', 'DA PA') : allow('SA DA PA'));
/** admin_required or system reader, scope_types [system, project]. */
const sysReaderSP = () => allow('SA SM SR PA');
/** Its legacy form (deprecated rule:admin_required OR-ed in, scope ignored). */
const sysReaderLegacy = () => allow('SA SM SR DA PA');
/** '' (always), any scope. */
const everyone = () => allow('SA SM SR DA DM DR PA PM PR NR');
/** admin_required or system reader or (reader and domain_id: the target's domain): domain readers in their own domain, admins anywhere. */
const domainReader = (out: boolean) => (out ? allow('SA SM SR DA DM DR PA', 'DA PA') : allow('SA SM SR DA DM DR PA'));

function row(op: string, rule: string, check: string, ok: number, secure: MatrixRow['secure'], legacy?: MatrixRow['legacy'], more: Partial<MatrixRow> = {}): MatrixRow {
  return { op, rule: `identity:${rule}`, check, ok, secure, ...(legacy ? { legacy } : {}), ...more };
}
const slice = { slice: true } as const;
const na = (op: string, notApplicable: string): TableEntry => ({ op, notApplicable });

/**
 * project.py list_project_tags / get_project_tag: admin_required or system reader or domain reader or
 * project_id:%(target.project.id)s (deprecated: admin_required or project_id, so legacy is the same set).
 */
const TAG_READ = 'admin_required or (role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s) or project_id:%(target.project.id)s';
const tagReader = () => allow('SA SM SR DA DM DR PA PM PR', 'DA PA');

/** trust.py get_trust, list_roles_for_trust, get_role_for_trust; scope_types [system, project]; deprecated: trustor or trustee. */
const TRUST_READ = 'admin_required or (role:reader and system_scope:all) or user_id:%(target.trust.trustor_user_id)s or user_id:%(target.trust.trustee_user_id)s';
/** Secure: system readers, any project admin, the trustee (any project token, the no-role user's unscoped one too); a domain token is out of scope_types. */
const trustReader = () => allow('SA SM SR PA PM PR NR', 'PA');
/** Legacy: scope ignored, so a domain-scoped trustee and any admin pass. */
const trustReaderLegacy = () => allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA');

const GRANT_READ = "admin_required or system reader or (reader and domain_id of the actor's and the target's domain)";
const GRANT_WRITE = "admin_required or (role:admin and domain_id of the actor's and the target's domain)";
function grantRows(prefix: string): MatrixRow[] {
  return [
    row(`${prefix}.list`, 'list_grants', GRANT_READ, 200, domainReader(true), domainReader(true)),
    row(`${prefix}.check`, 'check_grant', GRANT_READ, 204, domainReader(true), domainReader(true)),
    row(`${prefix}.grant`, 'create_grant', GRANT_WRITE, 204, adminAny(true), adminAny(true)),
    row(`${prefix}.revoke`, 'revoke_grant', GRANT_WRITE, 204, adminAny(true), adminAny(true)),
  ];
}
/** OS-INHERIT: the grant rules; a list of inherited grants exists on domains only. */
function inheritRows(prefix: string, withList: boolean): MatrixRow[] {
  return grantRows(prefix).filter((r) => withList || !r.op.endsWith('.list'));
}
/** A read of a global resource: admin_required or system reader, scope_types [system, project] (deprecated: admin_required). */
const sysRead = (op: string, rule: string, ok = 200, more: Partial<MatrixRow> = {}) => row(op, rule, SYS_READER, ok, sysReaderSP(), sysReaderLegacy(), more);
/** A write of a global resource: admin_required, scope_types [system, project] (deprecated: the same check). */
const adminWrite = (op: string, rule: string, ok: number, more: Partial<MatrixRow> = {}) => row(op, rule, ADMIN, ok, adminSP(), adminAny(), more);
function crud(concern: string, singular: string, creates = 201, slicedOp?: string, plural = `${singular}s`): MatrixRow[] {
  const rows = [
    row(`${concern}.list`, `list_${plural}`, SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
    row(`${concern}.get`, `get_${singular}`, SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
    row(`${concern}.create`, `create_${singular}`, ADMIN, creates, adminSP(), adminAny()),
    row(`${concern}.update`, `update_${singular}`, ADMIN, 200, adminSP(), adminAny()),
    row(`${concern}.delete`, `delete_${singular}`, ADMIN, 204, adminSP(), adminAny()),
  ];
  return rows.map((r) => (r.op === slicedOp ? { ...r, ...slice } : r));
}

/**
 * application_credential.py / access_rule.py targets. In = an application credential (or access
 * rule) the persona's own user owns: a project persona creates it with its project-scoped token
 * (bound to project P); a system or domain persona's user, and the no-role user, hold no project
 * role, so theirs is created with the user's unscoped token (oslo.policy counts an unscoped token as
 * project scope; keystone/api/users.py binds the credential to no project and no role). Out = one
 * owned by project Q's member (its Q-scoped token). The access rule is the credential's one rule
 * (delete: the credential is deleted first, a rule in use cannot be deleted).
 */
const APP_CRED_TARGETS = 'in = a credential of the persona\'s own user (project personas: made with their P-scoped token; system/domain/no-role: with the user\'s unscoped token, no project), out = one of project Q\'s member; '
  + 'keystone/api/users.py takes the owner from the credential itself (_update_request_user_id_attribute), not from the URL';
const ACCESS_RULE_TARGETS = 'in = the one access rule of a credential the persona\'s own user owns (URL: that user), out = one of project Q\'s member (URL: that member); '
  + 'the check has no admin_required: no project or domain admin reads or deletes another user\'s rules';
/** OAuth1 access tokens: access_token.py, every rule rule:admin_required with scope_types [project] and no deprecated rule. */
const OAUTH1_TOKEN_TARGETS = 'in = an access token on project P authorised by project P\'s admin (delegating reader), out = one on project Q authorised by Q\'s admin; URL user = the authorising user. '
  + 'admin_required is scope-free: any project admin reads (and revokes) any user\'s access tokens; a system token is outside scope_types [project]; '
  + 'read back by the bootstrap admin on a project-scoped token';
const ENDPOINT_POLICY_UNROUTED = 'documented by the api-ref, but Zed routes no /v3/policies/{policy_id}/OS-ENDPOINT-POLICY/policy (keystone/api/policy.py maps only .../endpoints, .../services and .../regions): 404 whoever asks, before any policy rule; '
  + 'get_policy_for_endpoint is judged on the routed /v3/endpoints/{endpoint_id}/OS-ENDPOINT-POLICY/policy (endpoint-policy.effective.get)';
const FEDERATED = 'needs an external identity provider in front of Keystone (the federated assertion is the authorisation; no persona token applies)';
const NOT_APPLICABLE: [string, string][] = [
  ['endpoint-policy.policy.get', ENDPOINT_POLICY_UNROUTED], ['endpoint-policy.policy.check', ENDPOINT_POLICY_UNROUTED],
  ['os-oauth1.request-token.create', 'authorised by the OAuth1 consumer signature, not a persona token'],
  ['os-oauth1.access-token.create', 'authorised by the OAuth1 consumer and request-token signature, not a persona token'],
  ['os-oauth2.token.create', 'authorised by the OAuth2 client credentials (HTTP Basic), not a persona token'],
  ['os-federation.auth.get', FEDERATED], ['os-federation.websso.get', FEDERATED], ['os-federation.websso-idp.get', FEDERATED],
  ['os-federation.saml2.create', 'Keystone-as-IdP: needs xmlsec1 and SAML signing keys the embedded Keystone does not have'],
  ['os-federation.saml2-ecp.create', 'Keystone-as-IdP: needs xmlsec1 and SAML signing keys the embedded Keystone does not have'],
  ['os-federation.metadata.get', 'unauthenticated: the IdP metadata is public, no policy rule'],
  ['os-simple-cert.ca.get', 'unauthenticated and without a policy rule (PKI tokens are gone; Zed answers without a token)'],
  ['os-simple-cert.certificates.get', 'unauthenticated and without a policy rule (PKI tokens are gone; Zed answers without a token)'],
  ['os-pki.revoked.list', 'PKI token revocation list: removed upstream (410 Gone whoever asks), no persona difference to judge'],
];

export const MATRIX: readonly TableEntry[] = [
  // --- projects (keystone/common/policies/project.py)
  row('projects.list', 'list_projects', 'admin_required or system reader or (role:reader and domain_id:%(target.domain_id)s) [target domain = the token\'s]', 200, domainReader(false), domainReader(false)),
  row('projects.get', 'get_project', '(role:reader and system_scope:all) or (role:reader and domain_id:%(target.project.domain_id)s) or project_id:%(target.project.id)s', 200,
    allow('SA SM SR DA DM DR PA PM PR', ''), allow('SA SM SR DA DM DR PA PM PR', 'DA PA'), { note: 'no admin_required in the new check: a project admin cannot read another domain\'s project' }),
  row('projects.create', 'create_project', ADMIN, 201, adminAny(true), adminAny(true), slice),
  row('projects.update', 'update_project', ADMIN, 200, adminAny(true), adminAny(true)),
  row('projects.delete', 'delete_project', ADMIN, 204, adminAny(true), adminAny(true)),
  // --- project tags
  row('project-tags.list', 'list_project_tags', TAG_READ, 200, tagReader(), tagReader()),
  // GET .../tags/{value}: 204 (keystone/api/projects.py ProjectTagResource.get), no body.
  row('project-tags.check', 'get_project_tag', TAG_READ, 204, tagReader(), tagReader()),
  row('project-tags.add', 'create_project_tag', ADMIN, 201, adminAny(true), adminAny(true)),
  row('project-tags.replace', 'update_project_tags', ADMIN, 200, adminAny(true), adminAny(true), slice),
  row('project-tags.remove', 'delete_project_tag', ADMIN, 204, adminAny(true), adminAny(true)),
  row('project-tags.clear', 'delete_project_tags', ADMIN, 204, adminAny(true), adminAny(true)),
  // --- domains (domain.py)
  row('domains.list', 'list_domains', SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
  row('domains.get', 'get_domain', 'admin_required or system reader or token.domain.id:%(target.domain.id)s or token.project.domain.id:%(target.domain.id)s', 200,
    allow('SA SM SR DA DM DR PA PM PR', 'DA PA'), allow('SA SM SR DA DM DR PA PM PR', 'DA PA')),
  row('domains.create', 'create_domain', ADMIN, 201, adminSP(), adminAny(), slice),
  row('domains.update', 'update_domain', ADMIN, 200, adminSP(), adminAny()),
  row('domains.delete', 'delete_domain', ADMIN, 204, adminSP(), adminAny()),
  // --- users (user.py)
  row('users.list', 'list_users', 'admin_required or system reader or (role:reader and domain_id:%(target.domain_id)s) [target domain = the token\'s]', 200, domainReader(false), domainReader(false)),
  row('users.get', 'get_user', 'admin_required or system reader or (role:reader and token.domain.id:%(target.user.domain_id)s) or user_id:%(target.user.id)s', 200, domainReader(true), domainReader(true)),
  row('users.create', 'create_user', ADMIN, 201, adminAny(true), adminAny(true), slice),
  row('users.update', 'update_user', ADMIN, 200, adminAny(true), adminAny(true)),
  row('users.delete', 'delete_user', ADMIN, 204, adminAny(true), adminAny(true)),
  row('users.groups.list', 'list_groups_for_user', 'admin_required or system reader or (role:reader and domain_id:%(target.user.domain_id)s) or user_id:%(user_id)s', 200, domainReader(true), domainReader(true)),
  row('users.projects.list', 'list_user_projects', 'admin_required or system reader or (role:reader and domain_id:%(target.user.domain_id)s) or user_id:%(target.user.id)s', 200, domainReader(true), domainReader(true)),
  na('users.password.change', 'no policy rule: Keystone authorises a password change by the original password in the body, not by the token\'s roles (covered by the conformance suite)'),
  // --- groups (group.py)
  row('groups.list', 'list_groups', 'admin_required or system reader or (role:reader and domain_id:%(target.group.domain_id)s) [target domain = the token\'s]', 200, domainReader(false), domainReader(false)),
  row('groups.get', 'get_group', 'admin_required or system reader or (role:reader and domain_id:%(target.group.domain_id)s)', 200, domainReader(true), domainReader(true)),
  row('groups.create', 'create_group', ADMIN, 201, adminAny(true), adminAny(true), slice),
  row('groups.update', 'update_group', ADMIN, 200, adminAny(true), adminAny(true)),
  row('groups.delete', 'delete_group', ADMIN, 204, adminAny(true), adminAny(true)),
  row('groups.users.list', 'list_users_in_group', 'admin_required or system reader or (role:reader and domain_id:%(target.group.domain_id)s)', 200, domainReader(true), domainReader(true)),
  row('groups.users.add', 'add_user_to_group', ADMIN, 204, adminAny(true), adminAny(true)),
  row('groups.users.check', 'check_user_in_group', 'admin_required or system reader or (role:reader and domain_id of group and user)', 204, domainReader(true), domainReader(true)),
  row('groups.users.remove', 'remove_user_from_group', ADMIN, 204, adminAny(true), adminAny(true)),
  // --- roles (role.py) and implied roles
  ...crud('roles', 'role', 201, 'roles.create'),
  // implied_role.py: scope_types [system, project]; deprecated forms all rule:admin_required.
  row('implied-roles.list', 'list_implied_roles', SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
  row('implied-roles.create', 'create_implied_role', ADMIN, 201, adminSP(), adminAny(), slice),
  row('implied-roles.get', 'get_implied_role', SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
  row('implied-roles.check', 'check_implied_role', SYS_READER, 204, sysReaderSP(), sysReaderLegacy(),
    { note: 'HEAD enforces check_implied_role, then get_implied_role (keystone/api/roles.py RoleImplicationResource.head): same check string' }),
  row('implied-roles.delete', 'delete_implied_role', ADMIN, 204, adminSP(), adminAny()),
  row('implied-roles.list-all', 'list_role_inference_rules', SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
  // --- role grants (grant.py): in = domain A / project P with A's user/group, out = B / Q
  ...grantRows('role-grants.project-user').map((r) => (r.op.endsWith('.grant') ? { ...r, ...slice } : r)),
  ...grantRows('role-grants.project-group'),
  ...grantRows('role-grants.domain-user'),
  ...grantRows('role-grants.domain-group'),
  // --- inherited grants (grant.py, the same rules on /v3/OS-INHERIT/...): in = domain A / project P with A's user/group, out = B / Q
  ...inheritRows('os-inherit.domain-user', true).map((r) => (r.op.endsWith('.grant') ? { ...r, ...slice } : r)),
  ...inheritRows('os-inherit.domain-group', true),
  ...inheritRows('os-inherit.project-user', false),
  ...inheritRows('os-inherit.project-group', false),
  // --- role assignments (role_assignment.py)
  row('role-assignments.list', 'list_role_assignments', 'admin_required or system reader or (role:reader and domain_id:%(target.domain_id)s) [target domain = the token\'s]', 200, domainReader(false), domainReader(false), slice),
  // --- system role assignments (grant.py, system grants)
  row('system-roles.user.list', 'list_system_grants_for_user', SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
  row('system-roles.user.grant', 'create_system_grant_for_user', ADMIN, 204, adminSP(), adminAny(), slice),
  row('system-roles.user.check', 'check_system_grant_for_user', SYS_READER, 204, sysReaderSP(), sysReaderLegacy()),
  row('system-roles.user.get', 'check_system_grant_for_user', SYS_READER, 204, sysReaderSP(), sysReaderLegacy(), { note: 'GET and HEAD are one handler answering 204 (keystone/api/system.py)' }),
  row('system-roles.user.revoke', 'revoke_system_grant_for_user', ADMIN, 204, adminSP(), adminAny()),
  row('system-roles.group.list', 'list_system_grants_for_group', SYS_READER, 200, sysReaderSP(), sysReaderLegacy()),
  row('system-roles.group.grant', 'create_system_grant_for_group', ADMIN, 204, adminSP(), adminAny()),
  row('system-roles.group.check', 'check_system_grant_for_group', SYS_READER, 204, sysReaderSP(), sysReaderLegacy()),
  row('system-roles.group.get', 'check_system_grant_for_group', SYS_READER, 204, sysReaderSP(), sysReaderLegacy(), { note: 'GET and HEAD are one handler answering 204 (keystone/api/system.py)' }),
  row('system-roles.group.revoke', 'revoke_system_grant_for_group', ADMIN, 204, adminSP(), adminAny()),
  // --- credentials (credential.py): in = the persona's own credential, out = domain B's user's
  row('credentials.list', 'list_credentials', 'admin_required or system reader or user_id:%(target.credential.user_id)s [list filtered per credential]', 200, allow('SA SM SR PA PM PR NR'), allow('SA SM SR DA DM DR PA PM PR NR')),
  row('credentials.get', 'get_credential', 'admin_required or system reader or user_id:%(target.credential.user_id)s', 200, allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  row('credentials.create', 'create_credential', 'admin_required or user_id:%(target.credential.user_id)s', 201, allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), slice),
  row('credentials.update', 'update_credential', 'admin_required or user_id:%(target.credential.user_id)s', 200, allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  row('credentials.delete', 'delete_credential', 'admin_required or user_id:%(target.credential.user_id)s', 204, allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  // --- application credentials and access rules (application_credential.py, access_rule.py)
  // in = POST on the persona's own user, out = on domain B's plain user (user_id:%(user_id)s is the URL's: nobody creates for another user).
  row('application-credentials.create', 'create_application_credential', 'user_id:%(user_id)s (rule:owner, the URL\'s user) [scope_types project; no deprecated rule]', 201,
    allow('PA PM PR NR', ''), refuse(allow('DA DM DR PA PM PR NR', ''), 'SA:400 SM:400 SR:400'), {
      note: 'keystone/api/users.py binds the credential to the token\'s project_id and roles (the api-ref: "on the project to which the current token is scoped"); the allowed cell checks the stored project_id is the token\'s. '
        + 'A project token: project P and its roles. The no-role user\'s unscoped token passes scope_types [project] (oslo.policy counts it as project scope): no project and no role, which the code accepts (201; the api-ref documents no refusal). '
        + 'Legacy (scope ignored), a domain token: no project, the domain\'s roles, which the user holds (application_credential/core.py checks them against every effective assignment when project_id is None): 201. '
        + 'Legacy, a system token: the system roles, which no project or domain assignment lists (system grants are not in the effective list) -> RoleAssignmentNotFound -> ApplicationCredentialValidationError: 400',
      ...slice,
    }),
  // The lists name their owner in the URL (user_id): in = the persona's own user (an empty list is
  // still an answer; nothing needs creating, so no project is needed), out = domain B's plain user.
  row('application-credentials.list', 'list_application_credentials', 'admin_required or system reader or rule:owner (user_id:%(user_id)s, the URL\'s) [deprecated: rule:admin_or_owner]', 200,
    allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  // Secure: the owner on a system or project token (a domain token is outside scope_types [system, project]), system readers, any project admin (admin_required is scope-free).
  row('application-credentials.get', 'get_application_credential', 'admin_required or system reader or rule:owner [scope_types system, project; deprecated: rule:admin_or_owner]', 200,
    allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), { note: APP_CRED_TARGETS }),
  row('application-credentials.delete', 'delete_application_credential', 'rule:admin_or_owner [scope_types system, project; deprecated: the same]', 204,
    allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), { note: APP_CRED_TARGETS }),
  row('access-rules.list', 'list_access_rules', '(role:reader and system_scope:all) or user_id:%(target.user.id)s [no admin_required; no deprecated rule]', 200,
    allow('SA SM SR PA PM PR NR', ''), allow('SA SM SR DA DM DR PA PM PR NR', ''), { note: 'no admin in the check: no project or domain admin lists another user\'s access rules' }),
  row('access-rules.get', 'get_access_rule', '(role:reader and system_scope:all) or user_id:%(target.user.id)s [scope_types system, project; no deprecated rule]', 200,
    allow('SA SM SR PA PM PR NR', ''), allow('SA SM SR DA DM DR PA PM PR NR', ''), { note: ACCESS_RULE_TARGETS, ...slice }),
  row('access-rules.delete', 'delete_access_rule', '(role:admin and system_scope:all) or user_id:%(target.user.id)s [scope_types system, project; no deprecated rule]', 204,
    allow('SA SM SR PA PM PR NR', ''), allow('SA SM SR DA DM DR PA PM PR NR', ''), { note: ACCESS_RULE_TARGETS }),
  // --- catalog (region.py, service.py, endpoint.py)
  row('regions.list', 'list_regions', "'' (anyone)", 200, everyone(), everyone()),
  row('regions.get', 'get_region', "'' (anyone)", 200, everyone(), everyone()),
  row('regions.create', 'create_region', ADMIN, 201, adminSP(), adminAny(), slice),
  row('regions.update', 'update_region', ADMIN, 200, adminSP(), adminAny()),
  row('regions.delete', 'delete_region', ADMIN, 204, adminSP(), adminAny()),
  ...crud('services', 'service', 201, 'services.create'),
  ...crud('endpoints', 'endpoint', 201, 'endpoints.create'),
  // --- policies (policy.py)
  ...crud('policies', 'policy', 201, 'policies.create', 'policies'),
  // --- unified limits (registered_limit.py, limit.py): no deprecated rules, so legacy = the new check without scope
  row('registered-limits.list', 'list_registered_limits', "''", 200, everyone(), everyone()),
  row('registered-limits.get', 'get_registered_limit', "''", 200, everyone(), everyone()),
  row('registered-limits.create', 'create_registered_limits', ADMIN, 201, adminSP(), adminAny()),
  row('registered-limits.update', 'update_registered_limit', ADMIN, 200, adminSP(), adminAny(), slice),
  row('registered-limits.delete', 'delete_registered_limit', ADMIN, 204, adminSP(), adminAny()),
  row('limits.model.get', 'get_limit_model', "''", 200, everyone(), everyone()),
  row('limits.list', 'list_limits', "'' [list filtered by the token's scope]", 200, everyone(), everyone()),
  row('limits.get', 'get_limit', 'admin_required or system reader or domain_id:%(target.limit.(project.)domain_id)s or project_id:%(target.limit.project_id)s', 200,
    allow('SA SM SR DA DM DR PA PM PR', 'DA PA'), allow('SA SM SR DA DM DR PA PM PR', 'DA PA')),
  // in = a limit on project P, out = on project Q (the rule has no target: admin_required decides).
  row('limits.create', 'create_limits', ADMIN, 201, adminSP(true), adminAny(true)),
  row('limits.update', 'update_limit', ADMIN, 200, adminSP(true), adminAny(true), slice),
  row('limits.delete', 'delete_limit', ADMIN, 204, adminSP(true), adminAny(true)),
  // --- trusts (trust.py) and revocation events
  // trust.py. In = the persona in the relation the rule names: the trustor for create and delete (a
  // trust without project, made with the persona's own token, for delete a fresh unscoped one:
  // create_trust is project-scoped), the trustee for the reads (a trust of project Q's member on Q
  // delegating member). Out = a trust of project Q's member whose trustee is a plain user of A.
  row('os-trust.create', 'create_trust', 'user_id:%(target.trust.trustor_user_id)s [scope_types project; no deprecated rule]', 201,
    allow('PA PM PR NR', ''), allow('SA SM SR DA DM DR PA PM PR NR', ''), { note: 'no admin in the check: nobody creates a trust for another trustor' }),
  row('os-trust.list', 'list_trusts', SYS_READER, 200, sysReaderSP(), undefined, slice),
  row('os-trust.get', 'get_trust', TRUST_READ, 200, trustReader(), trustReaderLegacy()),
  row('os-trust.delete', 'delete_trust', 'admin_required or user_id:%(target.trust.trustor_user_id)s [deprecated: trustor]', 204,
    allow('SA SM SR PA PM PR NR', 'PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  row('os-trust.roles.list', 'list_roles_for_trust', TRUST_READ, 200, trustReader(), trustReaderLegacy()),
  row('os-trust.roles.check', 'get_role_for_trust', TRUST_READ, 200, trustReader(), trustReaderLegacy(), { note: 'HEAD of the GET handler: 200' }),
  row('os-trust.roles.get', 'get_role_for_trust', TRUST_READ, 200, trustReader(), trustReaderLegacy()),
  row('os-revoke.events.list', 'list_revoke_events', 'rule:service_or_admin', 200, adminSP(), adminAny(), slice),
  // --- tokens (token.py): in = the persona's own token as subject, out = project Q's member's token
  na('auth.tokens.issue', 'unauthenticated: the credential in the body is the authorisation, no policy rule'),
  row('auth.tokens.validate', 'validate_token', 'admin_required or system reader or rule:service_role or rule:token_subject', 200,
    allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), slice),
  row('auth.tokens.check', 'check_token', 'admin_required or system reader or rule:token_subject', 200,
    allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  // in = a fresh token of the persona's own user (its cached one stays valid), out = a fresh token of project Q's member.
  row('auth.tokens.revoke', 'revoke_token', 'admin_required or rule:token_subject', 204,
    allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA'), allow('SA SM SR DA DM DR PA PM PR NR', 'DA PA')),
  row('auth.catalog.get', 'get_auth_catalog', "'' [then keystone/api/auth.py: 403 unless the token is project-scoped]", 200, allow('PA PM PR'), allow('PA PM PR'),
    { deniedBy: 'controller', note: 'the policy passes everyone; the controller refuses a catalog to a token without a project' }),
  row('auth.projects.list', 'get_auth_projects', "''", 200, everyone(), everyone()),
  row('auth.domains.list', 'get_auth_domains', "''", 200, everyone(), everyone()),
  row('auth.system.list', 'get_auth_system', "''", 200, everyone(), everyone()),
  // --- OS-EP-FILTER endpoint groups (endpoint_group.py), OS-OAUTH1 consumers (consumer.py), OS-FEDERATION
  // identity providers, protocols, mappings, service providers: every rule admin_required or system
  // reader (reads) / admin_required (writes), scope_types [system, project], deprecated form admin_required.
  sysRead('os-ep-filter.endpoint-groups.list', 'list_endpoint_groups'),
  sysRead('os-ep-filter.endpoint-groups.get', 'get_endpoint_group'),
  sysRead('os-ep-filter.endpoint-groups.check', 'get_endpoint_group'),
  adminWrite('os-ep-filter.endpoint-groups.create', 'create_endpoint_group', 201, slice),
  adminWrite('os-ep-filter.endpoint-groups.update', 'update_endpoint_group', 200),
  adminWrite('os-ep-filter.endpoint-groups.delete', 'delete_endpoint_group', 204),
  sysRead('os-oauth1.consumers.list', 'list_consumers'),
  sysRead('os-oauth1.consumers.get', 'get_consumer'),
  adminWrite('os-oauth1.consumers.create', 'create_consumer', 201),
  adminWrite('os-oauth1.consumers.update', 'update_consumer', 200),
  adminWrite('os-oauth1.consumers.delete', 'delete_consumer', 204),
  sysRead('os-federation.idps.list', 'list_identity_providers'),
  sysRead('os-federation.idps.get', 'get_identity_provider'),
  adminWrite('os-federation.idps.register', 'create_identity_provider', 201, slice),
  adminWrite('os-federation.idps.update', 'update_identity_provider', 200),
  adminWrite('os-federation.idps.delete', 'delete_identity_provider', 204),
  sysRead('os-federation.protocols.list', 'list_protocols'),
  sysRead('os-federation.protocols.get', 'get_protocol'),
  adminWrite('os-federation.protocols.add', 'create_protocol', 201),
  adminWrite('os-federation.protocols.update', 'update_protocol', 200),
  adminWrite('os-federation.protocols.delete', 'delete_protocol', 204),
  sysRead('os-federation.mappings.list', 'list_mappings'),
  sysRead('os-federation.mappings.get', 'get_mapping'),
  adminWrite('os-federation.mappings.create', 'create_mapping', 201),
  adminWrite('os-federation.mappings.update', 'update_mapping', 200),
  adminWrite('os-federation.mappings.delete', 'delete_mapping', 204),
  sysRead('os-federation.sps.list', 'list_service_providers'),
  sysRead('os-federation.sps.get', 'get_service_provider'),
  adminWrite('os-federation.sps.register', 'create_service_provider', 201),
  adminWrite('os-federation.sps.update', 'update_service_provider', 200),
  adminWrite('os-federation.sps.delete', 'delete_service_provider', 204),
  // --- domain configs (domain_config.py), endpoint policy (policy_association.py), OS-EP-FILTER
  // project/endpoint and project/endpoint-group associations (project_endpoint.py, endpoint_group.py):
  // every rule is rule:admin_required (writes) or admin_required or system reader (reads),
  // scope_types [system, project], deprecated form rule:admin_required. No check string names a
  // target (no %(target.*)s), so an out-of-scope target would judge nothing the in-scope one does
  // not: the targets are throwaways (a domain, a project of domain A, a policy, an endpoint, a
  // service, an endpoint group) or the world's read-only ones, and the rows have no out cells.
  // Reads of identity:get_domain_config_default (the defaults, no domain).
  sysRead('domain-configs.default.get', 'get_domain_config_default'),
  sysRead('domain-configs.default-group.get', 'get_domain_config_default'),
  sysRead('domain-configs.default-option.get', 'get_domain_config_default'),
  // A throwaway domain carrying an LDAP configuration (stored, never dialled); create: one without.
  sysRead('domain-configs.get', 'get_domain_config'),
  sysRead('domain-configs.group.get', 'get_domain_config'),
  sysRead('domain-configs.option.get', 'get_domain_config'),
  adminWrite('domain-configs.create', 'create_domain_config', 201),
  adminWrite('domain-configs.update', 'update_domain_config', 200, slice),
  adminWrite('domain-configs.group.update', 'update_domain_config', 200),
  adminWrite('domain-configs.option.update', 'update_domain_config', 200),
  adminWrite('domain-configs.delete', 'delete_domain_config', 204),
  adminWrite('domain-configs.group.delete', 'delete_domain_config', 204),
  adminWrite('domain-configs.option.delete', 'delete_domain_config', 204),
  // Policy associations: a throwaway policy with a throwaway endpoint / service (and the world's region).
  // Create and delete answer 204; check (GET) 204 (keystone/api/policy.py).
  adminWrite('endpoint-policy.endpoint.associate', 'create_policy_association_for_endpoint', 204, slice),
  sysRead('endpoint-policy.endpoint.verify', 'check_policy_association_for_endpoint', 204),
  adminWrite('endpoint-policy.endpoint.delete', 'delete_policy_association_for_endpoint', 204),
  adminWrite('endpoint-policy.service.associate', 'create_policy_association_for_service', 204),
  sysRead('endpoint-policy.service.verify', 'check_policy_association_for_service', 204),
  adminWrite('endpoint-policy.service.delete', 'delete_policy_association_for_service', 204),
  adminWrite('endpoint-policy.service-region.associate', 'create_policy_association_for_region_and_service', 204),
  sysRead('endpoint-policy.service-region.verify', 'check_policy_association_for_region_and_service', 204),
  adminWrite('endpoint-policy.service-region.delete', 'delete_policy_association_for_region_and_service', 204),
  sysRead('endpoint-policy.endpoints.list', 'list_endpoints_for_policy'),
  sysRead('endpoint-policy.effective.get', 'get_policy_for_endpoint'),
  // Project/endpoint: a throwaway project of domain A with the world's endpoint (check: HEAD, 204);
  // the lists read project P and the world's endpoint.
  adminWrite('os-ep-filter.project-endpoint.add', 'add_endpoint_to_project', 204),
  sysRead('os-ep-filter.project-endpoint.check', 'check_endpoint_in_project', 204),
  adminWrite('os-ep-filter.project-endpoint.remove', 'remove_endpoint_from_project', 204),
  sysRead('os-ep-filter.project-endpoints.list', 'list_endpoints_for_project'),
  sysRead('os-ep-filter.endpoint-projects.list', 'list_projects_for_endpoint'),
  // Project/endpoint group: a throwaway endpoint group with a throwaway project of domain A; the
  // association's GET answers 200 with a body, so its HEAD (check) answers 200 too (keystone/api/os_ep_filter.py).
  adminWrite('os-ep-filter.endpoint-group-project.add', 'add_endpoint_group_to_project', 204),
  sysRead('os-ep-filter.endpoint-group-project.get', 'get_endpoint_group_in_project'),
  sysRead('os-ep-filter.endpoint-group-project.check', 'get_endpoint_group_in_project', 200, { note: 'HEAD of the GET handler: 200' }),
  adminWrite('os-ep-filter.endpoint-group-project.remove', 'remove_endpoint_group_from_project', 204),
  sysRead('os-ep-filter.endpoint-group-projects.list', 'list_projects_associated_with_endpoint_group'),
  sysRead('os-ep-filter.endpoint-group-endpoints.list', 'list_endpoints_associated_with_endpoint_group'),
  sysRead('os-ep-filter.project-endpoint-groups.list', 'list_endpoint_groups_for_project'),
  // Deprecated aliases of /v3/auth/projects and /v3/auth/domains: keystone/api/auth.py serves them with the same
  // resource, enforcing get_auth_projects / get_auth_domains (user.py's list_projects_for_user and
  // list_domains_for_user name these paths in their docs but are not what the code enforces).
  row('os-federation.projects.list', 'get_auth_projects', "'' (the /v3/auth/projects resource)", 200, everyone(), everyone()),
  row('os-federation.domains.list', 'get_auth_domains', "'' (the /v3/auth/domains resource)", 200, everyone(), everyone()),
  // --- OS-OAUTH1 authorisation and access tokens (access_token.py): rule:admin_required, scope_types [project], no deprecated rule
  // in = a request token for project P delegating reader, out = one for project Q; already authorised by that
  // project's admin, so a refusal is judged on its verifier still working (an accepted call re-authorises it).
  row('os-oauth1.authorize', 'authorize_request_token', ADMIN + ' [scope_types project]', 200,
    refuse(allow('PA', ''), '', 'PA:401'), refuse(allow('PA', ''), 'SA:401 DA:401', 'DA:401 PA:401'), {
      note: 'keystone/api/os_oauth1.py then requires the authorising user to hold the delegated roles on the request token\'s project (api-ref: the authorizing user must have access to the requested project): '
        + 'an admin whom the policy passes but who holds no role there (project P\'s admin on Q; legacy, the system and domain admins, whose grants are not on P) gets 401 "authorizing user does not have role required"',
    }),
  row('os-oauth1.access-tokens.list', 'list_access_tokens', ADMIN + ' [scope_types project]', 200, allow('PA', 'PA'), adminAny(true), { note: OAUTH1_TOKEN_TARGETS }),
  row('os-oauth1.access-tokens.get', 'get_access_token', ADMIN + ' [scope_types project]', 200, allow('PA', 'PA'), adminAny(true), { note: OAUTH1_TOKEN_TARGETS }),
  row('os-oauth1.access-tokens.revoke', 'delete_access_token', ADMIN + ' [scope_types project]', 204, allow('PA', 'PA'), adminAny(true), {
    note: `${OAUTH1_TOKEN_TARGETS}. Zed's keystone/api/users.py OAuth1AccessTokenCRUDResource.delete enforces identity:ec2_delete_credential instead (scope_types [system, project]): `
      + 'its deviations are known defects (expectations/keystone-zed.yaml), not this row',
    ...slice,
  }),
  row('os-oauth1.access-tokens.roles.list', 'list_access_token_roles', ADMIN + ' [scope_types project]', 200, allow('PA', 'PA'), adminAny(true), { note: OAUTH1_TOKEN_TARGETS }),
  row('os-oauth1.access-tokens.roles.get', 'get_access_token_role', ADMIN + ' [scope_types project]', 200, allow('PA', 'PA'), adminAny(true), { note: OAUTH1_TOKEN_TARGETS }),
  ...NOT_APPLICABLE.map(([op, why]) => na(op, why)),
];
